// One client connection: handshake and authentication, then the command
// loop. Statements run on a pooled backend connection that is synced to this
// session's state before use and returned to the pool between statements
// unless a transaction or session-bound state ties it here.
#pragma once
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "backend/backend_error.h"
#include "backend/backend_lease.h"
#include "backend/connection_pool.h"
#include "backend/statement_watchdog.h"
#include "config/loaded_config.h"
#include "exec/engine/cursor.h"
#include "exec/engine/fan_out.h"
#include "frontend/pool_memo.h"
#include "frontend/proxy_context.h"
#include "protocol/client_reply.h"
#include "protocol/gtid_set.h"
#include "protocol/packet_socket.h"
#include "protocol/response_packets.h"
#include "protocol/statement_packets.h"
#include "router/plan.h"
#include "router/shard_rule.h"
#include "session/pin_reasons.h"
#include "session/read_routing.h"
#include "session/session_state.h"
#include "session/state_replay.h"
#include "session/statement_guard.h"
#include "sql/classify.h"
#include "sql/derived_rows.h"
#include "sql/parser.h"
#include "txn/session_txn.h"

namespace tessera::topology {
class Topology;
}

namespace tessera::frontend {

class Worker;

// SHOW TESSERA TOPOLOGY (topology_statement.cc).
bool is_show_tessera_topology(std::string_view sql);

// The session's Compression status (compression_status.cc): SHOW [SESSION | LOCAL] STATUS,
// whatever follows, and the text row of that variable rewritten to ON (nullopt: any other row).
bool is_show_session_status(std::string_view sql);
std::optional<std::string> compressed_status_row(std::string_view row);

using backend::failure_text;

// A statement the client prepared, under the id Tessera gave it. It is
// prepared on a backend connection when it first runs there.
struct ClientStatement {
  std::string sql;
  uint16_t num_params = 0;
  uint16_t num_columns = 0;
  std::string param_types;                    // last types the client bound
  std::map<uint16_t, std::string> long_data;  // COM_STMT_SEND_LONG_DATA, by parameter
  // Long data went past max_allowed_packet: dropped, further chunks ignored, and EXECUTE fails
  // until COM_STMT_RESET (as MariaDB).
  bool long_data_too_big = false;
  bool sharded = false;       // touches shard rules: planned at each EXECUTE
  bool leaves_state = false;  // may leave server state (session::leaves_server_state)
  // The text's classification (database cleared: it pointed into the PREPARE packet), applied
  // after each EXECUTE as after a text statement: LOCK TABLES, @v := ..., HANDLER pin.
  sql::StatementInfo info;
  // The statistics' key of the text (admin::StatementKey: fingerprint digest and text), made at
  // the first execution (statement_tally.cc).
  bool stats_keyed = false;
  uint64_t stats_digest = 0;
  std::string stats_text;
  // ClientSession::session_view_candidate of the text.
  bool view_candidate = false;
};

class ClientSession : public std::enable_shared_from_this<ClientSession> {
  // The engine's cursor runs plans with the session's connections and client (session_cursor.h).
  friend class SessionCursor;

 public:
  ClientSession(Worker& worker, asio::ip::tcp::socket socket);
  ~ClientSession();

  asio::awaitable<void> run();

  uint32_t connection_id() const { return connection_id_; }
  // KILL [QUERY] of this session by a client session of `user` in namespace `ns` (kill.cc),
  // on this session's worker thread.
  enum class KillResult : uint8_t { kKilled, kNotOwner };
  KillResult kill_from(std::string_view ns, std::string_view user, bool query_only);

  // Called by the worker about twice a second (session_deadlines.cc): closes a client that
  // overstays the handshake, sits idle past client_idle_timeout or trickles a packet past
  // net_read_timeout; fails a statement whose backend went silent for backend_query_timeout;
  // kills the backend query of a client that disconnected while its statement ran.
  void check_deadlines(const config::ProxyConfig& proxy, std::chrono::steady_clock::time_point now);

  // processlist.cc: this session as one row of SHOW PROCESSLIST, read on its worker's thread.
  struct ProcessInfo {
    uint32_t id = 0;
    std::string ns, user, host, db, command, info;
    uint64_t time_ms = 0;     // in its current command (or idle) so far
    std::string backend;      // "host:port" of the backend connection it holds ("": none)
    uint32_t backend_id = 0;  // that connection's thread id on the server
  };
  // nullopt while the session is not logged in.
  std::optional<ProcessInfo> process_info(std::chrono::steady_clock::time_point now) const;

