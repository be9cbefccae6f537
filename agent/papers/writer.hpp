// What the LLM write-up and its revision share: the Writer (the idea's evidence, the compile
// folder, the writer's system prompt and the .bib being built), the compile-and-fix loop that
// stores every attempt, and the text helpers both use.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/evidence.hpp"
#include "llm/client.hpp"
#include "llm/structured.hpp"
#include "agent/papers/workspace.hpp"
#include "agent/papers/writeup.hpp"
#include "experiments/executor.hpp"
#include "experiments/template.hpp"
#include "paper/claims.hpp"
#include "paper/compile.hpp"
#include "paper/figures.hpp"
#include "store/db.hpp"

namespace shoal::agent::writing {

// Everything one write-up needs, shared by its steps.
struct Writer {
  store::Store& store;
  llm::Client& client;
  experiments::Executor& executor;
  const WriteupOptions& options;
  experiments::Template tpl;
  IdeaEvidence ev;
  PaperWorkspace ws;
  std::string template_system, task;  // from the template's prompt.json
  std::string system;   // the writer's system prompt with the whole context (stable across calls)
  std::string results;  // the measured results as text
  std::string bib;      // the template's .bib plus the entries the citation rounds added
  nlohmann::json citations = nlohmann::json::array();
  bool citations_unreachable = false;  // a citation search failed on every engine
  std::string stage = "paper";  // the stage its LLM calls are recorded under
  std::string last_problems;    // the last compile's problems, as fed back
  WriteupResult result;

  Status check_cancel() const;
  llm::Request request(std::vector<llm::Message> messages, int max_tokens = 0) const;
  Expected<std::string> ask(std::vector<llm::Message> messages, int max_tokens = 0);
  Expected<nlohmann::json> ask_json(const std::string& text, const llm::Shape& shape);
};

// Fills `w` for `idea_id`: the template, the idea's evidence, a fresh compile folder, the
// template's .bib and the system prompt.
Status open_writer(Writer& w, const experiments::Template& tpl, const std::string& idea_id);

// Rebuilds w.system (after the .bib changed: it lists the citation keys).
void refresh_system(Writer& w);

// Compiles `tex` and stores the attempt; while problems remain and fix rounds are left, asks
// the model for fixes and compiles again; once it compiles, feeds unmatched numbers back
// once. Every attempt goes into w.result.attempt_ids.
Status compile_with_fixes(Writer& w, std::string tex);

// The newest compiled attempt of the idea as the result; a clear failure naming the last
// problems when no attempt compiled.
Expected<WriteupResult> finish(Writer& w);

// `s` cut to `n` bytes, marked "[...]" on a line of its own where it was cut.
inline constexpr std::string_view kClipMark = "\n[...]";
std::string clip(std::string_view s, size_t n);
// The LaTeX of a reply: its first ```latex (or ```tex, or plain ```) fenced block, else all of it.
std::string latex_of(const std::string& reply);

// The named LaTeX blocks of a reply: each fence opened as "```latex NAME" (NAME the rest of
// that line, lower-cased and trimmed) maps to its body, exactly as written. LaTeX travels in
// these blocks, never inside JSON strings, so backslashes and % arrive as the model wrote them.
std::map<std::string, std::string> named_latex_blocks(const std::string& reply);
// The document after a fix reply: its SEARCH/REPLACE blocks applied to `tex` (in a scratch
// copy under `scratch`), else the whole document it holds; "" when it holds neither or no
// block applied.
std::string revised_document(const std::string& tex, const std::string& reply, const std::filesystem::path& scratch);
// key -> title of the entries of a .bib text.
std::map<std::string, std::string> bib_titles(const std::string& bib);
// "- key: title" per entry, "(none)" when there are none.
std::string citation_list(const std::string& bib);

}  // namespace shoal::agent::writing
