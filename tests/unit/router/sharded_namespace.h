// The sharded namespace the planner robustness test (plan_robustness_test.cc) and the planner
// fuzzer (fuzz/router/plan_fuzzer.cpp) plan against: the rules of planner_test.cc in db_ks, plus
// rules in db `test` over the table names MariaDB's test suite uses most (t1, t2, t3 hashed on
// `a`, t4 global, and one rule per other shard-function family), so the sharded paths of the
// planner see a large share of real-world statements.
#pragma once

#include "router/shard_rule.h"

namespace tessera::router::testing {

// Current database to plan in: where the corpus's unqualified t1..t9 resolve.
inline constexpr const char* kShardedDb = "test";

inline constexpr const char* kShardedNamespace = R"({
  "name": "ns", "allowed_dbs": {"db_ks": true, "test": true}, "default_slice": "slice-1",
  "slices": [
    {"name": "slice-1", "user_name": "u", "password": "p", "master": "127.0.0.1:3306", "capacity": 1, "max_capacity": 2, "idle_timeout": 60},
    {"name": "slice-2", "user_name": "u", "password": "p", "master": "127.0.0.1:3307", "capacity": 1, "max_capacity": 2, "idle_timeout": 60},
    {"name": "slice-3", "user_name": "u", "password": "p", "master": "127.0.0.1:3308", "capacity": 1, "max_capacity": 2, "idle_timeout": 60}
  ],
  "shard_rules": [
    {"db": "db_ks", "table": "tbl_ks", "type": "hash", "key": "id", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "db_ks", "table": "tbl_ks2", "type": "linked", "parent_table": "tbl_ks", "key": "id"},
    {"db": "db_ks", "table": "tbl_global", "type": "global", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "db_ks", "table": "other", "type": "hash", "key": "oid", "locations": [2,2,2], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "db_ks", "table": "seqd", "type": "hash", "key": "id", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "test", "table": "t1", "type": "hash", "key": "a", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "test", "table": "t2", "type": "hash", "key": "a", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "test", "table": "t3", "type": "hash", "key": "a", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "test", "table": "t4", "type": "global", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "test", "table": "t5", "type": "mod", "key": "b", "locations": [2,2], "slices": ["slice-2","slice-3"]},
    {"db": "test", "table": "t6", "type": "range", "key": "a", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"], "table_row_limit": 100},
    {"db": "test", "table": "t7", "type": "date_month", "key": "d", "slices": ["slice-1","slice-2"], "date_range": ["201401-201406", "201407-201412"]},
    {"db": "test", "table": "t8", "type": "linked", "parent_table": "t1", "key": "a"},
    {"db": "test", "table": "t9", "type": "mycat_mod", "key": "a", "locations": [2,2], "slices": ["slice-1","slice-2"], "databases": ["db_mycat_[0-3]"]}
  ],
  "global_sequences": [
    {"db": "db_ks", "table": "seqd", "type": "mysql", "pk_name": "id", "slice_name": "slice-1"},
    {"db": "test", "table": "t3", "type": "mysql", "pk_name": "a", "slice_name": "slice-1"}
  ],
  "users": [{"user_name": "app", "password": "pw", "namespace": "ns", "rw_flag": 2, "rw_split": 0}]
})";

// Columns for the rules' tables in db `test` (what MariaDB's tests mostly declare), so that
// INSERTs without a column list and `*` the merge compares plan from the schema catalog as
// they do once frontend has read the columns (router/schema_catalog.h).
inline void learn_test_schemas(const ShardRuleSet& rules) {
  for (const char* t : {"t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"}) {
    TableSchema schema;
    for (const char* c : {"a", "b", "c", "d"}) schema.columns.push_back(SchemaColumn{c});
    schema.loaded_at = TableSchema::Clock::now();
    rules.schema().publish("test", t, std::move(schema));
  }
}

}  // namespace tessera::router::testing
