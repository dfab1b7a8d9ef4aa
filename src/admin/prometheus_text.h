// Writer for the Prometheus text exposition format (version 0.0.4): one HELP and TYPE line
// per metric family, then samples with escaped label values.
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace tessera::admin {

using Label = std::pair<std::string_view, std::string_view>;

class PrometheusText {
 public:
  // Starts a family; `type` is counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);
  void sample(std::string_view name, std::initializer_list<Label> labels, uint64_t value);
  void sample(std::string_view name, std::initializer_list<Label> labels, int64_t value);

  const std::string& text() const { return out_; }

  static std::string escape_label_value(std::string_view v);
  static std::string format_double(double v);

 private:
  void head(std::string_view name, std::initializer_list<Label> labels);
  std::string out_;
};

}  // namespace tessera::admin
