// Tessera's log files: the error log (the default spdlog logger: startup, warnings, failures),
// the general log (every statement of namespaces with open_general_log) and the slow log
// (statements slower than their namespace's slow_sql_time). Configured by the TOML [log] table;
// every file is rotated by size and reopened by reopen_log_files() (SIGUSR1).
#pragma once
#include <spdlog/logger.h>

#include <memory>

#include "config/proxy_config.h"

namespace tessera::logs {

// Sets up all three; call once at startup, before worker threads start.
void open_log_files(const config::ProxyConfig& proxy);

// Reopens every log file under its configured name. Thread-safe.
void reopen_log_files();

// nullptr when that log is not configured. Loggers are thread-safe.
spdlog::logger* general_log();
spdlog::logger* slow_log();

}  // namespace tessera::logs
