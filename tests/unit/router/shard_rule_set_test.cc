// Runtime rules: placement (slices, databases, table names), lookups, distribution tokens and
// every validation error, plus the seed walkthrough's namespace loaded as Gaea writes it.
#include <gtest/gtest.h>

#include "config/config_error.h"
#include "config/namespace_config.h"
#include "router/shard_rule.h"
#include "sql/ascii_case.h"

namespace tessera::router {
namespace {

using config::ShardRuleConfig;
using config::ShardRuleType;

// The seed walkthrough (Gaea on three Aurora clusters): tbl_ks hashed on id over three slices
// with one table each, tbl_ks2 linked to it, tbl_global on every slice.
constexpr std::string_view kSeedNamespace = R"({
  "name": "gaea_namespace_1",
  "online": true,
  "read_only": false,
  "allowed_dbs": {"db_ks": true, "db_mycat": true},
  "default_phy_dbs": {"db_ks": "db_ks", "db_mycat": "db_mycat_0"},
  "slow_sql_time": "1000",
  "black_sql": [""],
  "allowed_ip": null,
  "slices": [
    {"name": "slice-1", "user_name": "root", "password": "Pass1234",
     "master": "shard-1.example.com:3306", "slaves": ["shard-1-ro.example.com:3306"],
     "statistic_slaves": null, "capacity": 12, "max_capacity": 24, "idle_timeout": 60},
    {"name": "slice-2", "user_name": "root", "password": "Pass1234",
     "master": "shard-2.example.com:3306", "slaves": ["shard-2-ro.example.com:3306"],
     "statistic_slaves": null, "capacity": 12, "max_capacity": 24, "idle_timeout": 60},
    {"name": "slice-3", "user_name": "root", "password": "Pass1234",
     "master": "shard-3.example.com:3306", "slaves": ["shard-3-ro.example.com:3306"],
     "statistic_slaves": null, "capacity": 12, "max_capacity": 24, "idle_timeout": 60}
  ],
  "shard_rules": [
    {"db": "db_ks", "table": "tbl_ks", "type": "hash", "key": "id",
     "locations": [1, 1, 1], "slices": ["slice-1", "slice-2", "slice-3"]},
    {"db": "db_ks", "table": "tbl_ks2", "type": "linked", "parent_table": "tbl_ks", "key": "id"},
    {"db": "db_ks", "table": "tbl_global", "type": "global",
     "locations": [1, 1, 1], "slices": ["slice-1", "slice-2", "slice-3"]},
    {"db": "db_mycat", "table": "tbl_mycat", "type": "mycat_mod", "key": "id",
     "locations": [2, 2], "slices": ["slice-1", "slice-2"], "databases": ["db_mycat_[0-3]"]},
    {"db": "db_ks", "table": "tbl_year", "type": "date_year", "key": "create_time",
     "slices": ["slice-1", "slice-2"], "date_range": ["2014-2015", "2016"]}
  ],
  "global_sequences": [],
  "users": [
    {"user_name": "gaea", "password": "gaea_password", "namespace": "gaea_namespace_1",
     "rw_flag": 2, "rw_split": 1}
  ],
  "default_slice": "slice-1",
  "open_general_log": false,
  "max_sql_execute_time": 5000,
  "max_sql_result_size": 100000
})";

const SubTable& routed(const ShardRule& rule, ShardValue v) {
  auto r = rule.route(v);
  if (auto* e = std::get_if<ShardError>(&r)) {
    ADD_FAILURE() << e->message;
    static SubTable none;
    return none;
  }
  return *std::get<const SubTable*>(r);
}