 private:
  // What the session is waiting for, for check_deadlines().
  enum class Phase : uint8_t { kHandshake, kIdle, kReading, kCommand };
  void enter_phase(Phase phase);
  // Bytes moved on every connection the current statement can be waiting for.
  uint64_t statement_progress() const;
  void on_client_gone();
  // Sends KILL QUERY for the statement running on each backend connection this session holds.
  void kill_running_statement();
  // What a backend failure is reported as: the watchdog's reason when it closed the connection.
  std::string failure_reason(std::string_view what) const;
  enum class RelayMode { kQuery, kExecute, kPrepare, kFieldList, kFetch, kSingle };

  // client_auth.cc
  // Counts the connection against max_connections(_per_ip); over a limit, sends error 1040 in
  // place of the greeting and returns false.
  asio::awaitable<bool> admit();
  asio::awaitable<bool> handshake();
  // Unknown users get the same exchange, error and failure count as a wrong password.
  asio::awaitable<bool> authenticate(const config::UserRef& account, std::string_view user_name,
                                     std::string plugin, std::string auth_response, uint8_t& seq);
  asio::awaitable<bool> full_sha2_authentication(const config::User& user, uint8_t& seq);
  // While `user_name` is blocked by the login throttle, answers the client and returns true.
  asio::awaitable<bool> refuse_if_throttled(const std::string& user_name, uint8_t& seq);
  // backend_account_auth.cc: the login of a server account (namespace `ns` has
  // backend_accounts), relayed to the default slice's primary; answers the client on failure.
  asio::awaitable<bool> authenticate_on_backend(const config::Namespace& ns,
                                                const std::string& user_name, uint8_t& seq);
  // The session no longer uses its server account's pools (ends, or COM_CHANGE_USER).
  void leave_backend_account();
  asio::awaitable<bool> change_user(std::string_view payload);
  bool bind_account(const config::UserRef& account);
  // config_refresh.cc: moves to the newest configuration generation when nothing ties the
  // session to the old one (no transaction, pin, cursor or held backend connection).
  void refresh_config();

  // client_session.cc
  asio::awaitable<void> command_loop();
  asio::awaitable<void> dispatch(std::string_view payload);
  asio::awaitable<void> handle_query(std::string_view payload);
  asio::awaitable<void> handle_init_db(std::string_view name);
  asio::awaitable<void> handle_passthrough(std::string_view payload, RelayMode mode);
  asio::awaitable<void> handle_reset_connection();
  void reset_session_state();

  // statements.cc
  asio::awaitable<void> handle_prepare(std::string_view payload);
  asio::awaitable<void> handle_execute(std::string_view payload);
  asio::awaitable<void> handle_fetch(std::string_view payload);
  // COM_STMT_BULK_EXECUTE (MariaDB's batch): passed to the backend under its statement id.
  asio::awaitable<void> handle_bulk_execute(std::string_view payload);
  asio::awaitable<void> handle_stmt_reset(std::string_view payload);
  // Closes the open cursor of backend statement `backend_id` (COM_STMT_RESET). Throws on I/O.
  asio::awaitable<void> close_backend_cursor(uint32_t backend_id);
  void handle_stmt_close(std::string_view payload);
  void handle_long_data(std::string_view payload);
  // Sends the statement's COM_STMT_SEND_LONG_DATA chunks to conn_ for backend statement id.
  asio::awaitable<void> send_long_data(uint32_t backend_id, const ClientStatement& stmt);

  // backend_use.cc
  // Acquires (or keeps) the backend connection and syncs session state onto
  // it; on failure sends the client an ERR and returns false.
  asio::awaitable<bool> ensure_backend(std::optional<uint8_t> error_seq = {});
  // Statements this session prepared on `c` and has closed since (see backend_use.cc).
  asio::awaitable<void> close_unused_prepared(backend::BackendConnection& c);
  // The end of a statement on the default slice: pins it left, then end_use() with the
  // diagnostics kept for SHOW WARNINGS.
  void after_statement(const sql::StatementInfo* info);
  // namespace_->allows_db(state_.db), remembered while the database, the namespace and the
  // configuration stay those of the last answer yes (after_statement asks on every statement).
  bool db_still_allowed();
  // What this session knows about `lease` when a use of it ends (backend/lease_rule.h):
  // pins, cursors and XA branches belong to the default slice's connection; a transaction
  // Tessera joined for the client belongs to the lease that joined it; a gone client to all.
  backend::SessionFacts lease_facts(const backend::BackendLease& lease,
                                    bool keep_for_diagnostics = false) const;
  // The one rule on each lease: end_use(lease_facts(...)).
  void release_backend();  // the default slice's (diagnostics not kept)
  void drop_backend();
  void pin(session::PinReason reason);
  void unpin();                           // every reason
  void unpin(session::PinReason reason);  // one reason; pinned while others remain

