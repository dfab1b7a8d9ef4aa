#include "protocol/gtid_set.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace tessera::protocol {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Whole `s` as an unsigned decimal number (no sign, no spaces, no overflow).
template <typename T>
std::optional<T> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Canonical lower-case 8-4-4-4-12 form of a UUID written with or without dashes
// (MySQL accepts both in GTID text); nullopt if it is not 32 hex digits.
std::optional<std::string> canonical_uuid(std::string_view text) {
  std::string hex;
  hex.reserve(32);
  if (text.size() == 36) {
    for (size_t i = 0; i < text.size(); ++i) {
      bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash_position) {
        if (text[i] != '-') return std::nullopt;
      } else {
        hex.push_back(text[i]);
      }
    }
  } else if (text.size() == 32) {
    hex.assign(text);
  } else {
    return std::nullopt;
  }
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < hex.size(); ++i) {
    char c = hex[i];
    if (!is_hex(c)) return std::nullopt;
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    out.push_back(c);
  }
  return out;
}

using Intervals = std::vector<std::pair<uint64_t, uint64_t>>;

// Inserts [first, last] keeping the vector sorted, disjoint and with adjacent intervals joined.
void add_interval(Intervals& v, uint64_t first, uint64_t last) {
  auto it = std::lower_bound(v.begin(), v.end(), first,
                             [](const auto& iv, uint64_t value) { return iv.second < value; });
  // `it` is the first interval that ends at or after `first`; step back if the previous one
  // ends right before `first` (adjacent).
  if (it != v.begin() && first > 0 && std::prev(it)->second == first - 1) --it;
  auto merge_end = it;
  while (merge_end != v.end() &&
         (last == std::numeric_limits<uint64_t>::max() || merge_end->first <= last + 1)) {
    first = std::min(first, merge_end->first);
    last = std::max(last, merge_end->second);
    ++merge_end;
  }
  it = v.erase(it, merge_end);
  v.insert(it, {first, last});
}

bool intervals_contain(const Intervals& have, const Intervals& need) {
  // Both sorted and normalised: each needed interval must fit inside one interval we have.
  auto h = have.begin();
  for (const auto& [first, last] : need) {
    while (h != have.end() && h->second < first) ++h;
    if (h == have.end() || h->first > first || h->second < last) return false;
  }
  return true;
}

}  // namespace

