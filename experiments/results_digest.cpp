#include "experiments/results_digest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "core/text.hpp"

namespace shoal::experiments {
using nlohmann::ordered_json;

namespace {

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// What an array holds: its shape (the first element's, level by level), and its numbers' range
// and last value. `numbers` is 0 for an array with no number in it.
struct ArrayStats {
  std::vector<size_t> shape;
  size_t numbers = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double last = 0;
};

template <class Json>
void scan_array(const Json& v, ArrayStats& s) {
  if (v.is_number()) {
    double d = v.template get<double>();
    s.min = std::min(s.min, d);
    s.max = std::max(s.max, d);
    s.last = d;
    ++s.numbers;
  } else if (v.is_array()) {
    for (const auto& item : v) scan_array(item, s);
  }
}

template <class Json>
ArrayStats array_stats(const Json& v) {
  ArrayStats s;
  for (const Json* level = &v; level->is_array(); level = &(*level)[0]) {
    s.shape.push_back(level->size());
    if (level->empty()) break;
  }
  scan_array(v, s);
  return s;
}

template <class Json>
std::string array_text(const Json& v) {
  auto s = array_stats(v);
  std::vector<std::string> dims;
  for (size_t d : s.shape) dims.push_back(std::to_string(d));
  std::string out = "array " + join(dims, "x");
  if (s.numbers == 0) return out + " (no numbers)";
  // A short flat array reads best whole.
  if (s.shape.size() == 1 && v.size() <= 4 && s.numbers == v.size()) {
    std::vector<std::string> items;
    for (const auto& x : v) items.push_back(number_text(x.template get<double>()));
    return "[" + join(items, ", ") + "]";
  }
  return out + ", min " + number_text(s.min) + ", max " + number_text(s.max) + ", last " + number_text(s.last);
}

template <class Json>
std::string value_text(const Json& v) {
  if (v.is_number()) return number_text(v.template get<double>());
  if (v.is_array()) return array_text(v);
  if (v.is_string()) return clip(v.template get<std::string>(), 80);
  if (v.is_boolean()) return v.template get<bool>() ? "true" : "false";
  if (v.is_null()) return "null";
  return "object";
}

// The lines of an object that is not a condition's means: "key: value", nested keys joined by
// dots, arrays summarised.
void object_lines(const ordered_json& v, const std::string& prefix, std::vector<std::string>& out) {
  for (auto it = v.begin(); it != v.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it.value().is_object()) object_lines(it.value(), key, out);
    else out.push_back(key + ": " + value_text(it.value()));
  }
}

std::string condition_block(const std::string& name, const ordered_json& result, const std::optional<MetricBound>& bound) {
  std::string out = name + ":\n";
  if (!result.is_object()) return out + "  " + value_text(result) + "\n";
  const ordered_json* stderrs = result.contains("stderrs") && result["stderrs"].is_object() ? &result["stderrs"] : nullptr;
  if (result.contains("means") && result["means"].is_object()) {
    std::vector<std::string> items;
    for (auto it = result["means"].begin(); it != result["means"].end(); ++it) {
      if (bound && it.key() == bound->metric && it.value().is_number() && !bound->reached(it.value().get<double>())) {
        items.push_back(it.key() + " = not reached within " + number_text(bound->value));
        continue;
      }
      std::string item = it.key() + " = " + value_text(it.value());
      if (stderrs && stderrs->contains(it.key()) && (*stderrs)[it.key()].is_number())
        item += " ± " + number_text((*stderrs)[it.key()].get<double>());
      items.push_back(item);
    }
    out += "  means: " + (items.empty() ? std::string("(none)") : join(items, "; ")) + "\n";
  }
  std::vector<std::string> lines;
  for (auto it = result.begin(); it != result.end(); ++it) {
    if (it.key() == "means" || (it.key() == "stderrs" && stderrs)) continue;
    if (it.value().is_object()) object_lines(it.value(), it.key(), lines);
    else lines.push_back(it.key() + ": " + value_text(it.value()));
  }
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

void collect(const nlohmann::json& v, const std::string& path, std::map<std::string, double>& out) {
  if (v.is_number()) {
    out[path] = v.get<double>();
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) collect(it.value(), path + "/" + it.key(), out);
  } else if (v.is_array()) {
    auto s = array_stats(v);
    if (s.numbers == 0) return;
    if (s.shape.size() == 1 && v.size() <= 4 && s.numbers == v.size()) {
      for (size_t i = 0; i < v.size(); ++i) out[path + "/" + std::to_string(i)] = v[i].get<double>();
      return;
    }
    out[path + "[min]"] = s.min;
    out[path + "[max]"] = s.max;
    out[path + "[last]"] = s.last;
  }
}

}  // namespace

std::map<std::string, double> digest_numbers(const nlohmann::json& value) {
  std::map<std::string, double> out;
  collect(value, "", out);
  return out;
}

bool MetricBound::reached(double v) const {
  return std::fabs(v - value) > 1e-9 * std::max(1.0, std::fabs(value));
}

std::string results_digest(std::string_view json_text, size_t budget, const std::optional<MetricBound>& bound) {
  auto parsed = ordered_json::parse(json_text, nullptr, false);
  if (parsed.is_discarded()) return clip(json_text, budget);
  if (!parsed.is_object()) return clip(value_text(parsed), budget);
  std::string out;
  size_t shown = 0;
  for (auto it = parsed.begin(); it != parsed.end(); ++it) {
    std::string block = condition_block(it.key(), it.value(), bound);
    if (out.size() + block.size() > budget) {
      if (shown == 0) out = clip(block, budget) + "\n", shown = 1;
      break;
    }
    out += block;
    ++shown;
  }
  if (shown < parsed.size())
    out += "(" + std::to_string(parsed.size() - shown) + " more condition(s) not shown for length)\n";
  return out;
}

}  // namespace shoal::experiments
