// Hot reload as a session sees it: a reload publishes a new ConfigSnapshot; each session keeps
// the generation it has while a transaction, pin, cursor or backend connection ties it there,
// and moves to the new one at its next statement once nothing does. Connections are never
// dropped by a reload.
#include <spdlog/spdlog.h>

#include "frontend/client_session.h"
#include "frontend/worker.h"

namespace tessera::frontend {

void ClientSession::refresh_config() {
  if (!snapshot_ || !user_) return;
  if (worker_.context().generation() == snapshot_->generation) return;  // the common case
  if (conn_ || pinned_ != session::PinReason::kNone || cursor_statement_ != 0) return;
  if (xa_open()) return;  // a distributed transaction (BEGIN seen, maybe no slice joined yet)
  for (const auto& [name, lease] : slice_conns_) {
    if (lease) return;
  }
  auto latest = worker_.context().snapshot();
  config::UserRef account = latest->config->lookup_user(user_->user_name);
  if (backend_account_ && user_ == backend_account_.get()) {
    // A server account: it stays one while the name is in no users[] and a namespace of the
    // same name still takes server accounts.
    const config::Namespace* ns = latest->config->backend_accounts_namespace();
    if (account || !ns || ns->name != namespace_->name) return;
    account = config::UserRef{backend_account_.get(), ns};
  }
  if (!account || account.ns->name != namespace_->name) {
    // The account was removed or moved: this connection keeps what it authenticated with
    // (as a MySQL server keeps sessions of a dropped user); new connections see the change.
    if (snapshot_->generation + 1 == latest->generation) {
      spdlog::info(
          "client {}: user '{}' is no longer in namespace '{}'; the connection keeps "
          "configuration generation {}",
          peer_text(), user_->user_name, namespace_->name, snapshot_->generation);
    }
    return;
  }
  if (!account.ns->find_slice(account.ns->default_slice)) return;  // validation forbids it
  snapshot_ = std::move(latest);
  config_ = snapshot_->config;
  slice_conns_.clear();  // no connection held: only pool pointers of the old generation
  bind_account(account);
}

}  // namespace tessera::frontend
