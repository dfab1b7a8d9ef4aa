// GRANT / REVOKE and account statements.
#include "sql/parser/parser_impl.h"

namespace tessera::sql::detail {

namespace {

bool account_option_start(const ParserImpl& p) {
  return p.is_word("REQUIRE") || p.is(Kw::WITH) || p.is(Kw::PASSWORD) || p.is_word("ACCOUNT") ||
         (p.is(Kw::AS) && !p.is(Tok::LParen, 1)) || p.is(Kw::DEFAULT);
}

}  // namespace

UserSpec ParserImpl::user_spec() {
  UserSpec u{user_name(), {}};
  if (is_word("IDENTIFIED")) {
    size_t m = mark();
    int depth = 0;
    while (!at_end() && !(depth == 0 && (is(Tok::Comma) || account_option_start(*this)))) {
      if (is(Tok::LParen)) ++depth;
      if (is(Tok::RParen)) --depth;
      take();
    }
    u.auth = span_from(m);
    opaque_ = true;
  }
  return u;
}

std::string_view ParserImpl::account_options() {
  size_t m = mark();
  while (!at_end()) take();
  if (mark() != m) opaque_ = true;
  return span_from(m);
}

Statement* ParserImpl::grant_statement() {
  GrantStatement* s = make<GrantStatement>();
  s->revoke = take().kw != Kw::GRANT;
  if (accept_word("PROXY")) {
    s->proxy = true;
    expect(Kw::ON);
    s->proxy_user = user_name();
  } else {
    // Privileges (words with optional column lists) or role names, up to ON / TO / FROM.
    do {
      size_t m = mark();
      if (type() != Tok::Ident && type() != Tok::QuotedIdent && type() != Tok::String) {
        fail("a privilege or role");
      }
      while ((type() == Tok::Ident || type() == Tok::QuotedIdent || type() == Tok::String) &&
             !is(Kw::ON) && !is(Kw::TO) && !(s->revoke && is(Kw::FROM))) {
        if (is(Tok::String) || is(Tok::QuotedIdent)) {
          take();
          if (is(Tok::UserVar) && peek().adjacent) take();  // role@host
          break;
        }
        take();
      }
      Privilege p{span_from(m), {}};
      if (is(Tok::LParen)) p.columns = ident_list_parens();
      s->privileges.push(arena_, p);
    } while (accept(Tok::Comma));
    if (accept(Kw::ON)) {
      s->on = true;
      size_t m = mark();
      if (is(Kw::TABLE) || is(Kw::FUNCTION) || is(Kw::PROCEDURE)) {
        take();
      } else if (is_word("PACKAGE")) {
        take();
        accept_word("BODY");
      }
      s->object_type = span_from(m);
      if (accept(Tok::Star)) {
        s->schema_star = true;
        if (accept(Tok::Dot)) {
          expect(Tok::Star, "'*'");
          s->name_star = true;
        }
      } else {
        Ident first = ident_any();
        if (accept(Tok::Dot)) {
          if (accept(Tok::Star)) {
            s->schema = first;
            s->name_star = true;
          } else {
            s->table = make<TableName>();
            s->table->name.schema = first;
            s->table->name.name = ident_any();
          }
        } else {
          s->table = make<TableName>();
          s->table->name.name = first;
        }
      }
    } else {
      // GRANT role, ... TO users: the "privileges" are role names.
      for (const Privilege& p : s->privileges) {
        if (!p.columns.empty()) fail("ON");
      }
    }
  }
  if (s->revoke) {
    expect(Kw::FROM);
  } else {
    expect(Kw::TO);
  }
  do {
    s->users.push(arena_, user_spec());
  } while (accept(Tok::Comma));
  s->options = account_options();
  return s;
}

Statement* ParserImpl::user_statement(bool create, bool or_replace) {
  // CREATE/ALTER already consumed (and OR REPLACE).
  bool role = is_word("ROLE");
  UserStatement* s = make<UserStatement>(StatementKind::OtherDdl);
  take();  // USER / ROLE
  s->verb = create ? (role ? "CREATE ROLE" : "CREATE USER") : "ALTER USER";
  s->or_replace = or_replace;
  if (is(Kw::IF)) {
    take();
    if (create) expect(Kw::NOT);
    expect(Kw::EXISTS);
    s->if_exists = true;
  }
  do {
    s->users.push(arena_, user_spec());
  } while (accept(Tok::Comma));
  s->options = account_options();
  return s;
}

}  // namespace tessera::sql::detail
