// Passwords stored encrypted in a config center (etcd), keyed by SHA-256 of the configured key
// text. Written as "enc:v2:" + base64(12-byte random nonce || AES-256-GCM ciphertext || 16-byte
// tag): a value altered in etcd is refused, not decrypted to garbage. Read as well: the older
// "enc:" + base64(16-byte IV || AES-256-CBC, PKCS#7) values (no integrity check). Values without
// the "enc:" prefix are plain text.
#pragma once
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace tessera::config {

std::string encrypt_secret(std::string_view plain, std::string_view key);
// Throws ConfigError (naming `where`) when the value is not decryptable with `key`.
std::string decrypt_secret(std::string_view stored, std::string_view key, std::string_view where);
bool is_encrypted_secret(std::string_view stored);

// Decrypts "enc:" values of users[].password, users[].backend_password and slices[].password
// in a namespace document, in place. Without a key, an encrypted value is an error.
void decrypt_namespace_secrets(nlohmann::json& ns, std::string_view key, std::string_view where);

std::string base64_encode(std::string_view bytes);
// Empty optional-like behaviour: throws std::invalid_argument on malformed input.
std::string base64_decode(std::string_view text);

}  // namespace tessera::config
