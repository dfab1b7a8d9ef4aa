// ReadThenWrite: an UPDATE or DELETE over a sharded table that must see its rows before it can
// write them, run as one statement would run on one server holding every row:
//
//  - an UPDATE of the shard key (issue 19): a row whose new key belongs to another sub-table
//    is deleted where it is and inserted, whole, where its key now routes; rows whose new key
//    stays put are updated in place;
//  - UPDATE / DELETE ... ORDER BY ... LIMIT n over several shards: the first n rows in that
//    order over every shard, then written where each lives.
//
// First every candidate row is read, `FOR UPDATE`, under character_set_results=NULL (each
// value in its column's own character set, literal_rows.h): the primary key, the shard key,
// for a key move every stored column and each SET expression's value as the source shard
// evaluates it. The reads merge as a scatter's would (`read_merge`: the ORDER BY and LIMIT),
// so the rows kept are the ones the server would write. Then, per sub-table, by primary key
// (`WHERE (pk) IN (...)`, in batches): the statement's own SET for rows that stay, DELETE for
// rows that leave or go, INSERT for rows that arrive. Each row's sub-table is its shard key's
// (`route`): a row read on one sub-table whose key routes elsewhere, or a write that finds
// fewer rows than were read, fails the statement rather than write the wrong rows.
//
// All of it is one: inside the client's transaction a savepoint on every slice written undoes
// a failure, as a server undoes a failed statement; under autocommit a transaction of the
// statement's own (XA over several slices, Cursor::begin_statement_txn) commits or rolls back
// whole, and runs again whole after a deadlock (`[proxy] deadlock_retries`, as any autocommit
// statement). The client gets one OK with the server's counts (an UPDATE's info string
// "Rows matched: N  Changed: M  Warnings: W") or the first error (a duplicate key on the
// sub-table a row moves to: 1062, nothing changed).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "exec/engine/merge_info.h"
#include "exec/engine/primitive.h"
#include "protocol/column_definition.h"

namespace tessera::exec::engine {

// One sub-table the statement may write: where it is and the statements' heads, to which the
// engine appends the rows' keys or values.
struct WriteTable {
  int index = -1;  // the sub-table's index (what `route` answers)
  Target target;
  // `UPDATE <sub> [AS t] SET <the client's SET> WHERE ` (UPDATE), `DELETE FROM <sub> WHERE `
  // (DELETE): for rows written in place. Empty: no row is read there.
  std::string write;
  // Key move: `DELETE FROM <sub> WHERE ` for rows leaving, `INSERT INTO <sub> (<columns>)
  // VALUES ` for rows arriving.
  std::string remove;
  std::string insert;
};

// The sub-table index a shard-key value routes to, or why none. `integer`: the cell is an
// integer column's (a number, `is_unsigned` beyond BIGINT's range); else text as read.
using KeyRoute = std::function<std::variant<int, std::string>(std::optional<std::string_view> cell,
                                                              bool integer, bool is_unsigned)>;

struct ReadThenWriteSpec {
  bool is_delete = false;
  bool moves_key = false;  // an UPDATE of the shard key
  std::vector<Query> reads;
  // How the reads merge: empty concatenates them; ORDER BY / LIMIT as a scatter's merge.
  MergeInfo read_merge;
  // Positions in a read row (its visible columns).
  std::vector<size_t> pk;             // the primary key's columns
  std::vector<std::string> pk_names;  // their names, for `(pk) IN (...)`
  size_t key = 0;                     // the shard key (its value now)
  // Key move: cells [0, row_columns) are the row as the INSERT lists its columns; `assigned`
  // pairs a row column with the read column holding its new value; `new_key` is the new
  // key's read column.
  size_t row_columns = 0;
  std::vector<std::pair<size_t, size_t>> assigned;
  size_t new_key = 0;
  // Columns an UPDATE that changes the row sets to CURRENT_TIMESTAMP (ON UPDATE): a moved
  // row's get it too, as the server's in-place update would.
  std::vector<size_t> on_update_now;
  KeyRoute route;
  std::vector<WriteTable> tables;
  size_t batch_rows = 500;
  size_t batch_bytes = 1 << 20;
};

class ReadThenWrite final : public Primitive {
 public:
  explicit ReadThenWrite(ReadThenWriteSpec spec) : spec_(std::move(spec)) {}

  asio::awaitable<void> run(Cursor& cursor) const override;
  void describe(std::vector<PlanLine>& out, int depth) const override;

  const ReadThenWriteSpec& spec() const { return spec_; }

 private:
  ReadThenWriteSpec spec_;
};

// "Rows matched: N  Changed: M  Warnings: W" of an UPDATE's OK: (matched, changed), or nullopt.
std::optional<std::pair<uint64_t, uint64_t>> parse_update_info(std::string_view info);

}  // namespace tessera::exec::engine
