// The claim checker: every number a paper states in its abstract, method, setup, results,
// discussion and conclusion is matched against the numbers the idea's runs actually produced
// (means, standard errors, the settings they ran with, and simple comparisons with the
// baseline), allowing for rounding to the printed digits and for percentages (0.873 printed as
// 87.3\%). With labelled known values (KnownValue), a number must also be attributed to the
// result it states: the run, condition, metric and statistic its sentence (or table row and
// column headers) names; numbers of the task description and of the commands count only in
// sentences about the setup. Years, references to sections, figures, tables and equations,
// small counts, and numbers inside LaTeX commands (\includegraphics options, widths, \cite
// keys, labels) are not claims and are skipped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace shoal::paper {

// What surrounds a stated number: the text that may name its result.
struct ClaimContext {
  std::string primary;    // its sentence; for a table cell, the row's first cell and the column's headers
  std::string secondary;  // a table's caption ("" for prose): consulted for what the primary text does not name
  bool setup = false;     // a Method/Setup section, or a sentence with setup words ("we train", "batch", ...)
  enum class Stat { any, center, spread } stat = Stat::any;  // before or after \pm, or after "standard error"
};

// One number stated in the paper.
struct Claim {
  std::string text;      // as printed, e.g. "87.3\%" or "3 \times 10^{-4}"
  double value = 0;      // its value (the printed number, not divided by 100)
  int decimals = 0;      // digits after the point as printed (negative: trailing zeros rounded away)
  bool percent = false;  // followed by \% or "percent"
  std::string section;   // abstract, or the section's title
  std::string context;   // the text around it, on one line
  ClaimContext where;    // what may attribute it (filled by extract_claims)
  // For an unmatched claim: why ("no_match": no known value rounds to it; "wrong_result": only
  // values of results its sentence does not name; "setup_number": only a number of the task
  // description or a command, outside a setup sentence), what its sentence names and where the
  // number actually comes from.
  std::string problem, names, source;
};

// A number the paper may state, and what it is. Empty labels are unknown and never conflict.
struct KnownValue {
  enum class Origin { result, comparison, setting, metric_name, task };
  double value = 0;
  Origin origin = Origin::result;
  std::string run;        // node label: "baseline", "weight_decay = 0.3" (comparisons: the run compared with the baseline)
  std::string condition;  // the results' top-level key ("x_plus_y"); "" for a mean over conditions
  std::string metric;     // "val_acc"; for a setting, the flag ("weight_decay")
  std::string statistic;  // "mean", "stderr", "std", "value", "min", "max", "last", "difference", "ratio", "change"
  std::string describe() const;  // "val_acc mean of weight_decay = 0.3 on x_plus_y"
};

// One run's results as the claim check sees them.
struct RunNumbers {
  std::string label;         // node label ("weight_decay = 0.3"); "baseline" for the baseline
  std::string metrics_json;  // its final_info.json
  std::string command;       // its command line ("" when unknown)
};

struct ResultSet {
  std::vector<RunNumbers> runs;           // the done runs (the baseline apart)
  std::optional<RunNumbers> baseline;
  std::vector<std::string> metric_names;  // their numbers ("99" of step_to_99_val) count where the metric is named
  std::vector<std::string> setup_texts;   // the task description: its numbers count in setup sentences only
};

struct ClaimReport {
  std::vector<Claim> checked;    // every number looked at
  std::vector<Claim> unmatched;  // those that match no known number
};

struct ClaimOptions {
  // Sections checked besides the abstract: those whose title contains one of these (any case).
  std::vector<std::string> sections = {"result", "conclusion", "discussion", "method", "setup", "experiment"};
  // Of those, sections about the setup (unless the title also says "result").
  std::vector<std::string> setup_sections = {"method", "setup", "implementation", "training", "hyperparameter"};
  // Bare integers up to this (counts: "3 seeds", "two of 5 runs") are not claims.
  int small_integer = 10;
};

// True when `claim` could be `known` printed with the claim's digits (or as a percentage).
bool claim_matches(const Claim& claim, double known);

// The numbers of the checked sections of `tex` (abstract environment, \section{Results}...).
std::vector<Claim> extract_claims(std::string_view tex, const ClaimOptions& options = {});

// Checks every extracted number against `known`, unlabelled: any value that rounds to it passes.
ClaimReport check_claims(std::string_view tex, const std::vector<double>& known, const ClaimOptions& options = {});

// Checks every extracted number against labelled values: it must round to a value whose
// labels agree with what its sentence (or table headers) names.
ClaimReport check_claims(std::string_view tex, const std::vector<KnownValue>& known, const ClaimOptions& options = {});

// The labelled values of `results`: each run's (and the baseline's) numbers as their digests
// show them with each metric's mean over conditions, the comparisons of each run with the
// baseline, the numbers of the commands (labelled with their flag), of the metric names and
// of the setup texts.
std::vector<KnownValue> known_values(const ResultSet& results);

// The numbers a paper may state, from stored results: every number in each `metrics_json`
// (final_info.json-shaped or any JSON; each array only as its digest shows it: smallest,
// largest and last value) and in `baseline_json`, each metric's mean over the
// conditions, plus, for each value that a run and the baseline both report at the same place,
// their difference, ratio and relative change (in percent); and every number in `extra_texts`
// (the command lines the runs used, metric names).
std::vector<double> known_numbers(const std::vector<std::string>& metrics_jsons, const std::string& baseline_json,
                                  const std::vector<std::string>& extra_texts = {});

// The unmatched claims as stored in papers.unverified_json:
// [{"text", "value", "percent", "section", "context", "problem", "names", "source"}].
nlohmann::json unmatched_json(const ClaimReport& report);

}  // namespace shoal::paper
