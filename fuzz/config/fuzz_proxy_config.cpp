// The proxy's TOML file: any text either loads or throws ConfigError, nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config_error.h"
#include "config/proxy_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto cfg = tessera::config::parse_proxy_config(text, "fuzz.toml", "/nonexistent-fuzz-dir");
    (void)cfg.effective_worker_threads();
  } catch (const tessera::config::ConfigError&) {
  }
  return 0;
}
