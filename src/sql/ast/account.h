// Accounts and privileges: GRANT, REVOKE, CREATE/ALTER USER, CREATE ROLE, RENAME USER.
// Credentials and account options are kept as written: a proxy forwards them, never rewrites.
#pragma once

#include "sql/ast/ddl.h"

namespace tessera::sql {

struct Privilege {
  std::string_view words;  // as written: "SELECT", "ALL PRIVILEGES", "CREATE TEMPORARY TABLES"
  ArenaVec<Ident> columns;
};

struct UserSpec {
  Expr* user;             // 'u'@'h' / u / CURRENT_USER
  std::string_view auth;  // IDENTIFIED ... clause as written, or empty
};

struct GrantStatement : Statement {
  GrantStatement() : Statement(StatementKind::Other) { node = StatementNode::Grant; }
  bool revoke = false;
  bool proxy = false;  // GRANT PROXY ON u TO ...
  Expr* proxy_user = nullptr;
  ArenaVec<Privilege> privileges;  // empty for the role form (GRANT r1, r2 TO u)
  ArenaVec<Expr*> roles;
  bool on = false;               // has an ON clause
  std::string_view object_type;  // TABLE / FUNCTION / PROCEDURE / PACKAGE [BODY]
  // Privilege level: *, *.*, db.*, db.t, t. `table` is set for a concrete table (routable).
  bool schema_star = false;
  bool name_star = false;
  Ident schema;
  TableName* table = nullptr;
  ArenaVec<UserSpec> users;
  std::string_view options;  // REQUIRE ... / WITH GRANT OPTION / AS ... as written
};

struct UserStatement : Statement {
  explicit UserStatement(StatementKind k) : Statement(k) { node = StatementNode::User; }
  std::string_view verb;  // CREATE USER / ALTER USER / CREATE ROLE / RENAME USER
  bool or_replace = false;
  bool if_exists = false;  // IF EXISTS / IF NOT EXISTS
  ArenaVec<UserSpec> users;
  ArenaVec<Expr*> renamed_to;  // RENAME USER a TO b, ...
  std::string_view options;    // REQUIRE / WITH / PASSWORD EXPIRE / ACCOUNT LOCK ... as written
};

}  // namespace tessera::sql
