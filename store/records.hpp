// The store's records as JSON, with one key vocabulary for the web API, the Python frames and
// the CLI's --json output. Keys are the record's field names, except:
//   - Run::template_name is "template"; a PaperSummary's paper_id is "id";
//   - a blob hash is "has_<what>" (has_pdf, has_tex, has_code); Node::code_hash is given too;
//   - stored JSON text (*_json fields) drops the suffix (config, idea, metrics, data,
//     unverified, citations, checks, request, response), but Review::scores_json is "form"
//     (the filled-in form) and Idea::novelty_json is "novelty_report" (novelty is a score);
//     it is embedded by one rule, stored_json() below;
//   - an unset optional is null.
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/blobs.hpp"
#include "store/catalog.hpp"
#include "store/ideas.hpp"
#include "store/llm_calls.hpp"
#include "store/nodes.hpp"
#include "store/papers.hpp"
#include "store/reproductions.hpp"
#include "store/reviews.hpp"
#include "store/runs.hpp"
#include "store/stages.hpp"

namespace shoal::store {

// Stored JSON text as a value: the parsed JSON when the text parses, else the text itself as
// a string (so nothing stored is ever hidden), and null for "".
nlohmann::json stored_json(std::string_view text);

nlohmann::json to_json(const Run& run);
// A run's progress: ideas, by_status, papers, reviewed, best_score.
nlohmann::json to_json(const RunProgress& progress);
nlohmann::json to_json(const Event& event);
nlohmann::json to_json(const Idea& idea);
// A node without its output tails (lists); node_output_json() adds them.
nlohmann::json to_json(const Node& node);
// A node with stdout_tail and stderr_tail (a node's own page).
nlohmann::json node_output_json(const Node& node);
nlohmann::json to_json(const Paper& paper);
nlohmann::json to_json(const Review& review);
// id, paper_id, outcome, details (the stored JSON), created_ms.
nlohmann::json to_json(const Reproduction& reproduction);
// A call without its request and response bodies (listing keys only).
nlohmann::json to_json(const LlmCall& call);
// A call as the catalog lists it; "request" and "response" only when the bodies were loaded.
nlohmann::json to_json(const LlmCallInfo& call);
nlohmann::json to_json(const Artifact& artifact);
nlohmann::json to_json(const StageExecution& stage);
// Every name of score_names() (null when unset), ai_count, human_count, decision, human_decision.
nlohmann::json to_json(const PaperScores& scores);
nlohmann::json to_json(const PaperSummary& summary);
// {"unverified", "verified", "reproduction" (null when never re-run), "reproduction_values", "reproduction_differing"}
nlohmann::json to_json(const PaperTrust& t);
// The idea's keys, then paper_id, paper_title, abstract, thumbnail_id and scores.
nlohmann::json to_json(const IdeaSummary& summary);
nlohmann::json to_json(const AgreementRow& row);

// A JSON array of to_json() of each record.
template <class Record>
nlohmann::json to_json(const std::vector<Record>& records) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& record : records) out.push_back(to_json(record));
  return out;
}

}  // namespace shoal::store
