// Ideas of a run: what the agent proposed, its scores, the novelty verdict, its rank, and
// where it stands (status and stage). The orchestrator updates them as stages finish.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace shoal::store {

struct Idea {
  std::string id;
  std::string run_id;
  std::string name;   // short identifier, unique within the run
  std::string title;
  std::string idea_json = "{}";  // the whole idea as generated (hypothesis, plan, ...)
  std::optional<double> interestingness, feasibility, novelty;
  std::optional<bool> novel;     // unset until the novelty check decides
  std::string novelty_json;      // reasons and the papers compared against
  std::optional<int> rank;       // 1 = best; unset until ranked
  // pending, running, done, failed, cancelled, skipped (not novel or not in the top N), parked
  std::string status = "pending";
  std::string stage;             // the stage it is in or last finished
  std::optional<double> best_metric;
  int64_t created_ms = 0;
};

// Inserts the idea (id and created_ms filled in when empty); invalid_input when the run
// already has an idea of that name.
Expected<Idea> add_idea(Store& store, Idea idea);
// Adds several ideas in one transaction: all of them, or none (the error names the clash).
Expected<std::vector<Idea>> add_ideas(Store& store, std::vector<Idea> ideas);
Expected<Idea> get_idea(Store& store, const std::string& id);
// The run's ideas: ranked ones by rank, then the rest by creation.
Expected<std::vector<Idea>> list_ideas(Store& store, const std::string& run_id);
// Every idea ever generated for a template name (across runs), newest first: the archive
// idea generation avoids repeating.
Expected<std::vector<Idea>> ideas_of_template(Store& store, const std::string& template_name, int limit = 200);

// Field updates, each in its own transaction.
Status set_idea_status(Store& store, const std::string& id, const std::string& status, const std::string& stage);

// Whether an idea with `status` is settled (done, failed, skipped, cancelled): a resume
// leaves it as it is. "parked", "running" and "pending" ideas go on.
bool idea_is_final(const std::string& status);
Status set_idea_novelty(Store& store, const std::string& id, bool novel, const std::string& novelty_json);
// The novelty verdict as people read it: "novel", "not novel", "unchecked (literature
// unreachable)" when the check could reach no literature engine (the idea goes on as if
// novel, but it was never compared with anything), or "not checked" before (or without) a
// check.
std::string novelty_verdict(const Idea& idea);
Status set_idea_rank(Store& store, const std::string& id, std::optional<int> rank);
Status set_idea_best_metric(Store& store, const std::string& id, std::optional<double> metric);

}  // namespace shoal::store