  // sharded_query.cc: namespaces with shard rules. Leases of slices other than the default
  // one live in slice_conns_; the default slice keeps using conn_.
  // Swaps another lease (a slice's, a replica's) into conn_ so the relay code (which works on
  // conn_) can stream its result; swaps back when the scope ends, however it ends.
  struct ConnSwap {
    ClientSession& s;
    backend::BackendLease& other;
    ConnSwap(ClientSession& session, backend::BackendLease& lease) : s(session), other(lease) {
      swap(s.conn_, other);
    }
    ~ConnSwap() { swap(s.conn_, other); }
    ConnSwap(const ConnSwap&) = delete;
    ConnSwap& operator=(const ConnSwap&) = delete;
  };
  asio::awaitable<bool> try_sharded(std::string_view sql, const sql::StatementInfo& info);
  // A single statement of a kind planned by the tables it names, naming none of the rules'
  // tables: try_sharded would answer false without parsing it.
  bool names_no_rule_table(std::string_view sql, const sql::StatementInfo& info) const;
  sql::ParseResult parse_for_plan(std::string_view sql);
  // `plan_again`: what a SequenceFetch does after its refill (the caller plans anew).
  asio::awaitable<void> execute_plan(router::Plan& plan, const sql::StatementInfo& info,
                                     const std::function<asio::awaitable<void>()>& plan_again);
  asio::awaitable<bool> control_transaction(std::string_view sql, const sql::StatementInfo& info);
  // A single BEGIN / COMMIT / ROLLBACK / XA statement of a sharded namespace, as a
  // TransactionControl plan (engine_run.cc).
  asio::awaitable<void> run_transaction_control(std::string_view payload,
                                                const sql::StatementInfo& info,
                                                exec::engine::TransactionStatement kind);
  asio::awaitable<backend::BackendConnection*> slice_connection(const std::string& slice,
                                                                const std::string& db);
  asio::awaitable<std::optional<protocol::ErrPacket>> end_slice_transactions(std::string_view sql);
  // Copies of one write (global tables) report one copy's affected rows (namespace option).
  bool one_copy_count(const exec::engine::FanOutSpec& spec) const;
  asio::awaitable<void> run_show_tables(const router::Plan& plan);
  asio::awaitable<void> send_explain(const router::Plan& plan);
  // Runs `work` with the slice's connection as conn_ (swapped in unless it is the default
  // slice's own); returns what broke, if anything.
  asio::awaitable<std::optional<std::string>> on_slice(
      const std::string& slice, const std::function<asio::awaitable<void>()>& work);
  // Reports a broken connection to `slice` (forgetting it) as the command's answer.
  asio::awaitable<void> send_slice_failure(const std::string& slice, std::string_view what);
  asio::awaitable<bool> refill_sequence(const std::string& key);
  // schema_load.cc: reads table `key`'s ("db.table") columns into the rules' schema catalog;
  // false: the client has been told why.
  asio::awaitable<bool> load_schema(const std::string& key);
  // After a plan ran: forgets the learned columns of the tables its DDL changed.
  void forget_changed_schema(const router::Plan& plan);
  bool slices_in_transaction() const;
  bool client_in_transaction() const;
  void release_slices();
  void drop_slices();

  // distributed_txn.cc: transactions of `xa` namespaces (issue 7), see txn/session_txn.h.
  // BEGIN / COMMIT / ROLLBACK (and client XA statements) while the namespace runs XA itself.
  asio::awaitable<bool> try_transaction_control(std::string_view sql,
                                                const sql::StatementInfo& info);
  // Sets which slices the statement about to run joins: called at each statement's start.
  void xa_classify(const sql::StatementInfo& info);
  bool xa_open() const { return xa_ && xa_->open(); }
  // Joins `slice` (its connection `c`, already synced) to the open transaction if the statement
  // under way takes part in it; opens the implicit transaction of an autocommit=0 session.
  asio::awaitable<std::optional<protocol::ErrPacket>> xa_join(const std::string& slice,
                                                              backend::BackendConnection& c);
  txn::SessionTxn::ConnFor xa_connections();
  // Commits the open distributed transaction, learning the GTIDs its participants report.
  asio::awaitable<std::optional<protocol::ErrPacket>> xa_commit();
  // Gives the participants' connections back (closing broken ones) once the transaction ended.
  void xa_release_participants();
  // A participant's connection broke: roll the other branches back, close the transaction.
  asio::awaitable<void> xa_abort();
  // Drops every participant's connection without a word (their servers roll back).
  void xa_abandon();
  // An autocommit write over several slices (or several queries on one): all or nothing.
  // A deadlock or read-only primary that rolled every branch back comes back for the engine.
  asio::awaitable<exec::engine::Attempt> run_atomic_write(
      const std::vector<exec::engine::Query>& queries, const exec::engine::FanOutSpec& spec,
      const sql::StatementInfo& info);
  bool wants_atomic_write(const std::vector<exec::engine::Query>& queries,
                          const exec::engine::FanOutSpec& spec,
                          const sql::StatementInfo& info) const;

