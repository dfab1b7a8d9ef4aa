#pragma once

#include <stdexcept>
#include <string>

namespace tessera::config {

// Every configuration problem: the message names the file, the field path and the problem,
// e.g. `namespaces/demo.json: slices[1].master: "127.0.0.1" is not host:port`.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, std::string field, std::string problem);

  const std::string& file() const { return file_; }
  // Dotted field path (`slices[1].master`); empty when the problem concerns the whole file.
  const std::string& field() const { return field_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::string field_;
  std::string problem_;
};

}  // namespace tessera::config
