#include "exec/engine/recursive_walk.h"

#include <charconv>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "backend/backend_error.h"
#include "exec/engine/literal_rows.h"
#include "exec/engine/materialized_stages.h"
#include "exec/engine/merged_read.h"
#include "exec/engine/retrying.h"
#include "exec/value_compare.h"

namespace tessera::exec::engine {

namespace {

using protocol::ColumnDefinition;
using protocol::FieldType;

constexpr uint16_t kEnumFlag = 0x0100;
constexpr uint16_t kSetFlag = 0x0800;

void append_quoted(std::string& out, std::string_view name) {
  out += '`';
  for (char ch : name) {
    if (ch == '`') out += '`';
    out += ch;
  }
  out += '`';
}

// The character set part of a collation's name ("utf8mb4" of "utf8mb4_general_ci").
std::string_view charset_of(std::string_view collation) {
  if (collation == "binary") return collation;
  return collation.substr(0, collation.find('_'));
}

// Character sets whose values the walk counts characters of: UTF-8 (a character per non-
// continuation byte) and single-byte ones.
bool counts_characters(std::string_view charset) {
  return charset == "utf8mb4" || charset == "utf8mb3" || charset == "utf8" || charset == "latin1" ||
         charset == "ascii" || charset == "binary";
}

size_t char_count(std::string_view s, size_t bytes_per_char) {
  if (bytes_per_char == 1) return s.size();
  size_t n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

bool is_blob(FieldType t) {
  return t == FieldType::kTinyBlob || t == FieldType::kBlob || t == FieldType::kMediumBlob ||
         t == FieldType::kLongBlob;
}

bool is_text_type(FieldType t) {
  return t == FieldType::kVarchar || t == FieldType::kVarString || t == FieldType::kString ||
         is_blob(t);
}

bool integer_in_range(const ColumnDefinition& to, std::string_view cell) {
  const bool uns = to.flags & protocol::column_flag::kUnsigned;
  int bits = 0;
  switch (to.type) {
    case FieldType::kTiny:
      bits = 8;
      break;
    case FieldType::kShort:
      bits = 16;
      break;
    case FieldType::kInt24:
      bits = 24;
      break;
    case FieldType::kLong:
      bits = 32;
      break;
    case FieldType::kLongLong:
      bits = 64;
      break;
    default:
      return false;
  }
  const char* end = cell.data() + cell.size();
  if (!cell.empty() && cell[0] == '-') {
    if (uns) return cell == "-0";
    int64_t v = 0;
    auto r = std::from_chars(cell.data(), end, v);
    if (r.ec != std::errc() || r.ptr != end) return false;
    return bits == 64 || v >= -(int64_t{1} << (bits - 1));
  }
  uint64_t v = 0;
  auto r = std::from_chars(cell.data(), end, v);
  if (r.ec != std::errc() || r.ptr != end) return false;
  if (uns) return bits == 64 || v < (uint64_t{1} << bits);
  return v <= (bits == 64 ? uint64_t{INT64_MAX} : (uint64_t{1} << (bits - 1)) - 1);
}

// A DECIMAL(M, D) column takes `cell` (an integer or decimal text) without rounding it or
// going out of range.
bool decimal_fits(const ColumnDefinition& to, std::string_view cell) {
  if (!cell.empty() && (cell[0] == '-' || cell[0] == '+')) cell.remove_prefix(1);
  const size_t dot = cell.find('.');
  std::string_view whole = cell.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : cell.substr(dot + 1);
  for (char ch : whole)
    if (ch < '0' || ch > '9') return false;
  for (char ch : fraction)
    if (ch < '0' || ch > '9') return false;
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
  // column_length counts the digits, the point and (signed) the sign.
  const size_t d = to.decimals;
  const size_t overhead = (d > 0 ? 1 : 0) + ((to.flags & protocol::column_flag::kUnsigned) ? 0 : 1);
  if (to.column_length < overhead + d) return false;
  const size_t m = to.column_length - overhead;
  return fraction.size() <= d && whole.size() <= m - d;
}

// A step's value (of column `from`) is the value the server keeps in the CTE's column `to`
// (the anchor's type): nothing converts it into another value.
bool keeps_value(const ColumnDefinition& from, std::string_view from_collation,
                 const ColumnDefinition& to, std::string_view to_collation, std::string_view cell) {
  const ValueFamily tf = ValueType::of(to).family;
  const ValueFamily ff = ValueType::of(from).family;
  const bool from_integer = ff == ValueFamily::kSignedInt || ff == ValueFamily::kUnsignedInt;
  if ((tf == ValueFamily::kSignedInt || tf == ValueFamily::kUnsignedInt) &&
      to.type != FieldType::kYear && to.type != FieldType::kBit) {
    return (from_integer || ff == ValueFamily::kDecimal) && integer_in_range(to, cell);
  }
  if (tf == ValueFamily::kDecimal) {
    return (from_integer || ff == ValueFamily::kDecimal) && decimal_fits(to, cell);
  }
  if (is_text_type(to.type) && !(to.flags & (kEnumFlag | kSetFlag))) {
    if (!is_text_type(from.type) || from.flags & kSetFlag) return false;
    const std::string_view cs = charset_of(to_collation);
    if (cs.empty() || cs != charset_of(from_collation)) return false;
    if (!counts_characters(cs)) return false;
    const size_t per_char = max_bytes_per_char(cs);
    // A CHAR column gives its value back without trailing spaces.
    if (to.type == FieldType::kString && !cell.empty() && cell.back() == ' ') return false;
    if (is_blob(to.type)) return cell.size() <= to.column_length;
    return char_count(cell, per_char) <= to.column_length / per_char;
  }
  // Floating, temporal, BIT, YEAR, ENUM, SET, ...: only a value of the very same type.
  return from.type == to.type && from.decimals == to.decimals &&
         (from.flags & protocol::column_flag::kUnsigned) ==
             (to.flags & protocol::column_flag::kUnsigned) &&
         from.column_length == to.column_length && from.charset == to.charset;
}

std::string row_of(const Row& row, size_t from, size_t to) {
  Row part;
  for (size_t k = from; k < to; ++k) part.append_cell(row.get(k));
  return std::string(part.payload());
}

// One walk statement on its streams, read whole (merged_read.h); `ok`: without an error, a
// row that does not parse or more than `max_bytes` (the walk gives up otherwise). The attempt
// when the streams could not be opened.
asio::awaitable<std::optional<Attempt>> read_round(Cursor& c, const std::vector<Query>& queries,
                                                   Role role, size_t max_bytes, WholeRead& out,
                                                   bool& ok) {
  ok = false;
  Attempt opened = co_await c.open_shards(queries, role);
  if (opened.kind != Attempt::Kind::kAnswered) co_return opened;
  auto error = co_await read_whole(c, queries.size(), out, max_bytes);
  ok = !error && !out.too_big && out.bad_rows == 0;
  co_return std::nullopt;
}

}  // namespace

asio::awaitable<void> RecursiveWalk::run(Cursor& cursor) const {
  // A named function object: GCC 12 mishandles temporaries inside co_await expressions.
  std::function<asio::awaitable<Attempt>()> attempt = [&]() { return once(cursor); };
  co_await run_streams_retrying(cursor, role_, traits_, attempt);
}

asio::awaitable<Attempt> RecursiveWalk::once(Cursor& c) const {
  GivenRows given;
  bool walked = false;
  std::optional<std::string> failure;
  try {
    // ---- the anchor ----
    WholeRead anchor;
    bool ok = false;
    if (auto a = co_await read_round(c, spec_.anchor, role_, spec_.max_bytes, anchor, ok))
      co_return *a;
    const size_t width = spec_.width;
    size_t k = 0;  // the table's columns, first in every answer of a table
    std::vector<ColumnDefinition> cte_types;
    std::vector<std::string> cte_collations;
    if (ok && !anchor.heads.empty() && anchor.heads[0].size() >= width) {
      const auto& h = anchor.heads[0];
      k = h.size() - width;
      ok = spec_.anchor_reads_table ? k > 0 : k == 0;
      if (ok && k > 0) given.columns.assign(h.begin(), h.begin() + static_cast<long>(k));
      cte_types.assign(h.begin() + static_cast<long>(k), h.end());
      bool ask = false;
      for (const auto& col : cte_types) {
        ask |= collation_id_ambiguous(col.charset);
        cte_collations.push_back(column_collation_name(col.charset));
      }
      if (ok && ask) {
        // An id that may stand for another collation (utf8mb4_unicode_ci's for uca1400): the
        // server says which each item has, as the lookup join asks (materialized_stages.h).
        std::vector<std::string> named(h.size());
        auto ended = co_await ask_collations(
            c, role_, spec_.anchor[0],
            subquery_collations_sql(spec_.anchor[0].sql, h.size(), h.size()), h, named);
        if (ended) co_return *ended;
        for (size_t j = 0; j < width; ++j) {
          if (!collation_id_ambiguous(cte_types[j].charset)) continue;
          if (named[k + j].empty()) ok = false;  // (not told: shipped whole)
          cte_collations[j] = named[k + j];
        }
      }
    } else {
      ok = false;
    }
    for (const auto& h : anchor.heads) ok = ok && h.size() == k + width;

    // The table's rows the walk touched, by (shard, row): how many copies to ship.
    struct Touched {
      Row row;
      size_t copies = 0;
    };
    std::unordered_map<std::string, size_t> touched_at;
    std::vector<Touched> touched;
    size_t held = 0;
    // `group`: one anchor stream, or one CTE row's step answer on one shard.
    std::unordered_map<std::string, size_t> counted;
    auto count = [&](size_t shard, std::string_view group, const Row& row) {
      std::string where = std::to_string(shard) + '\0';
      where += row_of(row, 0, k);
      std::string key = std::string(group) + '\0' + where;
      const size_t n = ++counted[key];
      auto [it, fresh] = touched_at.emplace(where, touched.size());
      if (fresh) {
        Row copy = row;
        copy.truncate(k);
        held += copy.memory_bytes() + where.size();
        touched.push_back({std::move(copy), 0});
      }
      Touched& t = touched[it->second];
      if (n > t.copies) t.copies = n;
    };
    std::unordered_set<std::string> seen;  // CTE rows produced, by their bytes
    std::vector<Row> frontier;
    auto produce = [&](const Row& row, size_t from) {
      std::string bytes = row_of(row, from, from + width);
      if (!seen.insert(bytes).second) return;
      held += 2 * bytes.size();
      Row cte;
      for (size_t j = 0; j < width; ++j) cte.append_cell(row.get(from + j));
      frontier.push_back(std::move(cte));
    };
    if (ok) {
      for (size_t i = 0; i < anchor.rows.size(); ++i) {
        for (const Row& row : anchor.rows[i]) {
          if (k > 0) count(i, "a" + std::to_string(i), row);
          produce(row, k);
        }
      }
    }

    // ---- the steps, until one produces nothing new ----
    std::vector<std::string> names;
    for (size_t j = 0; j < width; ++j)
      names.push_back(j < spec_.cte_columns.size() ? spec_.cte_columns[j] : cte_types[j].name);
    size_t iteration = 0;
    while (ok && !frontier.empty()) {
      if (++iteration > spec_.max_iterations || held > spec_.max_bytes) {
        ok = false;
        break;
      }
      std::string head =
          "SET STATEMENT character_set_results=NULL, optimizer_switch='derived_with_keys=off' "
          "FOR WITH ";
      append_quoted(head, spec_.cte);
      head += '(';
      for (const auto& n : names) {
        append_quoted(head, n);
        head += ", ";
      }
      append_quoted(head, spec_.row_column);
      head += ") AS (VALUES ";
      std::string why;
      for (size_t r = 0; r < frontier.size() && ok; ++r) {
        head += r ? ", (" : "(";
        for (size_t j = 0; j < width; ++j) {
          if (!append_cell_literal(head, frontier[r].get(j), cte_types[j], cte_collations[j], why))
            ok = false;
          head += ", ";
        }
        head += std::to_string(r);
        head += ')';
        if (head.size() > spec_.max_bytes) ok = false;
      }
      if (!ok) break;
      head += ") ";
      std::vector<std::string> texts;
      texts.reserve(spec_.step.size());
      std::vector<Query> queries = spec_.step;
      for (size_t i = 0; i < queries.size(); ++i) {
        texts.push_back(head + std::string(spec_.step[i].sql));
        queries[i].sql = texts.back();
      }
      WholeRead step;
      if (auto a = co_await read_round(c, queries, role_, spec_.max_bytes, step, ok)) co_return *a;
      if (!ok) break;
      std::vector<Row> next_of;
      frontier.swap(next_of);  // (the rows the step was given)
      counted.clear();
      for (size_t i = 0; i < step.rows.size() && ok; ++i) {
        const auto& h = step.heads[i];
        if (given.columns.empty() && h.size() > width + 1) {
          k = h.size() - width - 1;
          given.columns.assign(h.begin(), h.begin() + static_cast<long>(k));
        }
        if (h.size() != k + 1 + width || k == 0) {
          ok = false;
          break;
        }
        for (const Row& row : step.rows[i]) {
          if (row.is_null(k)) {
            ok = false;
            break;
          }
          count(i, "s" + std::to_string(i) + ':' + std::string(row.cell(k)), row);
          for (size_t j = 0; j < width && ok; ++j) {
            auto cell = row.get(k + 1 + j);
            if (cell && !keeps_value(h[k + 1 + j], column_collation_name(h[k + 1 + j].charset),
                                     cte_types[j], cte_collations[j], *cell))
              ok = false;
          }
          if (!ok) break;
          produce(row, k + 1);
        }
      }
    }
    // (Nothing touched: shipped whole all the same, since the CTE `__tj` of no rows would
    // type its columns NULL, and the statement's columns with them.)
    if (ok && !given.columns.empty() && !touched.empty()) {
      walked = true;
      for (const auto& t : touched) {
        for (size_t n = 0; n < t.copies; ++n) given.rows.push_back(t.row);
      }
    }
  } catch (const std::exception& e) {
    failure = backend::failure_text(e);
  }
  if (failure) co_return co_await shard_failure(c, *failure, "a recursive walk");
  // Walked: the rows it touched; else the whole table, as the join was planned.
  co_return co_await ship_->once(c, /*may_switch=*/false, walked ? &given : nullptr);
}

void RecursiveWalk::describe(std::vector<PlanLine>& out, int depth) const {
  describe_operator(out, depth, "RecursiveWalk",
                    "walk `" + spec_.cte +
                        "` across the shards (the anchor, then the step over each new row "
                        "until none is new), then ship the rows it touched (or, when it gives "
                        "up, the whole table)");
  describe_routes(spec_.anchor, depth, out);
  std::vector<Query> step = spec_.step;
  describe_routes(step, depth, out);
  ship_->describe(out, depth + 1);
}

}  // namespace tessera::exec::engine
