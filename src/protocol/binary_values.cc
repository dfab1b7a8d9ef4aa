#include "protocol/binary_values.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>

#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace tessera::protocol {
namespace {

// Type codes as bytes; 0x0e (NEWDATE) never reaches the wire but is a date.
constexpr uint8_t kTypeNewDate = 0x0e;
constexpr uint8_t kParamUnsignedFlag = 0x80;
constexpr uint16_t kZerofillFlag = 0x0040;
// Row NULL bitmaps start at bit 2 (bits 0 and 1 are reserved).
constexpr size_t kRowBitmapOffset = 2;
// Column `decimals` value meaning "not fixed" (MariaDB's NOT_FIXED_DEC).
constexpr uint8_t kNotFixedDecimals = 31;

enum class Layout { kNull, kInt, kFloat, kDouble, kDate, kDatetime, kTime, kBytes };

Layout layout_of(uint8_t type) {
  switch (static_cast<FieldType>(type)) {
    case FieldType::kNull:
      return Layout::kNull;
    case FieldType::kTiny:
    case FieldType::kShort:
    case FieldType::kYear:
    case FieldType::kInt24:
    case FieldType::kLong:
    case FieldType::kLongLong:
      return Layout::kInt;
    case FieldType::kFloat:
      return Layout::kFloat;
    case FieldType::kDouble:
      return Layout::kDouble;
    case FieldType::kDate:
      return Layout::kDate;
    case FieldType::kDatetime:
    case FieldType::kTimestamp:
      return Layout::kDatetime;
    case FieldType::kTime:
      return Layout::kTime;
    default:
      return type == kTypeNewDate ? Layout::kDate : Layout::kBytes;
  }
}

// Width in bytes of an integer type on the wire.
size_t int_width(uint8_t type) {
  switch (static_cast<FieldType>(type)) {
    case FieldType::kTiny:
      return 1;
    case FieldType::kShort:
    case FieldType::kYear:
      return 2;
    case FieldType::kInt24:
    case FieldType::kLong:
      return 4;
    default:
      return 8;
  }
}

int64_t sign_extend(uint64_t v, size_t width) {
  if (width >= 8) return static_cast<int64_t>(v);
  const unsigned shift = static_cast<unsigned>(64 - 8 * width);
  return static_cast<int64_t>(v << shift) >> shift;
}

// Broken-down temporal value shared by DATE, DATETIME and TIME.
struct Temporal {
  bool negative = false;  // TIME only
  uint32_t year = 0, month = 0, day = 0;
  uint64_t hours = 0;  // TIME: all hours (days folded in); otherwise 0..23
  uint32_t minute = 0, second = 0, micro = 0;
};

// Appends ".ffffff" with `digits` digits (0..6), or with 6 digits when
// digits < 0 ("auto") and the microseconds are non-zero.
void append_fraction(std::string& out, uint32_t micro, int digits) {
  if (digits < 0) digits = micro ? 6 : 0;
  if (digits == 0) return;
  static constexpr uint32_t kScale[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
  char buf[16];
  std::snprintf(buf, sizeof buf, ".%0*u", digits, micro / kScale[digits]);
  out += buf;
}

void append_date(std::string& out, const Temporal& t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", t.year, t.month, t.day);
  out += buf;
}

void append_clock(std::string& out, const Temporal& t, int frac) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02llu:%02u:%02u", static_cast<unsigned long long>(t.hours),
                t.minute, t.second);
  out += buf;
  append_fraction(out, t.micro, frac);
}

void format_temporal(std::string& out, Layout layout, const Temporal& t, int frac) {
  if (layout == Layout::kDate) {
    append_date(out, t);
  } else if (layout == Layout::kDatetime) {
    append_date(out, t);
    out.push_back(' ');
    append_clock(out, t, frac);
  } else {
    if (t.negative) out.push_back('-');
    append_clock(out, t, frac);
  }
}