  // read_split.cc: read/write splitting (users with rw_split=1) and read consistency.
  // The one place that says which instance of a slice takes writes (the failover work makes
  // it follow the topology's primary).
  config::HostPort primary_address(const config::Slice& slice);
  backend::ConnectionPool& primary_pool(const config::Slice& slice);
  session::RouteDecision route_statement(const sql::StatementInfo& info) const;
  // rw_flag=1 users and read_only namespaces: answers a text holding any statement that is not
  // a known read (session/statement_guard.h) with an error; true when it did.
  asio::awaitable<bool> refuse_read_only_write(std::string_view sql);
  // Whether refuse_read_only_write can refuse anything for this session: checked first on
  // every statement, where entering the coroutine would cost its frame for nothing.
  bool read_only_applies() const;
  // SET / SELECT tessera_read_consistency; true when answered.
  asio::awaitable<bool> handle_consistency_statement(std::string_view sql,
                                                     const sql::StatementInfo& info);
  // Whether handle_consistency_statement has anything to answer (a cheap test of the text).
  static bool consistency_candidate(std::string_view sql, const sql::StatementInfo& info);
  // Runs a COM_QUERY packet on a replica of `slice` (database `db`); false (nothing sent to
  // the client) when no replica qualifies and the primary must serve it.
  asio::awaitable<bool> run_on_replica(const config::Slice& slice, std::string_view payload,
                                       const std::string& db);
  // The same for any `work` that sends a statement on conn_ and relays its answer (the
  // replica's connection is swapped in while it runs).
  asio::awaitable<bool> run_on_replica(const config::Slice& slice,
                                       const std::function<asio::awaitable<void>()>& work,
                                       const std::string& db);
  // Picks a replica of `slice` that has what the read must see (the consistency fence) and
  // puts its synced connection in `into`; false when none qualifies (the primary serves).
  asio::awaitable<bool> choose_read_replica(const config::Slice& slice, const std::string& db,
                                            backend::BackendLease& into);
  asio::awaitable<std::optional<protocol::GtidSet>> primary_position(const config::Slice& slice);
  void release_replica();
  void drop_replica();

  // primary_route.cc (issue 6): where a slice's writes go now.
  struct WriteTarget {
    const config::Slice* cfg = nullptr;
    config::HostPort address;
    std::optional<protocol::ErrPacket> error;  // no primary within the hold time
  };
  topology::Topology& topology();
  // The slice's primary (or, on a multi-writer slice, the live writer `table_key` is pinned
  // to), waiting up to failover_hold while there is none. After a failure on
  // `failed_instance` at `failed_at`, that instance counts only once the monitor has checked
  // it again.
  // The write target when it is known now and no failure is being waited out (what
  // choose_write_target answers at once then); nullopt: ask choose_write_target.
  std::optional<WriteTarget> usual_write_target(const std::string& slice,
                                                std::string_view table_key);
  asio::awaitable<WriteTarget> choose_write_target(const std::string& slice,
                                                   std::string_view table_key,
                                                   const std::string& failed_instance,
                                                   std::chrono::system_clock::time_point failed_at);
  // The pool of the slice's write target; on failure sends the client an ERR, returns null.
  // After a failure on `failed_instance` (a retry), that instance counts only once the
  // monitor checked it again.
  asio::awaitable<backend::ConnectionPool*> write_pool(
      const std::string& slice, std::string_view db, const std::string& failed_instance = {},
      std::chrono::system_clock::time_point failed_at = {});
  // Multi-writer default slice: "schema.table" the statement writes (its pinning key).
  std::string write_key_for(std::string_view sql);
  // Nothing ties the session to its backend connection (no transaction, pin or cursor).
  bool may_retry_statement() const;
  bool conn_is_write_target(const config::HostPort& address) const;
  // topology_statement.cc: SHOW TESSERA TOPOLOGY from the current snapshot.
  asio::awaitable<void> send_topology();
  // engine_run.cc: a statement as a plan the engine runs (exec/engine): unsharded ones as one
  // Route to the default slice, with failover/deadlock retries and read splitting.
  asio::awaitable<void> run_unsharded(std::string_view payload, const sql::StatementInfo& info);

