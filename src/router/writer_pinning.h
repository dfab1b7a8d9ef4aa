// Multi-writer slices (seed 003): every table is written through exactly one writer, so two
// writers never modify the same pages and never conflict. The writer is chosen by rendezvous
// (highest random weight) hashing of "schema.table" over the writers that are alive: when a
// writer dies only the tables it owned move (each to its own next-best writer), and they move
// back when it returns; every Tessera process computes the same mapping without coordination.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::sql {
struct ParseResult;
}

namespace tessera::router {

// The pinning key of a table: "schema.table" in lower case.
std::string writer_key(std::string_view schema, std::string_view table);

// The pinning key of the statement `parsed` (of a session whose database is `db`): the first
// table it names outside subqueries (the target of INSERT/UPDATE/DELETE), or the database
// alone for a statement that could not be parsed or names none.
std::string statement_writer_key(const sql::ParseResult& parsed, std::string_view db);

// Index into `live_writers` ("host:port" of each writable writer) of the writer for `key`;
// -1 when there is none. `writer_map` (key -> "host:port", from the slice configuration) wins
// while the writer it names is alive.
int pick_writer(std::string_view key, const std::vector<std::string>& live_writers,
                const std::map<std::string, std::string>& writer_map = {});

}  // namespace tessera::router
