#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/auth_plugin.h"
#include "config/backend_tls.h"
#include "config/host_port.h"
#include "config/ip_range.h"
#include "config/read_consistency.h"
#include "config/shard_rule_config.h"

namespace tessera::config {

// A group of backend instances holding the same data (Gaea `slices[]`).
struct Slice {
  std::string name;
  std::string user_name;  // backend account
  std::string password;
  HostPort master;  // multi-writer slices: the first writer
  std::vector<WeightedAddress> slaves;
  std::vector<WeightedAddress> statistic_slaves;
  int capacity = 0;      // idle connections kept per instance (> 0)
  int max_capacity = 0;  // connection limit per instance (>= capacity)
  std::chrono::seconds idle_timeout{0};
  // Multi-writer slice (seed 003, `"writers": ["host:port", ...]`): every writer takes writes;
  // each table is pinned to one live writer so writers never conflict. Empty = one primary.
  std::vector<HostPort> writers;
  // Optional pinning override, "schema.table" (lower case) -> writer "host:port"; tables not
  // listed (or whose writer is down) go by rendezvous hash of schema.table over live writers.
  std::map<std::string, std::string> writer_map;
  // Our extension, "tls": "off" | "required" | "verify_ca"; absent = [tls] backend of the proxy.
  std::optional<BackendTls> tls;

  bool multi_writer() const { return !writers.empty(); }
  // Read/write splitting: replicas further behind than this are not read from (0 = no limit),
  // and a consistent read waits at most consistent_read_timeout for a replica to catch up
  // before it falls back to the primary.
  std::chrono::seconds max_replication_lag{10};
  std::chrono::milliseconds consistent_read_timeout{1000};
};

enum class RwFlag { kReadOnly = 1, kReadWrite = 2 };

// How a transaction that writes to several slices is committed (issue 7).
//  kXa: XA two-phase commit with a durable decision log; never half done.
//  kBestEffort: one plain transaction per slice, committed one after the other; a failure or a
//    crash part-way can leave some slices committed and others not (see README).
enum class TransactionMode { kXa, kBestEffort };
std::string_view to_string(TransactionMode mode);

// What a write to a global table reports as affected rows (issue 18).
//  kSingle: what one server holding the table would report (one copy's count); the default.
//  kSum: the sum over every copy, as Gaea reports it (an INSERT on three slices says 3).
enum class GlobalAffectedRows { kSingle, kSum };
std::string_view to_string(GlobalAffectedRows mode);

// A front-end account (Gaea `users[]`).
struct User {
  std::string user_name;
  std::string password;
  std::string namespace_name;  // Gaea `namespace`; always equals the owning namespace's name
  RwFlag rw_flag = RwFlag::kReadWrite;
  bool rw_split = false;   // Gaea `rw_split` 0/1: send reads to replicas
  int other_property = 0;  // Gaea: 1 = statistics user (reads go to statistic_slaves)
  std::optional<AuthPlugin> auth_plugin;  // our extension; nullopt = any plugin accepted
  // Our extension: sessions this user may hold at once across the whole proxy; 0 = no limit.
  int max_connections = 0;
  // Our extension: how fresh split reads must be (SET tessera_read_consistency overrides).
  ReadConsistency read_consistency = ReadConsistency::kEventual;
  // Our extension: the backend account this user's statements run as on every slice, in
  // place of the slice's user_name/password (empty = the slice's). Meant for read-only users:
  // give it SELECT only, so what the statement checks cannot see (a stored function that
  // writes) is refused by the server itself. Its connections are pooled apart.
  std::string backend_user_name;
  std::string backend_password;
  // Our extension: the user sees every client session of its namespace in SHOW PROCESSLIST /
  // information_schema.PROCESSLIST (as the server's PROCESS privilege); without it, its own.
  bool process_privilege = false;

  // Not configuration: set on the account a session of a backend_accounts namespace makes for
  // the server account it logged in as (frontend/backend_account_auth.cc).
  std::string backend_account_key;     // which pools hold this account's connections
  std::string backend_password_sha1;   // SHA1(password): answers mysql_native_password
  std::string backend_no_credentials;  // why no further connection can be opened ("": can)

