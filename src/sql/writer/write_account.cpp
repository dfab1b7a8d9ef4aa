// GRANT / REVOKE and account statements.
#include "sql/writer/sql_writer.h"

namespace tessera::sql::detail {

static void users(SqlWriter& w, const ArenaVec<UserSpec>& us) {
  for (uint32_t i = 0; i < us.size(); ++i) {
    if (i) w.kw(", ");
    w.expr(us[i].user);
    if (!us[i].auth.empty()) {
      w.sp();
      w.kw(us[i].auth);
    }
  }
}

void SqlWriter::account(const Statement& st) {
  if (st.node == StatementNode::Grant) {
    auto& s = static_cast<const GrantStatement&>(st);
    kw(s.revoke ? "REVOKE " : "GRANT ");
    if (s.proxy) {
      kw("PROXY ON ");
      expr(s.proxy_user);
    } else {
      for (uint32_t i = 0; i < s.privileges.size(); ++i) {
        if (i) kw(", ");
        kw(s.privileges[i].words);
        if (!s.privileges[i].columns.empty()) {
          sp();
          ident_list(s.privileges[i].columns);
        }
      }
      if (s.on) {
        kw(" ON ");
        if (!s.object_type.empty()) {
          kw(s.object_type);
          sp();
        }
        if (s.schema_star) {
          kw(s.name_star ? "*.*" : "*");
        } else if (s.table) {
          table(*s.table);
        } else {
          ident(s.schema);
          kw(".*");
        }
      }
    }
    kw(s.revoke ? " FROM " : " TO ");
    users(*this, s.users);
    if (!s.options.empty()) {
      sp();
      kw(s.options);
    }
    return;
  }
  auto& s = static_cast<const UserStatement&>(st);
  if (s.or_replace) {
    kw("CREATE OR REPLACE ");
    kw(s.verb.substr(7));
  } else {
    kw(s.verb);
  }
  if (s.if_exists) kw(s.verb.rfind("CREATE", 0) == 0 ? " IF NOT EXISTS" : " IF EXISTS");
  sp();
  users(*this, s.users);
  if (!s.options.empty()) {
    sp();
    kw(s.options);
  }
}

}  // namespace tessera::sql::detail
