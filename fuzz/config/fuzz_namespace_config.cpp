// A namespace JSON file (users, slices, shard rules): any text either loads or throws
// ConfigError, nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config_error.h"
#include "config/namespace_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)tessera::config::parse_namespace(text, "fuzz.json");
  } catch (const tessera::config::ConfigError&) {
  }
  return 0;
}
