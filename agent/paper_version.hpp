// The version of the code a paper reports: its idea's best experiment node, as the write-up
// chose it (gather_evidence, by the run's headline metric), and the runs of that version that
// stand behind the paper's numbers (the node itself and its seed re-runs). `shoal export`
// packs them and `shoal reproduce` re-runs them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/evidence.hpp"
#include "experiments/template.hpp"
#include "store/papers.hpp"

namespace shoal::agent {

struct PaperVersion {
  store::Paper paper;
  IdeaEvidence evidence;               // the idea, its run, its nodes (best first), baseline, plots
  std::vector<store::Node> all_nodes;  // every node of the idea (seed runs and seed means too), oldest first
  store::Node chosen;                  // the version: the best done node (a seed re-run stands for its parent)
  std::vector<store::Node> runs;       // the chosen node, then its done seed re-runs by seed
  std::vector<store::Node> failed_seeds;  // seed re-runs of the chosen node that failed (nothing to compare)
  std::optional<bool> higher_is_better;   // the run's metric direction, when it was settled
};

// The chosen version of paper `paper_id`. not_found for an unknown paper; invalid_input when
// its idea has no finished experiment with a code snapshot (nothing to export or re-run).
Expected<PaperVersion> paper_version(store::Store& store, const std::string& paper_id);

// The template folder a run recorded (its options' template_dir), loaded, with the run's
// headline metric applied. `given` ("" = the recorded one) replaces it. not_found when the folder
// is gone, invalid_input when its files changed since the run (another content hash): a
// re-run would not run what the run ran.
Expected<experiments::Template> run_template(store::Store& store, const store::Run& run, const std::filesystem::path& given);

}  // namespace shoal::agent
