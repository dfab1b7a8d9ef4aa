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

// Backend accounts: stage1 = SHA1(password) learned from one response and the stored hash,
// then used to answer other scrambles. Hashes computed independently with Python's hashlib:
// SHA1("secret") = e5e9fa1b..., SHA1(SHA1("secret")) = 14E65567... (MariaDB's PASSWORD('secret')).
TEST(NativePasswordStage1, RecoveredFromResponseAndStoredHash) {
  const std::string grant =
      "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD "
      "'*14E65567ABDB5135D0CFD9A70B3032C179A49EE7'";
  auto stage2 = native_password_hash_in_grant(grant);
  ASSERT_TRUE(stage2);
  ASSERT_EQ(stage2->size(), 20u);
  const std::string nonce = make_scramble();
  auto stage1 = native_password_stage1(native_password_response("secret", nonce), nonce, *stage2);
  ASSERT_TRUE(stage1);
  const unsigned char expected[20] = {0xe5, 0xe9, 0xfa, 0x1b, 0xa3, 0x1e, 0xcd, 0x1a, 0xe8, 0x4f,
                                      0x75, 0xca, 0xaa, 0x47, 0x4f, 0x3a, 0x66, 0x3f, 0x05, 0xf4};
  EXPECT_EQ(*stage1, std::string(reinterpret_cast<const char*>(expected), 20));
  // It answers a scramble it never saw exactly as the password does.
  const std::string later = make_scramble();
  EXPECT_EQ(native_password_response_from_stage1(*stage1, later),
            native_password_response("secret", later));
  EXPECT_TRUE(verify_native_password(native_password_response_from_stage1(*stage1, later), later,
                                     "secret"));
}

TEST(NativePasswordStage1, WrongPasswordOrMalformedInputGivesNothing) {
  auto stage2 = native_password_hash_in_grant(
      "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD "
      "'*14E65567ABDB5135D0CFD9A70B3032C179A49EE7'");
  ASSERT_TRUE(stage2);
  const std::string nonce = make_scramble();
  EXPECT_FALSE(native_password_stage1(native_password_response("Secret", nonce), nonce, *stage2));
  EXPECT_FALSE(native_password_stage1("", nonce, *stage2));
  EXPECT_FALSE(native_password_stage1(std::string(19, 'x'), nonce, *stage2));
  EXPECT_TRUE(native_password_response_from_stage1("short", nonce).empty());
}

TEST(NativePasswordStage1, HashFoundOnlyInNativePasswordGrants) {
  // The form MariaDB shows for an account with several authentication methods.
  EXPECT_TRUE(native_password_hash_in_grant(
      "GRANT USAGE ON *.* TO `a`@`%` IDENTIFIED VIA ed25519 USING 'x' OR mysql_native_password "
      "USING '*14e65567abdb5135d0cfd9a70b3032c179a49ee7'"));
  // ed25519 only, no password, a truncated or non-hex hash: nothing to learn.
  EXPECT_FALSE(
      native_password_hash_in_grant("GRANT USAGE ON *.* TO `a`@`%` IDENTIFIED VIA ed25519 USING "
                                    "'ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY'"));
  EXPECT_FALSE(native_password_hash_in_grant("GRANT USAGE ON *.* TO `a`@`%`"));
  EXPECT_FALSE(native_password_hash_in_grant("IDENTIFIED BY PASSWORD '*14E65567'"));
  EXPECT_FALSE(native_password_hash_in_grant(
      "IDENTIFIED BY PASSWORD '*14E65567ABDB5135D0CFD9A70B3032C179A49EZZ'"));
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
