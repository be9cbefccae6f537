#include "experiments/final_info.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <nlohmann/json.hpp>

namespace shoal::experiments {

std::string line_and_column(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

namespace {

Error shape_error(const std::string& path, const std::string& problem) {
  return fail(ErrorKind::invalid_input, "final_info.json: " + path + " " + problem +
                                            " (expected {condition: {\"means\": {metric: number}, "
                                            "\"stderrs\": {metric: number}}})");
}

// Reads {metric: number} at `path`; numbers may be JSON numbers or null (not measured).
Expected<std::map<std::string, double>> read_metrics(const nlohmann::json& j, const std::string& path) {
  if (!j.is_object()) return shape_error(path, "must be an object, got " + std::string(j.type_name()));
  std::map<std::string, double> out;
  for (const auto& [metric, value] : j.items()) {
    if (value.is_null()) continue;
    if (!value.is_number())
      return shape_error(path + "." + metric, "must be a number, got " + std::string(value.type_name()));
    double v = value.get<double>();
    if (!std::isfinite(v)) return shape_error(path + "." + metric, "must be finite");
    out[metric] = v;
  }
  return out;
}

}  // namespace

Expected<FinalInfo> parse_final_info(std::string_view json_text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    return fail(ErrorKind::invalid_input,
                "final_info.json is not valid JSON at " + line_and_column(json_text, e.byte > 0 ? e.byte - 1 : 0));
  }
  if (!doc.is_object() || doc.empty()) return shape_error("(top level)", "must be a non-empty object");
  FinalInfo info;
  for (const auto& [condition, body] : doc.items()) {
    if (!body.is_object() || !body.contains("means"))
      return shape_error(condition, "must be an object with \"means\"");
    ConditionResult r;
    SHOAL_TRY(means, read_metrics(body["means"], condition + ".means"));
    r.means = std::move(means);
    if (body.contains("stderrs")) {
      SHOAL_TRY(stderrs, read_metrics(body["stderrs"], condition + ".stderrs"));
      r.stderrs = std::move(stderrs);
    }
    info[condition] = std::move(r);
  }
  return info;
}

Expected<double> headline_metric(const FinalInfo& info, const std::string& metric,
                                 const std::optional<std::string>& condition) {
  if (condition) {
    auto c = info.find(*condition);
    if (c == info.end()) return fail(ErrorKind::not_found, "final_info.json has no condition '" + *condition + "'");
    auto m = c->second.means.find(metric);
    if (m == c->second.means.end())
      return fail(ErrorKind::not_found, "condition '" + *condition + "' reports no metric '" + metric + "'");
    return m->second;
  }
  double sum = 0;
  int n = 0;
  for (const auto& [name, result] : info)
    if (auto m = result.means.find(metric); m != result.means.end()) {
      sum += m->second;
      ++n;
    }
  if (n == 0) return fail(ErrorKind::not_found, "no condition in final_info.json reports metric '" + metric + "'");
  return sum / n;
}

}  // namespace shoal::experiments

