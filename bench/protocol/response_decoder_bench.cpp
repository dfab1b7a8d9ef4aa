// protocol::ResponseDecoder over a recorded 1000-row result (issue 17): the relay's per-frame
// cost of asking the decoder what each frame is. Not a test: it prints figures. The result is
// built with the protocol's encoders as MariaDB 10.11 sends it under CLIENT_DEPRECATE_EOF (six
// columns: INT, VARCHAR, DATETIME and DECIMAL as text, a NULL, a longer text). Each iteration
// reads the whole response as the relay does (frame headers out of one buffer, events until
// done()); "classify only" is the relay's former per-frame test (header byte, end-of-result
// OK) for comparison. "allocs" counts heap allocations per response (the decoder's end OK).
#include <benchmark/benchmark.h>

#include "alloc_counter.h"

#include <string>
#include <string_view>
#include <vector>

#include "protocol/binary_values.h"
#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "protocol/framing.h"
#include "protocol/response_decoder.h"
#include "protocol/response_packets.h"
#include "protocol/text_result.h"

using namespace tessera::protocol;

namespace {

constexpr uint32_t kCaps = cap::kProtocol41 | cap::kSessionTrack | cap::kDeprecateEof;
constexpr int kRows = 1000;

std::vector<ColumnDefinition> columns() {
  auto id = ColumnDefinition::integer("id");
  id.type = FieldType::kLong;
  auto at = ColumnDefinition::text("created_at");
  at.type = FieldType::kDatetime;
  auto price = ColumnDefinition::text("price");
  price.type = FieldType::kNewDecimal;
  return {id,    ColumnDefinition::text("name"), at,
          price, ColumnDefinition::text("note"), ColumnDefinition::text("description")};
}

std::vector<std::optional<std::string>> cells(int i) {
  return {std::to_string(100000 + i),
          "customer-" + std::to_string(i),
          "2026-12-07 01:02:03",
          std::to_string(i) + ".25",
          std::nullopt,
          std::string(40 + i % 40, static_cast<char>('a' + i % 26))};
}

// The text result as the wire carries it (frames).
const std::string& text_wire() {
  static const std::string wire = [] {
    TextResultBuilder b(kCaps, status::kAutocommit);
    for (auto& c : columns()) b.add_column(c);
    for (int i = 0; i < kRows; ++i) b.add_row(cells(i));
    std::string out;
    uint8_t seq = 1;
    b.finish(out, seq);
    return out;
  }();
  return wire;
}

// The same rows in the binary protocol (a COM_STMT_EXECUTE's result).
const std::string& binary_wire() {
  static const std::string wire = [] {
    std::string out;
    uint8_t seq = 1;
    const auto cols = columns();
    std::string count(1, static_cast<char>(cols.size()));
    append_frames(out, count, seq);
    for (auto& c : cols) append_frames(out, c.encode(), seq);
    for (int i = 0; i < kRows; ++i) {
      TextResultBuilder one(kCaps, 0);
      for (auto& c : cols) one.add_column(c);
      one.add_row(cells(i));
      std::string text;
      uint8_t s = 0;
      one.finish(text, s);
      // The row is the frame after the count and the definitions.
      size_t at = 0;
      for (size_t k = 0; k <= cols.size(); ++k)
        at += kFrameHeaderSize + decode_frame_header(text.data() + at).length;
      auto h = decode_frame_header(text.data() + at);
      std::string row;
      text_row_to_binary(std::string_view(text).substr(at + kFrameHeaderSize, h.length), cols, row);
      append_frames(out, row, seq);
    }
    OkPacket end;
    end.header = kEofHeader;
    end.status_flags = status::kAutocommit;
    append_frames(out, end.encode(kCaps), seq);
    return out;
  }();
  return wire;
}

template <class Each>
void frames(const std::string& wire, Each each) {
  size_t at = 0;
  while (at + kFrameHeaderSize <= wire.size()) {
    auto h = decode_frame_header(wire.data() + at);
    if (!each(std::string_view(wire).substr(at + kFrameHeaderSize, h.length))) return;
    at += kFrameHeaderSize + h.length;
  }
}

void decode_result(benchmark::State& state, const std::string& wire, Command command) {
  uint64_t allocs_before = tessera::bench::allocations();
  size_t events = 0;
  for (auto _ : state) {
    ResponseDecoder d(command, kCaps);
    frames(wire, [&](std::string_view p) {
      for (;;) {
        while (d.event_due()) d.next_implied();
        benchmark::DoNotOptimize(d.next_frame(p));
        ++events;
        if (d.consumed()) break;
      }
      return !d.done();
    });
    if (!d.done()) state.SkipWithError("response not complete");
  }
  state.counters["allocs"] = benchmark::Counter(
      double(tessera::bench::allocations() - allocs_before) / double(state.iterations()));
  state.SetItemsProcessed(int64_t(state.iterations()) * kRows);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(wire.size()));
  benchmark::DoNotOptimize(events);
}

void BM_DecodeTextResult(benchmark::State& state) {
  decode_result(state, text_wire(), Command::kQuery);
}

void BM_DecodeBinaryResult(benchmark::State& state) {
  decode_result(state, binary_wire(), Command::kStmtExecute);
}

// The relay's per-frame test before the decoder: header byte and end-of-result OK only.
void BM_ClassifyOnlyTextResult(benchmark::State& state) {
  const std::string& wire = text_wire();
  for (auto _ : state) {
    size_t n = 0;
    int stage = 0;
    uint64_t remaining = 0;
    frames(wire, [&](std::string_view p) {
      ++n;
      if (stage == 0) {
        remaining = static_cast<uint8_t>(p[0]);
        stage = 1;
      } else if (stage == 1) {
        if (--remaining == 0) stage = 2;
      } else if (is_err_packet(p) || is_result_end_ok(p)) {
        return false;
      }
      return true;
    });
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * kRows);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(wire.size()));
}

}  // namespace

BENCHMARK(BM_ClassifyOnlyTextResult);
BENCHMARK(BM_DecodeTextResult);
BENCHMARK(BM_DecodeBinaryResult);
BENCHMARK_MAIN();
