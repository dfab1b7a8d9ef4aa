// Authentication plugin arithmetic: scramble generation and the responses of
// mysql_native_password and caching_sha2_password, computed and verified
// from a clear-text password (Tessera's config holds passwords, as Gaea's does).
#pragma once
#include <memory>
#include <string>
#include <string_view>

namespace tessera::protocol {

inline constexpr std::string_view kNativePassword = "mysql_native_password";
inline constexpr std::string_view kCachingSha2Password = "caching_sha2_password";
inline constexpr std::string_view kClearPassword = "mysql_clear_password";

// caching_sha2_password protocol bytes after the scramble exchange.
inline constexpr uint8_t kSha2RequestPublicKey = 0x02;
inline constexpr uint8_t kSha2FastAuthSuccess = 0x03;
inline constexpr uint8_t kSha2PerformFullAuth = 0x04;

// 20 random bytes without NUL (the scramble travels NUL-terminated).
std::string make_scramble();

std::string native_password_response(std::string_view password, std::string_view scramble);
bool verify_native_password(std::string_view response, std::string_view scramble,
                            std::string_view password);

std::string caching_sha2_response(std::string_view password, std::string_view scramble);
bool verify_caching_sha2(std::string_view response, std::string_view scramble,
                         std::string_view password);

// XOR of (password + NUL) with the scramble repeated; the plaintext of the
// RSA exchange in caching_sha2_password full authentication.
std::string xor_password_with_scramble(std::string_view password_nul, std::string_view scramble);

// An RSA key pair for caching_sha2_password full authentication without TLS.
class RsaKeyPair {
 public:
  static std::shared_ptr<RsaKeyPair> generate(int bits = 2048);
  ~RsaKeyPair();
  const std::string& public_key_pem() const { return public_pem_; }
  // RSA-OAEP decrypt; empty on failure.
  std::string decrypt(std::string_view ciphertext) const;

 private:
  RsaKeyPair() = default;
  void* pkey_ = nullptr;  // EVP_PKEY*
  std::string public_pem_;
};

// RSA-OAEP encrypt with a PEM public key (the client side of the exchange);
// empty on failure.
std::string rsa_encrypt_with_pem(std::string_view pem, std::string_view plaintext);

}  // namespace tessera::protocol