bool clock_fields_valid(const Temporal& t) {
  return t.minute <= 59 && t.second <= 59 && t.micro <= 999999;
}

bool date_fields_valid(const Temporal& t) {
  return t.month <= 12 && t.day <= 31 && t.hours <= 23 && clock_fields_valid(t);
}

// Reads one binary-protocol value of `type` into `v`. `frac` is the number of
// fraction digits temporals print with (-1: six when non-zero).
bool read_value(WireReader& r, uint8_t type, bool is_unsigned, int frac, ParamValue& v,
                std::string& err) {
  v.type = static_cast<FieldType>(type);
  v.is_unsigned = is_unsigned;
  const Layout layout = layout_of(type);
  switch (layout) {
    case Layout::kNull:
      v.kind = ParamValue::Kind::kNull;
      return true;
    case Layout::kInt: {
      const size_t width = int_width(type);
      uint64_t raw = 0;
      if (r.remaining() < width) {
        err = "truncated integer value";
        return false;
      }
      for (size_t i = 0; i < width; ++i) raw |= static_cast<uint64_t>(r.u8()) << (8 * i);
      if (is_unsigned) {
        v.kind = ParamValue::Kind::kUInt;
        v.u = raw;
      } else {
        v.kind = ParamValue::Kind::kInt;
        v.i = sign_extend(raw, width);
      }
      return true;
    }
    case Layout::kFloat: {
      if (r.remaining() < 4) {
        err = "truncated FLOAT value";
        return false;
      }
      uint32_t bits = r.u32();
      float f;
      std::memcpy(&f, &bits, sizeof f);
      v.kind = ParamValue::Kind::kDouble;
      v.d = f;
      return true;
    }
    case Layout::kDouble: {
      if (r.remaining() < 8) {
        err = "truncated DOUBLE value";
        return false;
      }
      uint64_t bits = r.u64();
      std::memcpy(&v.d, &bits, sizeof v.d);
      v.kind = ParamValue::Kind::kDouble;
      return true;
    }
    case Layout::kDate:
    case Layout::kDatetime: {
      const uint8_t len = r.u8();
      if (!r.ok() || r.remaining() < len) {
        err = "truncated date/time value";
        return false;
      }
      if (len != 0 && len != 4 && len != 7 && len != 11) {
        err = "invalid date/time value length " + std::to_string(len);
        return false;
      }
      Temporal t;
      if (len >= 4) {
        t.year = r.u16();
        t.month = r.u8();
        t.day = r.u8();
      }
      if (len >= 7) {
        t.hours = r.u8();
        t.minute = r.u8();
        t.second = r.u8();
      }
      if (len >= 11) t.micro = r.u32();
      if (!date_fields_valid(t)) {
        err = "date/time value out of range";
        return false;
      }
      v.kind = ParamValue::Kind::kTemporal;
      v.bytes.clear();
      format_temporal(v.bytes, layout, t, frac);
      return true;
    }
    case Layout::kTime: {
      const uint8_t len = r.u8();
      if (!r.ok() || r.remaining() < len) {
        err = "truncated TIME value";
        return false;
      }
      if (len != 0 && len != 8 && len != 12) {
        err = "invalid TIME value length " + std::to_string(len);
        return false;
      }
      Temporal t;
      if (len >= 8) {
        const uint8_t neg = r.u8();
        if (neg > 1) {
          err = "invalid TIME sign byte";
          return false;
        }
        t.negative = neg == 1;
        const uint64_t days = r.u32();
        t.hours = days * 24 + r.u8();
        t.minute = r.u8();
        t.second = r.u8();
      }
      if (len >= 12) t.micro = r.u32();
      if (!clock_fields_valid(t)) {
        err = "TIME value out of range";
        return false;
      }
      v.kind = ParamValue::Kind::kTemporal;
      v.bytes.clear();
      format_temporal(v.bytes, layout, t, frac);
      return true;
    }
    case Layout::kBytes: {
      if (r.peek() == 0xfb || r.peek() == 0xff) {
        err = "invalid length prefix";
        return false;
      }
      std::string_view s = r.lenenc_str();
      if (!r.ok()) {
        err = "truncated string value";
        return false;
      }
      v.kind = ParamValue::Kind::kBytes;
      v.bytes.assign(s);
      return true;
    }
  }
  return false;
}

