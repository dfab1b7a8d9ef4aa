// Session and utility statements: SET, transactions, SHOW, EXPLAIN/DESCRIBE, USE, LOCK/UNLOCK,
// KILL, PREPARE/EXECUTE/DEALLOCATE, CALL, DO, XA.
#include "sql/parser/parser_impl.h"

namespace tessera::sql::detail {

namespace {

uint8_t scope_of(Kw k) {
  switch (k) {
    case Kw::GLOBAL:
      return 1;
    case Kw::SESSION:
      return 2;
    case Kw::LOCAL:
      return 3;
    default:
      return 0;
  }
}

}  // namespace

Statement* ParserImpl::set_statement() {
  expect(Kw::SET);
  SetStatement* s = make<SetStatement>();
  // SET [GLOBAL|SESSION] TRANSACTION ...
  size_t k = 0;
  if (scope_of(kw()) && kw() != Kw::LOCAL) k = 1;
  if (is(Kw::TRANSACTION, k)) {
    s->transaction = true;
    s->txn_scope = k ? scope_of(take().kw) : 0;
    take();
    bool first = true;
    do {
      if (accept(Kw::ISOLATION)) {
        expect(Kw::LEVEL);
        if (first) s->isolation_first = true;
        if (accept(Kw::READ)) {
          if (accept(Kw::UNCOMMITTED))
            s->isolation = 1;
          else if (accept(Kw::COMMITTED))
            s->isolation = 2;
          else
            fail("COMMITTED or UNCOMMITTED");
        } else if (accept(Kw::REPEATABLE)) {
          expect(Kw::READ);
          s->isolation = 3;
        } else {
          expect(Kw::SERIALIZABLE);
          s->isolation = 4;
        }
      } else {
        expect(Kw::READ);
        if (first) s->isolation_first = false;
        if (accept(Kw::ONLY))
          s->access_mode = 1;
        else if (accept(Kw::WRITE))
          s->access_mode = 2;
        else
          fail("ONLY or WRITE");
      }
      first = false;
    } while (accept(Tok::Comma));
    return s;
  }
  bool statement_form = is_word("STATEMENT") && !is(Tok::Eq, 1) && !is(Tok::Assign, 1);
  if (statement_form) take();
  do {
    SetItem item{SetItemKind::Variable, 0, nullptr, nullptr, {}, {}, false};
    if (is(Kw::NAMES)) {
      take();
      item.kind = SetItemKind::Names;
      item.charset = is(Kw::DEFAULT) ? text(take()) : charset_name();
      if (accept(Kw::COLLATE)) item.collate = is(Kw::DEFAULT) ? text(take()) : charset_name();
    } else if ((is(Kw::CHARACTER) && is(Kw::SET, 1)) || is(Kw::CHARSET)) {
      if (take().kw == Kw::CHARACTER) take();
      item.kind = SetItemKind::Charset;
      item.charset = is(Kw::DEFAULT) ? text(take()) : charset_name();
    } else {
      if (is(Kw::GLOBAL) || is(Kw::SESSION) || is(Kw::LOCAL)) {
        item.scope = scope_of(take().kw);
      } else if (is_word("PERSIST")) {
        take();
        item.scope = 4;
      } else if (is_word("PERSIST_ONLY")) {
        take();
        item.scope = 5;
      }
      if (is(Tok::UserVar) || is(Tok::SysVar)) {
        item.target = primary();
      } else {
        // Plain system variable names may be keywords (SET autocommit, SET sql_mode,
        // SET character_set_client...): accept any word here.
        ColumnRef* c = make<ColumnRef>();
        c->pos = peek().off;
        c->parts[0] = ident_any();
        c->n = 1;
        while (c->n < 3 && accept(Tok::Dot)) c->parts[c->n++] = ident_any();
        item.target = c;
      }
      if (accept(Tok::Assign)) {
        item.assign_op = true;
      } else {
        expect(Tok::Eq, "'='");
      }
      // ON/ALL/BINARY... as bare values: SET autocommit=ON, SET sql_mode=ALL?
      if ((is(Kw::ON) || is(Kw::ALL) || is(Kw::BINARY) || is(Kw::DEFAULT)) &&
          (is(Tok::Comma, 1) || is(Tok::End, 1) || is(Tok::Semicolon, 1) || is(Kw::FOR, 1))) {
        if (is(Kw::DEFAULT)) {
          item.value = primary();
        } else {
          ColumnRef* c = make<ColumnRef>();
          c->pos = peek().off;
          c->parts[0] = make_ident(take());
          c->n = 1;
          item.value = c;
        }
      } else {
        item.value = expr();
      }
    }
    s->items.push(arena_, item);
  } while (accept(Tok::Comma));
  if (statement_form) {
    expect(Kw::FOR);
    s->for_statement = statement();
  }
  return s;
}

Statement* ParserImpl::transaction_statement() {
  Kw verb = take().kw;
  TransactionStatement* s;
  switch (verb) {
    case Kw::BEGIN:
      s = make<TransactionStatement>(StatementKind::Begin);
      s->work = accept(Kw::WORK);
      return s;
    case Kw::START:
      expect(Kw::TRANSACTION);
      s = make<TransactionStatement>(StatementKind::Begin);
      s->start_transaction = true;
      if (!at_end()) {
        do {
          if (accept(Kw::WITH)) {
            expect(Kw::CONSISTENT);
            expect(Kw::SNAPSHOT);
            s->modes.push(arena_, 1);
          } else {
            expect(Kw::READ);
            if (accept(Kw::ONLY))
              s->modes.push(arena_, 2);
            else if (accept(Kw::WRITE))
              s->modes.push(arena_, 3);
            else
              fail("ONLY or WRITE");
          }
        } while (accept(Tok::Comma));
      }
      return s;
    case Kw::SAVEPOINT:
      s = make<TransactionStatement>(StatementKind::Savepoint);
      s->savepoint = ident();
      return s;
    case Kw::RELEASE:
      expect(Kw::SAVEPOINT);
      s = make<TransactionStatement>(StatementKind::Savepoint);
      s->release_savepoint = true;
      s->savepoint = ident();
      return s;
    default:
      break;
  }
  s = make<TransactionStatement>(verb == Kw::COMMIT ? StatementKind::Commit
                                                    : StatementKind::Rollback);
  s->work = accept(Kw::WORK);
  if (verb == Kw::ROLLBACK && accept(Kw::TO)) {
    s->to_savepoint_keyword = accept(Kw::SAVEPOINT);
    s->savepoint = ident();
    return s;
  }
  if (accept(Kw::AND)) {
    s->chain = accept(Kw::NO) ? 2 : 1;
    expect(Kw::CHAIN);
  }
  if (accept(Kw::RELEASE)) {
    s->release = 1;
  } else if (is(Kw::NO) && is(Kw::RELEASE, 1)) {
    take();
    take();
    s->release = 2;
  }
  return s;
}

Statement* ParserImpl::show_statement() {
  expect(Kw::SHOW);
  ShowStatement* s = make<ShowStatement>();
  static constexpr std::string_view kObjectKinds[] = {"TABLE",     "VIEW",     "DATABASE", "SCHEMA",
                                                      "PROCEDURE", "FUNCTION", "TRIGGER",  "EVENT",
                                                      "SEQUENCE",  "PACKAGE"};
  // Words naming the thing shown, up to a clause keyword.
  while (type() == Tok::Ident && !is(Kw::FROM) && !is(Kw::IN) && !is(Kw::LIKE) && !is(Kw::WHERE) &&
         !is(Kw::LIMIT) && !is(Kw::FOR)) {
    const Token& w = take();
    s->words.push(arena_, w.kw != Kw::None ? keyword_text(w.kw) : text(w));
    if (s->words.size() == 1 && w.kw == Kw::CREATE) {
      bool object = false;
      for (auto k : kObjectKinds) {
        if (is_word(k)) object = true;
      }
      if (object) {
        const Token& k = take();
        s->words.push(arena_, k.kw != Kw::None ? keyword_text(k.kw) : text(k));
        if (is_word("BODY")) s->words.push(arena_, keyword_text(take().kw));
        if (is(Kw::IF)) fail("an object name");
        s->object = object_name();
        s->has_object = true;
        break;
      }
      if (is_word("USER")) {
        take();
        s->words.push(arena_, "USER");
        s->args.push(arena_, user_name());
        s->arg_preps.push(arena_, std::string_view{});
        break;
      }
    }
  }
  if (s->words.empty()) fail("what to show");
  std::string_view last = s->words.back();
  bool table_target = last == "COLUMNS" || last == "FIELDS" || last == "INDEX" ||
                      last == "INDEXES" || last == "KEYS";
  if (table_target && (is(Kw::FROM) || is(Kw::IN))) {
    s->object_prep = take().kw == Kw::FROM ? 1 : 2;
    s->object = object_name();
    s->has_object = true;
  }
  if ((is(Kw::FROM) || is(Kw::IN)) && (is(Tok::Ident, 1) || is(Tok::QuotedIdent, 1)) &&
      !is_literal(type(1))) {
    s->database_prep = take().kw == Kw::FROM ? 1 : 2;
    s->database = ident_any();
  }
  // SHOW BINLOG EVENTS IN 'f' FROM n, SHOW GRANTS FOR u, SHOW PROFILE FOR QUERY n...
  while (is(Kw::FOR) || is(Kw::IN) || is(Kw::FROM)) {
    std::string_view prep = keyword_text(take().kw);
    if (is(Kw::QUERY)) {
      prep = "FOR QUERY";
      take();
      s->args.push(arena_, expr());
    } else if (prep == "FOR") {
      s->args.push(arena_, user_name());
    } else {
      s->args.push(arena_, expr());
    }
    s->arg_preps.push(arena_, prep);
  }
  if (accept(Kw::LIKE)) {
    s->like = expr();
  } else if (accept(Kw::WHERE)) {
    s->where = expr();
  }
  if (is(Kw::LIMIT)) s->limit = limit_clause();
  return s;
}

Statement* ParserImpl::explain_statement() {
  const Token& v = take();
  ExplainStatement* s = make<ExplainStatement>(StatementKind::Explain);
  s->verb = keyword_text(v.kw);
  for (;;) {
    if (is(Kw::EXTENDED) || is(Kw::PARTITIONS) || is(Kw::ANALYZE)) {
      s->options.push(arena_, keyword_text(take().kw));
    } else if (is(Kw::FORMAT) && is(Tok::Eq, 1)) {
      size_t m = mark();
      take();
      take();
      take();
      s->options.push(arena_, span_from(m));
    } else {
      break;
    }
  }
  if (accept(Kw::FOR)) {
    expect_word("CONNECTION");
    s->for_connection = primary();
    return s;
  }
  switch (kw()) {
    case Kw::SELECT:
    case Kw::WITH:
    case Kw::INSERT:
    case Kw::REPLACE:
    case Kw::UPDATE:
    case Kw::DELETE:
    case Kw::VALUES:
    case Kw::TABLE:
      s->statement = statement();
      return s;
    default:
      if (is(Tok::LParen)) {
        s->statement = statement();
        return s;
      }
      break;
  }
  s->kind = StatementKind::Describe;
  s->table = table_name();
  if (is(Tok::String)) {
    s->column_pattern = text(take());
  } else if (is_ident()) {
    s->column = ident();
  }
  return s;
}

Statement* ParserImpl::misc_statement() {
  switch (kw()) {
    case Kw::USE: {
      take();
      UseStatement* s = make<UseStatement>();
      s->database = ident_any();
      return s;
    }
    case Kw::ANALYZE:
      if (is(Kw::SELECT, 1) || is(Kw::INSERT, 1) || is(Kw::UPDATE, 1) || is(Kw::DELETE, 1) ||
          is(Kw::REPLACE, 1) || is(Kw::FORMAT, 1)) {
        return explain_statement();
      }
      return table_maintenance_statement();
    case Kw::CHECK:
    case Kw::OPTIMIZE:
    case Kw::CHECKSUM:
      return table_maintenance_statement();
    case Kw::LOCK: {
      take();
      LockTablesStatement* s = make<LockTablesStatement>();
      if (accept(Kw::TABLE))
        s->table_word = true;
      else
        expect(Kw::TABLES);
      do {
        LockItem li{nullptr, 0};
        li.table = table_with_alias(false);
        if (accept(Kw::READ)) {
          li.mode = accept(Kw::LOCAL) ? 1 : 0;
        } else if (accept(Kw::LOW_PRIORITY)) {
          expect(Kw::WRITE);
          li.mode = 3;
        } else {
          expect(Kw::WRITE);
          li.mode = accept_word("CONCURRENT") ? 4 : 2;
        }
        s->items.push(arena_, li);
      } while (accept(Tok::Comma));
      return s;
    }
    case Kw::UNLOCK: {
      take();
      UnlockTablesStatement* s = make<UnlockTablesStatement>();
      if (accept(Kw::TABLE))
        s->table_word = true;
      else
        expect(Kw::TABLES);
      return s;
    }
    case Kw::KILL: {
      take();
      KillStatement* s = make<KillStatement>();
      if (is_word("HARD") || is_word("SOFT")) s->modifier = text(take());
      if (accept_word("CONNECTION")) {
        s->target = 1;
      } else if (accept(Kw::QUERY)) {
        s->target = 2;
        if (accept_word("ID")) s->target = 3;
      } else if (accept_word("USER")) {
        s->target = 4;
        s->id = user_name();
        return s;
      }
      s->id = expr();
      return s;
    }
    case Kw::PREPARE: {
      take();
      PrepareStatement* s = make<PrepareStatement>();
      s->name = ident();
      expect(Kw::FROM);
      s->source = expr();
      return s;
    }
    case Kw::EXECUTE: {
      take();
      ExecuteStatement* s = make<ExecuteStatement>();
      if (is_word("IMMEDIATE")) {
        take();
        s->immediate = true;
        s->immediate_sql = expr();
      } else {
        s->name = ident();
      }
      if (accept(Kw::USING)) expr_list(s->using_vars);
      return s;
    }
    case Kw::DEALLOCATE:
    case Kw::DROP: {
      DeallocateStatement* s = make<DeallocateStatement>();
      s->drop_keyword = take().kw == Kw::DROP;
      expect(Kw::PREPARE);
      s->name = ident();
      return s;
    }
    case Kw::CALL: {
      take();
      CallStatement* s = make<CallStatement>();
      s->procedure = object_name();
      if (accept(Tok::LParen)) {
        s->parens = true;
        if (!is(Tok::RParen)) expr_list(s->args);
        expect(Tok::RParen, "')'");
      }
      return s;
    }
    case Kw::DO: {
      take();
      DoStatement* s = make<DoStatement>();
      expr_list(s->exprs);
      return s;
    }
    case Kw::XA: {
      take();
      XaStatement* s = make<XaStatement>();
      if (type() != Tok::Ident) fail("an XA verb");
      s->verb = keyword_text(peek().kw).empty() ? text(peek()) : keyword_text(peek().kw);
      bool recover = is_word("RECOVER");
      take();
      if (!recover && !at_end()) {
        s->xid.push(arena_, primary());
        while (accept(Tok::Comma)) s->xid.push(arena_, primary());
      }
      size_t m = mark();
      while (!at_end()) take();
      s->suffix = span_from(m);
      return s;
    }
    default:
      break;
  }
  if (is(Kw::GRANT) || is_word("REVOKE")) return grant_statement();
  if (is_word("REPAIR")) return table_maintenance_statement();
  if (is_word("FLUSH")) return flush_statement();
  if (is_word("HANDLER")) return handler_statement();
  if (is_word("BACKUP") || is_word("RESET") || is_word("HELP") || is_word("INSTALL") ||
      is_word("UNINSTALL")) {
    return words_statement(StatementKind::Other);
  }
  fail("a statement");
}

}  // namespace tessera::sql::detail