std::optional<GtidSet> GtidSet::parse(std::string_view text) {
  GtidSet set;
  text = trim(text);
  if (text.empty()) return set;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view entry = trim(text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (entry.empty()) return std::nullopt;  // ",," or a trailing comma
    if (entry.find(':') != std::string_view::npos) {
      // MySQL: uuid:interval[:interval...]; an interval is N or N-M with 1 <= N <= M.
      if (set.family_ == Family::kMariaDb) return std::nullopt;
      size_t colon = entry.find(':');
      auto uuid = canonical_uuid(trim(entry.substr(0, colon)));
      if (!uuid) return std::nullopt;
      std::string_view rest = entry.substr(colon + 1);
      if (rest.empty()) return std::nullopt;
      Intervals& intervals = set.uuids_[*uuid];
      while (true) {
        size_t next = rest.find(':');
        std::string_view part = trim(rest.substr(0, next));
        size_t dash = part.find('-');
        std::optional<uint64_t> first, last;
        if (dash == std::string_view::npos) {
          first = last = parse_number<uint64_t>(part);
        } else {
          first = parse_number<uint64_t>(part.substr(0, dash));
          last = parse_number<uint64_t>(part.substr(dash + 1));
        }
        if (!first || !last || *first == 0 || *first > *last) return std::nullopt;
        add_interval(intervals, *first, *last);
        if (next == std::string_view::npos) break;
        rest = rest.substr(next + 1);
      }
      set.family_ = Family::kMySql;
    } else {
      // MariaDB: domain-server-seq.
      if (set.family_ == Family::kMySql) return std::nullopt;
      size_t d1 = entry.find('-');
      size_t d2 = d1 == std::string_view::npos ? d1 : entry.find('-', d1 + 1);
      if (d2 == std::string_view::npos) return std::nullopt;
      auto domain = parse_number<uint32_t>(entry.substr(0, d1));
      auto server = parse_number<uint32_t>(entry.substr(d1 + 1, d2 - d1 - 1));
      auto seq = parse_number<uint64_t>(entry.substr(d2 + 1));
      if (!domain || !server || !seq) return std::nullopt;
      // A server never prints one domain twice; a repeated domain is a malformed position.
      if (set.domains_.count(*domain)) return std::nullopt;
      set.domains_[*domain] = MariaDbPosition{*server, *seq};
      set.family_ = Family::kMariaDb;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return set;
}

bool GtidSet::contains(const GtidSet& other) const {
  if (other.empty()) return true;
  if (family_ != other.family_) return false;
  if (family_ == Family::kMariaDb) {
    for (const auto& [domain, pos] : other.domains_) {
      auto it = domains_.find(domain);
      if (it == domains_.end() || it->second.seq < pos.seq) return false;
    }
    return true;
  }
  for (const auto& [uuid, need] : other.uuids_) {
    auto it = uuids_.find(uuid);
    if (it == uuids_.end() || !intervals_contain(it->second, need)) return false;
  }
  return true;
}

void GtidSet::merge(const GtidSet& other) {
  if (other.empty()) return;
  if (empty()) {
    *this = other;
    return;
  }
  // Mixed families cannot be represented in one set; a server never reports both, so the
  // newer information wins rather than silently corrupting either.
  if (family_ != other.family_) {
    *this = other;
    return;
  }
  if (family_ == Family::kMariaDb) {
    for (const auto& [domain, pos] : other.domains_) {
      auto [it, inserted] = domains_.try_emplace(domain, pos);
      if (!inserted && it->second.seq < pos.seq) it->second = pos;
    }
    return;
  }
  for (const auto& [uuid, intervals] : other.uuids_) {
    Intervals& mine = uuids_[uuid];
    for (const auto& [first, last] : intervals) add_interval(mine, first, last);
  }
}

void GtidSet::add_mariadb(uint32_t domain, uint32_t server, uint64_t seq) {
  if (family_ == Family::kMySql) {
    uuids_.clear();
  }
  family_ = Family::kMariaDb;
  auto [it, inserted] = domains_.try_emplace(domain, MariaDbPosition{server, seq});
  // Within a domain, seq only grows on a well-behaved server; keep the highest so a
  // re-delivered event (reconnect) never moves a position backwards.
  if (!inserted && it->second.seq < seq) it->second = MariaDbPosition{server, seq};
}

void GtidSet::add_mysql(std::string_view uuid_text, uint64_t gno) {
  add_mysql_range(uuid_text, gno, gno);
}

void GtidSet::add_mysql_range(std::string_view uuid_text, uint64_t first, uint64_t last) {
  std::optional<std::string> uuid;
  if (uuid_text.size() == 16) {
    // Raw bytes, as in a binlog GTID_LOG_EVENT.
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : uuid_text) {
      hex.push_back(kHex[c >> 4]);
      hex.push_back(kHex[c & 15]);
    }
    uuid = canonical_uuid(hex);
  } else {
    uuid = canonical_uuid(uuid_text);
  }
  if (!uuid || first == 0 || first > last) return;  // not transaction ids; nothing to record
  if (family_ == Family::kMariaDb) domains_.clear();
  family_ = Family::kMySql;
  add_interval(uuids_[*uuid], first, last);
}

std::string GtidSet::to_mysql_binary() const {
  std::string out;
  auto put = [&out](uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put(family_ == Family::kMySql ? uuids_.size() : 0);
  if (family_ != Family::kMySql) return out;
  for (const auto& [uuid, intervals] : uuids_) {
    // Canonical text -> 16 raw bytes.
    for (size_t i = 0; i < uuid.size();) {
      if (uuid[i] == '-') {
        ++i;
        continue;
      }
      auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
      out.push_back(static_cast<char>(nibble(uuid[i]) << 4 | nibble(uuid[i + 1])));
      i += 2;
    }
    put(intervals.size());
    for (const auto& [first, last] : intervals) {
      put(first);
      put(last + 1);
    }
  }
  return out;
}

std::string GtidSet::to_string() const {
  std::string out;
  if (family_ == Family::kMariaDb) {
    for (const auto& [domain, pos] : domains_) {
      if (!out.empty()) out += ',';
      out +=
          std::to_string(domain) + "-" + std::to_string(pos.server) + "-" + std::to_string(pos.seq);
    }
  } else if (family_ == Family::kMySql) {
    for (const auto& [uuid, intervals] : uuids_) {
      if (intervals.empty()) continue;
      if (!out.empty()) out += ',';
      out += uuid;
      for (const auto& [first, last] : intervals) {
        out += ':' + std::to_string(first);
        if (last != first) out += '-' + std::to_string(last);
      }
    }
  }
  return out;
}

}  // namespace tessera::protocol
