#include "config/namespace_config.h"

#include <algorithm>
#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/canonical.h"
#include "config/config_error.h"
#include "config/validation.h"
#include "temp_dir.h"

namespace tessera::config {
namespace {

using nlohmann::json;

// A namespace as Gaea's own tooling writes it: numbers as strings, nulls for empty lists,
// fields we do not use.
constexpr std::string_view kGaeaNamespace = R"({
  "open_general_log": false,
  "is_encrypt": false,
  "name": "gaea_namespace_1",
  "online": true,
  "read_only": false,
  "allowed_dbs": {"db_ks": true, "db_legacy": false},
  "default_phy_dbs": {"db_ks": "db_ks_phy"},
  "slow_sql_time": "1000",
  "black_sql": ["delete from t1"],
  "allowed_ip": ["127.0.0.1", "192.168.0.0/16"],
  "slices": [
    {
      "name": "slice-0",
      "user_name": "root",
      "password": "root",
      "master": "127.0.0.1:3306",
      "slaves": ["127.0.0.1:3307@2", "127.0.0.1:3308"],
      "statistic_slaves": null,
      "capacity": 12,
      "max_capacity": "24",
      "idle_timeout": 60
    },
    {
      "name": "slice-1",
      "user_name": "root",
      "password": "root",
      "master": "127.0.0.1:3316",
      "slaves": [],
      "statistic_slaves": ["127.0.0.1:3319"],
      "capacity": "12",
      "max_capacity": 24,
      "idle_timeout": "60"
    }
  ],
  "shard_rules": [
    {
      "db": "db_ks",
      "table": "tbl_ks",
      "type": "mod",
      "key": "id",
      "locations": [2, 2],
      "slices": ["slice-0", "slice-1"]
    },
    {
      "db": "db_ks",
      "table": "tbl_ks_child",
      "type": "linked",
      "parent_table": "tbl_ks",
      "key": "id"
    },
    {
      "db": "db_ks",
      "table": "tbl_mycat",
      "type": "mycat_long",
      "key": "id",
      "locations": ["2", 2],
      "slices": ["slice-0", "slice-1"],
      "databases": ["db_mycat_[0-3]"],
      "partition_count": "4",
      "partition_length": 256
    },
    {
      "db": "db_ks",
      "table": "tbl_day",
      "type": "date_day",
      "key": "create_time",
      "locations": [1],
      "slices": ["slice-0"],
      "date_range": ["20240101-20240110"]
    },
    {
      "db": "db_ks",
      "table": "tbl_global",
      "type": "global",
      "locations": [1, 1],
      "slices": ["slice-0", "slice-1"]
    }
  ],
  "users": [
    {
      "user_name": "test_shard_hash",
      "password": "test_shard_hash",
      "namespace": "gaea_namespace_1",
      "rw_flag": 2,
      "rw_split": 1,
      "other_property": 0
    },
    {
      "user_name": "stats",
      "password": "stats",
      "namespace": "gaea_namespace_1",
      "rw_flag": "1",
      "rw_split": "1",
      "other_property": "1",
      "auth_plugin": "caching_sha2_password",
      "max_connections": 12
    }
  ],
  "default_slice": "slice-0",
  "global_sequences": [
    {"db": "db_ks", "table": "tbl_ks", "type": "test", "pk_name": "id", "slice_name": "slice-0"}
  ],
  "default_charset": "utf8mb4",
  "default_collation": "utf8mb4_general_ci",
  "max_sql_execute_time": "5000",
  "max_sql_result_size": -1,
  "support_multi_query": true,
  "down_after_no_alive": 32
})";

