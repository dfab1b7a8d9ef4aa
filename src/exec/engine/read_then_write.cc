#include "exec/engine/read_then_write.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <set>

#include "backend/backend_error.h"
#include "exec/engine/fan_out.h"
#include "exec/engine/literal_rows.h"
#include "exec/engine/merge_resolve.h"
#include "exec/engine/merged_read.h"
#include "exec/engine/retry_policy.h"
#include "exec/merge_pipeline.h"
#include "exec/row.h"

namespace tessera::exec::engine {

namespace {

constexpr protocol::ErrorCode kNotSupported{1235, "42000"};
constexpr std::string_view kSavepoint = "`__tessera_stmt`";

// The statement's run: its rows, the slices it wrote, its counts.
struct Run {
  Cursor& c;
  const ReadThenWriteSpec& spec;
  StatementTxn mode;
  std::vector<protocol::ColumnDefinition> columns;  // a read row's visible columns
  std::vector<Row> rows;
  // Slices with the statement's savepoint (kClient), and a target on each to undo it with.
  std::map<std::string, Target> savepoints;
  protocol::OkPacket ok;
  uint64_t matched = 0;
  uint64_t changed = 0;

  // What stopped the statement, for fail().
  struct Failure {
    protocol::ErrPacket error;
    bool told = false;       // the client has been told already (the cursor answered)
    bool whole_txn = false;  // the client's transaction is gone (deadlock, lost connection)
    bool lost = false;
    Target target;
  };
};

std::string text_of(uint64_t n) {
  return std::to_string(n);
}

// One write, with the statement's savepoint on its slice first inside the client's transaction.
asio::awaitable<std::optional<Run::Failure>> write_one(Run& run, const WriteTable& table,
                                                       const std::string& sql,
                                                       protocol::OkPacket& ok) {
  if (run.mode == StatementTxn::kClient && !run.savepoints.count(table.target.slice)) {
    const std::string set = "SAVEPOINT " + std::string(kSavepoint);
    WriteAttempt w = co_await run.c.write(table.target, set);
    if (w.kind != Attempt::Kind::kAnswered) {
      Run::Failure f;
      f.target = table.target;
      f.error = w.error;
      f.told = w.kind == Attempt::Kind::kFailed;
      f.lost = w.kind == Attempt::Kind::kLost;
      if (f.lost) f.error = protocol::ErrPacket(protocol::errc::kBackendLost, w.failure);
      f.whole_txn = f.lost || w.error.code == kErDeadlock;
      co_return f;
    }
    run.savepoints.emplace(table.target.slice, table.target);
  }
  WriteAttempt w = co_await run.c.write(table.target, sql);
  if (w.kind == Attempt::Kind::kAnswered) {
    ok = w.ok;
    co_return std::nullopt;
  }
  Run::Failure f;
  f.target = table.target;
  f.told = w.kind == Attempt::Kind::kFailed;
  f.lost = w.kind == Attempt::Kind::kLost;
  f.error = f.lost ? protocol::ErrPacket(protocol::errc::kBackendLost,
                                         "Lost connection to backend: " + w.failure)
                   : w.error;
  f.whole_txn = f.lost || w.error.code == kErDeadlock;
  if (!f.told && !f.lost) f.error.message += " (on slice " + table.target.slice + ")";
  co_return f;
}

// Undoes what the statement did and tells the client `f` (unless it was told).
asio::awaitable<void> fail(Run& run, Run::Failure f) {
  if (run.mode == StatementTxn::kOwn) {
    co_await run.c.end_statement_txn(/*commit=*/false);
    if (!f.told && !f.error.message.empty() && !f.lost)
      f.error.message += "; nothing was written on any sub-table";
  } else if (!f.whole_txn) {
    // Inside the client's transaction a failed statement is undone alone, as on one server.
    const std::string undo = "ROLLBACK TO SAVEPOINT " + std::string(kSavepoint);
    for (auto& [slice, target] : run.savepoints) {
      WriteAttempt w = co_await run.c.write(target, undo);
      if (w.kind != Attempt::Kind::kAnswered) f.whole_txn = true;  // cannot undo: all goes
    }
    if (f.whole_txn && !f.told)
      f.error.message +=
          " (the statement could not be undone alone; the transaction was "
          "rolled back on every slice)";
  } else if (!f.told) {
    f.error.message += "; the transaction was rolled back on every slice";
  }
  if (f.told) co_return;
  co_await run.c.fail_fan_out(f.target, std::move(f.error), f.whole_txn);
}

// The statement's answer once everything is written.
asio::awaitable<void> succeed(Run& run) {
  if (run.mode == StatementTxn::kOwn) {
    auto failure = co_await run.c.end_statement_txn(/*commit=*/true);
    if (failure) {
      const Target none;
      co_await run.c.fail_fan_out(none, std::move(*failure), false);
      co_return;
    }
  }
  protocol::OkPacket total = run.ok;
  if (!run.spec.is_delete) {
    total.affected_rows = run.c.found_rows() ? run.matched : run.changed;
    total.info = "Rows matched: " + text_of(run.matched) + "  Changed: " + text_of(run.changed) +
                 "  Warnings: " + text_of(total.warnings);
  }
  FanOutSpec spec;
  co_await run.c.end_fan_out(spec, total);
}

// `(pk1, pk2) IN ((..), (..))` or `pk IN (.., ..)` over rows[from, to) of `batch`.
std::string key_list(const Run& run, const std::vector<const Row*>& batch, size_t from, size_t to) {
  std::string out, why;
  const bool one = run.spec.pk.size() == 1;
  out += one ? "" : "(";
  for (size_t k = 0; k < run.spec.pk_names.size(); ++k) {
    if (k) out += ", ";
    out += run.spec.pk_names[k];
  }
  out += one ? " IN (" : ") IN (";
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += ", ";
    if (!one) out += '(';
    for (size_t k = 0; k < run.spec.pk.size(); ++k) {
      if (k) out += ", ";
      const size_t col = run.spec.pk[k];
      append_cell_literal(out, batch[i]->get(col), run.columns[col], "", why);
    }
    if (!one) out += ')';
  }
  out += ')';
  return out;
}

// The row as the INSERT lists its columns, with the SET's new values.
std::string row_tuple(const Run& run, const Row& row) {
  std::string out = "(", why;
  for (size_t k = 0; k < run.spec.row_columns; ++k) {
    if (k) out += ", ";
    size_t from = k;
    for (auto& [col, value] : run.spec.assigned) {
      if (col == k) from = value;
    }
    if (from == k && std::find(run.spec.on_update_now.begin(), run.spec.on_update_now.end(), k) !=
                         run.spec.on_update_now.end()) {
      const uint8_t d = run.columns[k].decimals;
      out += "CURRENT_TIMESTAMP(" + std::to_string(d <= 6 ? d : 0) + ")";
      continue;
    }
    append_cell_literal(out, row.get(from), run.columns[from], "", why);
  }
  out += ')';
  return out;
}

size_t estimate(const Row& r) {
  return 2 * r.payload().size() + 48 * r.size();
}

// Batches of rows within the spec's bounds: [from, to) pairs.
std::vector<std::pair<size_t, size_t>> batches(const Run& run,
                                               const std::vector<const Row*>& rows) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t i = 0; i < rows.size();) {
    size_t j = i, bytes = 0;
    while (j < rows.size() && j - i < run.spec.batch_rows &&
           (j == i || bytes + estimate(*rows[j]) <= run.spec.batch_bytes)) {
      bytes += estimate(*rows[j]);
      ++j;
    }
    out.emplace_back(i, j);
    i = j;
  }
  return out;
}

