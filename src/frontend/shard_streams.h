// A scatter's shard streams as the session's cursor holds them (shard_streams.cc): one backend
// connection per query (the slice's own lease, a borrowed pooled connection, or a replica's
// lease) and the decoder reading its response. Private to frontend/.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend_connection.h"
#include "backend/backend_lease.h"
#include "backend/connection_pool.h"
#include "protocol/column_definition.h"
#include "protocol/response_decoder.h"

namespace tessera::frontend {

struct ShardStream {
  backend::BackendConnection* conn = nullptr;
  std::unique_ptr<backend::BackendConnection> extra;  // borrowed for this statement only
  backend::ConnectionPool* extra_pool = nullptr;
  // Read splitting: the replica serving this part (chosen past the consistency fence).
  std::optional<backend::BackendLease> replica;
  std::string slice;
  bool head_read = false;
  bool ended = false;  // end-of-result (or ERR) consumed
  // Reads the shard's response (a COM_QUERY's: every packet it yields is consumed at once).
  std::optional<protocol::ResponseDecoder> decoder;
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