TEST(Namespace, LoadsGaeaStyleNamespace) {
  Namespace ns = parse_namespace(kGaeaNamespace, "gaea.json");
  EXPECT_EQ(ns.name, "gaea_namespace_1");
  EXPECT_TRUE(ns.online);
  EXPECT_EQ(ns.allowed_dbs.at("db_ks"), true);
  EXPECT_EQ(ns.allowed_dbs.at("db_legacy"), false);
  EXPECT_EQ(ns.default_phy_dbs.at("db_ks"), "db_ks_phy");
  EXPECT_EQ(ns.slow_sql_time.count(), 1000);
  EXPECT_EQ(ns.black_sql.size(), 1u);
  ASSERT_EQ(ns.slices.size(), 2u);
  const Slice& s0 = ns.slices[0];
  EXPECT_EQ(s0.master, (HostPort{"127.0.0.1", 3306}));
  ASSERT_EQ(s0.slaves.size(), 2u);
  EXPECT_EQ(s0.slaves[0].weight, 2);
  EXPECT_EQ(s0.slaves[1].weight, 1);
  EXPECT_TRUE(s0.statistic_slaves.empty());
  EXPECT_EQ(s0.capacity, 12);
  EXPECT_EQ(s0.max_capacity, 24);
  EXPECT_EQ(ns.slices[1].capacity, 12);
  EXPECT_EQ(ns.slices[1].idle_timeout.count(), 60);
  EXPECT_EQ(ns.slices[1].statistic_slaves.size(), 1u);

  ASSERT_EQ(ns.shard_rules.size(), 5u);
  EXPECT_EQ(ns.shard_rules[0].type, ShardRuleType::kMod);
  EXPECT_EQ(ns.shard_rules[0].locations, (std::vector<int>{2, 2}));
  EXPECT_EQ(ns.shard_rules[1].type, ShardRuleType::kLinked);
  EXPECT_EQ(ns.shard_rules[1].parent_table, "tbl_ks");
  EXPECT_EQ(ns.shard_rules[2].partition_count, "4");
  EXPECT_EQ(ns.shard_rules[2].partition_length, "256");
  EXPECT_EQ(ns.shard_rules[2].databases, (std::vector<std::string>{"db_mycat_[0-3]"}));
  EXPECT_EQ(ns.shard_rules[3].date_range.size(), 1u);

  ASSERT_EQ(ns.users.size(), 2u);
  EXPECT_EQ(ns.users[0].rw_flag, RwFlag::kReadWrite);
  EXPECT_TRUE(ns.users[0].rw_split);
  EXPECT_FALSE(ns.users[0].auth_plugin);
  EXPECT_EQ(ns.users[1].rw_flag, RwFlag::kReadOnly);
  EXPECT_TRUE(ns.users[1].is_statistic_user());
  EXPECT_EQ(ns.users[1].auth_plugin, AuthPlugin::kCachingSha2Password);
  EXPECT_EQ(ns.users[0].max_connections, 0);  // default: no limit
  EXPECT_EQ(ns.users[1].max_connections, 12);
  EXPECT_EQ(ns.users[0].read_consistency, ReadConsistency::kEventual);  // the default
  EXPECT_EQ(ns.slices[0].max_replication_lag.count(), 10);
  EXPECT_EQ(ns.slices[0].consistent_read_timeout.count(), 1000);
  EXPECT_EQ(ns.default_slice, "slice-0");
  EXPECT_EQ(ns.global_sequences.size(), 1u);
  EXPECT_EQ(ns.max_sql_execute_time.count(), 5000);
  EXPECT_EQ(ns.max_sql_result_size, 0);  // Gaea's -1: no limit
  EXPECT_EQ(ns.default_charset, "utf8mb4");
  EXPECT_EQ(ns.find_slice("slice-1"), &ns.slices[1]);
  EXPECT_EQ(ns.find_slice("nope"), nullptr);
}

TEST(Namespace, UnknownFieldsAreWarningsNotErrors) {
  Namespace ns = parse_namespace(kGaeaNamespace, "gaea.json");
  ASSERT_EQ(ns.warnings.size(), 2u);
  EXPECT_EQ(ns.warnings[0], "gaea.json: down_after_no_alive: unknown field, ignored");
  EXPECT_EQ(ns.warnings[1], "gaea.json: support_multi_query: unknown field, ignored");

  json j = json::parse(kGaeaNamespace);
  j["slices"][1]["max_idle"] = 3;
  ns = parse_namespace(j.dump(), "gaea.json");
  EXPECT_NE(std::find(ns.warnings.begin(), ns.warnings.end(),
                      "gaea.json: slices[1].max_idle: unknown field, ignored"),
            ns.warnings.end());
}

