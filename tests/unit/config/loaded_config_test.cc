#include "config/loaded_config.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/config_error.h"
#include "temp_dir.h"

namespace tessera::config {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json namespace_json(const std::string& name, const std::vector<std::string>& users) {
  json j = {{"name", name},
            {"default_slice", "s0"},
            {"slices",
             {{{"name", "s0"},
               {"user_name", "backend"},
               {"password", "pw"},
               {"master", "127.0.0.1:3306"},
               {"slaves", {"127.0.0.1:3307"}},
               {"capacity", 4},
               {"max_capacity", 8},
               {"idle_timeout", 60}}}},
            {"users", json::array()}};
  for (const auto& u : users) {
    j["users"].push_back({{"user_name", u},
                          {"password", u + "_pw"},
                          {"namespace", name},
                          {"rw_flag", 2},
                          {"rw_split", 0}});
  }
  return j;
}

std::string error_of(const fs::path& toml) {
  try {
    load_all(toml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(LoadAll, LoadsTheExamples) {
  LoadedConfig c = load_all(fs::path(TESSERA_EXAMPLES_DIR) / "tessera.toml");
  EXPECT_EQ(c.proxy().listen, (HostPort{"127.0.0.1", 13306}));
  ASSERT_EQ(c.namespaces().size(), 1u);
  const Namespace& demo = c.namespaces()[0];
  EXPECT_EQ(demo.name, "demo");
  EXPECT_TRUE(c.warnings().empty());
  ASSERT_EQ(demo.slices.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const Slice& s = demo.slices[i];
    EXPECT_EQ(s.name, "slice-" + std::to_string(i));
    EXPECT_EQ(s.master, (HostPort{"127.0.0.1", static_cast<uint16_t>(23306 + 10 * i)}));
    ASSERT_EQ(s.slaves.size(), 1u);
    EXPECT_EQ(s.slaves[0].address.port, 23307 + 10 * i);
    // the demo namespace's least-privilege data account (scripts/cluster.sh)
    EXPECT_EQ(s.user_name, "demo_rw");
    EXPECT_EQ(s.password, "demo_rw");
    EXPECT_EQ(s.capacity, 16);
    EXPECT_EQ(s.max_capacity, 64);
    EXPECT_EQ(s.idle_timeout.count(), 60);
  }
  EXPECT_EQ(demo.default_slice, "slice-0");
  // The Gaea walkthrough's rules: tbl_ks hashed on id, tbl_ks2 linked, tbl_global global.
  ASSERT_EQ(demo.shard_rules.size(), 3u);
  EXPECT_EQ(demo.shard_rules[0].table, "tbl_ks");
  EXPECT_EQ(demo.shard_rules[0].type, ShardRuleType::kHash);
  EXPECT_EQ(demo.shard_rules[1].type, ShardRuleType::kLinked);
  EXPECT_EQ(demo.shard_rules[2].type, ShardRuleType::kGlobal);
  EXPECT_TRUE(demo.allowed_dbs.at("db_ks"));
  EXPECT_TRUE(demo.allowed_dbs.at("sbtest"));
  EXPECT_TRUE(demo.allowed_dbs.at("demo"));

  UserRef app = c.lookup_user("app");
  ASSERT_TRUE(app);
  EXPECT_EQ(app.user->password, "app_pw");
  EXPECT_EQ(app.user->rw_flag, RwFlag::kReadWrite);
  EXPECT_FALSE(app.user->rw_split);
  EXPECT_EQ(app.ns, &demo);
  const User* sbtest = c.find_user("sbtest");
  ASSERT_NE(sbtest, nullptr);
  EXPECT_EQ(sbtest->password, "sbtest");
  EXPECT_TRUE(sbtest->backend_user_name.empty());
  // the read-only user reaches the servers as the SELECT-only account
  const User* report = c.find_user("report");
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(report->rw_flag, RwFlag::kReadOnly);
  EXPECT_EQ(report->backend_user_name, "demo_ro");
  EXPECT_EQ(report->backend_password, "demo_ro");
  EXPECT_EQ(c.proxy().monitor_user, "tessera_monitor");
  EXPECT_EQ(c.proxy().repl_user, "repl");
  EXPECT_EQ(c.find_user("root"), nullptr);
  EXPECT_FALSE(c.lookup_user("root"));
  EXPECT_EQ(c.find_namespace("demo"), &demo);
}

TEST(LoadAll, ResolvesRelativePathsAndReportsRelativeNames) {
  testing::TempDir dir;
  dir.write("etc/namespaces/a.json", namespace_json("a", {"ua"}).dump());
  dir.write("etc/namespaces/notes.txt", "not a namespace");
  dir.write("shared/b.json", namespace_json("b", {"ub"}).dump());
  auto toml = dir.write("etc/tessera.toml", R"([proxy]
namespaces_dir = "namespaces"
namespace_files = ["../shared/b.json", "namespaces/a.json"]
)");
  LoadedConfig c = load_all(toml);
  ASSERT_EQ(c.namespaces().size(), 2u);  // a.json listed twice, loaded once
  EXPECT_EQ(c.namespaces()[0].name, "a");
  EXPECT_EQ(c.namespaces()[0].source_name, "namespaces/a.json");
  EXPECT_EQ(c.namespaces()[1].name, "b");
  // Outside the TOML directory: the full path.
  EXPECT_EQ(c.namespaces()[1].source_name, (dir.path() / "shared/b.json").generic_string());
  EXPECT_EQ(c.lookup_user("ub").ns->name, "b");
}

TEST(LoadAll, ErrorsNameTheNamespaceFileRelativeToTheToml) {
  testing::TempDir dir;
  json bad = namespace_json("demo", {"u"});
  bad["slices"][0]["master"] = "127.0.0.1";
  dir.write("namespaces/demo.json", bad.dump(2));
  auto toml = dir.write("tessera.toml", "");
  EXPECT_EQ(error_of(toml),
            R"(namespaces/demo.json: slices[0].master: "127.0.0.1" is not host:port)");
}

TEST(LoadAll, UserNameMayBelongToOneNamespaceOnly) {
  testing::TempDir dir;
  dir.write("namespaces/a.json", namespace_json("a", {"shared_user", "ua"}).dump());
  dir.write("namespaces/b.json", namespace_json("b", {"ub", "shared_user"}).dump());
  auto toml = dir.write("tessera.toml", "");
  EXPECT_EQ(
      error_of(toml),
      R"(namespaces/b.json: users[1].user_name: user "shared_user" is also in namespace "a" (namespaces/a.json); a user name may belong to only one namespace)");
}

TEST(LoadAll, OneNamespaceMayTakeServerAccounts) {
  testing::TempDir dir;
  json a = namespace_json("a", {"ua"});
  json b = namespace_json("b", {"ub"});
  dir.write("namespaces/a.json", a.dump());
  dir.write("namespaces/b.json", b.dump());
  auto toml = dir.write("tessera.toml", "");
  EXPECT_EQ(load_all(toml).backend_accounts_namespace(), nullptr);  // off by default
  b["backend_accounts"] = true;
  dir.write("namespaces/b.json", b.dump());
  LoadedConfig c = load_all(toml);
  ASSERT_NE(c.backend_accounts_namespace(), nullptr);
  EXPECT_EQ(c.backend_accounts_namespace()->name, "b");
  // Names in users[] stay the configuration's, whatever namespace takes server accounts.
  EXPECT_EQ(c.lookup_user("ua").ns->name, "a");
  EXPECT_FALSE(c.lookup_user("app_made_on_server"));
  a["backend_accounts"] = true;
  dir.write("namespaces/a.json", a.dump());
  EXPECT_EQ(
      error_of(toml),
      R"(namespaces/b.json: backend_accounts: namespace "a" (namespaces/a.json) has backend_accounts already; only one namespace may take the backends' own accounts)");
}

TEST(LoadAll, NamespaceNamesAreUnique) {
  testing::TempDir dir;
  dir.write("namespaces/a.json", namespace_json("same", {"u1"}).dump());
  dir.write("namespaces/b.json", namespace_json("same", {"u2"}).dump());
  auto toml = dir.write("tessera.toml", "");
  EXPECT_EQ(error_of(toml),
            R"(namespaces/b.json: name: namespace "same" is also defined in namespaces/a.json)");
}

TEST(LoadAll, MissingNamespacesAreErrors) {
  testing::TempDir dir;
  auto toml = dir.write("tessera.toml", "");
  std::string what = error_of(toml);
  EXPECT_NE(what.find("proxy.namespaces_dir: \""), std::string::npos) << what;
  EXPECT_NE(what.find("is not a directory"), std::string::npos) << what;

  fs::create_directories(dir.path() / "namespaces");
  what = error_of(toml);
  EXPECT_NE(what.find("no namespace files found"), std::string::npos) << what;

  auto toml2 = dir.write("t2.toml", "[proxy]\nnamespace_files = [\"gone.json\"]\n");
  what = error_of(toml2);
  EXPECT_NE(what.find("proxy.namespace_files[0]: \""), std::string::npos) << what;
  EXPECT_NE(what.find("does not exist"), std::string::npos) << what;
}

TEST(Fingerprint, StableAcrossFormattingOrderAndFileNames) {
  testing::TempDir one;
  testing::TempDir two;
  json a = namespace_json("a", {"ua"});
  json b = namespace_json("b", {"ub"});
  one.write("namespaces/a.json", a.dump());
  one.write("namespaces/b.json", b.dump());
  one.write("tessera.toml", "[proxy]\nworker_threads = 2\n");

  // Same content: other file names (so other load order), indentation, numbers as strings,
  // explicit defaults, a Gaea field we ignore.
  json b2 = b;
  b2["slices"][0]["capacity"] = "4";
  b2["slow_sql_time"] = "1000";
  b2["support_multi_query"] = true;
  one.write("unused.txt", "");
  two.write("namespaces/0-b.json", b2.dump(4));
  two.write("namespaces/1-a.json", a.dump(1));
  two.write("tessera.toml", "[proxy]\nworker_threads = 2\nlisten = \"127.0.0.1:13306\"\n");

  std::string f1 = config_fingerprint(load_all(one.path() / "tessera.toml"));
  std::string f2 = config_fingerprint(load_all(two.path() / "tessera.toml"));
  EXPECT_EQ(f1.size(), 64u);
  EXPECT_EQ(f1, f2);
  EXPECT_EQ(f1, config_fingerprint(load_all(one.path() / "tessera.toml")));

  // Any effective change moves it.
  b2["users"][0]["password"] = "changed";
  two.write("namespaces/0-b.json", b2.dump());
  EXPECT_NE(f1, config_fingerprint(load_all(two.path() / "tessera.toml")));
  one.write("tessera.toml", "[proxy]\nworker_threads = 3\n");
  EXPECT_NE(f1, config_fingerprint(load_all(one.path() / "tessera.toml")));
}

TEST(Snapshot, SharedImmutableConfig) {
  std::shared_ptr<const LoadedConfig> snap =
      load_snapshot(fs::path(TESSERA_EXAMPLES_DIR) / "tessera.toml");
  ASSERT_TRUE(snap);
  UserRef ref = snap->lookup_user("app");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref.ns->name, "demo");

  // Copies keep their own working index.
  LoadedConfig copy = *snap;
  EXPECT_EQ(copy.lookup_user("app").ns, &copy.namespaces()[0]);
}

}  // namespace
}  // namespace tessera::config