Run::Failure statement_error(protocol::ErrorCode code, std::string message) {
  Run::Failure f;
  f.error = protocol::ErrPacket(code, std::move(message));
  return f;
}

void note_ok(Run& run, const protocol::OkPacket& ok) {
  run.ok.warnings = static_cast<uint16_t>(run.ok.warnings + ok.warnings);
}

// Reads the candidate rows into run.rows (merged as the spec says). nullopt: read.
asio::awaitable<std::optional<Run::Failure>> read_rows(Run& run) {
  Cursor& c = run.c;
  const auto& reads = run.spec.reads;
  {
    Attempt opened = co_await c.open_shards(reads, Role::kPrimary);
    if (opened.kind != Attempt::Kind::kAnswered) {
      Run::Failure f;
      f.told = opened.kind == Attempt::Kind::kFailed;
      f.lost = opened.kind == Attempt::Kind::kLost;
      f.error =
          f.lost ? protocol::ErrPacket(protocol::errc::kBackendLost, opened.failure) : opened.error;
      f.whole_txn = true;
      co_return f;
    }
  }
  const MergeLimits limits = c.merge_limits();
  const std::shared_ptr<MemoryBudget> budget = limits.statement_budget();
  BudgetShare held(budget);
  std::optional<std::string> lost;
  std::optional<Run::Failure> failure;
  try {
    const size_t n = reads.size();
    std::vector<protocol::ColumnDefinition> columns;
    for (size_t i = 0; i < n; ++i) {
      std::vector<protocol::ColumnDefinition> cols;
      auto err = co_await c.read_head(i, cols);
      if (err && !failure) {
        failure = statement_error(protocol::errc::kUnknownError, "");
        failure->error = *err;
        failure->error.message += " (on slice " + reads[i].target.slice + ")";
        failure->whole_txn = err->code == kErDeadlock;
      }
      if (!err && i == 0) columns = std::move(cols);
    }
    std::unique_ptr<MergePipeline> pipeline;
    if (!failure) {
      auto merge = resolve_merge(run.spec.read_merge, columns.size(), limits, budget);
      if (!merge) {
        failure = statement_error(merge.error().code, merge.error().message);
      } else {
        auto made = MergePipeline::create(std::move(*merge), columns, n);
        if (!made) {
          failure = statement_error(made.error().code, made.error().message);
        } else {
          pipeline = std::move(*made);
          run.columns = pipeline->visible_columns();
        }
      }
    }
    if (pipeline) {
      MergedRead read;
      std::vector<bool> ended(n, false);
      Row row;
      for (;;) {
        auto polled = pipeline->next(row);
        if (!polled) {
          read.merge_error = polled.error();
          break;
        }
        if (*polled == MergePipeline::Poll::kDone) break;
        if (*polled == MergePipeline::Poll::kRow) {
          held.charge(row.memory_bytes());
          run.rows.push_back(std::move(row));
          row = Row();
          if (held.over()) {
            failure =
                statement_error(protocol::errc::kUnknownError,
                                "the rows this statement must read before it writes them exceed " +
                                    std::to_string(budget->limit()) +
                                    " bytes of memory (merge_memory_bytes); narrow it with WHERE");
            break;
          }
          continue;
        }
        if (!co_await read.feed(c, *pipeline, reads, 0, ended)) break;
      }
      if (!failure && read.row_error) {
        failure = statement_error(protocol::errc::kUnknownError, "");
        failure->error = *read.row_error;
        failure->whole_txn = read.row_error->code == kErDeadlock;
      }
      if (!failure && read.merge_error)
        failure = statement_error(read.merge_error->code, read.merge_error->message);
    }
    if (failure) c.stop_shards();
    co_await c.drain_shards();
    co_await c.close_shards(/*failed=*/false);
  } catch (const std::exception& e) {
    lost = backend::failure_text(e);
  }
  if (lost) {
    co_await c.close_shards(/*failed=*/true);
    Run::Failure f;
    f.lost = true;
    f.whole_txn = true;
    f.error = protocol::ErrPacket(
        protocol::errc::kBackendLost,
        "Lost connection to a backend while reading the rows to write: " + *lost);
    co_return f;
  }
  co_return failure;
}