namespace shoal::experiments {

Expected<std::string> first_metric(std::string_view final_info_json) {
  auto doc = nlohmann::ordered_json::parse(final_info_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return fail(ErrorKind::invalid_input, "final_info.json is not a JSON object");
  for (const auto& [condition, body] : doc.items()) {
    if (!body.is_object() || !body.contains("means") || !body["means"].is_object()) continue;
    for (const auto& [metric, value] : body["means"].items())
      if (value.is_number()) return metric;
  }
  return fail(ErrorKind::not_found, "final_info.json reports no numeric metric under any condition's \"means\"");
}

Expected<MetricChoice> parse_metric_setting(std::string_view text) {
  MetricChoice out;
  std::string s(text);
  if (auto colon = s.rfind(':'); colon != std::string::npos) {
    std::string dir = s.substr(colon + 1);
    if (dir == "max" || dir == "higher")
      out.higher_is_better = true;
    else if (dir == "min" || dir == "lower")
      out.higher_is_better = false;
    else
      return fail(ErrorKind::invalid_input, "metric '" + s + "': the direction after ':' must be max or min (e.g. " +
                                                s.substr(0, colon) + ":min when lower is better)");
    s = s.substr(0, colon);
  }
  if (s.empty() || s.find_first_of(" \t\n\"") != std::string::npos)
    return fail(ErrorKind::invalid_input, "metric '" + std::string(text) +
                                              "': give the metric's name as final_info.json reports it, like val_loss:min");
  out.name = s;
  return out;
}

bool guess_higher_is_better(std::string_view metric) {
  std::string m;
  for (char c : metric) m += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const char* const lower[] = {"loss", "error", "perplex", "ppl", "time", "seconds", "latency", "peak",
                                      "cost", "mse", "mae", "rmse", "nll", "regret", "steps", "step_to",
                                      "distance", "fid", "infect", "death", "memory", "bpc"};
  for (const char* word : lower)
    if (m.find(word) != std::string::npos) return false;
  return true;
}

}  // namespace shoal::experiments

namespace shoal::experiments {

Expected<std::string> aggregate_seeds(const std::vector<std::string>& final_infos) {
  // condition -> metric -> values, in first-seen order.
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::vector<double>>>>> table;
  int parsed = 0;
  for (const auto& text : final_infos) {
    auto doc = nlohmann::ordered_json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) continue;
    ++parsed;
    for (const auto& [condition, body] : doc.items()) {
      if (!body.is_object() || !body.contains("means") || !body["means"].is_object()) continue;
      auto c = std::find_if(table.begin(), table.end(), [&](const auto& e) { return e.first == condition; });
      if (c == table.end()) c = table.insert(table.end(), {condition, {}});
      for (const auto& [metric, value] : body["means"].items()) {
        if (!value.is_number()) continue;
        auto m = std::find_if(c->second.begin(), c->second.end(), [&](const auto& e) { return e.first == metric; });
        if (m == c->second.end()) m = c->second.insert(c->second.end(), {metric, {}});
        m->second.push_back(value.get<double>());
      }
    }
  }
  if (parsed == 0) return fail(ErrorKind::invalid_input, "no seed run wrote a readable final_info.json");
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [condition, metrics] : table) {
    nlohmann::ordered_json means = nlohmann::ordered_json::object(), stderrs = nlohmann::ordered_json::object();
    size_t seeds = 0;
    for (const auto& [metric, values] : metrics) {
      double n = static_cast<double>(values.size());
      double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
      double ss = 0;
      for (double v : values) ss += (v - mean) * (v - mean);
      means[metric] = mean;
      stderrs[metric] = values.size() > 1 ? std::sqrt(ss / (n - 1)) / std::sqrt(n) : 0.0;
      seeds = std::max(seeds, values.size());
    }
    out[condition] = {{"means", means}, {"stderrs", stderrs}, {"seeds", seeds}};
  }
  return out.dump();
}

}  // namespace shoal::experiments

namespace shoal::experiments {

std::string incomparable_reason(std::string_view baseline_json, std::string_view run_json) {
  auto base = nlohmann::ordered_json::parse(baseline_json, nullptr, false);
  auto run = nlohmann::ordered_json::parse(run_json, nullptr, false);
  if (base.is_discarded() || run.is_discarded() || !base.is_object() || !run.is_object()) return "";
  auto metrics_of = [](const nlohmann::ordered_json& body) {
    std::vector<std::string> out;
    if (body.is_object() && body.contains("means") && body["means"].is_object())
      for (const auto& [k, v] : body["means"].items())
        if (v.is_number()) out.push_back(k);
    return out;
  };
  std::vector<std::string> problems;
  for (const auto& [condition, body] : base.items()) {
    if (!run.contains(condition)) {
      problems.push_back("drops condition " + condition);
      continue;
    }
    auto have = metrics_of(run[condition]);
    for (const auto& m : metrics_of(body))
      if (std::find(have.begin(), have.end(), m) == have.end()) problems.push_back("drops metric " + condition + "." + m);
  }
  for (const auto& [condition, body] : run.items())
    if (!base.contains(condition) && !metrics_of(body).empty()) problems.push_back("adds condition " + condition);
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace shoal::experiments
