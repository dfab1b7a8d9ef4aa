#include "exec/value_compare.h"

#include <charconv>
#include <cstring>

namespace tessera::exec {
namespace {

using protocol::FieldType;

template <typename T>
std::optional<T> parse_number(std::string_view s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

template <typename T>
int three_way(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int bytes_compare(std::string_view a, std::string_view b) {
  int r = a.compare(b);
  return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

// A decimal text split into sign, integer digits without leading zeros and fraction digits
// without trailing zeros; zero is never negative.
struct DecimalParts {
  bool neg = false;
  std::string_view int_part;
  std::string_view frac_part;
};

std::optional<DecimalParts> split_decimal(std::string_view s) {
  DecimalParts d;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) d.neg = s[i++] == '-';
  size_t int_begin = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  size_t int_end = i;
  size_t frac_begin = i, frac_end = i;
  if (i < s.size() && s[i] == '.') {
    frac_begin = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    frac_end = i;
  }
  if (i != s.size() || (int_end == int_begin && frac_end == frac_begin)) return std::nullopt;
  while (int_begin < int_end && s[int_begin] == '0') ++int_begin;
  while (frac_end > frac_begin && s[frac_end - 1] == '0') --frac_end;
  d.int_part = s.substr(int_begin, int_end - int_begin);
  d.frac_part = s.substr(frac_begin, frac_end - frac_begin);
  if (d.int_part.empty() && d.frac_part.empty()) d.neg = false;
  return d;
}

int compare_magnitude(const DecimalParts& a, const DecimalParts& b) {
  if (a.int_part.size() != b.int_part.size()) {
    return a.int_part.size() < b.int_part.size() ? -1 : 1;
  }
  int r = bytes_compare(a.int_part, b.int_part);
  if (r != 0) return r;
  // Fractions without trailing zeros compare as strings: "5" > "25", "5" < "51".
  return bytes_compare(a.frac_part, b.frac_part);
}

// TIME text as signed microseconds.
std::optional<int64_t> parse_time(std::string_view s) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  int64_t parts[3] = {0, 0, 0};
  int part = 0;
  int64_t micros = 0;
  size_t i = 0;
  bool digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      parts[part] = parts[part] * 10 + (c - '0');
      digit = true;
      if (parts[part] > 100000000) return std::nullopt;
    } else if (c == ':' && part < 2 && digit) {
      ++part;
      digit = false;
    } else if (c == '.' && part == 2) {
      break;
    } else {
      return std::nullopt;
    }
  }
  if (part != 2 || !digit) return std::nullopt;
  if (i < s.size()) {
    int64_t scale = 100000;
    for (++i; i < s.size(); ++i) {
      char c = s[i];
      if (c < '0' || c > '9') return std::nullopt;
      micros += (c - '0') * scale;
      scale /= 10;
    }
  }
  int64_t total = ((parts[0] * 60 + parts[1]) * 60 + parts[2]) * 1000000 + micros;
  return neg ? -total : total;
}

void append_framed(std::string_view bytes, std::string& out) {
  // 1 = not NULL, then a 4-byte length so adjacent cells cannot run into each other.
  out.push_back(1);
  auto n = static_cast<uint32_t>(bytes.size());
  for (int k = 3; k >= 0; --k) out.push_back(static_cast<char>((n >> (8 * k)) & 0xff));
  out.append(bytes);
}

}  // namespace

