#include <gtest/gtest.h>

#include "protocol/framing.h"

namespace tessera::protocol {
namespace {

// Splits wire bytes back into (seq, payload) frames.
std::vector<std::pair<uint8_t, size_t>> frames_of(const std::string& wire) {
  std::vector<std::pair<uint8_t, size_t>> out;
  size_t at = 0;
  while (at < wire.size()) {
    FrameHeader h = decode_frame_header(wire.data() + at);
    out.emplace_back(h.seq, h.length);
    at += kFrameHeaderSize + h.length;
  }
  EXPECT_EQ(at, wire.size());
  return out;
}

TEST(Framing, SmallPayloadIsOneFrame) {
  std::string wire;
  uint8_t seq = 3;
  append_frames(wire, "abc", seq);
  EXPECT_EQ(seq, 4);
  auto f = frames_of(wire);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0], std::make_pair(uint8_t{3}, size_t{3}));
}

TEST(Framing, ExactlyMaxPayloadEndsWithEmptyFrame) {
  std::string payload(kMaxFramePayload, 'x');
  std::string wire;
  uint8_t seq = 0;
  append_frames(wire, payload, seq);
  auto f = frames_of(wire);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].second, kMaxFramePayload);
  EXPECT_EQ(f[1].second, 0u);
  EXPECT_EQ(f[1].first, 1);
  EXPECT_EQ(seq, 2);
}

TEST(Framing, TwentyMebibytesSpanTwoFrames) {
  std::string payload(20 * 1024 * 1024, 'y');
  std::string wire;
  uint8_t seq = 0;
  append_frames(wire, payload, seq);
  auto f = frames_of(wire);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].second + f[1].second, payload.size());
}

TEST(Framing, SequenceWrapsAround) {
  std::string wire;
  uint8_t seq = 255;
  append_frames(wire, "a", seq);
  EXPECT_EQ(seq, 0);
}

TEST(Framing, SingleFrameRelayKeepsLengths) {
  std::string payload(kMaxFramePayload, 'z');
  std::string wire;
  uint8_t seq = 7;
  append_single_frame(wire, payload, seq);
  auto f = frames_of(wire);
  ASSERT_EQ(f.size(), 1u);  // no empty terminator: the relay forwards the next frame itself
  EXPECT_EQ(f[0].first, 7);
}

}  // namespace
}  // namespace tessera::protocol
