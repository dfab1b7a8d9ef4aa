#include "config/config_error.h"

#include <utility>

namespace tessera::config {

namespace {

std::string compose(const std::string& file, const std::string& field, const std::string& problem) {
  std::string out = file;
  if (!field.empty()) {
    if (!out.empty()) out += ": ";
    out += field;
  }
  if (!out.empty()) out += ": ";
  out += problem;
  return out;
}

}  // namespace

ConfigError::ConfigError(std::string file, std::string field, std::string problem)
    : std::runtime_error(compose(file, field, problem)),
      file_(std::move(file)),
      field_(std::move(field)),
      problem_(std::move(problem)) {}

}  // namespace tessera::config
