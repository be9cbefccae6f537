// Prompts are data: each agent/prompts/NAME.md is compiled into the binary (embed.py) and
// read here by name. Placeholders are written {{name}} and filled by fill().
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace shoal::agent {

// The text of agent/prompts/NAME.md. A missing name is a programming error: it throws
// std::out_of_range naming the prompt (tests cover every name the stages use).
std::string_view prompt(std::string_view name);

// `tmpl` with every {{key}} replaced by vars[key]; unknown placeholders are left as they are.
std::string fill(std::string_view tmpl, const std::map<std::string, std::string>& vars);

// prompt(name) filled with vars.
std::string render(std::string_view name, const std::map<std::string, std::string>& vars);

}  // namespace shoal::agent