  // sharded_statements.cc: prepared statements that touch shard rules. PREPARE learns the
  // parameters and columns from the first sub-table; EXECUTE plans with the bound values.
  asio::awaitable<bool> try_prepare_sharded(std::string_view payload,
                                            const sql::StatementInfo& info);
  asio::awaitable<void> execute_sharded(uint32_t id, ClientStatement& stmt,
                                        protocol::StmtExecuteView& view);

  // dynamic_sql.cc: PREPARE name FROM <variable or expression> / EXECUTE IMMEDIATE <...>
  // (session/statement_guard.h: find_dynamic_sql). The text the server will prepare is read
  // on the backend connection the statement then runs on, with nothing in between, and gets
  // every check the literal form gets (KILL, protected variables, black_sql, read-only).
  asio::awaitable<void> handle_dynamic_sql(std::string_view payload, const sql::StatementInfo& info,
                                           const session::DynamicSql& dynamic);
  // The value of user variable `var` (its token text) on conn_, as the server hands it to
  // PREPARE: converted to character_set_connection unless binary, "NULL" for NULL. nullopt
  // with `err` set when it could not be read. Throws on I/O.
  asio::awaitable<std::optional<std::string>> read_dynamic_text(std::string_view var,
                                                                protocol::ErrPacket& err);

  // kill.cc: KILL [HARD|SOFT] [CONNECTION|QUERY] n acts on Tessera's session n (the id the
  // handshake and CONNECTION_ID() report), for the same user only; true when answered.
  asio::awaitable<bool> handle_kill(std::string_view sql);
  // CONNECTION_ID() must say what the handshake said: the backend connection reports
  // pseudo_thread_id, which the session then carries (synced like any variable).
  void note_connection_id_use(const sql::StatementInfo& info) {
    if (info.calls(sql::kSessionFnConnectionIdIndex) && !replay_.thread_id_unmapped()) {
      state_.vars["pseudo_thread_id"] = std::to_string(connection_id_);
    }
  }

  // session_status.cc (issue 16 item 8): SHOW [SESSION] STATUS and
  // information_schema.SESSION_STATUS count this session's own statements
  // (backend/status_ledger.h); processlist.cc (item 10): SHOW [FULL] PROCESSLIST and
  // information_schema.PROCESSLIST list the namespace's client sessions. Both run the client's
  // statement on the backend over a derived table of Tessera's rows, so the server evaluates
  // its WHERE / ORDER BY / COUNT. True when the statement was answered.
  asio::awaitable<bool> try_session_views(std::string_view sql, const sql::StatementInfo& info);
  // Whether try_session_views might answer `sql` (asked first: its coroutine costs on every
  // statement otherwise; a prepared statement's answer is kept with it).
  static bool session_view_candidate(std::string_view sql, const sql::StatementInfo& info);
  asio::awaitable<void> answer_session_status(std::string_view sql, const sql::ShowRequest* show);
  asio::awaitable<void> answer_processlist(std::string_view sql, const sql::ShowRequest* show);
  // Status values Tessera owns for this client connection (Bytes_received, Bytes_sent), by
  // SHOW STATUS name; they replace the backend's. The place for other session-level overrides
  // (Compression for a compressed client connection).
  std::vector<std::pair<std::string, std::string>> tessera_status_values() const;
  // Sends `sql` (Tessera's rewrite of the client's statement) on conn_ and relays its result.
  // For a COM_STMT_EXECUTE (own_execute_ set) the rewrite is prepared on conn_, executed with
  // the client's parameters and closed, so the client gets the binary result it asked for;
  // the session's status counters then take what the execution did when `credit`, and nothing
  // of the prepare and close (done here: the caller's own bookkeeping is for COM_QUERY).
  asio::awaitable<void> relay_own_query(const std::string& sql, bool credit = false);
  // The COM_STMT_EXECUTE being answered by a session view (statements.cc), and its parameter
  // types; null for a text statement.
  const protocol::StmtExecuteView* own_execute_ = nullptr;
  // statements.cc: answers a COM_STMT_EXECUTE of a session view; false: not one.
  asio::awaitable<bool> execute_session_view(const ClientStatement& stmt,
                                             const protocol::StmtExecuteView& view);
  std::string own_execute_types_;

