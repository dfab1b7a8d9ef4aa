// Client XA transactions scoped to their namespace (issue 15). On MariaDB 10.11 any account
// sees every prepared XA branch in XA RECOVER and may XA COMMIT / XA ROLLBACK it, whoever
// prepared it: through a shared server one tenant could finish another tenant's two-phase
// commit (or Tessera's own). So every xid a client names is sent with its namespace's prefix
// in front of the gtrid, XA RECOVER shows a client only its namespace's branches (prefix
// removed), and an xid without the prefix (another namespace's, Tessera's "tsr:" ones) cannot
// be named at all. XA anywhere Tessera cannot rewrite it (a multi-statement, a prepared text,
// a stored-program body) is refused instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/lexer.h"

namespace tessera::session {

// The gtrid prefix of a namespace: "n" + 8 hex digits of a stable hash of its name + ":"
// (the same in every Tessera instance and across restarts, so a branch prepared before a
// crash is found again). The server allows 64 gtrid bytes; clients keep 64 - kXaPrefixSize.
inline constexpr size_t kXaPrefixSize = 10;
inline constexpr size_t kXaMaxPart = 64;
std::string xa_namespace_prefix(std::string_view ns);

struct ScopedXa {
  enum class Kind : uint8_t {
    kRewritten,  // `text` is the statement to send instead
    kRecover,    // XA RECOVER [FORMAT='RAW']: answer with recover_rows() over the server's
    kRefused,    // `error` says why (ER_NOT_SUPPORTED_YET / XAER_INVAL)
  };
  Kind kind = Kind::kRefused;
  std::string text;
  uint16_t error_code = 0;
  std::string error;
};

// `sql`: one XA statement (classified StatementKind::Xa). XA {START|BEGIN} xid [JOIN|RESUME],
// END xid [SUSPEND [FOR MIGRATE]], PREPARE xid, COMMIT xid [ONE PHASE], ROLLBACK xid, where
// xid = gtrid [, bqual [, formatID]] with gtrid/bqual a string or hex literal and formatID an
// unsigned integer; the xid is sent as X'prefix+gtrid',X'bqual',formatID. XA RECOVER
// FORMAT='SQL' and other forms are refused.
ScopedXa scope_xa(std::string_view sql, const sql::LexOptions& lex, std::string_view prefix);

// One XA RECOVER row (formatID, gtrid_length, bqual_length, data) as this namespace's client
// sees it: nullopt for another namespace's (or Tessera's own) branch.
std::optional<std::vector<std::string>> recover_row_for(const std::vector<std::string>& row,
                                                        std::string_view prefix);

// The SELECT that answers XA RECOVER with `rows` (already scoped): the server's column names,
// numbers as integers, data as a binary string.
std::string recover_answer(const std::vector<std::vector<std::string>>& rows);

// An XA statement the server would run other than as the whole text Tessera rewrites: one of
// several statements, inside a compound statement or stored-program body being created, or
// the text of PREPARE ... FROM '...' / EXECUTE IMMEDIATE '...'.
bool holds_xa(std::string_view sql, const sql::LexOptions& options);

}  // namespace tessera::session
