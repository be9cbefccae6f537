#include "web/routes.hpp"

#include "web/responses.hpp"

namespace shoal::web {

const std::vector<Route>& routes() {
  static const std::vector<Route> table = {
      // Pages: the page.html shell with the page's script, which reads the ids from the path
      // and calls the API.
      {"GET", "/", Access::read, nullptr, "runs.js", "runs with their progress (live)"},
      {"GET", "/runs/{id}", Access::read, nullptr, "run.js", "a run: its ideas, stages and events"},
      {"GET", "/runs/{id}/agreement", Access::read, nullptr, "agreement.js", "AI vs human reviews of a run"},
      {"GET", "/ideas/{id}", Access::read, nullptr, "idea.js", "an idea's experiment tree"},
      {"GET", "/papers", Access::read, nullptr, "papers.js", "every paper, sorted and searched"},
      {"GET", "/papers/{id}", Access::read, nullptr, "paper.js", "a paper, its reviews and the human review form"},
      {"GET", "/compare", Access::read, nullptr, "compare.js", "papers side by side (?ids=a,b)"},
      {"GET", "/favicon.ico", Access::read, nullptr, "favicon.svg", "the icon (asked for by pages without a link to it)"},
      // Neither handler nor file: the embedded file {name} (scripts, styles).
      {"GET", "/static/{name}", Access::read, nullptr, nullptr, "the pages' scripts and styles"},
      // The JSON API.
      {"GET", "/api/v1", Access::read, api_index, nullptr, "this list"},
      {"GET", "/api/v1/runs", Access::read, api_runs, nullptr, "runs, newest first, with progress", true},
      {"GET", "/api/v1/runs/{id}", Access::read, api_run, nullptr, "a run with its stages and baseline", true},
      {"GET", "/api/v1/runs/{id}/events", Access::read, api_run_events, nullptr, "a run's events (?after=ID&limit=N)", true},
      {"GET", "/api/v1/runs/{id}/ideas", Access::read, api_run_ideas, nullptr,
       "a run's ideas with scores (?sort=&order=&q=&decision=&status=&min_SCORE=&max_SCORE=)", true},
      {"GET", "/api/v1/runs/{id}/agreement", Access::read, api_run_agreement, nullptr,
       "AI vs human scores of a run: points, correlation, decision agreement", true},
      {"GET", "/api/v1/agreement", Access::read, api_agreement, nullptr, "the same over every run", true},
      {"GET", "/api/v1/ideas/{id}", Access::read, api_idea, nullptr,
       "an idea with its experiment nodes, paper attempts, artifacts and LLM calls", true},
      {"GET", "/api/v1/ideas/{id}/evolve", Access::read, api_idea_evolve, nullptr,
       "an evolve run's programs: genealogy, fitness per generation, archive cells, rejected candidates, the best "
       "program's diff against the template (404 for an idea the evolve search did not run)",
       true},
      {"GET", "/api/v1/nodes/{id}", Access::read, api_node, nullptr, "an experiment node with its logs and artifacts", true},
      {"GET", "/api/v1/nodes/{id}/diff", Access::read, api_node_diff, nullptr,
       "a node's code against its parent (or the template baseline; ?against=template: always the template)", true},
      {"GET", "/api/v1/papers", Access::read, api_papers, nullptr,
       "papers (?sort=&order=&page=&per_page=&q=&run=&decision=&min_SCORE=&max_SCORE=)", true},
      {"GET", "/api/v1/papers/{id}", Access::read, api_paper, nullptr,
       "a paper with its reviews, artifacts and the LLM calls behind them", true},
      {"GET", "/api/v1/papers/{id}/pdf", Access::read, api_paper_pdf, nullptr, "the PDF (?download=1)"},
      {"GET", "/api/v1/papers/{id}/preview", Access::read, api_paper_preview, nullptr,
       "the first page as PNG (rendered once and stored when the paper has no page image)"},
      {"POST", "/api/v1/papers/{id}/reviews", Access::write, api_add_review, nullptr, "add a human review"},
      {"GET", "/api/v1/review-scores", Access::read, api_review_scores, nullptr,
       "the review form's scores (name, label, min, max) and the score names papers sort by", true},
      {"GET", "/api/v1/compare", Access::read, api_compare, nullptr, "papers side by side (?ids=a,b,...)", true},
      {"GET", "/api/v1/artifacts/{id}", Access::read, api_artifact, nullptr, "an artifact's bytes (?download=1)"},
      {"GET", "/api/v1/llm_calls/{id}", Access::read, api_llm_call, nullptr, "an LLM call's request and response", true},
      {"GET", "/api/v1/session", Access::read, api_session, nullptr, "whether this browser may write"},
      {"POST", "/api/v1/session", Access::sign_in, api_sign_in, nullptr, "sign in with the token: {\"token\": ...}"},
      {"POST", "/api/v1/session/end", Access::write, api_sign_out, nullptr, "sign out"},
  };
  return table;
}

Response api_index(Call&) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : routes())
    if (r.api) list.push_back({{"method", r.method}, {"path", r.pattern}, {"summary", r.summary}});
  return json_response({{"routes", list}});
}

}  // namespace shoal::web
