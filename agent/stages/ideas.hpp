// The idea stage (AI-Scientist's generate_ideas): the model proposes research ideas for the
// template one at a time, each refined over reflection rounds, seeing the template's seed
// ideas as examples and the ideas already proposed (this run's and earlier runs' of the same
// template, the archive) so it does not repeat them. The offline agent's ideas are one-knob
// sweeps of the template's declared knobs.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "agent/stage_context.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

struct IdeasIn {};

struct IdeasOut {
  std::vector<store::Idea> ideas;  // every idea of the run, oldest first (as stored: ids only)
  bool offline = false;            // the offline agent's one-knob sweeps
};

// With a model: generates `generate` ideas (0 = 2 * `ideas`), each refined over `reflections`
// rounds, `idea_batch` drafted at once. Resumable: ideas the run already has count towards
// the number, and the prompts are rebuilt from the store, so a rerun after a crash asks the
// remaining ideas with the same prompts (answered by the LLM cache) and never stores one
// twice. Offline: one sweep idea per knob of template.json, in manifest order (invalid_input
// when the template declares none).
Expected<IdeasOut> run_ideas(StageContext& ctx, const IdeasIn& in);

// The seed ideas a run starts from: options.seed_ideas when set, else the template's
// seed_ideas.json (a JSON list of idea objects). invalid_input names the file when it is
// not a list of objects.
Expected<nlohmann::json> load_seed_ideas(const StageContext& ctx);

// A model's idea JSON made into an idea of the run: the name made an identifier
// ([a-z0-9_], at most 48 characters), the scores clamped to 1..10, the text fields found
// under AI-Scientist's keys (Name, Title, Hypothesis or Idea, Experiment) or lower-case ones.
store::Idea idea_from_json(const nlohmann::json& json, const std::string& run_id);

// The ideas proposed for this template before this run: the template's own ideas.json
// (AI-Scientist's archive of earlier ideas; missing or unreadable: none) and the ideas of
// Shoal's earlier runs of the template that existed when this run was created (a fixed list,
// so a resumed run builds the same prompts), newest first. Idea generation avoids them and
// learns from what came of them (carried out with its best metric and AI review score,
// failed, not novel; shown for runs that had ended when this run was created); the novelty
// check compares with them.
Expected<std::vector<store::Idea>> earlier_ideas(StageContext& ctx);

// "- name: title" per idea ("(none yet)" for none).
std::string idea_lines(const std::vector<store::Idea>& ideas);

}  // namespace shoal::agent