bool bit_set(std::string_view bitmap, size_t bit) {
  return (static_cast<uint8_t>(bitmap[bit / 8]) >> (bit % 8)) & 1;
}

// ---- text parsing (text-protocol cells) ----

class TextCursor {
 public:
  explicit TextCursor(std::string_view s) : s_(s) {}
  bool at_end() const { return pos_ == s_.size(); }
  bool consume(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // Exactly `n` digits (n > 0), or between 1 and `max` when n == 0.
  bool digits(size_t n, uint64_t& out, size_t max = 10) {
    size_t start = pos_;
    out = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9' &&
           (n ? pos_ - start < n : pos_ - start < max)) {
      out = out * 10 + static_cast<uint64_t>(s_[pos_] - '0');
      ++pos_;
    }
    size_t got = pos_ - start;
    return n ? got == n : got > 0;
  }
  // Optional ".f{1,6}" into microseconds.
  bool fraction(uint32_t& micro) {
    micro = 0;
    if (!consume('.')) return true;
    uint64_t v = 0;
    size_t start = pos_;
    if (!digits(0, v, 6)) return false;
    size_t n = pos_ - start;
    for (; n < 6; ++n) v *= 10;
    micro = static_cast<uint32_t>(v);
    return true;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool parse_clock(TextCursor& c, Temporal& t, size_t hour_digits) {
  uint64_t h = 0, m = 0, s = 0;
  if (!c.digits(hour_digits, h) || !c.consume(':') || !c.digits(2, m) || !c.consume(':') ||
      !c.digits(2, s))
    return false;
  t.hours = h;
  t.minute = static_cast<uint32_t>(m);
  t.second = static_cast<uint32_t>(s);
  return c.fraction(t.micro);
}

// "YYYY-MM-DD[ HH:MM:SS[.f]]"
bool parse_datetime_text(std::string_view s, Temporal& t) {
  TextCursor c(s);
  uint64_t y = 0, mo = 0, d = 0;
  if (!c.digits(4, y) || !c.consume('-') || !c.digits(2, mo) || !c.consume('-') || !c.digits(2, d))
    return false;
  t.year = static_cast<uint32_t>(y);
  t.month = static_cast<uint32_t>(mo);
  t.day = static_cast<uint32_t>(d);
  if (c.consume(' ') && !parse_clock(c, t, 2)) return false;
  return c.at_end() && date_fields_valid(t);
}

// "[-]H+:MM:SS[.f]"
bool parse_time_text(std::string_view s, Temporal& t) {
  TextCursor c(s);
  t.negative = c.consume('-');
  if (!parse_clock(c, t, 0) || !c.at_end()) return false;
  // Days go on the wire as 4 bytes.
  return t.hours / 24 <= std::numeric_limits<uint32_t>::max() && clock_fields_valid(t);
}

// MariaDB's Protocol_binary::store() for DATE/DATETIME/TIMESTAMP.
void write_datetime(WireWriter& w, const Temporal& t) {
  uint8_t len = 0;
  if (t.micro)
    len = 11;
  else if (t.hours || t.minute || t.second)
    len = 7;
  else if (t.year || t.month || t.day)
    len = 4;
  w.u8(len);
  if (len >= 4) {
    w.u16(static_cast<uint16_t>(t.year));
    w.u8(static_cast<uint8_t>(t.month));
    w.u8(static_cast<uint8_t>(t.day));
  }
  if (len >= 7) {
    w.u8(static_cast<uint8_t>(t.hours));
    w.u8(static_cast<uint8_t>(t.minute));
    w.u8(static_cast<uint8_t>(t.second));
  }
  if (len >= 11) w.u32(t.micro);
}

// MariaDB's Protocol_binary::store_time().
void write_time(WireWriter& w, const Temporal& t) {
  const uint64_t days = t.hours / 24;
  const uint64_t hour = t.hours % 24;
  uint8_t len = 0;
  if (t.micro)
    len = 12;
  else if (t.hours || t.minute || t.second)
    len = 8;
  w.u8(len);
  if (len >= 8) {
    w.u8(t.negative ? 1 : 0);
    w.u32(static_cast<uint32_t>(days));
    w.u8(static_cast<uint8_t>(hour));
    w.u8(static_cast<uint8_t>(t.minute));
    w.u8(static_cast<uint8_t>(t.second));
  }
  if (len >= 12) w.u32(t.micro);
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool encode_text_value(std::string_view text, const ColumnDefinition& col, WireWriter& w,
                       std::string& err) {
  const uint8_t type = static_cast<uint8_t>(col.type);
  switch (layout_of(type)) {
    case Layout::kInt: {
      const size_t width = int_width(type);
      uint64_t raw = 0;
      if (col.flags & column_flag::kUnsigned) {
        uint64_t u = 0;
        if (!parse_number(text, u) || (width < 8 && u >> (8 * width) != 0)) {
          err = "invalid unsigned integer '" + std::string(text) + "' for column " + col.name;
          return false;
        }
        raw = u;
      } else {
        int64_t i = 0;
        if (!parse_number(text, i) ||
            (width < 8 && sign_extend(static_cast<uint64_t>(i), width) != i)) {
          err = "invalid integer '" + std::string(text) + "' for column " + col.name;
          return false;
        }
        raw = static_cast<uint64_t>(i);
      }
      w.fixed(raw, width);
      return true;
    }
    case Layout::kFloat: {
      float f = 0;
      if (!parse_number(text, f)) {
        err = "invalid FLOAT '" + std::string(text) + "' for column " + col.name;
        return false;
      }
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      w.u32(bits);
      return true;
    }
    case Layout::kDouble: {
      double d = 0;
      if (!parse_number(text, d)) {
        err = "invalid DOUBLE '" + std::string(text) + "' for column " + col.name;
        return false;
      }
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      w.u64(bits);
      return true;
    }
    case Layout::kDate:
    case Layout::kDatetime: {
      Temporal t;
      if (!parse_datetime_text(text, t)) {
        err = "invalid date/time '" + std::string(text) + "' for column " + col.name;
        return false;
      }
      if (layout_of(type) == Layout::kDate) t.hours = t.minute = t.second = t.micro = 0;
      write_datetime(w, t);
      return true;
    }
    case Layout::kTime: {
      Temporal t;
      if (!parse_time_text(text, t)) {
        err = "invalid TIME '" + std::string(text) + "' for column " + col.name;
        return false;
      }
      write_time(w, t);
      return true;
    }
    case Layout::kNull:
      // A NULL-typed column has no binary layout for a value (readers consume no bytes for
      // it, so a value written here would shift every later column). Found by
      // fuzz_result_rows; no real server sends one, a broken or hostile backend might.
      err = "non-NULL value for NULL-typed column " + col.name;
      return false;
    case Layout::kBytes:
      w.lenenc_str(text);
      return true;
  }
  return false;
}

// ---- SQL literals ----

bool valid_utf8_text(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const uint8_t c = *p;
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return false;
      ++p;
      continue;
    }
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((p[k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[k] & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    p += n + 1;
  }
  return true;
}

// A DECIMAL parameter's text as a plain decimal literal: "[-]digits[.digits]"
// with an exponent ("1.5e3", as the server's str2my_decimal accepts) shifted
// into the digits ("1500"), so the server reads a DECIMAL, not a DOUBLE, of
// the same value and scale as the parameter.
// nullopt when the text is not a number (or the exponent is absurd).
std::optional<std::string> decimal_literal(std::string_view s) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  std::string digits;
  size_t int_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') digits.push_back(s[i++]), ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') digits.push_back(s[i++]);
  }
  if (digits.empty()) return std::nullopt;
  if (i == s.size() && digits.size() == int_digits) return std::string(s);  // integer
  if (i == s.size()) return std::string(s);                                 // plain decimal
  if (s[i] != 'e' && s[i] != 'E') return std::nullopt;
  ++i;
  bool exp_negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
  int exp = 0;
  size_t exp_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && exp <= 1000) exp = exp * 10 + (s[i++] - '0');
  if (i == exp_start || i != s.size() || exp > 200) return std::nullopt;
  // Position of the decimal point inside `digits` after the shift.
  long point = static_cast<long>(int_digits) + (exp_negative ? -exp : exp);
  if (point < 0) {
    digits.insert(0, static_cast<size_t>(-point), '0');
    point = 0;
  }
  if (static_cast<size_t>(point) > digits.size()) digits.append(point - digits.size(), '0');
  std::string int_part = digits.substr(0, static_cast<size_t>(point));
  std::string frac_part = digits.substr(static_cast<size_t>(point));
  size_t nz = int_part.find_first_not_of('0');
  int_part = nz == std::string::npos ? "0" : int_part.substr(nz);
  // The server drops trailing fraction zeros when it applies an exponent
  // ("1.50e1" reads as 15, "1.50e0" as 1.50).
  if (exp != 0) frac_part.erase(frac_part.find_last_not_of('0') + 1);
  std::string out = negative ? "-" : "";
  out += int_part;
  if (!frac_part.empty()) out += "." + frac_part;
  return out;
}

