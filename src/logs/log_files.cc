#include "logs/log_files.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <vector>

#include "logs/rotating_file_sink.h"

namespace tessera::logs {

namespace {

std::vector<std::shared_ptr<RotatingFileSink>> g_sinks;  // written once, before threads start
std::shared_ptr<spdlog::logger> g_general;
std::shared_ptr<spdlog::logger> g_slow;

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
  using config::LogLevel;
  switch (level) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::shared_ptr<RotatingFileSink> file_sink(const config::ProxyConfig& proxy,
                                            const std::filesystem::path& path) {
  auto sink = std::make_shared<RotatingFileSink>(
      path, static_cast<size_t>(proxy.log_max_size_mb) * 1024 * 1024, proxy.log_max_files);
  g_sinks.push_back(sink);
  return sink;
}

// Statement logs: one line per statement, the time and the text only.
std::shared_ptr<spdlog::logger> statement_logger(const char* name, const config::ProxyConfig& proxy,
                                                 const std::filesystem::path& path) {
  if (path.empty()) return nullptr;
  auto logger = std::make_shared<spdlog::logger>(name, file_sink(proxy, path));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%f %v");
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return logger;
}

}  // namespace

void open_log_files(const config::ProxyConfig& proxy) {
  std::shared_ptr<spdlog::logger> error_log;
  if (proxy.log_file.empty()) {
    error_log = spdlog::stderr_color_mt("tessera");
  } else {
    error_log = std::make_shared<spdlog::logger>("tessera", file_sink(proxy, proxy.log_file));
    spdlog::register_logger(error_log);
  }
  error_log->set_level(to_spdlog(proxy.log_level));
  error_log->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(error_log);
  spdlog::flush_every(std::chrono::seconds(1));
  g_general = statement_logger("general", proxy, proxy.general_log_file);
  g_slow = statement_logger("slow", proxy, proxy.slow_log_file);
}

void reopen_log_files() {
  for (auto& sink : g_sinks) sink->reopen();
}

spdlog::logger* general_log() {
  return g_general.get();
}

spdlog::logger* slow_log() {
  return g_slow.get();
}

}  // namespace tessera::logs
