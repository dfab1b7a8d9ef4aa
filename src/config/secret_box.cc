#include "config/secret_box.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <memory>
#include <stdexcept>

#include "config/config_error.h"

namespace tessera::config {

namespace {

constexpr std::string_view kPrefix = "enc:";
// Written by encrypt_secret: AES-256-GCM, authenticated. ':' is not a base64 character, so
// "enc:v2:" never starts a legacy value.
constexpr std::string_view kGcmPrefix = "enc:v2:";
constexpr size_t kIvSize = 16;  // legacy AES-256-CBC
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

std::array<unsigned char, 32> derive_key(std::string_view key) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), out.data());
  return out;
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) throw std::invalid_argument("base64 length is not a multiple of 4");
  if (text.empty()) return {};
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) throw std::invalid_argument("malformed base64");
  size_t len = static_cast<size_t>(n);
  // EVP_DecodeBlock counts padding as zero bytes.
  if (text.back() == '=') len--;
  if (text.size() >= 2 && text[text.size() - 2] == '=') len--;
  out.resize(len);
  return out;
}

bool is_encrypted_secret(std::string_view stored) {
  return stored.substr(0, kPrefix.size()) == kPrefix;
}

std::string encrypt_secret(std::string_view plain, std::string_view key) {
  auto k = derive_key(key);
  unsigned char nonce[kNonceSize];
  if (RAND_bytes(nonce, sizeof(nonce)) != 1) throw std::runtime_error("RAND_bytes failed");
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(reinterpret_cast<const char*>(nonce), kNonceSize);
  out.resize(kNonceSize + plain.size() + kTagSize);
  int len1 = 0, len2 = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data()) + kNonceSize;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k.data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &len1, reinterpret_cast<const unsigned char*>(plain.data()),
                        static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + len1, &len2) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          dst + len1 + len2) != 1) {
    throw std::runtime_error("AES-GCM encryption failed");
  }
  out.resize(kNonceSize + static_cast<size_t>(len1 + len2) + kTagSize);
  return std::string(kGcmPrefix) + base64_encode(out);
}

namespace {

std::string decrypt_gcm(const std::string& raw, const std::array<unsigned char, 32>& k,
                        std::string_view where) {
  if (raw.size() < kNonceSize + kTagSize) {
    throw ConfigError(std::string(where), {}, "encrypted password has the wrong length");
  }
  const size_t ct_size = raw.size() - kNonceSize - kTagSize;
  auto* nonce = reinterpret_cast<const unsigned char*>(raw.data());
  auto* ct = nonce + kNonceSize;
  std::string tag = raw.substr(kNonceSize + ct_size);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(ct_size + 16, '\0');
  int len1 = 0, len2 = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k.data(), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &len1, ct, static_cast<int>(ct_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), dst + len1, &len2) != 1) {
    // A wrong key and a modified value look the same: the tag does not verify.
    throw ConfigError(std::string(where), {},
                      "encrypted password does not decrypt with [etcd] encrypt_key (wrong key, "
                      "or the value was altered)");
  }
  out.resize(static_cast<size_t>(len1 + len2));
  return out;
}

}  // namespace

std::string decrypt_secret(std::string_view stored, std::string_view key, std::string_view where) {
  if (!is_encrypted_secret(stored)) return std::string(stored);
  if (key.empty()) {
    throw ConfigError(std::string(where), {},
                      "the password is encrypted (enc:...) but [etcd] encrypt_key is not set");
  }
  const bool gcm = stored.substr(0, kGcmPrefix.size()) == kGcmPrefix;
  std::string raw;
  try {
    raw = base64_decode(stored.substr(gcm ? kGcmPrefix.size() : kPrefix.size()));
  } catch (const std::exception& e) {
    throw ConfigError(std::string(where), {}, fmt::format("encrypted password: {}", e.what()));
  }
  if (gcm) return decrypt_gcm(raw, derive_key(key), where);
  // Legacy "enc:<base64>": AES-256-CBC without a MAC, still read so stored values keep working.
  if (raw.size() < kIvSize + 16 || (raw.size() - kIvSize) % 16 != 0) {
    throw ConfigError(std::string(where), {}, "encrypted password has the wrong length");
  }
  auto k = derive_key(key);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(raw.size(), '\0');
  int len1 = 0, len2 = 0;
  auto* iv = reinterpret_cast<const unsigned char*>(raw.data());
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, k.data(), iv) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &len1, iv + kIvSize,
                        static_cast<int>(raw.size() - kIvSize)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), dst + len1, &len2) != 1) {
    throw ConfigError(std::string(where), {},
                      "encrypted password does not decrypt with [etcd] encrypt_key");
  }
  out.resize(static_cast<size_t>(len1 + len2));
  return out;
}

void decrypt_namespace_secrets(nlohmann::json& ns, std::string_view key, std::string_view where) {
  for (const char* list : {"users", "slices"}) {
    auto it = ns.find(list);
    if (it == ns.end() || !it->is_array()) continue;
    for (size_t i = 0; i < it->size(); ++i) {
      auto& entry = (*it)[i];
      if (!entry.is_object()) continue;
      // users[].backend_password (our extension) is a backend secret like slices[].password.
      for (const char* field : {"password", "backend_password"}) {
        auto pw = entry.find(field);
        if (pw == entry.end() || !pw->is_string()) continue;
        std::string place = fmt::format("{}: {}[{}].{}", where, list, i, field);
        *pw = decrypt_secret(pw->get<std::string>(), key, place);
      }
    }
  }
}

}  // namespace tessera::config