template <typename T>
void append_number(std::string& out, T v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// FLOAT/DOUBLE as MariaDB's text protocol prints them: with a fixed number of
// decimals for FLOAT(M,D)/DOUBLE(M,D), otherwise the shortest round-trip
// digits with an unsigned exponent ("1e30", "-1e-30").
void append_real_text(std::string& out, double d, bool is_float, uint8_t decimals) {
  char buf[400];
  if (decimals < kNotFixedDecimals && std::isfinite(d)) {
    int n = std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(decimals), d);
    if (n > 0 && static_cast<size_t>(n) < sizeof buf) {
      out.append(buf, static_cast<size_t>(n));
      return;
    }
  }
  auto res = is_float ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(d))
                      : std::to_chars(buf, buf + sizeof buf, d);
  for (const char* p = buf; p < res.ptr; ++p)
    if (!(*p == '+' && p > buf && p[-1] == 'e')) out.push_back(*p);
}

}  // namespace

DecodedParams decode_execute_params(const StmtExecuteView& view, std::string_view param_types,
                                    uint16_t num_params,
                                    const std::map<uint16_t, std::string>& long_data) {
  DecodedParams result;
  auto fail = [&result](std::string msg) {
    result.values.clear();
    result.error = std::move(msg);
    return std::move(result);
  };
  if (num_params == 0) {
    if (!view.values.empty()) return fail("COM_STMT_EXECUTE has values but no parameters");
    return result;
  }
  if (view.null_bitmap.size() < (num_params + 7u) / 8) return fail("NULL bitmap too short");
  if (param_types.size() < 2u * num_params)
    return fail("parameter types missing (not bound by this or an earlier execute)");
  WireReader r(view.values);
  result.values.reserve(num_params);
  for (uint16_t i = 0; i < num_params; ++i) {
    const uint8_t type = static_cast<uint8_t>(param_types[2u * i]);
    const bool is_unsigned = static_cast<uint8_t>(param_types[2u * i + 1]) & kParamUnsignedFlag;
    ParamValue v;
    v.type = static_cast<FieldType>(type);
    v.is_unsigned = is_unsigned;
    if (auto it = long_data.find(i); it != long_data.end()) {
      v.kind = ParamValue::Kind::kBytes;
      v.bytes = it->second;
    } else if (bit_set(view.null_bitmap, i)) {
      v.kind = ParamValue::Kind::kNull;
    } else {
      std::string err;
      if (!read_value(r, type, is_unsigned, -1, v, err))
        return fail("parameter " + std::to_string(i + 1) + ": " + err);
    }
    result.values.push_back(std::move(v));
  }
  if (!r.at_end())
    return fail(std::to_string(r.remaining()) + " bytes left after the last parameter value");
  return result;
}

