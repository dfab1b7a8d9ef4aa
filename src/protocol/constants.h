// Wire constants of the MySQL client/server protocol (shared by MariaDB).
#pragma once
#include <cstdint>

namespace tessera::protocol {

// Capability flags exchanged in the handshake.
namespace cap {
inline constexpr uint32_t kLongPassword = 1u << 0;
inline constexpr uint32_t kFoundRows = 1u << 1;
inline constexpr uint32_t kLongFlag = 1u << 2;
inline constexpr uint32_t kConnectWithDb = 1u << 3;
inline constexpr uint32_t kNoSchema = 1u << 4;
inline constexpr uint32_t kCompress = 1u << 5;
inline constexpr uint32_t kOdbc = 1u << 6;
inline constexpr uint32_t kLocalFiles = 1u << 7;
inline constexpr uint32_t kIgnoreSpace = 1u << 8;
inline constexpr uint32_t kProtocol41 = 1u << 9;
inline constexpr uint32_t kInteractive = 1u << 10;
inline constexpr uint32_t kSsl = 1u << 11;
inline constexpr uint32_t kIgnoreSigpipe = 1u << 12;
inline constexpr uint32_t kTransactions = 1u << 13;
inline constexpr uint32_t kReserved = 1u << 14;
inline constexpr uint32_t kSecureConnection = 1u << 15;
inline constexpr uint32_t kMultiStatements = 1u << 16;
inline constexpr uint32_t kMultiResults = 1u << 17;
inline constexpr uint32_t kPsMultiResults = 1u << 18;
inline constexpr uint32_t kPluginAuth = 1u << 19;
inline constexpr uint32_t kConnectAttrs = 1u << 20;
inline constexpr uint32_t kPluginAuthLenencClientData = 1u << 21;
inline constexpr uint32_t kCanHandleExpiredPasswords = 1u << 22;
inline constexpr uint32_t kSessionTrack = 1u << 23;
inline constexpr uint32_t kDeprecateEof = 1u << 24;
}  // namespace cap

// MariaDB's extended capabilities (MARIADB_CLIENT_*, bits 32.. of its 64-bit set). A MariaDB
// server that does not set CLIENT_LONG_PASSWORD (its CLIENT_MYSQL) sends them in the last 4
// bytes of the greeting's reserved filler; a client that clears the same bit answers with its
// own in the last 4 bytes of the handshake response's filler.
namespace mariadb_cap {
inline constexpr uint32_t kProgress = 1u << 0;
inline constexpr uint32_t kComMulti = 1u << 1;
inline constexpr uint32_t kStmtBulkOperations = 1u << 2;
// Column definitions carry the extended type info (format "json", type "uuid", ...).
inline constexpr uint32_t kExtendedTypeInfo = 1u << 3;
inline constexpr uint32_t kCacheMetadata = 1u << 4;
}  // namespace mariadb_cap

// True when a greeting or handshake response with these capabilities carries MariaDB's
// extended capabilities.
inline constexpr bool has_mariadb_capabilities(uint32_t capabilities) {
  return !(capabilities & cap::kLongPassword);
}

// Server status flags carried by OK and EOF packets.
namespace status {
inline constexpr uint16_t kInTrans = 0x0001;
inline constexpr uint16_t kAutocommit = 0x0002;
inline constexpr uint16_t kMoreResultsExist = 0x0008;
inline constexpr uint16_t kNoGoodIndexUsed = 0x0010;
inline constexpr uint16_t kNoIndexUsed = 0x0020;
inline constexpr uint16_t kCursorExists = 0x0040;
inline constexpr uint16_t kLastRowSent = 0x0080;
inline constexpr uint16_t kDbDropped = 0x0100;
inline constexpr uint16_t kNoBackslashEscapes = 0x0200;
inline constexpr uint16_t kMetadataChanged = 0x0400;
inline constexpr uint16_t kQueryWasSlow = 0x0800;
inline constexpr uint16_t kPsOutParams = 0x1000;
inline constexpr uint16_t kInTransReadonly = 0x2000;
inline constexpr uint16_t kSessionStateChanged = 0x4000;
}  // namespace status

enum class Command : uint8_t {
  kSleep = 0x00,
  kQuit = 0x01,
  kInitDb = 0x02,
  kQuery = 0x03,
  kFieldList = 0x04,
  kCreateDb = 0x05,
  kDropDb = 0x06,
  kRefresh = 0x07,
  kShutdown = 0x08,
  kStatistics = 0x09,
  kProcessInfo = 0x0a,
  kConnect = 0x0b,
  kProcessKill = 0x0c,
  kDebug = 0x0d,
  kPing = 0x0e,
  kTime = 0x0f,
  kDelayedInsert = 0x10,
  kChangeUser = 0x11,
  kBinlogDump = 0x12,
  kTableDump = 0x13,
  kConnectOut = 0x14,
  kRegisterSlave = 0x15,
  kStmtPrepare = 0x16,
  kStmtExecute = 0x17,
  kStmtSendLongData = 0x18,
  kStmtClose = 0x19,
  kStmtReset = 0x1a,
  kSetOption = 0x1b,
  kStmtFetch = 0x1c,
  kDaemon = 0x1d,
  kBinlogDumpGtid = 0x1e,
  kResetConnection = 0x1f,
};

// Session-state-change types inside an OK packet (CLIENT_SESSION_TRACK).
enum class SessionTrackType : uint8_t {
  kSystemVariables = 0,
  kSchema = 1,
  kStateChange = 2,
  kGtids = 3,
  kTransactionCharacteristics = 4,
  kTransactionState = 5,
};

inline constexpr uint8_t kOkHeader = 0x00;
inline constexpr uint8_t kEofHeader = 0xfe;
inline constexpr uint8_t kErrHeader = 0xff;
inline constexpr uint8_t kLocalInfileHeader = 0xfb;
inline constexpr uint8_t kAuthSwitchHeader = 0xfe;
inline constexpr uint8_t kAuthMoreDataHeader = 0x01;

// A frame carries at most this many payload bytes; a payload of exactly this
// size is continued in the next frame (possibly empty).
inline constexpr uint32_t kMaxFramePayload = 0xffffff;
inline constexpr size_t kFrameHeaderSize = 4;

inline constexpr uint8_t kScrambleLength = 20;

// Collation ids we hand out when nothing else is known.
inline constexpr uint8_t kUtf8mb4GeneralCi = 45;

}  // namespace tessera::protocol
