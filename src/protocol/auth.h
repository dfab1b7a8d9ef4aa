// Authentication plugin arithmetic: scramble generation and the responses of
// mysql_native_password and caching_sha2_password, computed and verified
// from a clear-text password (Tessera's config holds passwords, as Gaea's does).
#pragma once
#include <memory>
#include <optional>
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

// ---- mysql_native_password without the password (backend accounts) ----
// The server stores stage2 = SHA1(SHA1(password)); a client's response to scramble S is
// SHA1(password) XOR SHA1(S + stage2). Whoever saw one response and knows stage2 therefore
// learns stage1 = SHA1(password), which answers any later scramble of the same account but
// is not the password (it opens no other plugin, nor another account with the same password
// under another plugin). Tessera keeps it in memory only, for the connections a session
// opens in its client's name.
//
// The response to `scramble` from stage1 (what native_password_response computes from the
// password).
std::string native_password_response_from_stage1(std::string_view stage1,
                                                 std::string_view scramble);
// stage1 recovered from a client's 20-byte `response` to `scramble`, checked against the
// account's `stage2`: nullopt when the response was not made with that password.
std::optional<std::string> native_password_stage1(std::string_view response,
                                                  std::string_view scramble,
                                                  std::string_view stage2);
// stage2 (20 bytes) from a line of SHOW GRANTS FOR CURRENT_USER (MariaDB shows an account
// its own hash: `IDENTIFIED BY PASSWORD '*<40 hex>'`, or `IDENTIFIED VIA
// mysql_native_password USING '*<40 hex>'`); nullopt when the line holds none.
std::optional<std::string> native_password_hash_in_grant(std::string_view grant);

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
