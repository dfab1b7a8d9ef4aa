// XA transaction ids. A Tessera gtrid names its owner so that several Tessera instances sharing
// backends only ever finish their own prepared transactions:
//   gtrid  = "tsr:<owner tag>:<boot id>:<sequence>"   (boot id: start-up time, hex ms)
//   bqual  = the slice name (two slices on one server still get distinct branches)
//   formatID = kFormatId
// The owner tag is the proxy instance id when it is short and plain, else a hash of it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::txn {

inline constexpr uint32_t kFormatId = 0x545358;  // "TSX"

struct Xid {
  std::string gtrid;
  std::string bqual;
  uint32_t format_id = kFormatId;

  // The xid as XA statements spell it: X'..',X'..',<formatID> (hex: any bytes are safe).
  std::string sql() const;
  bool operator==(const Xid&) const = default;
};

std::string owner_tag(std::string_view proxy_instance_id);
std::string make_gtrid(std::string_view tag, uint64_t boot_id, uint64_t sequence);
// Is this gtrid one that the instance with `tag` created?
bool owned_by(const Xid& xid, std::string_view tag);
std::string bqual_for_slice(std::string_view slice);

// One row of XA RECOVER: formatID, gtrid_length, bqual_length, data.
std::optional<Xid> parse_recover_row(const std::vector<std::string>& row);

}  // namespace tessera::txn
