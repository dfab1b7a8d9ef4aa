// GtidSet::parse on arbitrary text: never crashes; whatever parses prints back to text that
// parses to the same set, contains itself, and survives merge/contains with a fixed set.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/gtid_set.h"

using tessera::protocol::GtidSet;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = GtidSet::parse(text);
  if (!set) return 0;
  std::string printed = set->to_string();
  auto again = GtidSet::parse(printed);
  if (!again || !(*again == *set) || again->to_string() != printed) std::abort();
  if (!set->contains(*set) || !set->contains(GtidSet{})) std::abort();
  static const GtidSet mariadb = *GtidSet::parse("0-1-100,1-2-3");
  static const GtidSet mysql = *GtidSet::parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7");
  for (const GtidSet* other : {&mariadb, &mysql}) {
    GtidSet merged = *set;
    merged.merge(*other);
    // A union contains both sides when they are of one family.
    if (set->family() == other->family() && (!merged.contains(*set) || !merged.contains(*other)))
      std::abort();
  }
  (void)set->to_mysql_binary();
  return 0;
}
