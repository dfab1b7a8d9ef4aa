// The form in which a collation compares a shard key, so a string shard function (mycat_string)
// can hash that form and keys the server calls equal ('dave', 'Dave', 'dave ') land on one
// shard (issue 18 item 4). Only what routing needs, for the collations string keys use most:
//   utf8mb4_general_ci / utf8mb3_general_ci / utf8_general_ci: each character replaced by its
//     general_ci weight (upper case without accents: 'é' -> 'E'), trailing spaces dropped
//   utf8mb4_bin / utf8mb3_bin / utf8_bin: trailing spaces dropped (PAD SPACE)
// Keys are UTF-8 (the client's character set must be utf8mb4/utf8mb3 for these rules).
// This should move onto exec/'s collation code (weight strings) once that covers these
// collations; it is kept apart so the router does not depend on exec/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "router/shard_function.h"

namespace tessera::router {

class KeyCollation {
 public:
  // nullopt for a collation this file does not implement.
  static std::optional<KeyCollation> find(std::string_view name);
  // For error messages.
  static std::string_view supported_names();

  // The key as the collation compares it; ShardError for text that is not UTF-8.
  ShardResult<std::string> canonical(std::string_view key) const;
  const std::string& name() const { return name_; }

 private:
  enum class Kind { kBinPadSpace, kGeneralCi };
  KeyCollation(Kind kind, std::string name) : kind_(kind), name_(std::move(name)) {}
  Kind kind_;
  std::string name_;
};

}  // namespace tessera::router
