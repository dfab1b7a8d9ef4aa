// A shard-key value as the router takes it from SQL text or a prepared-statement parameter,
// before any shard function interprets it.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace tessera::router {

struct NullValue {
  bool operator==(const NullValue&) const = default;
};

// Integer literals (and integer parameters) stay integers; everything else (quoted strings,
// decimals, dates, hex strings) is kept as decoded text. Shard functions decide what a text
// value means for them (a date rule parses it, hash takes CRC32 of it, mod parses a number).
struct ShardValue {
  std::variant<NullValue, int64_t, uint64_t, std::string> v;

  static ShardValue null() { return {NullValue{}}; }
  static ShardValue of(int64_t i) { return {i}; }
  static ShardValue of_unsigned(uint64_t u) { return {u}; }
  static ShardValue of(std::string s) { return {std::move(s)}; }

  bool is_null() const { return std::holds_alternative<NullValue>(v); }
  bool operator==(const ShardValue&) const = default;
};

}  // namespace tessera::router
