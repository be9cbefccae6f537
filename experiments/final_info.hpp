// final_info.json: what a template's experiment.py writes into run_N/, shaped
//   {condition: {"means": {metric: number, ...}, "stderrs": {metric: number, ...}}, ...}
// ("stderrs" is optional; AI-Scientist templates may leave it out).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace shoal::experiments {

struct ConditionResult {
  std::map<std::string, double> means;
  std::map<std::string, double> stderrs;
};

using FinalInfo = std::map<std::string, ConditionResult>;

// Parses and checks the shape; an error names the first problem with its JSON path
// (e.g. "final_info.json: x_plus_y.means.val_acc must be a number, got string").
Expected<FinalInfo> parse_final_info(std::string_view json_text);

// The headline value of `metric`: the mean in `condition`, or averaged over every
// condition that reports it when condition is empty. not_found when nothing reports it.
Expected<double> headline_metric(const FinalInfo& info, const std::string& metric,
                                 const std::optional<std::string>& condition);

// The 1-based line and column of byte `offset` in `text` ("line 3, column 14").
std::string line_and_column(std::string_view text, size_t offset);

}  // namespace shoal::experiments

namespace shoal::experiments {

// The metric a template without one in template.json is judged by: the first numeric metric
// of the first condition, in the order final_info.json lists them. not_found when it reports
// none.
Expected<std::string> first_metric(std::string_view final_info_json);

// A `metric` setting: "NAME", "NAME:max" or "NAME:min". `higher_is_better` is empty when no
// direction is given. invalid_input names the problem.
struct MetricChoice {
  std::string name;
  std::optional<bool> higher_is_better;
};
Expected<MetricChoice> parse_metric_setting(std::string_view text);

// A direction guessed from a metric's name alone (loss, error, time, peak, ... are lower is
// better; the rest higher): used offline, where no model can read the task.
bool guess_higher_is_better(std::string_view metric);

}  // namespace shoal::experiments

namespace shoal::experiments {

// The seed mean of one version's runs (their final_info.json texts, one per seed): for each
// condition and each metric of its "means", the mean over the runs that report it, with
// "stderrs" the standard error across those runs (sample standard deviation / sqrt(n); 0
// for one run), and "seeds" the number of runs averaged. Conditions and metrics keep the
// first run's order. Texts that do not parse are left out; invalid_input when none parses.
Expected<std::string> aggregate_seeds(const std::vector<std::string>& final_infos);

}  // namespace shoal::experiments

namespace shoal::experiments {

// Why a run's final_info.json cannot be compared with the baseline's: the conditions, or the
// metrics of a condition's "means", that the baseline reports and the run does not, and the
// conditions only the run reports (a run that drops a hard condition would otherwise
// "improve" a mean over conditions). "" when it is comparable or either text does not parse.
std::string incomparable_reason(std::string_view baseline_json, std::string_view run_json);

}  // namespace shoal::experiments
