#include "router/shard_placement.h"

#include <fmt/format.h>

#include "router/shard_functions/date_range.h"
#include "router/shard_functions/shard_param.h"

namespace tessera::router {

namespace {

// A typo such as locations [1000000] should not allocate a million tables.
constexpr int64_t kMaxTables = 100000;

void check_slices(const config::ShardRuleConfig& cfg, const config::Namespace& ns) {
  if (cfg.slices.empty()) throw ShardParamError{"slices", "must list at least one slice"};
  for (size_t k = 0; k < cfg.slices.size(); ++k) {
    if (!ns.find_slice(cfg.slices[k])) {
      throw ShardParamError{fmt::format("slices[{}]", k),
                            fmt::format("unknown slice \"{}\"", cfg.slices[k])};
    }
  }
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool has_space(std::string_view s) {
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') return true;
  }
  return false;
}

}  // namespace

Placement locations_placement(const config::ShardRuleConfig& cfg, const config::Namespace& ns) {
  check_slices(cfg, ns);
  if (cfg.locations.size() != cfg.slices.size()) {
    throw ShardParamError{"locations",
                          fmt::format("has {} entries but slices has {}; give one table count "
                                      "per slice",
                                      cfg.locations.size(), cfg.slices.size())};
  }
  Placement p;
  int64_t total = 0;
  for (size_t k = 0; k < cfg.locations.size(); ++k) {
    int n = cfg.locations[k];
    // Stricter than Gaea, which accepts 0 (a listed slice holding no table): a zero is far
    // more often a typo than an intent, and an empty slice can simply be left out.
    if (n <= 0) {
      throw ShardParamError{
          fmt::format("locations[{}]", k),
          fmt::format("{} must be greater than 0 (tables on slice \"{}\")", n, cfg.slices[k])};
    }
    total += n;
    if (total > kMaxTables) {
      throw ShardParamError{"locations", fmt::format("more than {} tables", kMaxTables)};
    }
    p.slice_of_table.insert(p.slice_of_table.end(), static_cast<size_t>(n), static_cast<int>(k));
  }
  return p;
}

Placement date_placement(const config::ShardRuleConfig& cfg, const config::Namespace& ns,
                         DateUnit unit) {
  check_slices(cfg, ns);
  if (cfg.date_range.size() != cfg.slices.size()) {
    throw ShardParamError{"date_range",
                          fmt::format("has {} entries but slices has {}; give one range per slice",
                                      cfg.date_range.size(), cfg.slices.size())};
  }
  Placement p;
  for (size_t k = 0; k < cfg.date_range.size(); ++k) {
    std::string field = fmt::format("date_range[{}]", k);
    std::vector<int> dates = parse_date_range(cfg.date_range[k], unit, field);
    if (!p.dates.empty() && dates.front() <= p.dates.back()) {
      throw ShardParamError{field, fmt::format("\"{}\" overlaps or precedes date_range[{}]; "
                                               "ranges must ascend without overlap",
                                               cfg.date_range[k], k - 1)};
    }
    if (static_cast<int64_t>(p.dates.size() + dates.size()) > kMaxTables) {
      throw ShardParamError{"date_range", fmt::format("more than {} tables", kMaxTables)};
    }
    p.dates.insert(p.dates.end(), dates.begin(), dates.end());
    p.slice_of_table.insert(p.slice_of_table.end(), dates.size(), static_cast<int>(k));
  }
  return p;
}

std::vector<std::string> expand_databases(const std::vector<std::string>& databases) {
  std::vector<std::string> out;
  for (size_t k = 0; k < databases.size(); ++k) {
    const std::string& db = databases[k];
    std::string field = fmt::format("databases[{}]", k);
    if (db.empty()) throw ShardParamError{field, "must not be empty"};
    // `prefix[a-b]` with a non-empty prefix without spaces, as Gaea's ^(\S+?)\[(\d+)-(\d+)\]$.
    size_t open = db.rfind('[');
    size_t dash = open == std::string::npos ? std::string::npos : db.find('-', open);
    if (db.back() == ']' && open != std::string::npos && open > 0 && dash != std::string::npos &&
        !has_space(std::string_view(db).substr(0, open))) {
      std::string_view a = std::string_view(db).substr(open + 1, dash - open - 1);
      std::string_view b = std::string_view(db).substr(dash + 1, db.size() - dash - 2);
      if (all_digits(a) && all_digits(b)) {
        int lo = param_int(a, field), hi = param_int(b, field);
        if (hi <= lo) {
          throw ShardParamError{field, fmt::format("\"{}\": the range end must be greater than "
                                                   "its start",
                                                   db)};
        }
        if (hi - lo >= kMaxTables) {
          throw ShardParamError{field, fmt::format("more than {} databases", kMaxTables)};
        }
        std::string prefix = db.substr(0, open);
        for (int i = lo; i <= hi; ++i) out.push_back(prefix + std::to_string(i));
        continue;
      }
    }
    out.push_back(db);
  }
  return out;
}

}  // namespace tessera::router
