// What the two experiment searches (linear and tree) share: the model's coding reply (edit
// blocks, a plan, the flags to run with, notes, or ALL_DONE), the code shown to it, and
// applying the edits all-or-nothing to a work folder.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "llm/types.hpp"
#include "agent/stage_context.hpp"
#include "agent/stage_llm.hpp"
#include "store/ideas.hpp"
#include "store/nodes.hpp"
#include "tools/edit_blocks.hpp"

namespace shoal::agent {

struct CoderReply {
  bool all_done = false;                 // the model wrote ALL_DONE and no edit
  std::string plan;                      // what this version is meant to do
  std::vector<std::string> args;         // extra experiment.py flags
  std::string notes;                     // what the model made of the previous results
  std::vector<tools::EditBlock> blocks;  // the edits, in order
  std::string problem;                   // why the reply cannot be used, for the model; "" = usable
};

// Reads a coding reply: SEARCH/REPLACE blocks (tools::parse_edit_blocks) and a JSON object
// {"plan": string, "args": [strings or numbers], "notes": string} (args and notes optional;
// --out_dir is refused). "ALL_DONE" with no edit block ends the search.
CoderReply parse_coder_reply(const std::string& text);

// The editable files of the work folder as the model sees them: a "### NAME" heading and the
// content in a fence, per file that exists.
Expected<std::string> code_listing(const experiments::Template& tpl, const std::filesystem::path& workdir);

// Applies the reply's edit blocks to the template's editable files in `workdir`. When any
// block does not apply, the folder is put back as it was and the failures come back as one
// message for the model; "" when every block applied (or there was none).
Expected<std::string> apply_reply(StageContext& ctx, const std::filesystem::path& workdir, const CoderReply& reply);

// The baseline as the model sees it (its final_info.json), or a line saying there is none.
std::string baseline_text(const std::optional<store::Node>& baseline, bool higher_is_better);

// The request every coding call starts from: the coder's system prompt for this template
// (its system prompt, the metric and its direction, the editable files, the reply format).
llm::Request coder_request(const StageContext& ctx, const TemplatePrompt& tp);

// The messages of one coding call: the context that stays the same for every call of the
// idea (the task, the idea, the baseline) and an acknowledgement first, marked as the
// request's stable prefix so the providers' prompt caches serve it, then `step` (what
// changes: the versions so far, this step, the code).
void set_coder_messages(llm::Request& request, const TemplatePrompt& tp, const store::Idea& idea,
                        const std::string& baseline, const std::string& step);

// Stores `text` as a new version of the idea's notes (artifact kind "notes", notes.md) unless
// a stored version says exactly that already, so a replayed search adds none.
Status save_notes(StageContext& ctx, const std::string& idea_id, const std::string& text);

// The baseline's headline metric: the stored one, else read from its final_info.json
// (baselines stored without the metric column); nullopt when there is none.
std::optional<double> baseline_metric(const experiments::Template& tpl, const std::optional<store::Node>& baseline);


}  // namespace shoal::agent