std::string execute_values_overrun(const StmtExecuteView& view, std::string_view param_types,
                                   uint16_t num_params,
                                   const std::map<uint16_t, std::string>& long_data) {
  if (num_params == 0) return {};
  if (view.null_bitmap.size() < (num_params + 7u) / 8) return "NULL bitmap too short";
  if (param_types.size() < 2u * num_params) return "parameter types missing";
  WireReader r(view.values);
  for (uint16_t i = 0; i < num_params; ++i) {
    if (long_data.count(i) || bit_set(view.null_bitmap, i)) continue;
    const auto type = static_cast<uint8_t>(param_types[2u * i]);
    size_t width = 0;
    switch (layout_of(type)) {
      case Layout::kNull:
        continue;
      case Layout::kInt:
        width = int_width(type);
        break;
      case Layout::kFloat:
        width = 4;
        break;
      case Layout::kDouble:
        width = 8;
        break;
      case Layout::kDate:
      case Layout::kDatetime:
      case Layout::kTime:
        width = r.u8();  // length byte, then that many bytes
        break;
      case Layout::kBytes:
        r.lenenc_str();  // fails the reader when the claimed length runs past the end
        break;
    }
    if (r.ok() && r.remaining() >= width) {
      r.skip(width);
      continue;
    }
    return "parameter " + std::to_string(i + 1) + ": value runs past the end of the packet";
  }
  return {};
}

