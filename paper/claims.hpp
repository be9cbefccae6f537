// The claim checker: every number a paper states in its abstract, results and conclusion is
// matched against the numbers the idea's runs actually produced (means, standard errors, the
// settings they ran with, and simple comparisons with the baseline), allowing for rounding to
// the printed digits and for percentages (0.873 printed as 87.3\%). Years, references to
// sections, figures, tables and equations, and numbers inside LaTeX commands (\includegraphics
// options, widths, \cite keys, labels) are not claims and are skipped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace shoal::paper {

// One number stated in the paper.
struct Claim {
  std::string text;      // as printed, e.g. "87.3\%" or "3 \times 10^{-4}"
  double value = 0;      // its value (the printed number, not divided by 100)
  int decimals = 0;      // digits after the point as printed (negative: trailing zeros rounded away)
  bool percent = false;  // followed by \% or "percent"
  std::string section;   // abstract, or the section's title
  std::string context;   // the text around it, on one line
};

struct ClaimReport {
  std::vector<Claim> checked;    // every number looked at
  std::vector<Claim> unmatched;  // those that match no known number
};

struct ClaimOptions {
  // Sections checked besides the abstract: those whose title contains one of these (any case).
  std::vector<std::string> sections = {"result", "conclusion", "discussion"};
  // Bare integers up to this (counts: "3 seeds", "two of 5 runs") are not claims.
  int small_integer = 10;
};

// True when `claim` could be `known` printed with the claim's digits (or as a percentage).
bool claim_matches(const Claim& claim, double known);

// The numbers of the checked sections of `tex` (abstract environment, \section{Results}...).
std::vector<Claim> extract_claims(std::string_view tex, const ClaimOptions& options = {});

// Checks every extracted number against `known`.
ClaimReport check_claims(std::string_view tex, const std::vector<double>& known, const ClaimOptions& options = {});

// The numbers a paper may state, from stored results: every number in each `metrics_json`
// (final_info.json-shaped or any JSON; each array only as its digest shows it: smallest,
// largest and last value) and in `baseline_json`, each metric's mean over the
// conditions, plus, for each value that a run and the baseline both report at the same place,
// their difference, ratio and relative change (in percent); and every number in `extra_texts`
// (the command lines the runs used, metric names).
std::vector<double> known_numbers(const std::vector<std::string>& metrics_jsons, const std::string& baseline_json,
                                  const std::vector<std::string>& extra_texts = {});

// The unmatched claims as stored in papers.unverified_json:
// [{"text", "value", "percent", "section", "context"}].
nlohmann::json unmatched_json(const ClaimReport& report);

}  // namespace shoal::paper
