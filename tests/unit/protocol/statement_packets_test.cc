#include <gtest/gtest.h>

#include "protocol/constants.h"
#include "protocol/statement_packets.h"
#include "protocol/wire_writer.h"

namespace tessera::protocol {
namespace {

TEST(StmtPrepareOk, RoundTrip) {
  StmtPrepareOk p{42, 3, 2, 1};
  auto d = StmtPrepareOk::decode(p.encode());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->statement_id, 42u);
  EXPECT_EQ(d->num_columns, 3);
  EXPECT_EQ(d->num_params, 2);
  EXPECT_EQ(d->warnings, 1);
}

TEST(StmtExecute, RewriteIdAndInjectTypes) {
  std::string wire;
  WireWriter w(wire);
  w.u8(static_cast<uint8_t>(Command::kStmtExecute));
  w.u32(7);
  w.u8(0);
  w.u32(1);
  w.u8(0);   // null bitmap for 2 params
  w.u8(0);   // types not re-sent
  w.u32(5);  // two LONG values
  w.u32(6);
  auto v = StmtExecuteView::decode(wire, 2);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->statement_id, 7u);
  EXPECT_FALSE(v->new_params_bound);
  std::string types("\x03\x00\x03\x00", 4);
  std::string rewritten = v->encode(99, types);  // views below point into it
  auto re = StmtExecuteView::decode(rewritten, 2);
  ASSERT_TRUE(re);
  EXPECT_EQ(re->statement_id, 99u);
  EXPECT_TRUE(re->new_params_bound);
  EXPECT_EQ(re->param_types, types);
  EXPECT_EQ(re->values, v->values);
  EXPECT_FALSE(StmtExecuteView::decode(wire.substr(0, 9), 2));
}

}  // namespace
}  // namespace tessera::protocol
