// A run's results as prompts and the claim check see them: a digest of its final_info.json,
// never the raw file. Scalars are kept (a condition's means with their standard errors side by
// side); every array is summarised by its shape, its smallest, largest and last values, so an
// ODE solution of 100x4 numbers costs one line, and its 400 values never become numbers a
// paper may state.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace shoal::experiments {

// Every number the digest of `value` shows, keyed by its JSON path ("/cond/means/acc"); an
// array contributes "<path>[min]", "<path>[max]" and "<path>[last]" (the last scalar in it).
std::map<std::string, double> digest_numbers(const nlohmann::json& value);

// The digest of a results JSON text, at most about `budget` bytes: one block per condition
// (top-level key) in file order, "metric = mean ± stderr" for the means, a line per other
// value, arrays summarised. Conditions past the budget are counted, not shown. A text that is
// not JSON is clipped to the budget as it is.
// A censored metric: the value `metric` takes when its target was never reached (a step
// budget); the digest prints such a value as "not reached within <value>".
struct MetricBound {
  std::string metric;
  double value = 0;
  bool reached(double v) const;  // false when v is at the bound
};
std::string results_digest(std::string_view json_text, size_t budget = 1500,
                           const std::optional<MetricBound>& bound = std::nullopt);

}  // namespace shoal::experiments