TEST(Namespace, DateRulesNeedNoLocations) {
  // Gaea places a date rule by date_range (one entry per slice) and writes no locations.
  json j = json::parse(kGaeaNamespace);
  j["shard_rules"][3].erase("locations");
  Namespace ns = parse_namespace(j.dump(), "gaea.json");
  EXPECT_TRUE(ns.shard_rules[3].locations.empty());
  EXPECT_EQ(ns.shard_rules[3].date_range.size(), 1u);
}

TEST(Namespace, TransactionMode) {
  Namespace ns = parse_namespace(kGaeaNamespace, "gaea.json");
  EXPECT_EQ(ns.transaction_mode, TransactionMode::kXa);  // the default
  json j = json::parse(kGaeaNamespace);
  j["transaction_mode"] = "best_effort";
  EXPECT_EQ(parse_namespace(j.dump(), "gaea.json").transaction_mode, TransactionMode::kBestEffort);
  j["transaction_mode"] = "2pc";
  try {
    parse_namespace(j.dump(), "gaea.json");
    FAIL() << "transaction_mode 2pc accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), R"(gaea.json: transaction_mode: "2pc" is not "xa" or "best_effort")");
  }
}

TEST(Namespace, GlobalWriteAffectedRows) {
  Namespace ns = parse_namespace(kGaeaNamespace, "gaea.json");
  // Absent: the count one server would report.
  EXPECT_EQ(ns.global_write_affected_rows, GlobalAffectedRows::kSingle);
  json j = json::parse(kGaeaNamespace);
  j["global_write_affected_rows"] = "sum";
  EXPECT_EQ(parse_namespace(j.dump(), "gaea.json").global_write_affected_rows,
            GlobalAffectedRows::kSum);
  j["global_write_affected_rows"] = "all";
  try {
    parse_namespace(j.dump(), "gaea.json");
    FAIL() << "global_write_affected_rows all accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 R"(gaea.json: global_write_affected_rows: "all" is not "single" or "sum")");
  }
}

TEST(Namespace, MergeMemoryBudgetAndSpill) {
  Namespace ns = parse_namespace(kGaeaNamespace, "gaea.json");
  // Absent: 64 MiB per statement, spilling on into the system's temporary directory.
  EXPECT_EQ(ns.merge_memory_bytes, 64 * 1024 * 1024);
  EXPECT_EQ(ns.spill_dir, default_spill_dir());
  EXPECT_NE(ns.spill_dir.find("tessera-spill"), std::string::npos);
  EXPECT_EQ(ns.spill_max_bytes, 0);
  json j = json::parse(kGaeaNamespace);
  j["merge_memory_bytes"] = 65536;
  j["spill_dir"] = "";  // spilling off
  j["spill_max_bytes"] = 1 << 30;
  Namespace changed = parse_namespace(j.dump(), "gaea.json");
  EXPECT_EQ(changed.merge_memory_bytes, 65536);
  EXPECT_EQ(changed.spill_dir, "");
  EXPECT_EQ(changed.spill_max_bytes, 1 << 30);
  // Canonical output keeps them (and "" stays off).
  json canonical = to_canonical_json(changed);
  EXPECT_EQ(canonical["spill_dir"], "");
  EXPECT_EQ(parse_namespace(canonical.dump(), "c.json").spill_dir, "");
  j["spill_dir"] = "relative/dir";
  try {
    parse_namespace(j.dump(), "gaea.json");
    FAIL() << "a relative spill_dir accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), R"(gaea.json: spill_dir: "relative/dir" is not an absolute path)");
  }
  j["spill_dir"] = "/var/tmp/t";
  j["merge_memory_bytes"] = -1;
  EXPECT_THROW(parse_namespace(j.dump(), "gaea.json"), ConfigError);
}

TEST(Namespace, HashJoinRows) {
  // Absent: a lookup join switches to its hash join past 100000 driving rows.
  EXPECT_EQ(parse_namespace(kGaeaNamespace, "gaea.json").hash_join_rows, 100000);
  json j = json::parse(kGaeaNamespace);
  j["hash_join_rows"] = 0;  // from the start
  Namespace changed = parse_namespace(j.dump(), "gaea.json");
  EXPECT_EQ(changed.hash_join_rows, 0);
  EXPECT_EQ(to_canonical_json(changed)["hash_join_rows"], 0);
  j["hash_join_rows"] = -1;  // never
  EXPECT_EQ(parse_namespace(j.dump(), "gaea.json").hash_join_rows, -1);
  j["hash_join_rows"] = -2;
  EXPECT_THROW(parse_namespace(j.dump(), "gaea.json"), ConfigError);
}

