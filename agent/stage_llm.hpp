// What the LLM research stages (ideas, novelty, linear and tree search) share: the template's
// own prompt (prompt.json), a blocking call to the model that keeps the reply's text, and the
// same call expecting a JSON object of a given shape (asked once more when the reply has none).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "llm/structured.hpp"
#include "agent/stage_context.hpp"
#include "core/text.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

// prompt.json of a template: the system prompt and the task description.
struct TemplatePrompt {
  std::string system;
  std::string task;
};

// Reads <template>/prompt.json; invalid_input naming the file when it is missing a key.
Expected<TemplatePrompt> template_prompt(const experiments::Template& tpl);

// The model's first answer to `request`, recorded under `stage` and `idea_id`. Errors come
// back as the client gave them (budget_exceeded and cancelled included); a cancelled run is
// refused before asking.
Expected<std::string> ask_text(StageContext& ctx, const llm::Request& request, const std::string& stage,
                               const std::string& idea_id);

// The object, of the asked shape, and the whole reply it came from (the re-asked one when
// there was one).
using JsonReply = llm::JsonAnswer;

// Asks the stage's model for a JSON object of `shape` through llm::complete_json_answer:
// the provider's structured output where the model has it, else the JSON read from the
// text; an unusable reply is rejected (never served from the cache again) and the model told
// what was wrong once; a second miss is ErrorKind::remote naming both problems.
Expected<JsonReply> ask_json(StageContext& ctx, llm::Request request, const llm::Shape& shape,
                             const std::string& stage, const std::string& idea_id);

// An idea's stored JSON, indented for a prompt.
std::string idea_text(const store::Idea& idea);

}  // namespace shoal::agent
