// GTID sets of both server families, parsed from the text servers print and compared.
//   MariaDB: "domain-server-seq" entries, comma separated ("0-1-100,1-2-5"): one position per
//            replication domain; a set contains a GTID when its seq for that domain is >= it.
//   MySQL:   "uuid:interval[:interval...]" entries, comma separated
//            ("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9"); membership is interval-wise.
// Used for read-your-writes (the session's last write vs a replica's executed position).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::protocol {

class GtidSet {
 public:
  enum class Family : uint8_t { kEmpty, kMariaDb, kMySql };

  // Empty text (or only whitespace) is the empty set. Whitespace/newlines around entries are
  // allowed (MySQL prints "\n" after commas). nullopt on malformed text or mixed families.
  static std::optional<GtidSet> parse(std::string_view text);

  // True when every transaction in `other` is in this set (the empty set is in every set).
  // Sets of different families never contain each other unless `other` is empty.
  bool contains(const GtidSet& other) const;
  // Union, in place (MariaDB: the higher seq per domain).
  void merge(const GtidSet& other);
  // Adds one MariaDB GTID / one MySQL transaction (uuid as 16 raw bytes or text form).
  void add_mariadb(uint32_t domain, uint32_t server, uint64_t seq);
  void add_mysql(std::string_view uuid_text, uint64_t gno);
  // Adds the MySQL transactions first..last (inclusive, 1 <= first <= last) of one uuid.
  void add_mysql_range(std::string_view uuid_text, uint64_t first, uint64_t last);

  bool empty() const { return family_ == Family::kEmpty; }
  Family family() const { return family_; }
  // Canonical text in the family's own syntax (domains / uuids sorted).
  std::string to_string() const;
  // MySQL's binary form of a GTID set (COM_BINLOG_DUMP_GTID's SID block, the body of a
  // PREVIOUS_GTIDS event): n_sids(8), then per uuid its 16 bytes, n_intervals(8) and each
  // interval as start(8), end(8) with end exclusive. Empty for non-MySQL sets (n_sids = 0).
  std::string to_mysql_binary() const;

  friend bool operator==(const GtidSet&, const GtidSet&) = default;

 private:
  struct MariaDbPosition {
    uint32_t server = 0;
    uint64_t seq = 0;
    friend bool operator==(const MariaDbPosition&, const MariaDbPosition&) = default;
  };
  Family family_ = Family::kEmpty;
  std::map<uint32_t, MariaDbPosition> domains_;  // MariaDB: domain -> last GTID
  // MySQL: lower-case uuid text -> sorted, disjoint, non-adjacent closed intervals [first, last]
  std::map<std::string, std::vector<std::pair<uint64_t, uint64_t>>> uuids_;
};

}  // namespace tessera::protocol
