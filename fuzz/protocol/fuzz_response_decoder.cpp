// A backend's response as a sequence of packets through protocol::ResponseDecoder, the way its
// callers drive it (implied events when due, a packet again when not consumed). Input: byte 0
// chooses the command answered, byte 1 the capabilities (CLIENT_DEPRECATE_EOF, extended type
// info) and whether packets are fed as frames, then packets as [u16 length][bytes] (the last
// one cut at the end of the input). Checks, beyond the sanitizers: the decoder never takes more
// than one implied event per packet, a result announces exactly the columns it has, a failure
// carries a message and lasts, nothing follows the end.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/constants.h"
#include "protocol/response_decoder.h"

using namespace tessera::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static constexpr Command kCommands[] = {
      Command::kQuery,     Command::kStmtExecute, Command::kStmtFetch, Command::kStmtPrepare,
      Command::kFieldList, Command::kStatistics,  Command::kInitDb};
  const Command command = kCommands[data[0] % 7];
  const uint32_t caps =
      cap::kProtocol41 | cap::kSessionTrack | ((data[1] & 1) ? cap::kDeprecateEof : 0);
  const bool extended = data[1] & 2;
  const bool frames = data[1] & 4;
  ResponseDecoder d(command, caps, extended);
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

  uint64_t columns_expected = 0, columns_seen = 0;
  bool in_columns = false;
  auto check = [&](ResponseEvent e) {
    if (e == ResponseEvent::kMalformed && (!d.failed() || d.error().empty())) __builtin_trap();
    if (e == ResponseEvent::kErr && !d.done()) __builtin_trap();
    if (e == ResponseEvent::kResultStart) {
      if (d.column_count() == 0) __builtin_trap();
      columns_expected = d.column_count();
      columns_seen = 0;
      in_columns = true;
    }
    if (e == ResponseEvent::kColumn && in_columns && ++columns_seen > columns_expected)
      __builtin_trap();
    if (e == ResponseEvent::kColumnsEnd && in_columns) {
      if (columns_seen != columns_expected) __builtin_trap();
      in_columns = false;
    }
  };
  while (!in.empty() && !d.done()) {
    size_t n = in.size() >= 2 ? static_cast<uint8_t>(in[0]) | static_cast<uint8_t>(in[1]) << 8 : 0;
    in.remove_prefix(in.size() >= 2 ? 2 : in.size());
    n = n < in.size() ? n : in.size();
    std::string_view packet = in.substr(0, n);
    in.remove_prefix(n);
    int tries = 0;
    for (;;) {
      while (d.event_due()) check(d.next_implied());
      ResponseEvent e = frames ? d.next_frame(packet) : d.next_packet(packet);
      check(e);
      if (d.failed()) {
        if (d.next_packet(packet) != ResponseEvent::kMalformed) __builtin_trap();
        return 0;
      }
      if (d.consumed()) break;
      if (e != ResponseEvent::kColumnsEnd || !d.implied() || ++tries > 1) __builtin_trap();
    }
  }
  if (d.done() && d.next_packet(std::string_view("\x00\x00\x00\x02\x00\x00\x00", 7)) !=
                      ResponseEvent::kMalformed)
    __builtin_trap();
  return 0;
}