TEST(ShardRuleSet, SeedWalkthroughRoutesLikeGaea) {
  auto ns = config::parse_namespace(kSeedNamespace, "gaea_namespace_1.json");
  auto set = ShardRuleSet::build(ns);
  const ShardRule* ks = set->find("db_ks", "tbl_ks");
  ASSERT_NE(ks, nullptr);
  EXPECT_EQ(ks->key(), "id");
  ASSERT_EQ(ks->sub_tables().size(), 3u);
  // Gaea's hash: id % 3. The walkthrough found id 3 in tbl_ks_0000 on shard-1, ids 1 and 4 in
  // tbl_ks_0001 on shard-2, id 2 in tbl_ks_0002 on shard-3.
  const std::pair<int64_t, std::pair<const char*, const char*>> cases[] = {
      {1, {"tbl_ks_0001", "slice-2"}},
      {2, {"tbl_ks_0002", "slice-3"}},
      {3, {"tbl_ks_0000", "slice-1"}},
      {4, {"tbl_ks_0001", "slice-2"}},
  };
  for (const auto& [id, where] : cases) {
    const SubTable& st = routed(*ks, ShardValue::of(id));
    EXPECT_EQ(st.table, where.first) << id;
    EXPECT_EQ(st.slice, where.second) << id;
    EXPECT_EQ(st.db, "db_ks") << id;
  }
  EXPECT_EQ(routed(*ks, ShardValue::of(std::string("2"))).table, "tbl_ks_0002");

  const ShardRule* child = set->find("db_ks", "tbl_ks2");
  ASSERT_NE(child, nullptr);
  EXPECT_TRUE(child->is_linked());
  EXPECT_EQ(child->parent_table(), "tbl_ks");
  EXPECT_EQ(child->distribution_token(), ks->distribution_token());
  EXPECT_EQ(routed(*child, ShardValue::of(int64_t{1})).table, "tbl_ks2_0001");
  EXPECT_EQ(routed(*child, ShardValue::of(int64_t{1})).slice, "slice-2");
  EXPECT_EQ(child->sub_tables()[0].table, "tbl_ks2_0000");

  const ShardRule* global = set->find("db_ks", "tbl_global");
  ASSERT_NE(global, nullptr);
  EXPECT_TRUE(global->is_global());
  EXPECT_EQ(global->function(), nullptr);
  EXPECT_TRUE(global->key().empty());
  ASSERT_EQ(global->sub_tables().size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(global->sub_tables()[i].table, "tbl_global");
    EXPECT_EQ(global->sub_tables()[i].db, "db_ks");
    EXPECT_EQ(global->sub_tables()[i].slice, "slice-" + std::to_string(i + 1));
  }
  EXPECT_TRUE(std::holds_alternative<ShardError>(global->route(ShardValue::of(int64_t{1}))));
  EXPECT_FALSE(global->renames_tables());

  EXPECT_EQ(set->default_slice(), "slice-1");
  EXPECT_EQ(set->physical_db("db_mycat"), "db_mycat_0");
  EXPECT_EQ(set->physical_db("DB_MYCAT"), "db_mycat_0");
  EXPECT_EQ(set->physical_db("other"), "other");
  EXPECT_EQ(set->sharded_dbs(), (std::vector<std::string>{"db_ks", "db_mycat"}));
  ASSERT_EQ(set->rules().size(), 5u);
  EXPECT_EQ(set->rules()[1]->table(), "tbl_ks2");  // file order
}

TEST(ShardRuleSet, LookupsIgnoreCase) {
  auto set = ShardRuleSet::build(config::parse_namespace(kSeedNamespace, "ns.json"));
  EXPECT_NE(set->find("DB_KS", "TBL_KS"), nullptr);
  EXPECT_NE(set->find("Db_Ks", "Tbl_Ks2"), nullptr);
  EXPECT_EQ(set->find("db_ks", "tbl_other"), nullptr);
  EXPECT_EQ(set->find("db_mycat", "tbl_ks"), nullptr);
  EXPECT_FALSE(set->empty());
}

