// `shoal reproduce`: re-runs the version of the code a paper reports (agent/paper_version.hpp)
// in the sandbox, once per stored run of it (the chosen node with its own seed, then each seed
// re-run with SHOAL_SEED = its seed), and compares every metric of final_info.json's "means"
// with the stored value: equal within the stored standard error ("stderrs") when there is
// one, else to 1e-9 relative. The outcome ("reproduced" or "differs", with every stored and
// measured value) is recorded on the paper (store/reproductions.hpp).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "experiments/executor.hpp"
#include "store/reproductions.hpp"

namespace shoal::agent {

struct MetricCheck {
  std::string condition, metric;
  double stored = 0;
  std::optional<double> measured;  // none: the re-run did not report it
  std::optional<double> stderr_;   // the stored standard error, when one was reported
  double tolerance = 0;            // the largest difference that still matches
  bool match = false;
};

struct RunCheck {
  std::string node_id, kind, command;
  std::optional<int> seed;
  std::string problem;             // why the re-run gave nothing to compare ("" when it did)
  double duration_s = 0;
  std::vector<MetricCheck> metrics;
  bool match() const;
};

struct ReproduceOptions {
  std::filesystem::path work_dir;       // re-runs happen in folders under it (removed afterwards)
  std::filesystem::path template_dir;   // "" = the folder the run recorded
};

struct ReproduceResult {
  std::string paper_id, chosen_node_id;
  std::vector<RunCheck> runs;
  std::vector<std::string> notes;       // failed seed runs left out, ...
  store::Reproduction record;           // as stored
  bool reproduced() const { return record.outcome == "reproduced"; }
};

// Whether `measured` matches `stored` given the stored standard error.
bool metric_matches(double stored, double measured, std::optional<double> stderr_, double* tolerance = nullptr);

// Compares the "means" of a re-run's final_info.json with the stored one's (missing or
// unparsable text on the re-run's side: every stored metric is unmatched).
std::vector<MetricCheck> compare_final_info(const std::string& stored_json, const std::string& measured_json);

// Re-runs paper `paper_id`'s chosen version and records the outcome. Errors are for what could
// not be re-run at all (unknown paper, template gone or changed, sandbox refused); a re-run
// that fails or gives other numbers is a "differs" outcome.
Expected<ReproduceResult> reproduce_paper(store::Store& store, experiments::Executor& executor, const std::string& paper_id,
                                          const ReproduceOptions& options);

}  // namespace shoal::agent