  // client_xa.cc: XA RECOVER answered with this namespace's prepared branches only, their
  // namespace prefix removed (session/xa_scope.h).
  asio::awaitable<void> answer_xa_recover();

  // statement_limits.cc: the namespace's per-statement limits and the black_sql list.
  // Refuses a text any of whose statements has its fingerprint on the black_sql list (answers
  // the client).
  asio::awaitable<bool> refuse_blacklisted(std::string_view sql);
  // Whether the namespace has a black_sql list at all (checked before the coroutine).
  bool blacklist_applies() const;
  // A client without CLIENT_MULTI_STATEMENTS sent a text the server would run as several
  // statements: answers 1064 as the server would; true when it did.
  asio::awaitable<bool> refuse_multi_statement(std::string_view sql, const sql::LexOptions& lex);
  // Arms watchdog_ for a statement when the namespace limits execution time or result size.
  void arm_statement_limits();
  uint64_t result_row_limit() const;
  protocol::ErrPacket timeout_error() const;
  protocol::ErrPacket too_many_rows_error() const;
  // Hands a backend connection the statement ran on back from the watchdog (waits for a
  // KILL QUERY in flight and checks the connection); no-op without limits.
  asio::awaitable<void> release_watched(backend::BackendConnection* conn);
  // Refuses a statement that assigns a session variable Tessera relies on (session tracking,
  // sql_log_bin, pseudo_thread_id, ...): answers the client; true when it did.
  asio::awaitable<bool> refuse_protected_variables(std::string_view sql,
                                                   const sql::StatementInfo& info);
  // False for statements that cannot assign a session variable (single plain DML): no need to
  // look for a protected one.
  static bool may_assign_variables(const sql::StatementInfo& info);
  // Counts this session against its user's max_connections; false when over the limit.
  bool take_user_slot(const config::User& user);
  void free_user_slot();

  // statement_log.cc: the general log (namespaces with open_general_log) and the slow log.
  bool statement_logs_wanted() const;
  void log_statement(std::string_view sql, std::chrono::steady_clock::time_point started);

  // result_relay.cc
  asio::awaitable<void> relay_response(RelayMode mode, uint32_t client_stmt_id = 0);
  // After a statement that changed character_set_connection without the server reporting
  // collation_connection (session::SessionState::collation_unknown): reads the collation on
  // the connection that ran it, so that it is replayed wherever the session goes next.
  asio::awaitable<void> learn_collation();
  void relay_err(std::string_view payload, uint8_t& seq);
  // After a relayed statement inside a distributed transaction: a deadlock victim's branch is
  // gone on its server, so the other slices roll back too (as one server would roll back all).
  asio::awaitable<void> xa_after_relay();
  asio::awaitable<void> relay_local_infile(uint8_t& client_seq, uint8_t backend_seq);
  // A file request for a client without CLIENT_LOCAL_FILES: the backend gets an empty file,
  // the client error 4166.
  asio::awaitable<void> refuse_local_infile(uint8_t& client_seq, uint8_t backend_seq);
  // What the client's own session would be told of in a relayed OK's session-state block
  // (the backend connection's tracking settings; null without a connection).
  const protocol::TrackingSettings* client_tracking() const {
    return conn_ ? &conn_->client_tracking() : nullptr;
  }

  // Replies built by Tessera itself (reply_ with the session's part: the status flags of its
  // OK, the error tally). Without an explicit sequence id, replies follow the command's last
  // frame.
  asio::awaitable<void> send_ok(std::optional<uint8_t> seq = {});
  asio::awaitable<void> send_error(const protocol::ErrPacket& err, std::optional<uint8_t> seq = {});
  asio::awaitable<void> send_error(protocol::ErrorCode ec, std::string message,
                                   std::optional<uint8_t> seq = {});
  asio::awaitable<void> send_backend_failure(std::string_view what);

  std::string peer_text() const;