// The test a session makes before parsing a statement (frontend/sharded_query.cc): false only
// when no rule's table name occurs in the text, in any ASCII case.
TEST(ShardRuleSet, MayBeNamedIn) {
  auto set = ShardRuleSet::build(config::parse_namespace(kSeedNamespace, "ns.json"));
  EXPECT_FALSE(set->may_be_named_in("SELECT c FROM sbtest1 WHERE id = 5"));
  EXPECT_FALSE(set->may_be_named_in("SELECT 'tbl_k' FROM db_ks.other"));
  EXPECT_FALSE(set->may_be_named_in(""));
  EXPECT_TRUE(set->may_be_named_in("SELECT * FROM tbl_ks"));
  EXPECT_TRUE(set->may_be_named_in("select * from DB_KS.`TBL_GLOBAL`"));
  EXPECT_TRUE(set->may_be_named_in("SELECT * FROM Tbl_Year WHERE x = 'ß'"));
  EXPECT_TRUE(set->may_be_named_in("SELECT 1 /* tbl_mycat */"));  // a superset: comments too
  EXPECT_TRUE(set->may_be_named_in("SELECT * FROM xtbl_ks2y"));   // and parts of other words
  EXPECT_TRUE(set->may_be_named_in("TBL_KS"));
  EXPECT_FALSE(set->may_be_named_in("TBL_K"));

  // The one-pass search against the plain definition, on texts made of the names' pieces.
  const std::vector<std::string> names = {"tbl_ks", "tbl_ks2", "tbl_global", "tbl_mycat",
                                          "tbl_year"};
  const std::vector<std::string> pieces = {"TBL", "tbl_", "_ks", "Ks2", "glo", "bal", "my",
                                           "CAT", "year", " ",   "ß",   "`",   "t",   "x"};
  uint32_t seed = 12345;
  for (int n = 0; n < 20000; ++n) {
    std::string text;
    for (int k = int(seed % 7); k >= 0; --k) {
      seed = seed * 1103515245u + 12345u;
      text += pieces[(seed >> 16) % pieces.size()];
    }
    bool plain = false;
    for (const auto& name : names) plain = plain || sql::icontains(text, name);
    ASSERT_EQ(set->may_be_named_in(text), plain) << text;
  }

  // A name with a quote character appears doubled in a quoted identifier: never ruled out.
  std::string quoted(kSeedNamespace);
  const std::string from = "\"table\": \"tbl_year\"";
  quoted.replace(quoted.find(from), from.size(), "\"table\": \"tbl`y\"");
  auto odd = ShardRuleSet::build(config::parse_namespace(quoted, "ns.json"));
  ASSERT_NE(odd->find("db_ks", "tbl`y"), nullptr);
  EXPECT_TRUE(odd->may_be_named_in("SELECT c FROM sbtest1 WHERE id = 5"));
}

TEST(ShardRuleSet, MycatRulesKeepTheTableAndChangeTheDatabase) {
  auto set = ShardRuleSet::build(config::parse_namespace(kSeedNamespace, "ns.json"));
  const ShardRule* r = set->find("db_mycat", "tbl_mycat");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->sub_tables().size(), 4u);
  const char* slices[] = {"slice-1", "slice-1", "slice-2", "slice-2"};
  for (int i = 0; i < 4; ++i) {
    const SubTable* st = r->sub_table(i);
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(st->index, i);
    EXPECT_EQ(st->db, "db_mycat_" + std::to_string(i));
    EXPECT_EQ(st->table, "tbl_mycat");
    EXPECT_EQ(st->slice, slices[i]);
  }
  EXPECT_EQ(r->sub_table(4), nullptr);
  EXPECT_EQ(r->sub_table(-1), nullptr);
  EXPECT_FALSE(r->renames_tables());
  EXPECT_TRUE(r->maps_databases());
  EXPECT_EQ(routed(*r, ShardValue::of(int64_t{-6})).db, "db_mycat_2");  // |-6| % 4
}

TEST(ShardRuleSet, DateTablesCarryTheDate) {
  auto set = ShardRuleSet::build(config::parse_namespace(kSeedNamespace, "ns.json"));
  const ShardRule* r = set->find("db_ks", "tbl_year");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->sub_tables().size(), 3u);
  EXPECT_EQ(r->sub_tables()[0].table, "tbl_year_2014");
  EXPECT_EQ(r->sub_tables()[1].table, "tbl_year_2015");
  EXPECT_EQ(r->sub_tables()[2].table, "tbl_year_2016");
  EXPECT_EQ(r->sub_tables()[1].slice, "slice-1");
  EXPECT_EQ(r->sub_tables()[2].slice, "slice-2");
  EXPECT_EQ(routed(*r, ShardValue::of(std::string("2016-07-01"))).table, "tbl_year_2016");
}

// Programmatic namespaces for the placement and error cases: slices s1..s3, default s1.
config::Namespace make_ns(std::vector<ShardRuleConfig> rules) {
  config::Namespace ns;
  ns.name = "demo";
  ns.source_name = "demo.json";
  for (const char* name : {"s1", "s2", "s3"}) {
    config::Slice s;
    s.name = name;
    ns.slices.push_back(s);
  }
  ns.default_slice = "s1";
  ns.shard_rules = std::move(rules);
  return ns;
}

