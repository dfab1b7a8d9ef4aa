// A scatter's shard streams as the session's cursor holds them (shard_streams.cc): one backend
// connection per query (the slice's own lease, or a lease of the part's own: a replica's, or a
// second connection to a slice) and the decoder reading its response. Private to frontend/.
#pragma once
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend_connection.h"
#include "backend/backend_lease.h"
#include "protocol/column_definition.h"
#include "protocol/response_decoder.h"

namespace tessera::frontend {

struct ShardStream {
  backend::BackendConnection* conn = nullptr;
  // The part's own lease, for this statement only (backend::SessionFacts::statement_only): the
  // replica serving it (read splitting, past the consistency fence), or a second connection to
  // a slice an earlier part runs on. Empty: the part runs on the slice's own lease.
  std::optional<backend::BackendLease> own;
  std::string slice;
  bool head_read = false;
  bool ended = false;  // end-of-result (or ERR) consumed
  // Reads the shard's response (a COM_QUERY's: every packet it yields is consumed at once).
  std::optional<protocol::ResponseDecoder> decoder;

  // Inside a transaction every part on a slice runs on the slice's own lease: a connection of
  // the part's own would not see the transaction's writes (nor its snapshot). A later part's
  // query then waits (`started` false, `deferred_sql`) until the response of the part before
  // it on that connection (`after`) has been read to its end, kept in that part's `ahead`.
  std::optional<size_t> after;
  bool started = true;
  std::string deferred_sql;
  struct Ahead {
    protocol::ResponseEvent event;
    std::string payload;
  };
  std::deque<Ahead> ahead;  // read from the connection ahead of the merge
  bool wire_done = false;   // the response's last packet has been read from `conn`
};

struct ShardStreams {
  std::vector<ShardStream> streams;
  // The client's result: its columns (for binary rows), sequence id, the status flags when the
  // statement began, and whether rows go out in binary form.
  std::vector<protocol::ColumnDefinition> visible;
  uint8_t seq = 0;
  uint16_t status_flags = 0;
  std::string binary_row;  // reused per row
};

}  // namespace tessera::frontend
