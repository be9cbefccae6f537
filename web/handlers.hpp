// The API handlers (api_*.cpp) and what each gets: the request, its decoded target, the
// path's {params}, a store connection and the app. Handlers return errors as responses and
// never throw.
#pragma once

#include <map>
#include <string>

#include "store/db.hpp"
#include "web/app.hpp"
#include "web/http.hpp"
#include "web/url.hpp"

// In a handler: declares `var` = the Expected result of `expr`, or returns its error as a
// JSON error response (use *var / var-> for the value).
#define SHOAL_WEB_TRY(var, expr) \
  auto var = (expr);              \
  if (!var.ok()) return error_response(var.error())

namespace shoal::web {

struct Call {
  const Request& request;
  const Target& target;
  const std::map<std::string, std::string>& params;
  store::Store& store;
  App& app;

  // The path parameter `name` ("" when the route has none of that name).
  std::string param(const std::string& name) const;
  // The query parameter `name`, or `fallback`.
  std::string query(const std::string& name, const std::string& fallback = "") const;
};

// Runs (api_runs.cpp)
Response api_runs(Call& call);
Response api_run(Call& call);
Response api_run_events(Call& call);
Response api_run_ideas(Call& call);
Response api_run_agreement(Call& call);
// Ideas, experiment nodes, artifacts, LLM transcripts (api_ideas.cpp)
Response api_idea(Call& call);
Response api_node(Call& call);
Response api_node_diff(Call& call);
Response api_artifact(Call& call);
Response api_llm_call(Call& call);
// An idea's evolve run: genealogy, fitness, archive, rejected candidates (evolve.cpp)
Response api_idea_evolve(Call& call);
// Papers and reviews (api_papers.cpp)
Response api_papers(Call& call);
Response api_paper(Call& call);
Response api_paper_pdf(Call& call);
Response api_paper_preview(Call& call);
Response api_compare(Call& call);
Response api_add_review(Call& call);
Response api_review_scores(Call& call);
Response api_agreement(Call& call);
// Sessions (api_session.cpp)
Response api_session(Call& call);
Response api_sign_in(Call& call);
Response api_sign_out(Call& call);

}  // namespace shoal::web
