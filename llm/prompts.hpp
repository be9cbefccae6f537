// The LLM layer's own prompt texts (llm/prompts/*.md, compiled in): the re-ask after an
// unusable JSON reply and the request to go on with a reply cut at the token limit.
#pragma once

#include <string>
#include <string_view>

namespace shoal::llm {

// llm/prompts/json_reask.md with {reason} replaced by `reason`.
std::string json_reask_prompt(std::string_view reason);

// llm/prompts/continue.md.
std::string_view continue_prompt();

}  // namespace shoal::llm
