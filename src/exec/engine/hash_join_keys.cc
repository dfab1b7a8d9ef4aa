#include "exec/engine/hash_join_keys.h"

#include "sql/charsets.h"

namespace tessera::exec::engine {

namespace {

bool whole_or_decimal(ValueFamily f) {
  return f == ValueFamily::kSignedInt || f == ValueFamily::kUnsignedInt ||
         f == ValueFamily::kDecimal;
}

}  // namespace

std::optional<ValueType> build_key_type(const protocol::ColumnDefinition& build,
                                        std::string_view build_collation,
                                        std::string_view probe_collation) {
  if (build.type == protocol::FieldType::kBit) return std::nullopt;
  ValueType t = ValueType::of(build);
  if (t.family != ValueFamily::kString) return t;
  // Two collations: the server picks one by coercibility, or refuses the mix.
  if (build_collation.empty() || build_collation != probe_collation) return std::nullopt;
  if (build.charset == 63) return t;  // binary strings: bytes
  // The cells must arrive in the keys' own character set: converted (a utf8mb3 session over
  // utf8mb4 keys sends each 4-byte character as '?'), two different keys could compare equal.
  if (build.charset > 255 || sql::charset_of_collation(static_cast<uint8_t>(build.charset)) !=
                                 build_collation.substr(0, build_collation.find('_')))
    return std::nullopt;
  Collation c = Collation::from_name(build_collation, t.collation.encoding);
  switch (c.kind) {
    case Collation::Kind::kBytes:
    case Collation::Kind::kLatin1Bytes:
    case Collation::Kind::kWeights:
    case Collation::Kind::kLatin1Weights:
      t.collation = c;
      return t;
    default:
      return std::nullopt;
  }
}

bool probe_key_fits(const protocol::ColumnDefinition& build,
                    const protocol::ColumnDefinition& probe) {
  if (probe.type == protocol::FieldType::kBit) return false;
  const ValueType b = ValueType::of(build);
  const ValueType p = ValueType::of(probe);
  if (whole_or_decimal(b.family)) return whole_or_decimal(p.family);
  switch (b.family) {
    case ValueFamily::kFloat:
    case ValueFamily::kTemporal:
    case ValueFamily::kTime:
      // FLOAT's text is not the double the server compares; DATE against DATETIME, or two
      // precisions, compare as the wider type.
      return p.family == b.family && probe.type == build.type && probe.decimals == build.decimals;
    case ValueFamily::kString:
      // (the collations were compared by name; the cells must arrive alike)
      return p.family == ValueFamily::kString && (probe.charset == 63) == (build.charset == 63) &&
             p.collation.encoding == b.collation.encoding &&
             (probe.charset == build.charset ||
              (probe.charset <= 255 && build.charset <= 255 &&
               sql::charset_of_collation(static_cast<uint8_t>(probe.charset)) ==
                   sql::charset_of_collation(static_cast<uint8_t>(build.charset))));
    default:
      return false;
  }
}

}  // namespace tessera::exec::engine