bool integer_type(const protocol::ColumnDefinition& c) {
  using protocol::FieldType;
  switch (c.type) {
    case FieldType::kTiny:
    case FieldType::kShort:
    case FieldType::kLong:
    case FieldType::kLongLong:
    case FieldType::kInt24:
    case FieldType::kYear:
      return true;
    default:
      return false;
  }
}

std::variant<int, std::string> route_cell(const ReadThenWriteSpec& spec, const Row& row,
                                          const protocol::ColumnDefinition& column, size_t k) {
  return spec.route(row.get(k), integer_type(column),
                    (column.flags & protocol::column_flag::kUnsigned) != 0);
}

const WriteTable* table_at(const ReadThenWriteSpec& spec, int index) {
  for (const auto& t : spec.tables) {
    if (t.index == index) return &t;
  }
  return nullptr;
}

// Every row in `rows` must have been found by a write of them (`found` of `wanted`).
std::optional<Run::Failure> check_found(uint64_t found, size_t wanted, const WriteTable& t) {
  if (found == wanted) return std::nullopt;
  auto f =
      statement_error(protocol::errc::kUnknownError,
                      "sub-table " + std::to_string(t.index) + " on slice " + t.target.slice +
                          " holds " + std::to_string(found) + " of the " + std::to_string(wanted) +
                          " rows read there by their primary key (a row stored where its "
                          "shard key does not route?)");
  f.target = t.target;
  return f;
}

