#include "config/secret_box.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "config/config_error.h"
#include "config/etcd_client.h"
#include "config/proxy_config.h"

namespace tessera::config {
namespace {

// The pre-GCM format, built independently of secret_box.cc.
std::string legacy_cbc(std::string_view plain, std::string_view key) {
  unsigned char k[32];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), k);
  unsigned char iv[16];
  for (int i = 0; i < 16; ++i) iv[i] = static_cast<unsigned char>(i * 7 + 1);
  std::string out(reinterpret_cast<const char*>(iv), 16);
  out.resize(16 + plain.size() + 16);
  int a = 0, b = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data()) + 16;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr, k, iv);
  EVP_EncryptUpdate(ctx, dst, &a, reinterpret_cast<const unsigned char*>(plain.data()),
                    static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(ctx, dst + a, &b);
  EVP_CIPHER_CTX_free(ctx);
  out.resize(16 + static_cast<size_t>(a + b));
  return "enc:" + base64_encode(out);
}

TEST(SecretBox, RoundTrip) {
  for (std::string plain : {"", "a", "sixteen-bytes-xx", "p\xc3\xa4ssword with spaces"}) {
    std::string enc = encrypt_secret(plain, "key-1");
    EXPECT_TRUE(is_encrypted_secret(enc));
    EXPECT_EQ(decrypt_secret(enc, "key-1", "t"), plain);
  }
  // random IV: the same password encrypts differently each time
  EXPECT_NE(encrypt_secret("x", "k"), encrypt_secret("x", "k"));
}

TEST(SecretBox, NewValuesAreAuthenticatedGcm) {
  std::string enc = encrypt_secret("secret-pw", "k");
  ASSERT_EQ(enc.substr(0, 7), "enc:v2:");
  std::string raw = base64_decode(enc.substr(7));
  EXPECT_EQ(raw.size(), 12u + 9u + 16u);  // nonce, ciphertext (no padding), tag
  // any flipped bit (ciphertext, nonce or tag) is refused
  for (size_t i : {size_t{0}, size_t{12}, size_t{15}, raw.size() - 1}) {
    std::string bad = raw;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    EXPECT_THROW(decrypt_secret("enc:v2:" + base64_encode(bad), "k", "t"), ConfigError) << i;
  }
  EXPECT_THROW(decrypt_secret("enc:v2:" + base64_encode(raw.substr(0, 20)), "k", "t"), ConfigError);
}

TEST(SecretBox, LegacyCbcValuesStillDecrypt) {
  // "enc:" + base64(IV || AES-256-CBC) of "pw_one" with key "etcd-secret", as written by
  // earlier versions (and tests/integration/opslib.py's encrypt_password).
  const std::string legacy = legacy_cbc("pw_one", "etcd-secret");
  EXPECT_EQ(legacy.substr(0, 4), "enc:");
  EXPECT_NE(legacy.substr(0, 7), "enc:v2:");
  EXPECT_EQ(decrypt_secret(legacy, "etcd-secret", "t"), "pw_one");
  EXPECT_THROW(decrypt_secret(legacy, "other", "t"), ConfigError);
}

TEST(SecretBox, PlainTextPassesThrough) {
  EXPECT_EQ(decrypt_secret("plain", "", "t"), "plain");
  EXPECT_FALSE(is_encrypted_secret("plain"));
}

TEST(SecretBox, WrongKeyOrGarbageIsAClearError) {
  std::string enc = encrypt_secret("secret", "right");
  EXPECT_THROW(decrypt_secret(enc, "wrong", "ns.json: users[0].password"), ConfigError);
  EXPECT_THROW(decrypt_secret(enc, "", "t"), ConfigError);
  EXPECT_THROW(decrypt_secret("enc:!!!!", "k", "t"), ConfigError);
  EXPECT_THROW(decrypt_secret("enc:QUJD", "k", "t"), ConfigError);
  try {
    decrypt_secret(enc, "wrong", "ns.json: users[0].password");
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("users[0].password"), std::string::npos) << e.what();
  }
}

TEST(SecretBox, DecryptsNamespaceDocument) {
  auto doc = nlohmann::json::parse(R"({"users": [{"user_name": "u", "password": "plain"}],
      "slices": [{"name": "s"}]})");
  doc["slices"][0]["password"] = encrypt_secret("backend_pw", "k");
  doc["users"].push_back({{"user_name", "v"},
                          {"password", encrypt_secret("v_pw", "k")},
                          {"backend_user_name", "v_ro"},
                          {"backend_password", encrypt_secret("v_ro_pw", "k")}});
  decrypt_namespace_secrets(doc, "k", "etcd");
  EXPECT_EQ(doc["users"][0]["password"], "plain");
  EXPECT_EQ(doc["users"][1]["password"], "v_pw");
  EXPECT_EQ(doc["users"][1]["backend_password"], "v_ro_pw");
  EXPECT_EQ(doc["slices"][0]["password"], "backend_pw");
}