  // statement_tally.cc: what the command being answered did, handed to the worker's
  // admin::WorkerStats when it ends (fingerprint statistics and /metrics).
  struct StatementTally {
    std::chrono::steady_clock::time_point start;
    uint64_t rows = 0;        // rows sent plus rows affected
    uint16_t error_code = 0;  // the ERR the client got, 0 = none
    // Sharded plans: the SQL sent to each slice (empty: the client's SQL went as it was).
    std::vector<std::string> backend_sql;
  };
  void begin_tally();
  void finish_tally(uint8_t command);
  void tally_error(std::string_view err_payload);
  StatementTally tally_;

  Worker& worker_;
  protocol::PacketSocket client_;
  // The reply to the command being answered (protocol/client_reply.h): its packets, sequence
  // ids, whether any of it reached the client, discard mode, a relay's wait between packets.
  protocol::ClientReply reply_{client_};
  uint32_t connection_id_;
  std::string scramble_;
  // The capabilities the client negotiated (handshake() hands reply_ the same) and MariaDB's
  // extended ones (protocol::mariadb_cap).
  uint32_t client_caps_ = 0;
  uint32_t client_mariadb_caps_ = 0;
  std::string peer_ip_;
  bool admitted_ = false;  // counted in the context's connection_limits

  // The configuration generation this session runs with (config_ is its config): replaced by
  // a newer one only between statements with no backend connection held (config_refresh.cc).
  std::shared_ptr<const ConfigSnapshot> snapshot_;
  std::shared_ptr<const config::LoadedConfig> config_;
  // The default slice's pool, as Worker::pool_for last answered (ensure_backend).
  PoolMemo default_pool_memo_;
  const config::User* user_ = nullptr;
  // The account of a backend_accounts login (user_ points here), made at login: it is not in
  // any configuration. backend_account_key_held_: counted in Worker::join_backend_account.
  std::unique_ptr<config::User> backend_account_;
  bool backend_account_key_held_ = false;
  const config::Namespace* namespace_ = nullptr;

  session::SessionState state_;
  // How state_ is replayed onto each connection a lease acquires.
  session::SessionReplay replay_{state_};
  // The default slice's lease: its connection is the one statements run on (conn_-> is that
  // connection; the relay code reads it so), or a slice's or replica's while a ConnSwap lasts.
  backend::BackendLease conn_;
  // Who this session is to the pools (backend::ConnectOptions::session): a connection another
  // owner used is reset before this session gets it. Renewed when the session starts over
  // (COM_CHANGE_USER, COM_RESET_CONNECTION), so nothing of its former self reaches it either.
  uint64_t pool_owner_ = 0;
  // Lives as long as pool_owner_ names this session (backend::ConnectOptions::owner_alive).
  std::shared_ptr<const int> pool_owner_alive_;
  // What this session asks the pools with (its owner id, namespace, liveness).
  backend::ConnectOptions connect_options(bool without_database) const;
  // This session's status counters (renewed with pool_owner_: COM_RESET_CONNECTION and
  // COM_CHANGE_USER restart them, as on the server), and the client connection's byte counts
  // when they last restarted.
  std::shared_ptr<backend::StatusLedger> status_ledger_;
  uint64_t bytes_read_base_ = 0;
  uint64_t bytes_written_base_ = 0;
  void renew_pool_owner();
  session::PinReason pinned_ = session::PinReason::kNone;  // the first reason (logs, stats)
  uint32_t pin_reasons_ = 0;                               // bit per PinReason held
  bool multi_statements_ = true;
  // Read-only sessions: names of the PREPAREd statements that passed the read-only check
  // (lower case), the only ones EXECUTE may run.
  std::set<std::string> read_only_prepared_;
  // The last statement left warnings or an error on its backend connection:
  // keep that connection for the next statement so SHOW WARNINGS,
  // SHOW ERRORS and @@warning_count see them (not counted as a pin).
  bool keep_for_diagnostics_ = false;
  // The statement under way leaves the server's diagnostics area as it was (SHOW WARNINGS /
  // SHOW ERRORS, a SELECT or DO reading no table): a connection kept for diagnostics stays
  // kept through it, as the warnings are still there on the server.
  bool statement_keeps_diagnostics_ = false;
  // db_still_allowed's last yes: the database, and the namespace within the configuration it
  // was asked of (held, so that no later configuration can take its address).
  std::string allowed_db_;
  const config::Namespace* allowed_db_namespace_ = nullptr;
  std::shared_ptr<const config::LoadedConfig> allowed_db_config_;
  // The statement under way is an autocommit-style read that runs again on a fresh connection
  // if its connection turns out closed: the pool need not peek at it (set per route).
  bool rerunnable_read_ = false;
  bool unchecked_conn_ = false;  // ensure_backend lent conn_ without that peek
  // The COM_QUERY under way is SHOW [SESSION] STATUS from a compressed client: its backend
  // connection is not compressed, so the Compression row it relays says OFF where the server
  // would tell this client ON; result_relay.cc rewrites that one row.
  bool rewrite_compression_status_ = false;

