// The evidence an idea's paper is written from, gathered from the store: the idea, its
// experiment nodes (the best finished one first), the template's baseline, the plots with
// their captions and bytes, and the notes written during the experiments. Nothing else: the
// write-up sees only what was measured and recorded.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "store/db.hpp"
#include "store/ideas.hpp"
#include "store/nodes.hpp"
#include "store/runs.hpp"

namespace shoal::agent {

struct PlotEvidence {
  std::string node_id;  // the node (or idea) the plot belongs to
  std::string name;     // "loss.png"
  std::string caption;  // "" when none was stored
  std::string png;      // the bytes
};

struct IdeaEvidence {
  store::Idea idea;
  store::Run run;
  std::vector<store::Node> nodes;        // one per version (a seed mean stands for its version and seeds),
                                         // the chosen first, then its failed ones
  std::optional<store::Node> baseline;   // the template version's baseline, when one was stored
  std::vector<PlotEvidence> plots;       // one per name (the newest), in the order they were stored
  std::string notes;                     // the idea's notes.md ("" when none)

  // The done nodes (with metrics) only.
  std::vector<store::Node> done_nodes() const;
  // A command these results were made with (the baseline's, else the first version's with
  // one): what a flag-set metric bound is read from (experiments::metric_bound_of).
  std::string bound_command() const;
};

// Gathers the evidence of `idea_id`. The best node is the done node with the best metric in the
// direction `higher_is_better`; without a direction, the node whose metric equals the idea's
// best_metric comes first and the rest keep their order. not_found when the idea is unknown.
Expected<IdeaEvidence> gather_evidence(store::Store& store, const std::string& idea_id);
Expected<IdeaEvidence> gather_evidence(store::Store& store, const std::string& idea_id, std::optional<bool> higher_is_better);

// The evidence as a reviewer reads it, at most about `budget` bytes: per version (the chosen
// first) whether it is a seed mean over N seeds or a single run, its results digest, and how
// many runs failed or could not be compared with the baseline.
std::string evidence_digest(const IdeaEvidence& ev, size_t budget = 4000);

}  // namespace shoal::agent