ValueType ValueType::of(const protocol::ColumnDefinition& def) {
  ValueType t;
  bool is_unsigned = (def.flags & protocol::column_flag::kUnsigned) != 0;
  switch (def.type) {
    case FieldType::kTiny:
    case FieldType::kShort:
    case FieldType::kLong:
    case FieldType::kLongLong:
    case FieldType::kInt24:
    case FieldType::kYear:
      t.family = is_unsigned ? ValueFamily::kUnsignedInt : ValueFamily::kSignedInt;
      break;
    case FieldType::kDecimal:
    case FieldType::kNewDecimal:
      t.family = ValueFamily::kDecimal;
      break;
    case FieldType::kFloat:
    case FieldType::kDouble:
      t.family = ValueFamily::kFloat;
      break;
    case FieldType::kDate:
    case FieldType::kDatetime:
    case FieldType::kTimestamp:
      t.family = ValueFamily::kTemporal;
      break;
    case FieldType::kTime:
      t.family = ValueFamily::kTime;
      break;
    case FieldType::kBit:
    case FieldType::kGeometry:
      t.family = ValueFamily::kString;
      t.collation = Collation::binary();
      break;
    default:
      // ENUM and SET arrive as strings; the server orders them by member index, which the
      // text protocol does not carry, so they compare as strings here.
      t.family = ValueFamily::kString;
      t.collation = Collation::from_id(def.charset);
      break;
  }
  return t;
}

int compare_decimal_text(std::string_view a, std::string_view b) {
  auto da = split_decimal(a);
  auto db = split_decimal(b);
  if (!da || !db) {
    if (da || db) return da ? -1 : 1;
    return bytes_compare(a, b);
  }
  if (da->neg != db->neg) return da->neg ? -1 : 1;
  int r = compare_magnitude(*da, *db);
  return da->neg ? -r : r;
}

int compare_values(const ValueType& t, std::string_view a, std::string_view b) {
  switch (t.family) {
    case ValueFamily::kSignedInt: {
      auto x = parse_number<int64_t>(a), y = parse_number<int64_t>(b);
      if (x && y) return three_way(*x, *y);
      return compare_decimal_text(a, b);
    }
    case ValueFamily::kUnsignedInt: {
      auto x = parse_number<uint64_t>(a), y = parse_number<uint64_t>(b);
      if (x && y) return three_way(*x, *y);
      return compare_decimal_text(a, b);
    }
    case ValueFamily::kDecimal:
      return compare_decimal_text(a, b);
    case ValueFamily::kFloat: {
      auto x = parse_number<double>(a), y = parse_number<double>(b);
      if (x && y) return three_way(*x, *y);
      return bytes_compare(a, b);
    }
    case ValueFamily::kTemporal:
      return bytes_compare(a, b);
    case ValueFamily::kTime: {
      auto x = parse_time(a), y = parse_time(b);
      if (x && y) return three_way(*x, *y);
      return bytes_compare(a, b);
    }
    case ValueFamily::kString:
      return compare_strings(t.collation, a, b);
  }
  return 0;
}

void append_key(const ValueType& t, std::optional<std::string_view> cell, std::string& out) {
  if (!cell) {
    out.push_back(0);
    return;
  }
  std::string_view v = *cell;
  switch (t.family) {
    case ValueFamily::kSignedInt:
    case ValueFamily::kUnsignedInt:
    case ValueFamily::kDecimal: {
      auto d = split_decimal(v);
      if (!d) break;
      std::string canon;
      if (d->neg) canon.push_back('-');
      canon.append(d->int_part);
      canon.push_back('.');
      canon.append(d->frac_part);
      append_framed(canon, out);
      return;
    }
    case ValueFamily::kFloat: {
      auto x = parse_number<double>(v);
      if (!x) break;
      double d = *x == 0 ? 0.0 : *x;  // -0 and 0 are one group
      char bytes[sizeof d];
      std::memcpy(bytes, &d, sizeof d);
      append_framed(std::string_view(bytes, sizeof bytes), out);
      return;
    }
    case ValueFamily::kTime: {
      auto x = parse_time(v);
      if (!x) break;
      append_framed(std::to_string(*x), out);
      return;
    }
    case ValueFamily::kTemporal:
      break;
    case ValueFamily::kString: {
      std::string key;
      append_string_key(t.collation, v, key);
      append_framed(key, out);
      return;
    }
  }
  append_framed(v, out);
}

}  // namespace tessera::exec