ShardRuleConfig rule(std::string table, ShardRuleType type, std::vector<int> locations = {1, 1},
                     std::vector<std::string> slices = {"s1", "s2"}) {
  ShardRuleConfig r;
  r.db = "db";
  r.table = std::move(table);
  r.type = type;
  r.key = "ID";
  r.locations = std::move(locations);
  r.slices = std::move(slices);
  return r;
}

ShardRuleConfig linked(std::string table, std::string parent) {
  ShardRuleConfig r;
  r.db = "db";
  r.table = std::move(table);
  r.type = ShardRuleType::kLinked;
  r.key = "pid";
  r.parent_table = std::move(parent);
  return r;
}

std::string build_error(const config::Namespace& ns) {
  try {
    ShardRuleSet::build(ns);
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.file(), "demo.json");
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return {};
}

TEST(ShardRule, LocationsSpreadIndexesAcrossSlices) {
  auto set = ShardRuleSet::build(make_ns({rule("t", ShardRuleType::kHash, {2, 2})}));
  const ShardRule* r = set->find("db", "t");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->key(), "id");  // lower-cased
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& st : r->sub_tables()) got.emplace_back(st.slice, st.table);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{
                     {"s1", "t_0000"}, {"s1", "t_0001"}, {"s2", "t_0002"}, {"s2", "t_0003"}}));
  EXPECT_EQ(r->function()->table_count(), 4);
  EXPECT_TRUE(r->renames_tables());
  EXPECT_FALSE(r->maps_databases());
}

TEST(ShardRule, LinkedChildMayComeBeforeItsParent) {
  auto set = ShardRuleSet::build(
      make_ns({linked("child", "parent"), rule("parent", ShardRuleType::kMod)}));
  const ShardRule* child = set->find("db", "child");
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->key(), "pid");
  EXPECT_EQ(child->type(), ShardRuleType::kLinked);
  EXPECT_EQ(routed(*child, ShardValue::of(int64_t{3})).table, "child_0001");
}

TEST(ShardRule, LinkedToMycatFollowsTheParentsDatabases) {
  auto parent = rule("p", ShardRuleType::kMycatMod);
  parent.databases = {"d0", "d1"};
  auto set = ShardRuleSet::build(make_ns({parent, linked("c", "p")}));
  const ShardRule* c = set->find("db", "c");
  EXPECT_EQ(c->sub_tables()[1].db, "d1");
  EXPECT_EQ(c->sub_tables()[1].table, "c");
}

TEST(ShardRule, GlobalWithDatabases) {
  auto g = rule("g", ShardRuleType::kGlobal);
  g.key.clear();
  g.databases = {"gd_[1-2]"};
  auto set = ShardRuleSet::build(make_ns({g}));
  const ShardRule* r = set->find("db", "g");
  EXPECT_EQ(r->sub_tables()[0].db, "gd_1");
  EXPECT_EQ(r->sub_tables()[1].db, "gd_2");
  EXPECT_TRUE(r->maps_databases());
}

TEST(ShardRule, DistributionTokens) {
  auto a = rule("a", ShardRuleType::kHash);
  auto b = rule("b", ShardRuleType::kHash);
  auto c = rule("c", ShardRuleType::kHash, {1, 1}, {"s1", "s3"});
  auto d = rule("d", ShardRuleType::kMod);
  auto e = rule("e", ShardRuleType::kMycatMod);
  e.databases = {"x", "y"};
  auto f = rule("f", ShardRuleType::kHash, {2});
  f.slices = {"s1"};
  auto set = ShardRuleSet::build(make_ns({a, b, c, d, e, f, linked("l", "c")}));
  auto token = [&](const char* t) { return set->find("db", t)->distribution_token(); };
  EXPECT_EQ(token("a"), token("b"));
  EXPECT_NE(token("a"), token("c"));  // other slices
  EXPECT_NE(token("a"), token("d"));  // other function
  EXPECT_NE(token("d"), token("e"));  // same arithmetic, other layout
  EXPECT_NE(token("a"), token("f"));  // same count, other placement
  EXPECT_EQ(token("l"), token("c"));
}

