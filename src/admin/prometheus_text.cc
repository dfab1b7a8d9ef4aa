#include "admin/prometheus_text.h"

#include <fmt/format.h>

#include <cmath>

namespace tessera::admin {

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::string PrometheusText::escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusText::format_double(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  return fmt::format("{}", v);
}

void PrometheusText::head(std::string_view name, std::initializer_list<Label> labels) {
  out_ += name;
  if (labels.size() > 0) {
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += k;
      out_ += "=\"";
      out_ += escape_label_value(v);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
}

void PrometheusText::sample(std::string_view name, std::initializer_list<Label> labels,
                            double value) {
  head(name, labels);
  out_ += format_double(value);
  out_ += '\n';
}

void PrometheusText::sample(std::string_view name, std::initializer_list<Label> labels,
                            uint64_t value) {
  head(name, labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

void PrometheusText::sample(std::string_view name, std::initializer_list<Label> labels,
                            int64_t value) {
  head(name, labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

}  // namespace tessera::admin