TEST(SecretBox, Base64) {
  EXPECT_EQ(base64_encode("ab"), "YWI=");
  EXPECT_EQ(base64_decode("YWI="), "ab");
  EXPECT_EQ(base64_decode("YWJj"), "abc");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_THROW(base64_decode("abc"), std::invalid_argument);
}

TEST(EtcdClient, PrefixEnd) {
  EXPECT_EQ(EtcdClient::prefix_end("/tessera/a/"), "/tessera/a0");
  EXPECT_EQ(EtcdClient::prefix_end(std::string("a\xff", 2)), "b");
}

TEST(EtcdSection, ParsesAndValidates) {
  auto c = parse_proxy_config(R"([etcd]
endpoints = ["127.0.0.1:2379", "10.0.0.2:2379"]
prefix = "/cfg/"
cluster = "east"
encrypt_key = "k"
timeout_ms = 500
)",
                              "t.toml", "/tmp");
  ASSERT_EQ(c.etcd_endpoints.size(), 2u);
  EXPECT_TRUE(c.etcd_enabled());
  EXPECT_EQ(c.etcd_namespace_prefix(), "/cfg/east/namespace/");
  EXPECT_EQ(c.etcd_encrypt_key, "k");
  EXPECT_EQ(c.etcd_timeout.count(), 500);
  EXPECT_FALSE(parse_proxy_config("", "t.toml", "/tmp").etcd_enabled());
  EXPECT_EQ(parse_proxy_config("", "t.toml", "/tmp").etcd_namespace_prefix(),
            "/tessera/default/namespace/");
  EXPECT_THROW(parse_proxy_config("[etcd]\nendpoints = [\"nohost\"]\n", "t.toml", "/tmp"),
               ConfigError);
  EXPECT_THROW(parse_proxy_config("[etcd]\nprefix = \"x\"\n", "t.toml", "/tmp"), ConfigError);
  EXPECT_THROW(parse_proxy_config("[etcd]\ncluster = \"a/b\"\n", "t.toml", "/tmp"), ConfigError);
  EXPECT_THROW(parse_proxy_config("[etcd]\nbogus = 1\n", "t.toml", "/tmp"), ConfigError);
}

TEST(EtcdSection, AuthAndTls) {
  auto c = parse_proxy_config(R"([etcd]
endpoints = ["127.0.0.1:2379"]
username = "tessera"
password = "pw"
tls = true
tls_ca = "ca.pem"
tls_cert = "/etc/c.pem"
tls_key = "/etc/k.pem"
)",
                              "t.toml", "/base");
  EXPECT_EQ(c.etcd_username, "tessera");
  EXPECT_EQ(c.etcd_password, "pw");
  EXPECT_TRUE(c.etcd_tls);
  EXPECT_EQ(c.etcd_tls_ca, "/base/ca.pem");  // relative to the TOML file
  EXPECT_EQ(c.etcd_tls_cert, "/etc/c.pem");
  EXPECT_TRUE(c.etcd_tls_verify);
  auto o = etcd_options(c);
  EXPECT_EQ(o.username, "tessera");
  EXPECT_EQ(o.tls_key, "/etc/k.pem");
  EXPECT_TRUE(o.tls);

  // an encrypted password, decrypted with encrypt_key
  std::string enc = encrypt_secret("s3cret", "k");
  auto e = parse_proxy_config(
      "[etcd]\nencrypt_key = \"k\"\nusername = \"u\"\npassword = \"" + enc + "\"\n", "t.toml",
      "/tmp");
  EXPECT_EQ(e.etcd_password, "s3cret");
  EXPECT_THROW(
      parse_proxy_config(
          "[etcd]\nencrypt_key = \"other\"\nusername = \"u\"\npassword = \"" + enc + "\"\n",
          "t.toml", "/tmp"),
      ConfigError);
  EXPECT_THROW(parse_proxy_config("[etcd]\nusername = \"u\"\npassword = \"" + enc + "\"\n",
                                  "t.toml", "/tmp"),
               ConfigError);
  // a password without a user; TLS files without tls = true; a certificate without its key
  EXPECT_THROW(parse_proxy_config("[etcd]\npassword = \"p\"\n", "t.toml", "/tmp"), ConfigError);
  EXPECT_THROW(parse_proxy_config("[etcd]\ntls_ca = \"ca.pem\"\n", "t.toml", "/tmp"), ConfigError);
  EXPECT_THROW(parse_proxy_config("[etcd]\ntls = true\ntls_cert = \"c.pem\"\n", "t.toml", "/tmp"),
               ConfigError);
  EXPECT_THROW(parse_proxy_config("[etcd]\ntls = \"yes\"\n", "t.toml", "/tmp"), ConfigError);
  EXPECT_FALSE(parse_proxy_config("[etcd]\ntls = true\ntls_verify = false\n", "t.toml", "/tmp")
                   .etcd_tls_verify);
}

}  // namespace
}  // namespace tessera::config
