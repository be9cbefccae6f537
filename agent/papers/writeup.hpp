// The write-up stage: an idea's stored results become a compiled LaTeX paper.
//   1. citation rounds: the model asks the literature tools for papers to cite and picks from
//      what they find; BibTeX entries are added to the template's .bib
//   2. each section of the template's skeleton drafted, then criticised and refined; then
//      the title and abstract; then one pass over the whole paper
//   3. compile in the sandbox; the log's problems (and chktex's) go back to the model for a
//      fix, up to `compile_rounds` times
//   4. the claim check: numbers that match no measured result go back to the model once
// Every compile is stored as a paper attempt (tex, bib, log, pdf); a later failed attempt
// never replaces an earlier compiled one. With no LLM client the offline paper is written.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "llm/client.hpp"
#include "agent/settings.hpp"
#include "experiments/executor.hpp"
#include "experiments/template.hpp"
#include "store/db.hpp"
#include "store/papers.hpp"
#include "tools/literature.hpp"

namespace shoal::agent {

struct WriteupOptions {
  std::filesystem::path work_dir;          // scratch compile folder (made fresh); required
  int citation_rounds = 3;                 // literature search rounds (0: cite only the template's .bib)
  int literature_results = 8;              // papers shown to the model per search
  tools::LiteratureOptions literature;     // engines and URLs (tools::literature_options(config))
  int compile_rounds = 3;                  // fix rounds after the first compile
  bool claim_feedback = true;              // feed unmatched numbers back to the model once
  double latex_timeout_s = 120;            // per compile (all passes)
  int page_limit = 0;                      // pages allowed (0: none)
  double overfull_pt = 10;                 // overfull boxes past this are problems
  int max_tokens = 4096;                   // per model reply
  int document_max_tokens = 12000;         // per fix reply (edit blocks, or a whole document)
  double temperature = 0.7;
  const experiments::CancelToken* cancel = nullptr;  // checked between steps
};

// The options a run's settings give (citation_rounds, compile_rounds, page_limit,
// latex_timeout_s) with the literature engines; work_dir and cancel unset.
WriteupOptions writeup_options(const RunSettings& settings, const tools::LiteratureOptions& literature);

struct WriteupResult {
  store::Paper paper;                    // the newest compiled attempt of the idea
  std::vector<std::string> attempt_ids;  // every attempt this call stored, in order
  std::vector<std::string> citations_added, dropped_citations;  // keys added from the search; unknown keys removed
  bool literature_unreachable = false;  // a citation search failed on every engine
  int llm_calls = 0;

  nlohmann::json to_json() const;  // {"paper_id", "attempts", "pages", "unverified", "citations_added", ...}
};

// Writes (or rewrites: each call adds new attempts) the paper of `idea_id` from its stored
// evidence, using the template `tpl` (latex/template.tex, prompt.json,
// template.json). `client` null: the offline paper (write_offline_paper). Errors:
// invalid_input when no attempt compiled within the rounds (every attempt and its log are
// stored), not_found for an unknown idea or a template without latex/template.tex, and the
// client's errors (budget_exceeded, cancelled, remote...) as they come.
Expected<WriteupResult> write_paper(store::Store& store, llm::Client* client, experiments::Executor& executor,
                                    const experiments::Template& tpl, const std::string& idea_id,
                                    const WriteupOptions& options);

}  // namespace shoal::agent
