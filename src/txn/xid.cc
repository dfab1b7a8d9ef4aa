#include "txn/xid.h"

#include <charconv>

namespace tessera::txn {

namespace {

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string hex_number(uint64_t v) {
  char buf[17];
  auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
  return std::string(buf, r.ptr);
}

// Short, printable and free of ':' keeps the gtrid readable in XA RECOVER and parseable.
bool plain(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

}  // namespace

std::string Xid::sql() const {
  return "X'" + hex(gtrid) + "',X'" + hex(bqual) + "'," + std::to_string(format_id);
}

std::string owner_tag(std::string_view proxy_instance_id) {
  if (plain(proxy_instance_id, 24)) return std::string(proxy_instance_id);
  return "h" + hex_number(fnv1a(proxy_instance_id));
}

std::string make_gtrid(std::string_view tag, uint64_t boot_id, uint64_t sequence) {
  std::string g = "tsr:";
  g += tag;
  g += ':';
  g += hex_number(boot_id);
  g += ':';
  g += hex_number(sequence);
  return g;
}

bool owned_by(const Xid& xid, std::string_view tag) {
  if (xid.format_id != kFormatId) return false;
  std::string prefix = "tsr:" + std::string(tag) + ":";
  if (xid.gtrid.compare(0, prefix.size(), prefix) != 0) return false;
  // The rest is "<boot>:<sequence>": exactly one more ':' (so tag "a" never owns "a:b"'s xids).
  std::string_view rest = std::string_view(xid.gtrid).substr(prefix.size());
  size_t colon = rest.find(':');
  return colon != std::string_view::npos && colon > 0 && colon + 1 < rest.size() &&
         rest.find(':', colon + 1) == std::string_view::npos;
}

std::string bqual_for_slice(std::string_view slice) {
  if (slice.size() <= 64) return std::string(slice);
  return "h" + hex_number(fnv1a(slice));
}

std::optional<Xid> parse_recover_row(const std::vector<std::string>& row) {
  if (row.size() < 4) return std::nullopt;
  uint64_t format = 0, glen = 0, blen = 0;
  auto num = [](const std::string& s, uint64_t& v) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  };
  if (!num(row[0], format) || !num(row[1], glen) || !num(row[2], blen)) return std::nullopt;
  const std::string& data = row[3];
  if (glen + blen != data.size() || glen > 64 || blen > 64) return std::nullopt;
  Xid x;
  x.format_id = static_cast<uint32_t>(format);
  x.gtrid = data.substr(0, glen);
  x.bqual = data.substr(glen, blen);
  return x;
}

}  // namespace tessera::txn
