#include "protocol/auth.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <array>
#include <stdexcept>

namespace tessera::protocol {
namespace {

template <size_t N>
using Digest = std::array<unsigned char, N>;

template <size_t N>
Digest<N> digest(const EVP_MD* md, std::string_view a, std::string_view b) {
  Digest<N> d;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, md, nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  EVP_DigestUpdate(ctx, b.data(), b.size());
  EVP_DigestFinal_ex(ctx, d.data(), nullptr);
  EVP_MD_CTX_free(ctx);
  return d;
}

Digest<20> sha1(std::string_view a, std::string_view b = {}) {
  return digest<20>(EVP_sha1(), a, b);
}

Digest<32> sha256(std::string_view a, std::string_view b = {}) {
  return digest<32>(EVP_sha256(), a, b);
}

template <size_t N>
std::string_view view(const Digest<N>& d) {
  return {reinterpret_cast<const char*>(d.data()), N};
}

// Constant-time comparison so response checks do not leak timing.
bool equal_ct(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::string make_scramble() {
  std::string s(20, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(s.size()));
  for (auto& c : s) c = static_cast<char>((static_cast<unsigned char>(c) % 94) + 33);
  return s;
}

std::string native_password_response(std::string_view password, std::string_view scramble) {
  if (password.empty()) return {};
  auto stage1 = sha1(password);
  auto stage2 = sha1(view(stage1));
  auto mix = sha1(scramble.substr(0, 20), view(stage2));
  std::string out(20, '\0');
  for (size_t i = 0; i < 20; ++i) out[i] = static_cast<char>(stage1[i] ^ mix[i]);
  return out;
}

bool verify_native_password(std::string_view response, std::string_view scramble,
                            std::string_view password) {
  if (password.empty()) return response.empty();
  if (response.size() != 20) return false;
  return equal_ct(response, native_password_response(password, scramble));
}

std::string native_password_response_from_stage1(std::string_view stage1,
                                                 std::string_view scramble) {
  if (stage1.size() != 20) return {};
  auto stage2 = sha1(stage1);
  auto mix = sha1(scramble.substr(0, 20), view(stage2));
  std::string out(20, '\0');
  for (size_t i = 0; i < 20; ++i) out[i] = static_cast<char>(stage1[i] ^ mix[i]);
  return out;
}

std::optional<std::string> native_password_stage1(std::string_view response,
                                                  std::string_view scramble,
                                                  std::string_view stage2) {
  if (response.size() != 20 || stage2.size() != 20) return std::nullopt;
  auto mix = sha1(scramble.substr(0, 20), stage2);
  std::string stage1(20, '\0');
  for (size_t i = 0; i < 20; ++i) stage1[i] = static_cast<char>(response[i] ^ mix[i]);
  // SHA1(stage1) == stage2 is exactly the server's own check of the response.
  if (!equal_ct(view(sha1(stage1)), stage2)) return std::nullopt;
  return stage1;
}

std::optional<std::string> native_password_hash_in_grant(std::string_view grant) {
  for (std::string_view marker : {"IDENTIFIED BY PASSWORD '*", "mysql_native_password USING '*"}) {
    auto at = grant.find(marker);
    if (at == std::string_view::npos) continue;
    std::string_view hex = grant.substr(at + marker.size());
    if (hex.size() < 41 || hex[40] != '\'') continue;
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    std::string out(20, '\0');
    bool ok = true;
    for (size_t i = 0; i < 20 && ok; ++i) {
      int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
      ok = hi >= 0 && lo >= 0;
      out[i] = static_cast<char>((hi << 4) | (lo & 0xf));
    }
    if (ok) return out;
  }
  return std::nullopt;
}

std::string caching_sha2_response(std::string_view password, std::string_view scramble) {
  if (password.empty()) return {};
  auto stage1 = sha256(password);
  auto stage2 = sha256(view(stage1));
  auto mix = sha256(view(stage2), scramble.substr(0, 21));
  std::string out(32, '\0');
  for (size_t i = 0; i < 32; ++i) out[i] = static_cast<char>(stage1[i] ^ mix[i]);
  return out;
}

bool verify_caching_sha2(std::string_view response, std::string_view scramble,
                         std::string_view password) {
  if (password.empty()) return response.empty();
  if (response.size() != 32) return false;
  // Some drivers (PyMySQL) hash the auth-switch nonce with its trailing NUL;
  // both forms are nonces this server chose, so either proves the password.
  std::string with_nul(scramble.substr(0, 20));
  with_nul.push_back('\0');
  return equal_ct(response, caching_sha2_response(password, scramble)) ||
         equal_ct(response, caching_sha2_response(password, with_nul));
}

std::string xor_password_with_scramble(std::string_view password_nul, std::string_view scramble) {
  std::string out(password_nul);
  if (scramble.empty()) return out;
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<char>(out[i] ^ scramble[i % scramble.size()]);
  return out;
}

std::shared_ptr<RsaKeyPair> RsaKeyPair::generate(int bits) {
  EVP_PKEY* pkey = EVP_RSA_gen(static_cast<unsigned>(bits));
  if (!pkey) throw std::runtime_error("RSA key generation failed");
  std::shared_ptr<RsaKeyPair> kp(new RsaKeyPair());
  kp->pkey_ = pkey;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, pkey);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  kp->public_pem_.assign(data, static_cast<size_t>(len));
  BIO_free(bio);
  return kp;
}

RsaKeyPair::~RsaKeyPair() {
  EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_));
}

std::string RsaKeyPair::decrypt(std::string_view ciphertext) const {
  auto* pkey = static_cast<EVP_PKEY*>(pkey_);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pkey, nullptr);
  std::string out;
  size_t len = 0;
  auto in = reinterpret_cast<const unsigned char*>(ciphertext.data());
  if (ctx && EVP_PKEY_decrypt_init(ctx) > 0 &&
      EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
      EVP_PKEY_decrypt(ctx, nullptr, &len, in, ciphertext.size()) > 0) {
    out.resize(len);
    if (EVP_PKEY_decrypt(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, in,
                         ciphertext.size()) > 0) {
      out.resize(len);
    } else {
      out.clear();
    }
  }
  EVP_PKEY_CTX_free(ctx);
  return out;
}

std::string rsa_encrypt_with_pem(std::string_view pem, std::string_view plaintext) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!pkey) return {};
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pkey, nullptr);
  std::string out;
  size_t len = 0;
  auto in = reinterpret_cast<const unsigned char*>(plaintext.data());
  if (ctx && EVP_PKEY_encrypt_init(ctx) > 0 &&
      EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
      EVP_PKEY_encrypt(ctx, nullptr, &len, in, plaintext.size()) > 0) {
    out.resize(len);
    if (EVP_PKEY_encrypt(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, in,
                         plaintext.size()) > 0) {
      out.resize(len);
    } else {
      out.clear();
    }
  }
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return out;
}

}  // namespace tessera::protocol
