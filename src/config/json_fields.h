#pragma once

// Internal: typed, path-aware reading of one JSON object of a Gaea-style namespace file.
// Accepts the liberties Gaea's files take (numbers written as strings, `null` for empty lists)
// and records keys nobody asked for as warnings.

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tessera::config::detail {

class JsonObjectReader {
 public:
  // `path` is this object's field path (`slices[1]`, empty for the document root).
  // Throws ConfigError if `object` is not a JSON object.
  JsonObjectReader(const nlohmann::json& object, std::string path, std::string_view source,
                   std::vector<std::string>* warnings);

  // The full field path of `key` inside this object (`slices[1].master`).
  std::string path_of(std::string_view key) const;
  [[noreturn]] void fail(std::string_view key, const std::string& problem) const;

  bool has(std::string_view key) const;  // present and not null
  // Present, non-null value, marked as read; nullptr when absent or null.
  const nlohmann::json* get(std::string_view key);

  // Strict string.
  std::string string(std::string_view key, std::string fallback = {});
  // String, or a number rendered as text (mycat parameters).
  std::string text(std::string_view key);
  // Integer, or a string holding one; an empty string means `fallback`.
  int64_t integer(std::string_view key, int64_t fallback,
                  int64_t min = std::numeric_limits<int64_t>::min(),
                  int64_t max = std::numeric_limits<int64_t>::max());
  // Boolean, or the strings "true"/"false", or the numbers 0/1.
  bool boolean(std::string_view key, bool fallback);
  std::vector<std::string> string_list(std::string_view key);
  std::vector<int> int_list(std::string_view key);
  // Array value (nullptr when absent/null); throws when present but not an array.
  const nlohmann::json* array(std::string_view key);
  // Object value (nullptr when absent/null); throws when present but not an object.
  const nlohmann::json* object(std::string_view key);

  // Records every key that was never read as an "unknown field, ignored" warning.
  void warn_unread();

  const std::string& source() const { return source_; }
  std::vector<std::string>* warnings() const { return warnings_; }

 private:
  const nlohmann::json& object_;
  std::string path_;
  std::string source_;
  std::vector<std::string>* warnings_;
  std::set<std::string, std::less<>> read_;
};

// Parses an integer out of a JSON value (number or numeric string). Returns false when it is
// neither; `is_empty` is set for an empty string.
bool json_to_int64(const nlohmann::json& value, int64_t* out, bool* is_empty);

// Short type name for messages ("string", "number", "array", ...).
std::string_view json_type_name(const nlohmann::json& value);

// Shortened JSON rendering of a value for messages.
std::string json_excerpt(const nlohmann::json& value);

}  // namespace tessera::config::detail
