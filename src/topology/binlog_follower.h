// Pushes one instance's executed GTID position into Topology as it changes.
//
// Binlog mode: connects to the instance as a replication client (our own BackendConnection),
// asks for its binlog from its current position (MariaDB: @slave_connect_state +
// COM_BINLOG_DUMP in GTID mode; MySQL: COM_BINLOG_DUMP_GTID) and, on each commit it streams
// (XID, COMMIT, XA PREPARE, or the statement of a standalone/DDL GTID group), publishes the
// new position with source kBinlog. Replicas run with log_slave_updates, so a replica's own
// binlog is exactly what it has applied. A silent stream (no event, not even a heartbeat) is
// treated as dead and reconnected with backoff.
//
// Poll mode, or when binlog access is refused (no REPLICATION SLAVE, binlog off, no
// log_slave_updates): queries @@gtid_current_pos (MariaDB) / @@gtid_executed (MySQL) every
// poll interval, source kPoll.
//
// Lives on the monitor's io_context; start() and stop() are called on that thread.
#pragma once
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend_connection.h"
#include "config/host_port.h"
#include "protocol/binlog_event.h"
#include "protocol/gtid_set.h"
#include "topology/topology.h"

namespace tessera::topology {

struct Account {
  std::string user;
  std::string password;
  // The server's TLS setting (the slice's "tls", else [tls] backend); null = plain TCP.
  std::shared_ptr<asio::ssl::context> tls = nullptr;
  friend bool operator==(const Account&, const Account&) = default;
};

struct FollowerOptions {
  bool use_binlog = true;
  // Tried in order for the binlog stream; the last one also serves polling.
  std::vector<Account> accounts;
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds connect_timeout{2000};
  // Heartbeat the server sends on an idle stream; twice it plus connect_timeout without any
  // packet means the stream is dead.
  std::chrono::milliseconds heartbeat{1000};
  std::chrono::milliseconds max_backoff{5000};
  // Replication client id; must differ from every server id and every other replica of the
  // instance. 0 = pick one at random.
  uint32_t server_id = 0;
};

// Tracks commits in a binlog stream: a GTID opens a group, the group's end commits it.
// Separate from the network code so it can be tested on recorded streams.
class CommitTracker {
 public:
  // Starting position (what the stream was asked to start from).
  void reset(protocol::GtidSet position);
  // Feeds one decoded event; true when it committed a transaction (position() changed).
  bool on_event(const protocol::binlog::Event& event);
  const protocol::GtidSet& position() const { return position_; }

 private:
  enum class Group : uint8_t { kNone, kMariaDb, kMySql };
  void commit();

  protocol::GtidSet position_;
  Group group_ = Group::kNone;
  bool standalone_ = false;      // MariaDB FL_STANDALONE: the group is one statement
  bool in_transaction_ = false;  // MySQL: a BEGIN query followed the GTID
  protocol::binlog::MariaDbGtid mariadb_;
  protocol::binlog::MySqlGtid mysql_;
};

class BinlogFollower : public std::enable_shared_from_this<BinlogFollower> {
 public:
  enum class Mode : uint8_t { kStarting, kBinlog, kPoll, kStopped };

  BinlogFollower(asio::any_io_executor ex, Topology& topology, config::HostPort address,
                 FollowerOptions options);
  void start();
  void stop();

  Mode mode() const { return mode_.load(); }
  const std::string& key() const { return key_; }
  const FollowerOptions& options() const { return options_; }
  // Commits seen on the stream since start (for tests and metrics).
  uint64_t commits_seen() const { return commits_.load(); }

 private:
  struct StreamOutcome {
    bool refused = false;   // binlog access refused for this account: try the next / poll
    bool streamed = false;  // events flowed: reset the backoff
    std::string error;
  };
  asio::awaitable<void> run();
  asio::awaitable<StreamOutcome> follow(const Account& account);
  asio::awaitable<void> poll_loop();
  asio::awaitable<void> watchdog();
  asio::awaitable<void> sleep(std::chrono::milliseconds d);
  void touch() { last_activity_ = std::chrono::steady_clock::now(); }

  asio::any_io_executor ex_;
  Topology& topology_;
  config::HostPort address_;
  std::string key_;
  FollowerOptions options_;
  std::atomic<Mode> mode_{Mode::kStarting};
  std::atomic<uint64_t> commits_{0};
  bool stopped_ = false;
  std::unique_ptr<backend::BackendConnection> conn_;
  asio::steady_timer sleep_timer_;
  asio::steady_timer watchdog_timer_;
  std::chrono::steady_clock::time_point last_activity_{};
  std::chrono::milliseconds silence_limit_{};
  bool busy_ = false;  // a connection attempt, query or stream is in progress
};

}  // namespace tessera::topology
