#include "exec/decimal.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <vector>

namespace tessera::exec {
namespace {

// Magnitudes are digit strings without leading zeros ("" is zero).

int compare_mag(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string strip_leading_zeros(std::string s) {
  size_t i = 0;
  while (i < s.size() && s[i] == '0') ++i;
  s.erase(0, i);
  return s;
}

std::string add_mag(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(std::max(a.size(), b.size()) + 1);
  int carry = 0;
  for (size_t i = 0; i < a.size() || i < b.size() || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  std::reverse(out.begin(), out.end());
  return strip_leading_zeros(std::move(out));
}

// a - b for a >= b.
std::string sub_mag(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(a.size());
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int d = (a[a.size() - 1 - i] - '0') - borrow;
    if (i < b.size()) d -= b[b.size() - 1 - i] - '0';
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 10;
    out.push_back(static_cast<char>('0' + d));
  }
  std::reverse(out.begin(), out.end());
  return strip_leading_zeros(std::move(out));
}

std::string mul_mag(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return {};
  std::vector<int> acc(a.size() + b.size(), 0);
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < b.size(); ++j) {
      acc[i + j + 1] += (a[i] - '0') * (b[j] - '0');
    }
  }
  for (size_t k = acc.size() - 1; k > 0; --k) {
    acc[k - 1] += acc[k] / 10;
    acc[k] %= 10;
  }
  std::string out;
  out.reserve(acc.size());
  for (int d : acc) out.push_back(static_cast<char>('0' + d));
  return strip_leading_zeros(std::move(out));
}

// Long division: quotient of a / b (b non-zero); `round_up` tells whether
// 2 * remainder >= b, which is what rounding half away from zero needs.
std::string div_mag(std::string_view a, std::string_view b, bool& round_up) {
  std::string quotient;
  std::string rem;
  for (char c : a) {
    rem.push_back(c);
    rem = strip_leading_zeros(std::move(rem));
    int q = 0;
    while (compare_mag(rem, b) >= 0) {
      rem = sub_mag(rem, b);
      ++q;
    }
    quotient.push_back(static_cast<char>('0' + q));
  }
  round_up = compare_mag(add_mag(rem, rem), b) >= 0;
  return strip_leading_zeros(std::move(quotient));
}

std::string shift_left(std::string_view mag, int places) {
  if (mag.empty()) return {};
  std::string out(mag);
  out.append(static_cast<size_t>(places), '0');
  return out;
}

}  // namespace

std::optional<Decimal> Decimal::parse(std::string_view text) {
  Decimal d;
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    d.neg_ = text[i] == '-';
    ++i;
  }
  bool any_digit = false;
  bool in_fraction = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      d.digits_.push_back(c);
      if (in_fraction) ++d.scale_;
      any_digit = true;
    } else if (c == '.' && !in_fraction) {
      in_fraction = true;
    } else {
      return std::nullopt;
    }
  }
  if (!any_digit) return std::nullopt;
  d.normalize();
  return d;
}

Decimal Decimal::from_uint(uint64_t v) {
  Decimal d;
  if (v != 0) d.digits_ = std::to_string(v);
  return d;
}

Decimal Decimal::from_int(int64_t v) {
  // Through the unsigned magnitude so INT64_MIN does not overflow.
  uint64_t mag = v < 0 ? ~static_cast<uint64_t>(v) + 1 : static_cast<uint64_t>(v);
  Decimal d = from_uint(mag);
  d.neg_ = v < 0;
  return d;
}

void Decimal::normalize() {
  digits_ = strip_leading_zeros(std::move(digits_));
  if (digits_.empty()) neg_ = false;
}

std::string Decimal::to_string() const {
  std::string mag = digits_;
  if (mag.size() <= static_cast<size_t>(scale_)) {
    mag.insert(0, static_cast<size_t>(scale_) + 1 - mag.size(), '0');
  }
  std::string out;
  if (neg_) out.push_back('-');
  out.append(mag, 0, mag.size() - static_cast<size_t>(scale_));
  if (scale_ > 0) {
    out.push_back('.');
    out.append(mag, mag.size() - static_cast<size_t>(scale_), std::string::npos);
  }
  return out;
}

std::string Decimal::to_string(int scale) const {
  return rescaled(scale).to_string();
}