// Checks the rows read can be written back and sorts them by sub-table: where each is (`stay`:
// written in place) and, for a key move, where it goes (`leave` its own, `arrive` another).
std::optional<Run::Failure> sort_rows(Run& run, std::map<int, std::vector<const Row*>>& stay,
                                      std::map<int, std::vector<const Row*>>& leave,
                                      std::map<int, std::vector<const Row*>>& arrive) {
  // Every column written back must be one a literal can carry exactly.
  {
    std::string probe, why;
    for (size_t k = 0; k < run.columns.size(); ++k) {
      probe.clear();
      if (!append_cell_literal(probe, std::string_view("x"), run.columns[k], "", why)) {
        return statement_error(kNotSupported, "writing back " + why + " (column " +
                                                  run.columns[k].name + ") is not supported");
      }
    }
    for (size_t k : run.spec.pk) {
      if (k >= run.columns.size()) continue;
      const auto& col = run.columns[k];
      if (col.charset != 63 && collation_id_ambiguous(col.charset)) {
        return statement_error(kNotSupported,
                               "naming rows by a primary key column in a uca1400 collation (" +
                                   col.name + ") is not supported");
      }
    }
  }

  for (const auto& row : run.rows) {
    auto from = route_cell(run.spec, row, run.columns[run.spec.key], run.spec.key);
    if (auto* why = std::get_if<std::string>(&from)) {
      return statement_error(protocol::errc::kUnknownError,
                             "a row read has a shard key that routes nowhere: " + *why);
    }
    const int source = std::get<int>(from);
    int target = source;
    if (run.spec.moves_key) {
      auto to = route_cell(run.spec, row, run.columns[run.spec.new_key], run.spec.new_key);
      if (std::holds_alternative<std::string>(to) && row.is_null(run.spec.new_key)) {
        // A NULL key no sub-table takes: the row is updated where it is, so the server answers
        // as it would (1048 for a NOT NULL key; a nullable one keeps the row there).
        to = source;
      }
      if (auto* why = std::get_if<std::string>(&to)) {
        return statement_error(kNotSupported, "the new shard key value " + *why);
      }
      target = std::get<int>(to);
    }
    if (target == source) {
      stay[source].push_back(&row);
    } else {
      leave[source].push_back(&row);
      arrive[target].push_back(&row);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::pair<uint64_t, uint64_t>> parse_update_info(std::string_view info) {
  constexpr std::string_view kMatched = "Rows matched: ";
  constexpr std::string_view kChanged = "Changed: ";
  auto m = info.find(kMatched);
  auto ch = info.find(kChanged);
  if (m == std::string_view::npos || ch == std::string_view::npos) return std::nullopt;
  uint64_t matched = 0, changed = 0;
  const char* end = info.data() + info.size();
  if (std::from_chars(info.data() + m + kMatched.size(), end, matched).ec != std::errc())
    return std::nullopt;
  if (std::from_chars(info.data() + ch + kChanged.size(), end, changed).ec != std::errc())
    return std::nullopt;
  return std::make_pair(matched, changed);
}

namespace {

// Reads the rows and writes them; nullopt: all written (the statement's answer is still to
// come), else what stopped it (nothing undone yet).
asio::awaitable<std::optional<Run::Failure>> write_rows(Run& run) {
  const ReadThenWriteSpec& spec_ = run.spec;
  if (auto failure = co_await read_rows(run)) co_return failure;
  // Each row's sub-table now and, for a key move, the one its new key routes to.
  std::map<int, std::vector<const Row*>> stay, leave, arrive;
  if (auto failure = sort_rows(run, stay, leave, arrive)) co_return failure;
  auto missing = [&](int index) {
    return statement_error(protocol::errc::kUnknownError,
                           "no statement for sub-table " + std::to_string(index));
  };

  // Rows leaving their sub-table go first, so a row arriving where another left finds its
  // place free, as the server's one table would have it.
  for (auto& [index, rows] : leave) {
    const WriteTable* t = table_at(spec_, index);
    if (!t || t->remove.empty()) {
      co_return missing(index);
    }
    for (auto [from, to] : batches(run, rows)) {
      protocol::OkPacket ok;
      const std::string sql = t->remove + key_list(run, rows, from, to);
      if (auto f = co_await write_one(run, *t, sql, ok)) co_return f;
      if (auto f = check_found(ok.affected_rows, to - from, *t)) co_return f;
      note_ok(run, ok);
      // A moved row matched and changed (its key did).
      run.matched += to - from;
      run.changed += to - from;
    }
  }
  for (auto& [index, rows] : stay) {
    const WriteTable* t = table_at(spec_, index);
    if (!t || t->write.empty()) {
      co_return missing(index);
    }
    for (auto [from, to] : batches(run, rows)) {
      protocol::OkPacket ok;
      const std::string sql = t->write + key_list(run, rows, from, to);
      if (auto f = co_await write_one(run, *t, sql, ok)) co_return f;
      note_ok(run, ok);
      uint64_t found = ok.affected_rows;
      if (!spec_.is_delete) {
        auto counts = parse_update_info(ok.info);
        found = counts ? counts->first : to - from;
        run.matched += found;
        run.changed += counts ? counts->second : ok.affected_rows;
      } else {
        run.ok.affected_rows += ok.affected_rows;
      }
      if (auto f = check_found(found, to - from, *t)) co_return f;
    }
  }
  for (auto& [index, rows] : arrive) {
    const WriteTable* t = table_at(spec_, index);
    if (!t || t->insert.empty()) {
      co_return missing(index);
    }
    for (auto [from, to] : batches(run, rows)) {
      protocol::OkPacket ok;
      std::string sql = t->insert;
      for (size_t i = from; i < to; ++i) {
        if (i > from) sql += ", ";
        sql += row_tuple(run, *rows[i]);
      }
      if (auto f = co_await write_one(run, *t, sql, ok)) co_return f;
      note_ok(run, ok);
    }
  }
  co_return std::nullopt;
}

}  // namespace

asio::awaitable<void> ReadThenWrite::run(Cursor& c) const {
  for (int deadlocks = 0;; ++deadlocks) {
    const StatementTxn mode = co_await c.begin_statement_txn();
    if (mode == StatementTxn::kRefused) co_return;
    Run run{c, spec_, mode, {}, {}, {}, {}, 0, 0};
    std::optional<Run::Failure> failure = co_await write_rows(run);
    if (!failure) {
      co_await succeed(run);
      co_return;
    }
    // A deadlock rolled the statement's own transaction back: it runs again whole, as an
    // autocommit statement does (`[proxy] deadlock_retries`).
    if (mode == StatementTxn::kOwn && !failure->told && failure->error.code == kErDeadlock &&
        deadlocks < c.deadlock_retries() && !c.output_started()) {
      co_await c.end_statement_txn(/*commit=*/false);
      Attempt rejected;
      rejected.kind = Attempt::Kind::kRejected;
      rejected.error = failure->error;
      rejected.slice = failure->target.slice;
      c.note_retry(rejected, /*deadlock=*/true, deadlocks + 1);
      continue;
    }
    co_await fail(run, std::move(*failure));
    co_return;
  }
}

void ReadThenWrite::describe(std::vector<PlanLine>& out, int depth) const {
  PlanLine head;
  head.depth = depth;
  head.op = "ReadThenWrite";
  head.detail = spec_.moves_key   ? "shard-key update: rows moved by delete + insert, atomically"
                : spec_.is_delete ? "delete by primary key, atomically"
                                  : "update by primary key, atomically";
  out.push_back(std::move(head));
  describe_routes(spec_.reads, depth, out);
}

}  // namespace tessera::exec::engine
