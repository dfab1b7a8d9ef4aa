// SHOW TESSERA TOPOLOGY: the session's namespace as the topology monitor sees it now, one row
// per backend instance, like Aurora's information_schema.replica_host_status. Answered by
// Tessera from the current snapshot; no backend is asked.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cctype>

#include "frontend/client_session.h"
#include "protocol/constants.h"
#include "protocol/text_result.h"
#include "topology/topology.h"

namespace tessera::frontend {

using namespace protocol;

namespace {

std::string_view role_text(const topology::SliceView& s, int i) {
  const auto& inst = s.instances[i];
  if (i == s.primary) return "primary";
  for (int w : s.writers) {
    if (w == i) return "writer";
  }
  switch (inst.configured_role) {
    case topology::ConfiguredRole::kMaster:
    case topology::ConfiguredRole::kWriter:
      // configured to write but not writable now: demoted, read-only or down
      return inst.health == topology::Health::kUp ? "read_only" : "former_primary";
    case topology::ConfiguredRole::kSlave:
      return "replica";
    case topology::ConfiguredRole::kStatisticSlave:
      return "statistic_replica";
  }
  return "replica";
}

}  // namespace

bool is_show_tessera_topology(std::string_view sql) {
  // SHOW TESSERA TOPOLOGY, any case and spacing, optional trailing ';'.
  static constexpr std::string_view kWords[] = {"show", "tessera", "topology"};
  size_t pos = 0;
  auto skip_space = [&] {
    while (pos < sql.size() && std::isspace(static_cast<unsigned char>(sql[pos]))) ++pos;
  };
  for (auto word : kWords) {
    skip_space();
    if (sql.size() - pos < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(sql[pos + i])) != word[i]) return false;
    }
    pos += word.size();
    if (pos < sql.size() && !std::isspace(static_cast<unsigned char>(sql[pos])) &&
        sql[pos] != ';') {
      return false;
    }
  }
  skip_space();
  if (pos < sql.size() && sql[pos] == ';') ++pos;
  skip_space();
  return pos == sql.size();
}

asio::awaitable<void> ClientSession::send_topology() {
  TextResultBuilder b(client_caps_, state_.status_flags & ~status::kSessionStateChanged,
                      client_mariadb_caps_ & mariadb_cap::kExtendedTypeInfo);
  for (const char* name :
       {"instance", "slice", "role", "configured_role", "status", "read_only", "lag_seconds",
        "replicating", "gtid_position", "position_source", "last_checked", "last_error"}) {
    b.add_column(ColumnDefinition::text(name, 1024));
  }
  auto snap = topology().snapshot();
  if (snap) {
    for (const auto& s : snap->slices) {
      if (s.ns != namespace_->name) continue;
      for (int i = 0; i < static_cast<int>(s.instances.size()); ++i) {
        const auto& inst = s.instances[i];
        std::optional<std::string> lag;
        if (inst.lag_seconds) lag = fmt::format("{}", *inst.lag_seconds);
        std::optional<std::string> checked;
        if (inst.checked_at.time_since_epoch().count() != 0) {
          auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        inst.checked_at.time_since_epoch())
                        .count();
          checked = fmt::format("{}.{:03}", ms / 1000, ms % 1000);
        }
        const char* source = inst.position_source == topology::PositionSource::kBinlog ? "binlog"
                             : inst.position_source == topology::PositionSource::kPoll ? "poll"
                                                                                       : "none";
        std::vector<std::optional<std::string>> row{
            inst.key(),
            s.name,
            std::string(role_text(s, i)),
            std::string(topology::to_string(inst.configured_role)),
            std::string(topology::to_string(inst.health)),
            inst.read_only ? "1" : "0",
            lag,
            inst.replicating ? "1" : "0",
            inst.gtid_position,
            std::string(source),
            checked,
            inst.last_error};
        b.add_row(row);
      }
    }
  }
  co_await reply_.send_result(b);
}

}  // namespace tessera::frontend
