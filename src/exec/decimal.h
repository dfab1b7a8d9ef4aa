// Exact decimal numbers for merging partial aggregates (SUM of DECIMAL and integer columns,
// AVG) and for HAVING arithmetic. MySQL sends DECIMAL values as text; converting them to
// double would lose digits, so sums and averages are computed on the digits themselves.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::exec {

class Decimal {
 public:
  Decimal() = default;

  // "[+-]digits[.digits]" or "[+-].digits" (no exponent: that is a double in MySQL).
  static std::optional<Decimal> parse(std::string_view text);
  static Decimal from_int(int64_t v);
  static Decimal from_uint(uint64_t v);

  bool is_zero() const { return digits_.empty(); }
  bool negative() const { return neg_; }
  // Digits after the decimal point.
  int scale() const { return scale_; }

  // Text with exactly scale() fraction digits ("1.50", "-3", "0.000").
  std::string to_string() const;
  // Text rounded (half away from zero) or zero-padded to `scale` fraction digits.
  std::string to_string(int scale) const;
  double to_double() const;
  // The integer value when it fits and has no fraction.
  std::optional<int64_t> to_int() const;

  int compare(const Decimal& other) const;
  friend bool operator==(const Decimal& a, const Decimal& b) { return a.compare(b) == 0; }

  Decimal operator+(const Decimal& o) const;
  Decimal operator-(const Decimal& o) const;
  Decimal operator*(const Decimal& o) const;
  Decimal negated() const;
  // a / b rounded half away from zero (or truncated toward zero) to `scale` fraction digits;
  // nullopt when b is zero.
  static std::optional<Decimal> divide(const Decimal& a, const Decimal& b, int scale,
                                       bool truncate = false);
  // a / b as MariaDB's decimal division computes it (strings/decimal.c, do_div_mod): the
  // quotient truncated to whole 9-digit words of fraction: ceil9(scale a) + ceil9(scale b) +
  // ceil9(max(0, increment - the padding those two added)). `increment` is
  // div_precision_increment (4). 1/3 is 0.333333333 inside the server, shown as 0.3333.
  static std::optional<Decimal> server_divide(const Decimal& a, const Decimal& b,
                                              int increment = 4);
  // Rounded half away from zero to `scale` digits (or zero-extended when scale grows).
  Decimal rescaled(int scale) const;
  // Cut toward zero to `scale` fraction digits (never extended).
  Decimal truncated(int scale) const;
  // 10^n, n >= 0.
  static Decimal power_of_ten(int n);

 private:
  // value = (neg_ ? -1 : 1) * digits_ * 10^-scale_; digits_ holds ASCII digits, most
  // significant first, without leading zeros (empty for zero, which is never negative).
  bool neg_ = false;
  std::string digits_;
  int scale_ = 0;

  void normalize();
};

}  // namespace tessera::exec