TEST(ShardRuleSet, ValidationErrors) {
  struct Case {
    const char* name;
    std::function<void(config::Namespace&)> edit;
    const char* message;
  };
  auto with = [](ShardRuleConfig r) {
    return [r](config::Namespace& ns) { ns.shard_rules = {r}; };
  };
  auto date = [](ShardRuleType type, std::vector<std::string> ranges) {
    auto r = rule("d", type);
    r.locations.clear();
    r.date_range = std::move(ranges);
    return r;
  };
  auto mycat = [](ShardRuleType type) {
    auto r = rule("m", type);
    r.databases = {"m0", "m1"};
    return r;
  };
  auto murmur = mycat(ShardRuleType::kMycatMurmur);
  murmur.seed = "x";
  auto long_rule = mycat(ShardRuleType::kMycatLong);
  long_rule.partition_count = "2";
  long_rule.partition_length = "256";
  auto string_rule = mycat(ShardRuleType::kMycatString);
  string_rule.partition_count = "2";
  string_rule.partition_length = "512";
  string_rule.hash_slice = "a:b";
  auto pad = mycat(ShardRuleType::kMycatPaddingMod);
  pad.pad_from = "2";
  pad.pad_length = "18";
  pad.mod_begin = "10";
  pad.mod_end = "16";
  auto pad_end = pad;
  pad_end.pad_from = "1";
  pad_end.mod_end = "20";
  auto few_dbs = mycat(ShardRuleType::kMycatMod);
  few_dbs.databases = {"m0"};
  auto no_dbs = mycat(ShardRuleType::kMycatMod);
  no_dbs.databases.clear();
  auto bad_range_db = mycat(ShardRuleType::kMycatMod);
  bad_range_db.databases = {"m_[3-1]"};
  auto range0 = rule("r", ShardRuleType::kRange);
  auto no_key = rule("h", ShardRuleType::kHash);
  no_key.key.clear();
  auto dflt = rule("x", ShardRuleType::kDefault);
  auto global_parent = rule("g", ShardRuleType::kGlobal);
  auto no_link_key = linked("c", "p");
  no_link_key.key.clear();
  auto dup = rule("T", ShardRuleType::kHash);
  dup.db = "DB";

  const Case cases[] = {
      {"UnknownSlice", with(rule("t", ShardRuleType::kHash, {1, 1}, {"s1", "s9"})),
       R"(demo.json: shard_rules[0].slices[1]: unknown slice "s9")"},
      {"LocationsMismatch", with(rule("t", ShardRuleType::kHash, {1, 1, 1})),
       "demo.json: shard_rules[0].locations: has 3 entries but slices has 2; give one table "
       "count per slice"},
      {"ZeroLocation", with(rule("t", ShardRuleType::kHash, {1, 0})),
       R"(demo.json: shard_rules[0].locations[1]: 0 must be greater than 0 (tables on slice "s2"))"},
      {"NegativeLocation", with(rule("t", ShardRuleType::kMod, {-1, 1})),
       R"(demo.json: shard_rules[0].locations[0]: -1 must be greater than 0 (tables on slice "s1"))"},
      {"NoSlices", with(rule("t", ShardRuleType::kHash, {}, {})),
       "demo.json: shard_rules[0].slices: must list at least one slice"},
      {"DateRangeUnparsable", with(date(ShardRuleType::kDateMonth, {"201405-201406", "2014"})),
       R"(demo.json: shard_rules[0].date_range[1]: "2014" is not a date_month range (expected YYYYMM or YYYYMM-YYYYMM))"},
      {"DateRangeCount", with(date(ShardRuleType::kDateYear, {"2014"})),
       "demo.json: shard_rules[0].date_range: has 1 entries but slices has 2; give one range "
       "per slice"},
      {"DateRangeOverlap", with(date(ShardRuleType::kDateDay, {"20140901-20140905", "20140905"})),
       R"(demo.json: shard_rules[0].date_range[1]: "20140905" overlaps or precedes date_range[0]; ranges must ascend without overlap)"},
      {"DateRangeDescending", with(date(ShardRuleType::kDateYear, {"2016", "2014"})),
       R"(demo.json: shard_rules[0].date_range[1]: "2014" overlaps or precedes date_range[0]; ranges must ascend without overlap)"},
      {"RowLimit", with(range0),
       "demo.json: shard_rules[0].table_row_limit: 0 must be greater than 0 (rows per table)"},
      {"KeyMissing", with(no_key),
       "demo.json: shard_rules[0].key: a hash rule needs a sharding key column"},
      {"DefaultType", with(dflt),
       R"(demo.json: shard_rules[0].type: "default" cannot be a shard rule: tables without a rule already live on default_slice)"},
      {"LinkedParentMissing", with(linked("c", "nope")),
       "demo.json: shard_rules[0].parent_table: no shard rule for db.nope"},
      {"LinkedParentLinked",
       [](config::Namespace& ns) {
         ns.shard_rules = {rule("p", ShardRuleType::kHash), linked("c1", "p"), linked("c2", "c1")};
       },
       "demo.json: shard_rules[2].parent_table: db.c1 is itself linked (to p); link to the "
       "table that owns the rule"},
      {"LinkedParentLinkedLater",
       [](config::Namespace& ns) {
         ns.shard_rules = {linked("c2", "c1"), linked("c1", "p"), rule("p", ShardRuleType::kHash)};
       },
       "demo.json: shard_rules[0].parent_table: db.c1 is itself linked (to p); link to the "
       "table that owns the rule"},
      {"LinkedParentGlobal",
       [global_parent](config::Namespace& ns) {
         ns.shard_rules = {global_parent, linked("c", "g")};
       },
       "demo.json: shard_rules[1].parent_table: db.g is a global table; a linked table must "
       "follow a sharded one"},
      {"LinkedKey",
       [no_link_key](config::Namespace& ns) {
         ns.shard_rules = {rule("p", ShardRuleType::kHash), no_link_key};
       },
       "demo.json: shard_rules[1].key: a linked rule needs its own sharding column (the one "
       "matching the parent's key)"},
      {"Duplicate",
       [dup](config::Namespace& ns) {
         ns.shard_rules = {rule("t", ShardRuleType::kHash), dup};
       },
       "demo.json: shard_rules[1].table: duplicate rule for DB.T (shard_rules[0] already has "
       "it; names compare case-insensitively)"},
      {"MycatDatabasesCount", with(few_dbs),
       "demo.json: shard_rules[0].databases: names 1 databases but locations add up to 2 "
       "tables; a mycat_mod rule needs one database per table"},
      {"MycatDatabasesMissing", with(no_dbs),
       "demo.json: shard_rules[0].databases: names 0 databases but locations add up to 2 "
       "tables; a mycat_mod rule needs one database per table"},
      {"MycatDatabasesRange", with(bad_range_db),
       R"(demo.json: shard_rules[0].databases[0]: "m_[3-1]": the range end must be greater than its start)"},
      {"MurmurSeed", with(murmur), R"(demo.json: shard_rules[0].seed: "x" is not an integer)"},
      {"LongPartition", with(long_rule),
       "demo.json: shard_rules[0].partition_length: partitions cover 512 slots; the sum of "
       "count x length must be 1024"},
      {"StringHashSlice", with(string_rule),
       R"(demo.json: shard_rules[0].hash_slice: "a" is not an integer)"},
      {"PadFrom", with(pad),
       "demo.json: shard_rules[0].pad_from: 2 must be 0 (pad on the left) or 1 (pad on the "
       "right)"},
      {"PadModEnd", with(pad_end), "demo.json: shard_rules[0].mod_end: 20 is past pad_length 18"},
      {"DefaultSliceMissing", [](config::Namespace& ns) { ns.default_slice.clear(); },
       "demo.json: default_slice: must name one of the slices"},
      {"DefaultSliceUnknown", [](config::Namespace& ns) { ns.default_slice = "s7"; },
       R"(demo.json: default_slice: unknown slice "s7")"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    config::Namespace ns = make_ns({});
    c.edit(ns);
    EXPECT_EQ(build_error(ns), c.message);
  }
}

TEST(ShardRuleSet, MurmurDefaultsAndVirtualBucketLimits) {
  auto r = rule("m", ShardRuleType::kMycatMurmur);
  r.databases = {"m0", "m1"};
  r.seed = "0";
  auto set = ShardRuleSet::build(make_ns({r}));
  EXPECT_EQ(set->find("db", "m")->function()->signature(), "mycat_murmur/0/160/2");
  r.virtual_bucket_times = "0";
  EXPECT_EQ(build_error(make_ns({r})),
            "demo.json: shard_rules[0].virtual_bucket_times: 0 must be between 1 and 4096");
}

TEST(ShardRuleSet, EmptyNamespace) {
  auto set = ShardRuleSet::build(make_ns({}));
  EXPECT_TRUE(set->empty());
  EXPECT_TRUE(set->sharded_dbs().empty());
  EXPECT_EQ(set->find("db", "t"), nullptr);
}

}  // namespace
}  // namespace tessera::router
