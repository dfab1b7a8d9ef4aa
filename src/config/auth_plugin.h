#pragma once

#include <optional>
#include <string_view>

namespace tessera::config {

// Client authentication plugins the proxy speaks.
enum class AuthPlugin { kMysqlNativePassword, kCachingSha2Password };

inline std::optional<AuthPlugin> parse_auth_plugin(std::string_view name) {
  if (name == "mysql_native_password") return AuthPlugin::kMysqlNativePassword;
  if (name == "caching_sha2_password") return AuthPlugin::kCachingSha2Password;
  return std::nullopt;
}

inline std::string_view to_string(AuthPlugin plugin) {
  return plugin == AuthPlugin::kMysqlNativePassword ? "mysql_native_password"
                                                    : "caching_sha2_password";
}

}  // namespace tessera::config
