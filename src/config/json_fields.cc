#include "config/json_fields.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "config/config_error.h"

namespace tessera::config::detail {

std::string_view json_type_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "object";
    case nlohmann::json::value_t::array:
      return "array";
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::boolean:
      return "boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "number";
    default:
      return "value";
  }
}

std::string json_excerpt(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

bool json_to_int64(const nlohmann::json& value, int64_t* out, bool* is_empty) {
  *is_empty = false;
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() &&
        value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return false;
    }
    *out = value.get<int64_t>();
    return true;
  }
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (std::trunc(d) != d || std::fabs(d) > 9.0e18) return false;
    *out = static_cast<int64_t>(d);
    return true;
  }
  if (value.is_string()) {
    std::string_view s = value.get_ref<const std::string&>();
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (s.empty()) {
      *is_empty = true;
      return false;
    }
    if (s.front() == '+') s.remove_prefix(1);
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && ptr == s.data() + s.size();
  }
  return false;
}

JsonObjectReader::JsonObjectReader(const nlohmann::json& object, std::string path,
                                   std::string_view source, std::vector<std::string>* warnings)
    : object_(object), path_(std::move(path)), source_(source), warnings_(warnings) {
  if (!object_.is_object()) {
    throw ConfigError(source_, path_.empty() ? std::string("(document)") : path_,
                      fmt::format("expected an object, got {}", json_type_name(object_)));
  }
}

std::string JsonObjectReader::path_of(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return fmt::format("{}.{}", path_, key);
}

void JsonObjectReader::fail(std::string_view key, const std::string& problem) const {
  throw ConfigError(source_, path_of(key), problem);
}

bool JsonObjectReader::has(std::string_view key) const {
  auto it = object_.find(key);
  return it != object_.end() && !it->is_null();
}

const nlohmann::json* JsonObjectReader::get(std::string_view key) {
  auto it = object_.find(key);
  if (it == object_.end()) return nullptr;
  read_.emplace(key);
  if (it->is_null()) return nullptr;
  return &*it;
}

std::string JsonObjectReader::string(std::string_view key, std::string fallback) {
  const auto* v = get(key);
  if (!v) return fallback;
  if (!v->is_string()) {
    fail(key, fmt::format("expected a string, got {} {}", json_type_name(*v), json_excerpt(*v)));
  }
  return v->get<std::string>();
}

std::string JsonObjectReader::text(std::string_view key) {
  const auto* v = get(key);
  if (!v) return {};
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number()) return v->dump();
  fail(key, fmt::format("expected a string or number, got {}", json_type_name(*v)));
}

int64_t JsonObjectReader::integer(std::string_view key, int64_t fallback, int64_t min,
                                  int64_t max) {
  const auto* v = get(key);
  if (!v) return fallback;
  int64_t out = 0;
  bool empty = false;
  if (!json_to_int64(*v, &out, &empty)) {
    if (empty) return fallback;
    fail(key, fmt::format("{} is not an integer", json_excerpt(*v)));
  }
  if (out < min || out > max) {
    if (max == std::numeric_limits<int64_t>::max()) {
      fail(key, fmt::format("{} is out of range (must be >= {})", out, min));
    }
    fail(key, fmt::format("{} is out of range (must be {}..{})", out, min, max));
  }
  return out;
}

bool JsonObjectReader::boolean(std::string_view key, bool fallback) {
  const auto* v = get(key);
  if (!v) return fallback;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    if (s == "true") return true;
    if (s == "false") return false;
    if (s.empty()) return fallback;
  }
  if (v->is_number_integer()) {
    auto n = v->get<int64_t>();
    if (n == 0 || n == 1) return n == 1;
  }
  fail(key, fmt::format("{} is not a boolean", json_excerpt(*v)));
}

const nlohmann::json* JsonObjectReader::array(std::string_view key) {
  const auto* v = get(key);
  if (v && !v->is_array()) {
    fail(key, fmt::format("expected an array, got {}", json_type_name(*v)));
  }
  return v;
}

const nlohmann::json* JsonObjectReader::object(std::string_view key) {
  const auto* v = get(key);
  if (v && !v->is_object()) {
    fail(key, fmt::format("expected an object, got {}", json_type_name(*v)));
  }
  return v;
}

std::vector<std::string> JsonObjectReader::string_list(std::string_view key) {
  std::vector<std::string> out;
  const auto* arr = array(key);
  if (!arr) return out;
  for (size_t i = 0; i < arr->size(); ++i) {
    const auto& item = (*arr)[i];
    if (!item.is_string()) {
      throw ConfigError(source_, fmt::format("{}[{}]", path_of(key), i),
                        fmt::format("expected a string, got {}", json_type_name(item)));
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<int> JsonObjectReader::int_list(std::string_view key) {
  std::vector<int> out;
  const auto* arr = array(key);
  if (!arr) return out;
  for (size_t i = 0; i < arr->size(); ++i) {
    int64_t value = 0;
    bool empty = false;
    if (!json_to_int64((*arr)[i], &value, &empty) || value < std::numeric_limits<int>::min() ||
        value > std::numeric_limits<int>::max()) {
      throw ConfigError(source_, fmt::format("{}[{}]", path_of(key), i),
                        fmt::format("{} is not an integer", json_excerpt((*arr)[i])));
    }
    out.push_back(static_cast<int>(value));
  }
  return out;
}

void JsonObjectReader::warn_unread() {
  if (!warnings_) return;
  for (const auto& [key, value] : object_.items()) {
    if (read_.find(key) == read_.end()) {
      warnings_->push_back(fmt::format("{}: {}: unknown field, ignored", source_, path_of(key)));
    }
  }
}

}  // namespace tessera::config::detail
