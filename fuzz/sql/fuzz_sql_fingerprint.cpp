// Fingerprint and classifier on arbitrary input: no crash, no sanitizer report, the USE database
// view stays inside the input, and the digest is the XXH3 of the normalised text. Inputs
// starting with 0xFF are expanded into long chains and huge lists first (chain_expander.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "chain_expander.h"
#include "sql/classify.h"
#include "sql/fingerprint.h"

#include <xxhash.h>

using namespace tessera::sql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  static std::string expanded;
  if (tessera::fuzz::expand_chain(data, size, expanded)) sql = expanded;
  static std::string out;
  uint64_t digest = fingerprint_into(sql, out);
  if (digest != XXH3_64bits(out.data(), out.size())) __builtin_trap();
  StatementInfo info = classify(sql);
  if (!info.database.empty()) {
    const char* b = sql.data();
    if (info.database.data() < b || info.database.data() + info.database.size() > b + sql.size()) {
      __builtin_trap();
    }
  }
  return 0;
}