  bool is_statistic_user() const { return other_property == 1; }
};

// Gaea `global_sequences[]`.
struct GlobalSequence {
  std::string db;
  std::string table;
  std::string type;
  std::string pk_name;
  std::string slice_name;
  int64_t max_limit = 0;
};

// `tessera-spill` in the system's temporary directory ($TMPDIR, else /tmp).
std::string default_spill_dir();

// One tenant: users, slices, shard rules. Loaded from a Gaea-compatible JSON file.
struct Namespace {
  std::string name;
  bool online = true;
  bool read_only = false;
  std::map<std::string, bool> allowed_dbs;
  // allowed_dbs as enforced: no list allows every database; otherwise the database must be
  // listed with `true` (an entry set to false denies).
  bool allows_db(std::string_view db) const {
    if (allowed_dbs.empty()) return true;
    auto it = allowed_dbs.find(std::string(db));
    return it != allowed_dbs.end() && it->second;
  }
  std::map<std::string, std::string> default_phy_dbs;  // logical db -> physical db
  std::chrono::milliseconds slow_sql_time{1000};
  std::vector<std::string> black_sql;
  std::vector<std::string> allowed_ip;     // as written
  std::vector<IpRange> allowed_ip_ranges;  // parsed, parallel to allowed_ip; empty = all allowed
  std::vector<Slice> slices;
  std::vector<ShardRuleConfig> shard_rules;
  std::vector<User> users;
  std::string default_slice;
  std::vector<GlobalSequence> global_sequences;
  bool open_general_log = false;
  std::chrono::milliseconds max_sql_execute_time{0};  // 0 = no limit
  int64_t max_sql_result_size = 0;                    // rows; 0 = no limit
  // Our extension: the memory one statement's blocking merge operators (sort, hashing GROUP
  // BY, DISTINCT, set operations) may hold before they spill to `spill_dir` (exec/
  // memory_budget.h). 64 MiB: with spilling on by default the budget decides when rows move
  // to disk, not whether a statement fails, so it bounds Tessera's memory per concurrent
  // cross-shard statement; 0 = no limit.
  int64_t merge_memory_bytes = 64ll * 1024 * 1024;
  // Our extension: where they spill (a directory created with mode 0700 when missing; files
  // in it are unlinked at once). Absent: `tessera-spill` in the system's temporary directory;
  // "" = spilling off: a statement over merge_memory_bytes fails with 1038.
  std::string spill_dir = default_spill_dir();
  // Our extension: bytes one statement may write to spill files (0 = no limit but the disk).
  int64_t spill_max_bytes = 0;
  // Our extension: a cross-shard join answered by a lookup join (exec/engine/lookup_join.h)
  // switches to reading both sides and joining them in Tessera (a hash join) once its driving
  // rows pass this many, or the statement's memory budget, before any batch is shipped: the
  // driving side is then too large to ship. 0: the hash join whenever the join's shape allows
  // it (tests); -1: never.
  int64_t hash_join_rows = 100000;
  // Gaea's keys, as written: the character set (and collation) a session starts in when its
  // client's handshake names none Tessera and the server know (id 0, or an id no collation
  // has), as the server starts such a session in its own character_set_server.
  std::string default_charset;
  std::string default_collation;
  // Their collation id (the collation, else the character set's default); 0 when neither is
  // set: such sessions then start in utf8mb4_general_ci, the collation Tessera's greeting names.
  uint8_t default_collation_id = 0;
  TransactionMode transaction_mode = TransactionMode::kXa;  // our extension: "xa" | "best_effort"
  // Our extension: "global_write_affected_rows": "single" (default) | "sum" (Gaea's count).
  GlobalAffectedRows global_write_affected_rows = GlobalAffectedRows::kSingle;
  // Our extension: "backend_accounts": true makes the backends' own accounts this namespace's
  // users: a login whose name is in no namespace's users[] is authenticated by the server
  // (relayed) and runs under that account (README, "Accounts that live on the server"). At
  // most one namespace may say so.
  bool backend_accounts = false;
  // Our extension: SHOW SESSION STATUS / information_schema.SESSION_STATUS count each client
  // session's own statements (backend/status_ledger.h), as on one server: a reading of the
  // server's status each time a connection changes sessions, which the pool avoids while it
  // has a connection per active session, but not when sessions outnumber connections (it.load:
  // the readings overloaded the server until its monitor probe timed out, see README). Off by
  // default for that reason (false: the pooled backend connection's counters).
  bool exact_session_status = false;
  // Our extension: "schema_refresh_seconds": how old the columns Tessera learned of a sharded
  // or global table (router/schema_catalog.h) may be before the next statement that needs them
  // reads them again from the backends; 0 = only after DDL through Tessera.
  std::chrono::seconds schema_refresh{60};

  // Not configuration: where it came from, and fields we ignored (Gaea has more than we use),
  // one human-readable line each (`demo.json: slices[0].foo: unknown field, ignored`).
  std::string source_name;
  std::vector<std::string> warnings;

  const Slice* find_slice(std::string_view slice_name) const;
  bool client_ip_allowed(std::string_view ip) const;  // true when allowed_ip is empty
};

// Parses and validates a namespace. `source_name` prefixes every error and warning.
// Throws ConfigError.
Namespace parse_namespace(std::string_view json, std::string_view source_name);

// Reads `path` and parses it; errors name `source_name`, or the path when it is empty.
Namespace load_namespace_file(const std::filesystem::path& path, std::string_view source_name = {});

}  // namespace tessera::config