double Decimal::to_double() const {
  std::string s = to_string();
  double v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::optional<int64_t> Decimal::to_int() const {
  Decimal r = rescaled(0);
  if (r.scale_ != 0 || compare(r) != 0) return std::nullopt;
  int64_t v = 0;
  std::string s = r.to_string();
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Decimal Decimal::rescaled(int scale) const {
  if (scale < 0) scale = 0;
  Decimal out = *this;
  if (scale >= scale_) {
    out.digits_ = shift_left(digits_, scale - scale_);
    out.scale_ = scale;
    return out;
  }
  size_t drop = static_cast<size_t>(scale_ - scale);
  out.scale_ = scale;
  if (digits_.size() < drop) {
    out.digits_.clear();
  } else {
    bool up = digits_[digits_.size() - drop] >= '5';
    out.digits_ = digits_.substr(0, digits_.size() - drop);
    if (up) out.digits_ = add_mag(out.digits_, "1");
  }
  out.normalize();
  return out;
}

int Decimal::compare(const Decimal& o) const {
  if (neg_ != o.neg_) return neg_ ? -1 : 1;
  int scale = std::max(scale_, o.scale_);
  int c = compare_mag(shift_left(digits_, scale - scale_), shift_left(o.digits_, scale - o.scale_));
  return neg_ ? -c : c;
}

Decimal Decimal::operator+(const Decimal& o) const {
  int scale = std::max(scale_, o.scale_);
  std::string a = shift_left(digits_, scale - scale_);
  std::string b = shift_left(o.digits_, scale - o.scale_);
  Decimal r;
  r.scale_ = scale;
  if (neg_ == o.neg_) {
    r.digits_ = add_mag(a, b);
    r.neg_ = neg_;
  } else if (compare_mag(a, b) >= 0) {
    r.digits_ = sub_mag(a, b);
    r.neg_ = neg_;
  } else {
    r.digits_ = sub_mag(b, a);
    r.neg_ = o.neg_;
  }
  r.normalize();
  return r;
}

Decimal Decimal::negated() const {
  Decimal r = *this;
  if (!r.digits_.empty()) r.neg_ = !r.neg_;
  return r;
}

Decimal Decimal::operator-(const Decimal& o) const {
  return *this + o.negated();
}

Decimal Decimal::operator*(const Decimal& o) const {
  Decimal r;
  r.digits_ = mul_mag(digits_, o.digits_);
  r.scale_ = scale_ + o.scale_;
  r.neg_ = neg_ != o.neg_;
  r.normalize();
  return r;
}

std::optional<Decimal> Decimal::divide(const Decimal& a, const Decimal& b, int scale,
                                       bool truncate) {
  if (b.is_zero()) return std::nullopt;
  if (scale < 0) scale = 0;
  // a/b = (A * 10^-sa) / (B * 10^-sb); the quotient with `scale` digits is
  // A * 10^(scale + sb - sa) / B, shifting the divisor instead when that exponent is negative.
  int shift = scale + b.scale_ - a.scale_;
  std::string num = a.digits_;
  std::string den = b.digits_;
  if (shift >= 0) {
    num = shift_left(num, shift);
  } else {
    den = shift_left(den, -shift);
  }
  bool round_up = false;
  Decimal r;
  r.digits_ = num.empty() ? std::string() : div_mag(num, den, round_up);
  if (round_up && !truncate) r.digits_ = add_mag(r.digits_, "1");
  r.scale_ = scale;
  r.neg_ = a.neg_ != b.neg_;
  r.normalize();
  return r;
}

std::optional<Decimal> Decimal::server_divide(const Decimal& a, const Decimal& b, int increment) {
  auto words = [](int digits) { return (digits + 8) / 9 * 9; };
  int fa = words(a.scale_), fb = words(b.scale_);
  int extra = increment - (fa - a.scale_) - (fb - b.scale_);
  if (extra < 0) extra = 0;
  return divide(a, b, fa + fb + words(extra), /*truncate=*/true);
}

Decimal Decimal::truncated(int scale) const {
  if (scale < 0) scale = 0;
  if (scale >= scale_) return *this;
  Decimal out = *this;
  size_t drop = static_cast<size_t>(scale_ - scale);
  out.scale_ = scale;
  if (digits_.size() <= drop) {
    out.digits_.clear();
  } else {
    out.digits_ = digits_.substr(0, digits_.size() - drop);
  }
  out.normalize();
  return out;
}

Decimal Decimal::power_of_ten(int n) {
  // (built in one go: GCC 12 at -O2 warns -Wrestrict, wrongly, on `digits_ = "1"` here)
  Decimal d;
  d.digits_ = std::string(static_cast<size_t>(n < 0 ? 0 : n) + 1, '0');
  d.digits_[0] = '1';
  return d;
}

}  // namespace tessera::exec