void append_hex_literal(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.reserve(out.size() + 3 + 2 * bytes.size());
  out += "X'";
  for (char ch : bytes) {
    const auto c = static_cast<uint8_t>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  out.push_back('\'');
}

void append_string_literal(std::string& out, std::string_view bytes, bool no_backslash_escapes) {
  if (!valid_utf8_text(bytes)) {
    append_hex_literal(out, bytes);
    return;
  }
  out.reserve(out.size() + bytes.size() + 2);
  out.push_back('\'');
  for (char c : bytes) {
    if (no_backslash_escapes) {
      if (c == '\'') out.push_back('\'');
      out.push_back(c);
      continue;
    }
    switch (c) {
      case '\0':
        out += "\\0";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\x1a':
        out += "\\Z";
        break;
      default:
        out.push_back(c);
    }
  }
  out.push_back('\'');
}

void append_sql_literal(std::string& out, const ParamValue& v, bool no_backslash_escapes) {
  switch (v.kind) {
    case ParamValue::Kind::kNull:
      out += "NULL";
      return;
    case ParamValue::Kind::kInt:
      append_number(out, v.i);
      return;
    case ParamValue::Kind::kUInt:
      append_number(out, v.u);
      return;
    case ParamValue::Kind::kDouble: {
      if (!std::isfinite(v.d)) {
        out += "NULL";
        return;
      }
      char buf[40];
      auto res = std::to_chars(buf, buf + sizeof buf, v.d, std::chars_format::scientific);
      out.append(buf, res.ptr);
      return;
    }
    case ParamValue::Kind::kTemporal:
      out.push_back('\'');
      out += v.bytes;  // digits, '-', ':', '.', ' ' only
      out.push_back('\'');
      return;
    case ParamValue::Kind::kBytes:
      if (v.type == FieldType::kNewDecimal || v.type == FieldType::kDecimal) {
        if (auto d = decimal_literal(v.bytes)) {
          out += *d;
          return;
        }
      }
      append_string_literal(out, v.bytes, no_backslash_escapes);
      return;
  }
}

bool text_row_to_binary(std::string_view text_row_payload,
                        const std::vector<ColumnDefinition>& columns, std::string& out,
                        std::string* error) {
  const size_t start = out.size();
  std::string err;
  auto fail = [&](std::string msg) {
    out.resize(start);
    if (error) *error = std::move(msg);
    return false;
  };
  WireWriter w(out);
  w.u8(0x00);
  const size_t bitmap_at = out.size();
  w.zeros((columns.size() + 7 + kRowBitmapOffset) / 8);
  WireReader r(text_row_payload);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (r.at_end()) return fail("text row has fewer values than columns");
    if (r.peek() == 0xfb) {
      r.u8();
      const size_t bit = i + kRowBitmapOffset;
      out[bitmap_at + bit / 8] = static_cast<char>(out[bitmap_at + bit / 8] | (1 << (bit % 8)));
      continue;
    }
    std::string_view cell = r.lenenc_str();
    if (!r.ok()) return fail("truncated text row at column " + std::to_string(i + 1));
    if (!encode_text_value(cell, columns[i], w, err)) return fail(std::move(err));
  }
  if (!r.at_end()) return fail("text row has more values than columns");
  return true;
}

