#include "protocol/server_identity.h"

#include "protocol/constants.h"

namespace tessera::protocol {

const uint32_t kProxyCapabilities =
    cap::kLongPassword | cap::kFoundRows | cap::kLongFlag | cap::kConnectWithDb | cap::kNoSchema |
    cap::kLocalFiles | cap::kIgnoreSpace | cap::kProtocol41 | cap::kInteractive |
    cap::kIgnoreSigpipe | cap::kTransactions | cap::kSecureConnection | cap::kMultiStatements |
    cap::kMultiResults | cap::kPsMultiResults | cap::kPluginAuth | cap::kConnectAttrs |
    cap::kPluginAuthLenencClientData | cap::kCanHandleExpiredPasswords | cap::kSessionTrack |
    cap::kDeprecateEof;

// Bulk operations: COM_STMT_BULK_EXECUTE is passed to the server (frontend/statements.cc).
const uint32_t kProxyMariaDbCapabilities =
    mariadb_cap::kExtendedTypeInfo | mariadb_cap::kStmtBulkOperations;

ServerIdentity make_server_identity(std::string_view configured,
                                    const std::optional<ServerGreeting>& backend) {
  ServerIdentity id;
  id.capabilities = kProxyCapabilities;
  if (backend) {
    // Protocol essentials stay whatever the server says (a proxy speaks 4.1 regardless);
    // the rest only when the server has it too, so the client sees the server's feature set.
    constexpr uint32_t kAlways =
        cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth | cap::kTransactions;
    id.capabilities = (kProxyCapabilities & backend->capabilities) | kAlways;
    if (has_mariadb_capabilities(id.capabilities))
      id.mariadb_capabilities = backend->mariadb_capabilities & kProxyMariaDbCapabilities;
    id.server_version = backend->server_version + "-Tessera";
  } else {
    id.server_version = std::string(kFallbackServerVersion);
  }
  if (!configured.empty()) id.server_version = std::string(configured);
  return id;
}

}  // namespace tessera::protocol