TEST(Namespace, SessionStatusAndProcessPrivilege) {
  Namespace ns = parse_namespace(kGaeaNamespace, "gaea.json");
  // Absent: each session's own status counters, and no user sees others' sessions.
  EXPECT_FALSE(ns.exact_session_status);
  EXPECT_FALSE(ns.users[0].process_privilege);
  json j = json::parse(kGaeaNamespace);
  j["exact_session_status"] = false;
  j["users"][0]["process_privilege"] = true;
  Namespace changed = parse_namespace(j.dump(), "gaea.json");
  EXPECT_FALSE(changed.exact_session_status);
  EXPECT_TRUE(changed.users[0].process_privilege);
  j["exact_session_status"] = "no";
  EXPECT_THROW(parse_namespace(j.dump(), "gaea.json"), ConfigError);
}

// schema_refresh_seconds (our extension): how old learned columns may get; 0 = only after DDL
// through Tessera; negative refused; in the canonical form.
TEST(Namespace, SchemaRefreshSeconds) {
  EXPECT_EQ(parse_namespace(kGaeaNamespace, "gaea.json").schema_refresh, std::chrono::seconds(60));
  json j = json::parse(kGaeaNamespace);
  j["schema_refresh_seconds"] = 0;
  Namespace off = parse_namespace(j.dump(), "gaea.json");
  EXPECT_EQ(off.schema_refresh, std::chrono::seconds(0));
  EXPECT_EQ(to_canonical_json(off)["schema_refresh_seconds"], 0);
  j["schema_refresh_seconds"] = 5;
  EXPECT_EQ(parse_namespace(j.dump(), "gaea.json").schema_refresh, std::chrono::seconds(5));
  j["schema_refresh_seconds"] = -1;
  EXPECT_THROW(parse_namespace(j.dump(), "gaea.json"), ConfigError);
}