  std::shared_ptr<const router::ShardRuleSet> rules_;  // null: no shard rules
  std::map<std::string, backend::BackendLease> slice_conns_;
  std::unique_ptr<sql::Arena> arena_;    // AST of the statement being planned (and merged)
  std::unique_ptr<txn::SessionTxn> xa_;  // set in `xa` namespaces with shard rules
  bool xa_join_ = false;                 // the statement under way takes part in a transaction
  bool xa_write_ = false;                // ... and may change data
  // The statements of the text being relayed, true for a CALL (cleared per command; filled
  // only for clients without CLIENT_DEPRECATE_EOF, for a multi-statement text or a CALL). The
  // backend (DEPRECATE_EOF) sends no EOF after column definitions; the one Tessera writes must
  // say, as the server's does, whether more results follow: every result inside a CALL, and
  // every statement's but the last one's.
  std::vector<bool> relay_statements_;
  std::string relay_error_note_;     // appended to a relayed ERR's message (names the slice)
  uint16_t relayed_error_code_ = 0;  // the ERR relay_response passed on last (0: none)
  sql::Parser parser_;

  // Read/write splitting: the replica lease serving the current read (its slice() the slice
  // read; kept across statements only by START TRANSACTION READ ONLY), the consistency level,
  // a turn counter for the weighted choice, the replica last seen to have the session's
  // writes, and replicas whose GTID wait recently timed out.
  backend::BackendLease replica_;
  session::ReadConsistency consistency_ = session::ReadConsistency::kEventual;
  uint64_t read_turn_ = 0;
  std::string verified_replica_;
  uint64_t verified_writes_ = 0;
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> wait_failures_;

  std::unordered_map<uint32_t, ClientStatement> statements_;
  uint32_t next_statement_id_ = 1;
  // The statement this session prepared last (0: none), named by id -1 in MariaDB's
  // pipelined COM_STMT_EXECUTE.
  uint32_t last_prepared_id_ = 0;
  uint32_t cursor_statement_ = 0;  // client id of the statement with an open cursor
  // Rows the open cursor has sent so far: max_sql_result_size counts the cursor's whole
  // result, not each COM_STMT_FETCH on its own.
  uint64_t cursor_rows_ = 0;
  // COM_STMT_SEND_LONG_DATA bytes buffered by this session: an upper bound (cleared data is not
  // subtracted), recounted exactly when it would pass max_allowed_packet.
  uint64_t long_data_bytes_ = 0;

  // Per statement, while a limit applies: kills the backend statement at max_sql_execute_time
  // (or when a result is cut at max_sql_result_size).
  std::optional<backend::StatementWatchdog> watchdog_;
  std::shared_ptr<std::atomic<int>> user_slot_;  // this session's count in its user's total
  std::string fingerprint_scratch_;
  // This statement's tokens from its classification, replayed by the statistics' fingerprint.
  sql::TokenTape lex_tape_;
  // Issue 6: the pinning key of the statement being run (multi-writer slices), and the
  // instance whose failure the statement is being retried after.
  std::string write_key_;
  std::string retry_after_instance_;
  // Global-sequence reservations this command made (SessionCursor::reserve_ids bounds them).
  int sequence_refills_ = 0;
  // Tables' columns this command read (SessionCursor::load_schema bounds them; a second plan
  // trusts what was read).
  int schema_loads_ = 0;
  std::chrono::system_clock::time_point retry_after_time_{};

  std::string command_;  // current command payload (reused buffer)

  // session_deadlines.cc
  Phase phase_ = Phase::kHandshake;
  // The session's wait_timeout when it sets none (seconds; 0: not known yet): the server's
  // global wait_timeout, or interactive_timeout for a CLIENT_INTERACTIVE client, learned from
  // the first backend connection the session uses.
  uint32_t default_wait_timeout_ = 0;
  bool client_gone_ = false;        // the client disconnected while a statement ran
  bool backend_timed_out_ = false;  // the watchdog closed a silent backend connection
  std::chrono::steady_clock::time_point phase_since_;
  std::chrono::steady_clock::time_point quiet_since_;  // kCommand: last progress seen
  uint64_t progress_seen_ = 0;                         // kIdle: client bytes; kCommand: progress
};

}  // namespace tessera::frontend