bool binary_row_to_text(std::string_view binary_row_payload,
                        const std::vector<ColumnDefinition>& columns, std::string& out,
                        std::string* error) {
  const size_t start = out.size();
  std::string err;
  auto fail = [&](std::string msg) {
    out.resize(start);
    if (error) *error = std::move(msg);
    return false;
  };
  WireReader r(binary_row_payload);
  if (r.u8() != 0x00 || !r.ok()) return fail("binary row does not start with 0x00");
  std::string_view bitmap = r.bytes((columns.size() + 7 + kRowBitmapOffset) / 8);
  if (!r.ok()) return fail("binary row NULL bitmap truncated");
  WireWriter w(out);
  std::string text;
  for (size_t i = 0; i < columns.size(); ++i) {
    const ColumnDefinition& col = columns[i];
    if (bit_set(bitmap, i + kRowBitmapOffset)) {
      w.lenenc_null();
      continue;
    }
    const uint8_t type = static_cast<uint8_t>(col.type);
    const int frac = col.decimals <= 6 ? col.decimals : -1;
    ParamValue v;
    if (!read_value(r, type, col.flags & column_flag::kUnsigned, frac, v, err))
      return fail("column " + std::to_string(i + 1) + ": " + err);
    text.clear();
    switch (v.kind) {
      case ParamValue::Kind::kNull:
        w.lenenc_null();
        continue;
      case ParamValue::Kind::kInt:
        append_number(text, v.i);
        break;
      case ParamValue::Kind::kUInt:
        append_number(text, v.u);
        break;
      case ParamValue::Kind::kDouble:
        append_real_text(text, v.d, col.type == FieldType::kFloat, col.decimals);
        break;
      case ParamValue::Kind::kTemporal:
      case ParamValue::Kind::kBytes:
        text.swap(v.bytes);
        break;
    }
    // YEAR and ZEROFILL integers print padded to the display width.
    if ((v.kind == ParamValue::Kind::kInt || v.kind == ParamValue::Kind::kUInt) &&
        (col.type == FieldType::kYear || (col.flags & kZerofillFlag)) &&
        text.size() < std::min<uint32_t>(col.column_length, 64) && text[0] != '-') {
      text.insert(0, col.column_length - text.size(), '0');
    }
    w.lenenc_str(text);
  }
  if (!r.at_end()) return fail("binary row has bytes after the last column");
  return true;
}

}  // namespace tessera::protocol
