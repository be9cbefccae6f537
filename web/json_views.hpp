// The store's values as the JSON the API returns. Stored JSON texts (idea_json,
// metrics_json, scores_json, ...) are embedded as JSON when they parse, else as strings.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store/blobs.hpp"
#include "store/catalog.hpp"
#include "store/ideas.hpp"
#include "store/nodes.hpp"
#include "store/papers.hpp"
#include "store/reviews.hpp"
#include "store/runs.hpp"
#include "store/stages.hpp"
#include "web/agreement.hpp"
#include "web/diff.hpp"

namespace shoal::web {

using nlohmann::json;

// `text` parsed as JSON, or the text itself when it is not JSON ("" becomes null).
json embedded_json(const std::string& text);

json run_json(const store::Run& run, const store::RunProgress* progress);
json idea_json(const store::Idea& idea);
json scores_json(const store::PaperScores& scores);
json idea_summary_json(const store::IdeaSummary& summary);
json paper_summary_json(const store::PaperSummary& summary);
json paper_json(const store::Paper& paper);
json review_json(const store::Review& review);
// with_tails: include stdout/stderr tails and metrics (a node's own page; lists leave them out).
json node_json(const store::Node& node, bool with_tails);
json artifact_json(const store::Artifact& artifact);
json event_json(const store::Event& event);
json stage_json(const store::StageExecution& stage);
json llm_call_json(const store::LlmCallInfo& call);
json file_diff_json(const FileDiff& diff);
json agreement_json(const std::vector<store::AgreementRow>& rows, const AgreementStats& stats);

}  // namespace shoal::web
