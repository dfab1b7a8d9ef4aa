// The statements Tessera answers itself for the read-consistency level:
//   SET [SESSION | LOCAL] tessera_read_consistency = 'EVENTUAL' | 'SESSION' | 'GLOBAL'
//   SET @@[session. | local.]tessera_read_consistency = ...
//   SELECT @@[session. | local.]tessera_read_consistency
// Anything else (including other statements that merely mention the name) is not one.
#pragma once
#include <string_view>

namespace tessera::session {

inline constexpr std::string_view kReadConsistencyVariable = "tessera_read_consistency";

struct ConsistencyStatement {
  enum class Kind { kNone, kSet, kSelect, kInvalid };
  Kind kind = Kind::kNone;
  std::string_view value;    // kSet: the value as written, unquoted
  std::string_view problem;  // kInvalid: what is wrong (for the client's error)
};

// Whether the text mentions tessera_read_consistency at all (ASCII case folded).
bool may_name_consistency_variable(std::string_view sql);

// Cheap: returns kNone at once unless the text mentions the variable.
ConsistencyStatement parse_consistency_statement(std::string_view sql);

}  // namespace tessera::session