// default_charset / default_collation (Gaea's keys) start the sessions whose client names no
// character set Tessera and the server know; names nobody knows are refused at load.
TEST(Namespace, DefaultCharsetAndCollation) {
  EXPECT_EQ(parse_namespace(kGaeaNamespace, "gaea.json").default_collation_id, 45);
  auto with = [](std::string charset, std::string collation) {
    json j = json::parse(kGaeaNamespace);
    j.erase("default_charset");
    j.erase("default_collation");
    if (!charset.empty()) j["default_charset"] = charset;
    if (!collation.empty()) j["default_collation"] = collation;
    return parse_namespace(j.dump(), "gaea.json");
  };
  EXPECT_EQ(with("", "").default_collation_id, 0);          // none: Tessera's own default
  EXPECT_EQ(with("latin1", "").default_collation_id, 8);    // latin1_swedish_ci
  EXPECT_EQ(with("cp1251", "").default_collation_id, 51);   // cp1251_general_ci
  EXPECT_EQ(with("utf8", "").default_collation_id, 33);     // utf8mb3_general_ci
  EXPECT_EQ(with("UTF8MB4", "").default_collation_id, 45);  // names fold case
  EXPECT_EQ(with("utf8mb4", "utf8mb4_unicode_ci").default_collation_id, 224);
  EXPECT_EQ(with("", "latin1_general_cs").default_collation_id, 49);     // the charset implied
  EXPECT_EQ(with("utf8", "utf8_unicode_ci").default_collation_id, 192);  // utf8 = utf8mb3
  auto error = [&](std::string charset, std::string collation) {
    try {
      with(charset, collation);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("klingon", ""),
            R"(gaea.json: default_charset: "klingon" is not a character set a client session )"
            R"(can use (such as utf8mb4, utf8mb3, latin1, cp1251, gbk; not ucs2, utf16, )"
            R"(utf16le, utf32))");
  EXPECT_NE(error("utf16", "").find("default_charset: \"utf16\" is not"), std::string::npos);
  EXPECT_NE(error("", "utf8mb4_klingon_ci")
                .find("default_collation: \"utf8mb4_klingon_ci\" is "
                      "not a collation"),
            std::string::npos);
  EXPECT_EQ(error("utf8mb4", "latin1_swedish_ci"),
            R"(gaea.json: default_collation: "latin1_swedish_ci" is a collation of latin1, not )"
            R"(of default_charset "utf8mb4")");
}

TEST(Namespace, AllowedIp) {
  Namespace ns = parse_namespace(kGaeaNamespace, "gaea.json");
  EXPECT_TRUE(ns.client_ip_allowed("127.0.0.1"));
  EXPECT_TRUE(ns.client_ip_allowed("192.168.44.5"));
  EXPECT_FALSE(ns.client_ip_allowed("10.0.0.1"));
  ns.allowed_ip_ranges.clear();
  EXPECT_TRUE(ns.client_ip_allowed("10.0.0.1"));
}

TEST(Namespace, CanonicalJsonRoundTrips) {
  Namespace ns = parse_namespace(kGaeaNamespace, "gaea.json");
  json canonical = to_canonical_json(ns);
  Namespace again = parse_namespace(canonical.dump(), "canonical.json");
  EXPECT_EQ(to_canonical_json(again), canonical);
  EXPECT_TRUE(again.warnings.empty());
  EXPECT_EQ(to_canonical_json(ns, Secrets::kRedact)["users"][0]["password"], "***");
}

TEST(Namespace, MultiWriterSlice) {
  json j = json::parse(kGaeaNamespace);
  j["slices"][1].erase("master");
  j["slices"][1]["writers"] = {"127.0.0.1:3316", "127.0.0.1:3317"};
  j["slices"][1]["writer_map"] = {{"DB_KS.Tbl_A", "127.0.0.1:3317"}};
  Namespace ns = parse_namespace(j.dump(), "mw.json");
  const Slice& s = ns.slices[1];
  ASSERT_TRUE(s.multi_writer());
  EXPECT_FALSE(ns.slices[0].multi_writer());
  ASSERT_EQ(s.writers.size(), 2u);
  EXPECT_EQ(s.master, s.writers[0]);  // code that wants "the" primary gets the first writer
  EXPECT_EQ(s.writer_map.at("db_ks.tbl_a"), "127.0.0.1:3317");
  Namespace again = parse_namespace(to_canonical_json(ns).dump(), "again.json");
  EXPECT_EQ(to_canonical_json(again), to_canonical_json(ns));
}

TEST(Namespace, SliceBackendTls) {
  json j = json::parse(kGaeaNamespace);
  j["slices"][0]["tls"] = "verify_ca";
  j["slices"][1]["tls"] = "required";
  Namespace ns = parse_namespace(j.dump(), "tls.json");
  EXPECT_EQ(ns.slices[0].tls, BackendTls::kVerifyCa);
  EXPECT_EQ(ns.slices[1].tls, BackendTls::kRequired);
  EXPECT_FALSE(parse_namespace(kGaeaNamespace, "gaea.json").slices[0].tls);  // proxy default
  Namespace again = parse_namespace(to_canonical_json(ns).dump(), "again.json");
  EXPECT_EQ(again.slices[0].tls, BackendTls::kVerifyCa);
  EXPECT_EQ(to_canonical_json(again), to_canonical_json(ns));
}

TEST(Namespace, UserBackendAccount) {
  json j = json::parse(kGaeaNamespace);
  j["users"][0]["backend_user_name"] = "ro_backend";
  j["users"][0]["backend_password"] = "ro_pw";
  Namespace ns = parse_namespace(j.dump(), "ro.json");
  EXPECT_EQ(ns.users[0].backend_user_name, "ro_backend");
  EXPECT_EQ(ns.users[0].backend_password, "ro_pw");
  for (const auto& w : ns.warnings) EXPECT_EQ(w.find("backend_"), std::string::npos) << w;
  EXPECT_TRUE(parse_namespace(kGaeaNamespace, "gaea.json").users[0].backend_user_name.empty());
  Namespace again = parse_namespace(to_canonical_json(ns).dump(), "again.json");
  EXPECT_EQ(again.users[0].backend_user_name, "ro_backend");
  EXPECT_EQ(to_canonical_json(again), to_canonical_json(ns));
  EXPECT_EQ(to_canonical_json(ns, Secrets::kRedact)["users"][0]["backend_password"], "***");
  // A password without an account is a mistake, not a silent fallback to the slice's account.
  j["users"][0].erase("backend_user_name");
  try {
    parse_namespace(j.dump(), "ro.json");
    FAIL() << "backend_password without backend_user_name accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("users[0].backend_password"), std::string::npos)
        << e.what();
  }
}

TEST(Namespace, LoadsFromFile) {
  testing::TempDir dir;
  auto path = dir.write("ns/gaea.json", kGaeaNamespace);
  Namespace ns = load_namespace_file(path);
  EXPECT_EQ(ns.name, "gaea_namespace_1");
  EXPECT_EQ(ns.source_name, path.string());
  EXPECT_EQ(load_namespace_file(path, "ns/gaea.json").source_name, "ns/gaea.json");
  try {
    load_namespace_file(dir.path() / "missing.json");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.json: cannot open file"), std::string::npos);
  }
}

// Each case: a change to the valid namespace and the exact error message it must produce.
struct BadCase {
  std::string name;
  std::function<void(json&)> mutate;
  std::string message;
};

class NamespaceErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(NamespaceErrors, NamesFileFieldAndProblem) {
  json j = json::parse(kGaeaNamespace);
  GetParam().mutate(j);
  try {
    parse_namespace(j.dump(2), "namespaces/demo.json");
    FAIL() << "expected ConfigError: " << GetParam().message;
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), GetParam().message);
    EXPECT_EQ(e.file(), "namespaces/demo.json");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Validation, NamespaceErrors,
    ::testing::Values(
        BadCase{
            "MasterAndWriters", [](json& j) { j["slices"][1]["writers"] = {"127.0.0.1:4000"}; },
            R"(namespaces/demo.json: slices[1].master: must be absent or the first of "writers" in a multi-writer slice)"},
        BadCase{"WriterNotHostPort",
                [](json& j) {
                  j["slices"][1].erase("master");
                  j["slices"][1]["writers"] = {"127.0.0.1:4000", "nope"};
                },
                R"(namespaces/demo.json: slices[1].writers[1]: "nope" is not host:port)"},
        BadCase{
            "WriterMapUnknownWriter",
            [](json& j) {
              j["slices"][1].erase("master");
              j["slices"][1]["writers"] = {"127.0.0.1:4000"};
              j["slices"][1]["writer_map"] = {{"db.t", "127.0.0.1:4001"}};
            },
            R"(namespaces/demo.json: slices[1].writer_map.db.t: names no writer of this slice)"},
        BadCase{
            "SliceTlsUnknown", [](json& j) { j["slices"][1]["tls"] = "yes"; },
            R"(namespaces/demo.json: slices[1].tls: "yes" is not one of off, required, verify_ca)"},
        BadCase{"MasterNotHostPort", [](json& j) { j["slices"][1]["master"] = "127.0.0.1"; },
                R"(namespaces/demo.json: slices[1].master: "127.0.0.1" is not host:port)"},
        BadCase{
            "MasterMissing", [](json& j) { j["slices"][0].erase("master"); },
            R"(namespaces/demo.json: slices[0].master: is required (host:port of the primary), or "writers" for a multi-writer slice)"},
        BadCase{"PortZero", [](json& j) { j["slices"][0]["master"] = "127.0.0.1:0"; },
                R"(namespaces/demo.json: slices[0].master: "127.0.0.1:0" is not host:port)"},
        BadCase{
            "PortTooBig", [](json& j) { j["slices"][0]["slaves"][1] = "h:70000"; },
            R"(namespaces/demo.json: slices[0].slaves[1]: "h:70000" is not host:port or host:port@weight)"},
        BadCase{
            "WeightZero", [](json& j) { j["slices"][0]["slaves"][0] = "h:3307@0"; },
            R"(namespaces/demo.json: slices[0].slaves[0]: "h:3307@0": weight must be between 1 and 1000000)"},
        BadCase{"EmptyName", [](json& j) { j["name"] = ""; },
                "namespaces/demo.json: name: must not be empty"},
        BadCase{"EmptySliceName", [](json& j) { j["slices"][1]["name"] = ""; },
                "namespaces/demo.json: slices[1].name: must not be empty"},
        BadCase{"DuplicateSlice", [](json& j) { j["slices"][1]["name"] = "slice-0"; },
                R"(namespaces/demo.json: slices[1].name: duplicate slice name "slice-0")"},
        BadCase{"NoSlices", [](json& j) { j["slices"] = json::array(); },
                "namespaces/demo.json: slices: at least one slice is required"},
        BadCase{"DefaultSliceUnknown", [](json& j) { j["default_slice"] = "slice-9"; },
                R"(namespaces/demo.json: default_slice: unknown slice "slice-9")"},
        BadCase{"DefaultSliceMissing", [](json& j) { j.erase("default_slice"); },
                "namespaces/demo.json: default_slice: must name one of the slices"},
        BadCase{"CapacityZero", [](json& j) { j["slices"][0]["capacity"] = 0; },
                "namespaces/demo.json: slices[0].capacity: 0 must be greater than 0"},
        BadCase{"CapacityAboveMax", [](json& j) { j["slices"][1]["max_capacity"] = "8"; },
                "namespaces/demo.json: slices[1].max_capacity: 8 is less than capacity 12"},
        BadCase{"CapacityNotNumber", [](json& j) { j["slices"][0]["capacity"] = "lots"; },
                R"(namespaces/demo.json: slices[0].capacity: "lots" is not an integer)"},
        BadCase{"RwFlag", [](json& j) { j["users"][0]["rw_flag"] = 3; },
                "namespaces/demo.json: users[0].rw_flag: 3 is not valid (1 = read-only, 2 = "
                "read-write)"},
        BadCase{"RwSplit", [](json& j) { j["users"][1]["rw_split"] = "2"; },
                "namespaces/demo.json: users[1].rw_split: 2 is not valid (0 = all to master, 1 "
                "= split reads)"},
        BadCase{"ReadConsistency", [](json& j) { j["users"][0]["read_consistency"] = "strong"; },
                "namespaces/demo.json: users[0].read_consistency: \"strong\" is not valid "
                "(EVENTUAL, SESSION or GLOBAL)"},
        BadCase{"ReplicationLagNegative",
                [](json& j) { j["slices"][0]["max_replication_lag"] = -1; },
                "namespaces/demo.json: slices[0].max_replication_lag: -1 is out of range (must be "
                "0..2147483647)"},
        BadCase{"DuplicateUser", [](json& j) { j["users"][1]["user_name"] = "test_shard_hash"; },
                R"(namespaces/demo.json: users[1].user_name: duplicate user "test_shard_hash")"},
        BadCase{"EmptyUser", [](json& j) { j["users"][0]["user_name"] = ""; },
                "namespaces/demo.json: users[0].user_name: must not be empty"},
        BadCase{
            "UserNamespaceMismatch", [](json& j) { j["users"][1]["namespace"] = "other"; },
            R"(namespaces/demo.json: users[1].namespace: "other" does not match the namespace name "gaea_namespace_1")"},
        BadCase{
            "AuthPlugin", [](json& j) { j["users"][0]["auth_plugin"] = "sha256_password"; },
            R"(namespaces/demo.json: users[0].auth_plugin: "sha256_password" is not supported (use mysql_native_password, caching_sha2_password, or "" for any))"},
        BadCase{"MaxConnections", [](json& j) { j["users"][0]["max_connections"] = -1; },
                "namespaces/demo.json: users[0].max_connections: -1 is out of range (must be "
                "0..1000000)"},
        BadCase{
            "AllowedIp", [](json& j) { j["allowed_ip"][1] = "192.168.0.0/40"; },
            R"(namespaces/demo.json: allowed_ip[1]: "192.168.0.0/40" is not an IP address or CIDR block)"},
        BadCase{"AllowedDbsNotBool", [](json& j) { j["allowed_dbs"]["db_ks"] = "yes"; },
                R"(namespaces/demo.json: allowed_dbs.db_ks: expected true/false, got "yes")"},
        BadCase{"SlicesNotArray", [](json& j) { j["slices"] = "slice-0"; },
                "namespaces/demo.json: slices: expected an array, got string"},
        BadCase{"NameNotString", [](json& j) { j["name"] = 7; },
                "namespaces/demo.json: name: expected a string, got number 7"},
        BadCase{
            "RuleType", [](json& j) { j["shard_rules"][0]["type"] = "modulo"; },
            R"(namespaces/demo.json: shard_rules[0].type: unknown shard rule type "modulo" (known: default, global, linked, hash, mod, range, date_year, date_month, date_day, mycat_mod, mycat_long, mycat_string, mycat_murmur, mycat_padding_mod))"},
        BadCase{"RuleLocationsMismatch",
                [](json& j) {
                  j["shard_rules"][0]["locations"] = json::array({2, 2, 2});
                },
                "namespaces/demo.json: shard_rules[0].locations: has 3 entries but slices has 2; "
                "they must match"},
        BadCase{"RuleUnknownSlice", [](json& j) { j["shard_rules"][4]["slices"][1] = "slice-7"; },
                R"(namespaces/demo.json: shard_rules[4].slices[1]: unknown slice "slice-7")"},
        BadCase{"RuleMissingKey", [](json& j) { j["shard_rules"][0].erase("key"); },
                "namespaces/demo.json: shard_rules[0].key: a mod rule needs a sharding key column"},
        BadCase{"LinkedParentMissing",
                [](json& j) { j["shard_rules"][1]["parent_table"] = "tbl_none"; },
                "namespaces/demo.json: shard_rules[1].parent_table: no shard rule for parent "
                "table db_ks.tbl_none"},
        BadCase{"DateRangeMissing", [](json& j) { j["shard_rules"][3].erase("date_range"); },
                "namespaces/demo.json: shard_rules[3].date_range: a date_day rule needs "
                "date_range"},
        BadCase{"SequenceSlice",
                [](json& j) { j["global_sequences"][0]["slice_name"] = "slice-5"; },
                R"(namespaces/demo.json: global_sequences[0].slice_name: unknown slice "slice-5")"},
        BadCase{"Encrypted", [](json& j) { j["is_encrypt"] = true; },
                "namespaces/demo.json: is_encrypt: encrypted Gaea namespaces are not supported; "
                "decrypt the passwords and set false"},
        BadCase{"NotAnObject", [](json& j) { j = json::array(); },
                "namespaces/demo.json: (document): expected an object, got array"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(Namespace, SyntaxErrorHasLineAndColumn) {
  std::string text = "{\n  \"name\": \"x\",\n  \"slices\": [,]\n}\n";
  try {
    parse_namespace(text, "namespaces/demo.json");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("namespaces/demo.json: invalid JSON at line 3, column 14: ", 0), 0u)
        << what;
  }
}

// Found by fuzz_namespace_config (seed fuzz/corpus/fuzz_namespace_config/number_overflow):
// nlohmann reports a number too large for a double as out_of_range, not parse_error, and it
// escaped parse_namespace.
TEST(Namespace, NumberOverflowIsAConfigError) {
  std::string text = "{\n  \"name\": \"demo\",\n  \"onlinices\": [66666E6666666666666666]\n}";
  try {
    parse_namespace(text, "namespaces/demo.json");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("namespaces/demo.json: invalid JSON: ", 0), 0u) << what;
    EXPECT_NE(what.find("number overflow"), std::string::npos) << what;
  }
}

TEST(Namespace, ReadSplittingFields) {
  json j = json::parse(kGaeaNamespace);
  j["users"][0]["read_consistency"] = "session";
  j["slices"][0]["max_replication_lag"] = 3;
  j["slices"][0]["consistent_read_timeout"] = 250;
  Namespace ns = parse_namespace(j.dump(), "namespaces/demo.json");
  EXPECT_EQ(ns.users[0].read_consistency, ReadConsistency::kSession);
  EXPECT_EQ(ns.slices[0].max_replication_lag.count(), 3);
  EXPECT_EQ(ns.slices[0].consistent_read_timeout.count(), 250);
  for (auto& w : ns.warnings) {
    EXPECT_EQ(w.find("read_consistency"), std::string::npos) << w;
    EXPECT_EQ(w.find("max_replication_lag"), std::string::npos) << w;
    EXPECT_EQ(w.find("consistent_read_timeout"), std::string::npos) << w;
  }
}

TEST(Namespace, UserNamespaceDefaultsToOwner) {
  json j = json::parse(kGaeaNamespace);
  j["users"][0].erase("namespace");
  Namespace ns = parse_namespace(j.dump(), "x.json");
  EXPECT_EQ(ns.users[0].namespace_name, "gaea_namespace_1");
}

}  // namespace
}  // namespace tessera::config
