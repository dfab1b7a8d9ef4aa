#include "topology/binlog_follower.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <cctype>
#include <random>

#include "backend/backend_error.h"
#include "protocol/constants.h"
#include "protocol/wire_writer.h"

namespace tessera::topology {

namespace bl = protocol::binlog;
using protocol::GtidSet;

namespace {

constexpr auto kAsTuple = asio::experimental::as_tuple(asio::use_awaitable);

// Errors that mean "this account may not read the binlog" (or there is none to read):
// access denied (1044, 1045, 1142, 1227), binary logging off (1381).
bool is_refusal(uint16_t code) {
  return code == 1044 || code == 1045 || code == 1142 || code == 1227 || code == 1381;
}

// Statement text of a QUERY event, upper-cased and trimmed, when it is short enough to be a
// transaction keyword (BEGIN, COMMIT, ROLLBACK); empty otherwise.
std::string keyword_of(const std::string& sql) {
  if (sql.size() > 16) return {};
  std::string k;
  for (char c : sql)
    if (!std::isspace(static_cast<unsigned char>(c)))
      k.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return k;
}

uint32_t random_server_id() {
  std::random_device rd;
  std::uniform_int_distribution<uint32_t> dist(0x40000000u, 0x7ffffffeu);
  return dist(rd);
}

std::string one_value(const backend::SimpleResult& r, size_t column) {
  if (r.rows.empty() || r.rows[0].size() <= column) return {};
  return r.rows[0][column];
}

}  // namespace

// ---- CommitTracker ------------------------------------------------------------------------

void CommitTracker::reset(GtidSet position) {
  position_ = std::move(position);
  group_ = Group::kNone;
  standalone_ = false;
  in_transaction_ = false;
}

void CommitTracker::commit() {
  if (group_ == Group::kMariaDb) {
    position_.add_mariadb(mariadb_.domain, mariadb_.server, mariadb_.seq);
  } else if (group_ == Group::kMySql) {
    position_.add_mysql(mysql_.uuid, mysql_.gno);
  }
  group_ = Group::kNone;
}

bool CommitTracker::on_event(const bl::Event& event) {
  if (auto* g = std::get_if<bl::MariaDbGtid>(&event.body)) {
    group_ = Group::kMariaDb;
    mariadb_ = *g;
    standalone_ = g->standalone();
    return false;
  }
  if (auto* g = std::get_if<bl::MySqlGtid>(&event.body)) {
    group_ = Group::kMySql;
    mysql_ = *g;
    in_transaction_ = false;
    return false;
  }
  if (auto* list = std::get_if<bl::MariaDbGtidList>(&event.body)) {
    GtidSet before = position_;
    position_.merge(list->gtids);
    return !(before == position_);
  }
  if (auto* prev = std::get_if<bl::MySqlPreviousGtids>(&event.body)) {
    GtidSet before = position_;
    position_.merge(prev->gtids);
    return !(before == position_);
  }
  if (group_ == Group::kNone) return false;
  if (std::holds_alternative<bl::Xid>(event.body) ||
      event.header.type == bl::event_type::kXaPrepare) {
    commit();
    return true;
  }
  if (auto* q = std::get_if<bl::Query>(&event.body)) {
    std::string keyword = keyword_of(q->sql);
    if (keyword == "BEGIN") {
      in_transaction_ = true;
      return false;
    }
    // COMMIT ends a group of non-transactional changes; ROLLBACK one whose transactional
    // part was undone (the GTID is consumed all the same). A standalone group (MariaDB DDL)
    // or a MySQL GTID not followed by BEGIN (DDL) is the one statement.
    bool ends = keyword == "COMMIT" || keyword == "ROLLBACK" ||
                (group_ == Group::kMariaDb && standalone_) ||
                (group_ == Group::kMySql && !in_transaction_);
    if (ends) {
      commit();
      return true;
    }
  }
  return false;
}

// ---- BinlogFollower -----------------------------------------------------------------------

BinlogFollower::BinlogFollower(asio::any_io_executor ex, Topology& topology,
                               config::HostPort address, FollowerOptions options)
    : ex_(ex),
      topology_(topology),
      address_(std::move(address)),
      key_(address_.to_string()),
      options_(std::move(options)),
      sleep_timer_(ex),
      watchdog_timer_(ex) {
  if (options_.server_id == 0) options_.server_id = random_server_id();
  silence_limit_ = 2 * options_.heartbeat + options_.connect_timeout;
}

void BinlogFollower::start() {
  auto self = shared_from_this();
  asio::co_spawn(
      ex_, [self]() -> asio::awaitable<void> { co_await self->run(); }, asio::detached);
  asio::co_spawn(
      ex_, [self]() -> asio::awaitable<void> { co_await self->watchdog(); }, asio::detached);
}

void BinlogFollower::stop() {
  stopped_ = true;
  mode_ = Mode::kStopped;
  sleep_timer_.cancel();
  watchdog_timer_.cancel();
  if (conn_) conn_->socket().close();
}

asio::awaitable<void> BinlogFollower::sleep(std::chrono::milliseconds d) {
  sleep_timer_.expires_after(d);
  co_await sleep_timer_.async_wait(kAsTuple);
}

asio::awaitable<void> BinlogFollower::watchdog() {
  // A server that stops answering (hung, or a network that drops packets) would leave a read
  // pending forever: close the connection when nothing arrived for too long, so the
  // follower's loop sees an error and reconnects.
  while (!stopped_) {
    watchdog_timer_.expires_after(std::chrono::milliseconds(250));
    co_await watchdog_timer_.async_wait(kAsTuple);
    if (stopped_) break;
    if (busy_ && conn_ && std::chrono::steady_clock::now() - last_activity_ > silence_limit_) {
      spdlog::warn("topology: {} sent nothing for {} ms, reconnecting", key_,
                   silence_limit_.count());
      conn_->socket().close();
      touch();
    }
  }
}

asio::awaitable<void> BinlogFollower::run() {
  try {
    if (options_.use_binlog && !options_.accounts.empty()) {
      auto backoff = std::chrono::milliseconds(100);
      size_t account = 0;
      while (!stopped_) {
        StreamOutcome outcome = co_await follow(options_.accounts[account]);
        conn_.reset();
        busy_ = false;
        if (stopped_) break;
        if (outcome.refused) {
          spdlog::info("topology: binlog of {} not readable as '{}': {}", key_,
                       options_.accounts[account].user, outcome.error);
          if (++account < options_.accounts.size()) continue;
          spdlog::warn(
              "topology: no account may read the binlog of {}; polling its GTID "
              "position every {} ms instead",
              key_, options_.poll_interval.count());
          break;
        }
        if (outcome.streamed) backoff = std::chrono::milliseconds(100);
        spdlog::debug("topology: binlog stream of {} ended: {}; reconnecting in {} ms", key_,
                      outcome.error, backoff.count());
        co_await sleep(backoff);
        backoff = std::min(backoff * 2, options_.max_backoff);
      }
    }
    if (!stopped_) co_await poll_loop();
  } catch (const std::exception& e) {
    spdlog::error("topology: follower of {} stopped: {}", key_, e.what());
  }
}

asio::awaitable<BinlogFollower::StreamOutcome> BinlogFollower::follow(const Account& account) {
  StreamOutcome out;
  touch();
  busy_ = true;
  backend::BackendEndpoint endpoint{address_.host, address_.port, account.user, account.password,
                                    account.tls};
  backend::ConnectOptions connect_options;
  connect_options.timeout = options_.connect_timeout;
  std::optional<protocol::ErrPacket> refused;
  try {
    conn_ = co_await backend::BackendConnection::connect(ex_, endpoint, connect_options);
    bool mariadb = conn_->server_version().find("MariaDB") != std::string::npos;
    touch();
    auto state = co_await conn_->query(
        mariadb ? "SELECT @@global.binlog_checksum, @@global.gtid_binlog_pos, @@global.log_bin, "
                  "@@global.log_slave_updates"
                : "SELECT @@global.binlog_checksum, @@global.gtid_executed, @@global.log_bin, 1");
    if (!state.ok) throw backend::BackendError(state.err);
    auto checksum = bl::parse_checksum_name(one_value(state, 0));
    auto start = GtidSet::parse(one_value(state, 1));
    if (!checksum || !start) {
      out.error = "unexpected @@binlog_checksum or GTID position '" + one_value(state, 1) + "'";
      co_return out;
    }
    if (one_value(state, 2) != "1" || one_value(state, 3) != "1") {
      // Without a binlog, or without applied transactions in it, the stream shows nothing.
      out.refused = true;
      out.error = "binary log off or log_slave_updates off";
      co_return out;
    }
    std::vector<std::string> setup;
    setup.push_back("SET @master_binlog_checksum=@@global.binlog_checksum");
    setup.push_back("SET @master_heartbeat_period=" +
                    std::to_string(std::chrono::nanoseconds(options_.heartbeat).count()));
    if (mariadb) {
      setup.push_back("SET @mariadb_slave_capability=4");  // MARIA_SLAVE_CAPABILITY_GTID
      setup.push_back("SET @slave_connect_state='" + start->to_string() + "'");
      setup.push_back("SET @slave_gtid_strict_mode=0");
    }
    for (const auto& sql : setup) {
      auto r = co_await conn_->query(sql);
      if (!r.ok) throw backend::BackendError(r.err);
    }

    // COM_REGISTER_SLAVE: lists us in SHOW SLAVE HOSTS, as any replica.
    std::string packet;
    protocol::WireWriter w(packet);
    w.u8(static_cast<uint8_t>(protocol::Command::kRegisterSlave));
    w.u32(options_.server_id);
    std::string host = "tessera";
    w.u8(static_cast<uint8_t>(host.size()));
    w.bytes(host);
    w.u8(0);   // user
    w.u8(0);   // password
    w.u16(0);  // port
    w.u32(0);  // replication rank
    w.u32(0);  // master id
    uint8_t seq = 0;
    touch();
    co_await conn_->socket().write_packet(packet, seq);
    std::string payload;
    co_await conn_->socket().read_packet(payload, seq);
    if (protocol::is_err_packet(payload)) {
      auto err = protocol::ErrPacket::decode(payload);
      throw backend::BackendError(err.value_or(protocol::ErrPacket{}));
    }

    packet.clear();
    if (mariadb) {
      // COM_BINLOG_DUMP from position 4 of no file: with @slave_connect_state set, MariaDB
      // starts from that GTID position.
      w.u8(static_cast<uint8_t>(protocol::Command::kBinlogDump));
      w.u32(4);
      w.u16(0);  // flags: blocking
      w.u32(options_.server_id);
    } else {
      // COM_BINLOG_DUMP_GTID with BINLOG_THROUGH_GTID: send what is not in `start`.
      std::string sids = start->to_mysql_binary();
      w.u8(static_cast<uint8_t>(protocol::Command::kBinlogDumpGtid));
      w.u16(0x0004);
      w.u32(options_.server_id);
      w.u32(0);  // binlog name length
      w.u64(4);  // position
      w.u32(static_cast<uint32_t>(sids.size()));
      w.bytes(sids);
    }
    seq = 0;
    co_await conn_->socket().write_packet(packet, seq);

    bl::StreamDecoder decoder(*checksum);
    CommitTracker tracker;
    tracker.reset(*start);
    topology_.set_position(key_, *start, PositionSource::kBinlog);
    for (;;) {
      co_await conn_->socket().read_packet(payload, seq);
      touch();
      auto p = decoder.decode(payload);
      if (p.kind == bl::StreamPacket::Kind::kServerError) {
        out.error = std::to_string(p.error_code) + ": " + p.error;
        out.refused = is_refusal(p.error_code);
        co_return out;
      }
      if (p.kind == bl::StreamPacket::Kind::kEndOfStream) {
        out.error = "end of stream";
        co_return out;
      }
      if (p.kind == bl::StreamPacket::Kind::kMalformed) {
        out.error = "malformed binlog packet: " + p.error;
        spdlog::warn("topology: {}: {}", key_, out.error);
        co_return out;
      }
      if (!out.streamed) {
        out.streamed = true;
        mode_ = Mode::kBinlog;
      }
      if (tracker.on_event(p.event)) {
        commits_.fetch_add(1, std::memory_order_relaxed);
        topology_.set_position(key_, tracker.position(), PositionSource::kBinlog);
      }
    }
  } catch (const backend::BackendError& e) {
    refused = e.err();
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  if (refused) {
    out.error = std::to_string(refused->code) + ": " + refused->message;
    out.refused = is_refusal(refused->code);
  }
  co_return out;
}

asio::awaitable<void> BinlogFollower::poll_loop() {
  mode_ = Mode::kPoll;
  const Account account = options_.accounts.empty() ? Account{} : options_.accounts.back();
  while (!stopped_) {
    std::optional<std::string> failure;
    touch();
    busy_ = true;
    try {
      if (!conn_) {
        backend::BackendEndpoint endpoint{address_.host, address_.port, account.user,
                                          account.password, account.tls};
        backend::ConnectOptions connect_options;
        connect_options.timeout = options_.connect_timeout;
        conn_ = co_await backend::BackendConnection::connect(ex_, endpoint, connect_options);
      }
      bool mariadb = conn_->server_version().find("MariaDB") != std::string::npos;
      auto r = co_await conn_->query(mariadb ? "SELECT @@global.gtid_current_pos"
                                             : "SELECT @@global.gtid_executed");
      if (!r.ok) throw backend::BackendError(r.err);
      if (auto pos = GtidSet::parse(one_value(r, 0))) {
        topology_.set_position(key_, std::move(*pos), PositionSource::kPoll);
      } else {
        failure = "unparsable GTID position '" + one_value(r, 0) + "'";
      }
    } catch (const std::exception& e) {
      failure = e.what();
    }
    busy_ = false;
    if (failure) {
      spdlog::debug("topology: polling the GTID position of {}: {}", key_, *failure);
      conn_.reset();
    }
    if (stopped_) break;
    co_await sleep(options_.poll_interval);
  }
}

}  // namespace tessera::topology
