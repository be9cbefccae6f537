// The idea stage (AI-Scientist's generate_ideas): the model proposes research ideas for the
// template one at a time, each refined over reflection rounds, seeing the template's seed
// ideas as examples and the ideas already proposed (this run's and earlier runs' of the same
// template, the archive) so it does not repeat them.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "agent/run_context.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

// Generates options.generate ideas (0 = 2 * options.ideas) and stores each with add_idea.
// Resumable: ideas the run already has count towards the number and are kept as they are,
// and the prompts are rebuilt from the store, so a rerun after a crash asks the remaining
// ideas with the same prompts (answered by the LLM cache) and never stores one twice.
// Returns every idea of the run, oldest first.
Expected<std::vector<store::Idea>> generate_ideas(RunContext& ctx);

// The seed ideas a run starts from: options.seed_ideas when set, else the template's
// seed_ideas.json (a JSON list of idea objects). invalid_input names the file when it is
// not a list of objects.
Expected<nlohmann::json> load_seed_ideas(const RunContext& ctx);

// A model's idea JSON made into an idea of the run: the name made an identifier
// ([a-z0-9_], at most 48 characters), the scores clamped to 1..10, the text fields found
// under AI-Scientist's keys (Name, Title, Hypothesis or Idea, Experiment) or lower-case ones.
store::Idea idea_from_json(const nlohmann::json& json, const std::string& run_id);

}  // namespace shoal::agent
