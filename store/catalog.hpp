// The reviewer's catalog: read-only queries that join papers, ideas, runs and the review
// aggregates (the paper_catalog table, kept by triggers: see migration 4) for browsing:
// paged and sorted paper lists with text search, a run's ideas with their scores, run
// progress, AI-vs-human agreement rows and the LLM calls behind an idea.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/db.hpp"
#include "store/ideas.hpp"
#include "store/reproductions.hpp"

namespace shoal::store {

// A paper's review aggregates. score: the meta-review's overall, else the AI reviews' mean.
// The named dimensions are the AI reviews' means. decision: the meta-review's, else the AI
// majority; human_decision: the human majority ("" when there is none).
struct PaperScores {
  std::optional<double> score, ai_overall, meta_overall, human_overall;
  int ai_count = 0, human_count = 0;
  std::optional<double> originality, quality, clarity, significance, soundness, presentation, contribution,
      confidence;
  std::string decision, human_decision;
};

// The score names a paper list sorts and filters by, in display order: score, ai_overall,
// meta_overall, human_overall, originality, ... confidence.
const std::vector<std::string>& score_names();
// The value of one of score_names() in `scores` (nullopt when unset or unknown).
std::optional<double> score_value(const PaperScores& scores, std::string_view name);

// Keeps only the rows whose score `name` lies in [min, max] (an unset score never does).
struct ScoreRange {
  std::string name;
  std::optional<double> min, max;
};

struct PaperQuery {
  std::string run_id;                 // "" = papers of every run
  std::string text;                   // words looked up in titles and abstracts ("" = none)
  std::string sort = "score";         // one of score_names(), "created" or "title"
  bool descending = true;             // unset scores come last either way
  std::vector<ScoreRange> ranges;
  std::string decision;               // accept, reject, "" = any
  int offset = 0, limit = 50;         // limit is capped at 500
};

// What a reader can trust of a paper: whether its numbers are tied to stored results, and
// whether its runs came out the same when `shoal reproduce` re-ran them.
struct PaperTrust {
  int unverified = 0;          // numbers the claim check could not tie to a result (-1: the list is unreadable)
  std::string reproduction;    // the newest reproduction's outcome: reproduced, differs; "" when never re-run
  ReproductionCounts reproduced;  // its values compared and those that differ
};

// One row of a paper list: the paper, its idea and its aggregates.
struct PaperSummary {
  std::string paper_id, idea_id, idea_name, run_id;
  int attempt = 0;
  std::string status, title;
  std::string abstract;               // the first 400 characters
  std::optional<int> pages;
  bool has_pdf = false;
  int64_t thumbnail_id = 0;           // the first page_image artifact of the paper, 0 when none
  int64_t created_ms = 0;
  bool current = false;               // the newest compiled attempt of its idea
  PaperScores scores;
  PaperTrust trust;
};

struct PaperPage {
  int64_t total = 0;                  // rows matching the query, over every page
  std::vector<PaperSummary> items;
};

// The current paper of each idea (its newest compiled attempt) that matches `query`, sorted
// and paged. invalid_input names an unknown sort or score.
Expected<PaperPage> find_papers(Store& store, const PaperQuery& query);
// The summary of one paper (any attempt); not_found when there is none.
Expected<PaperSummary> paper_summary(Store& store, const std::string& paper_id);

// Turns what a user typed into an FTS5 query: each word quoted and prefix-matched, all
// required ("" when the text holds no word). Never lets FTS5 syntax through.
std::string fts_query(std::string_view text);

// A run's ideas with their current paper's scores.
struct IdeaSummary {
  Idea idea;
  std::string paper_id;               // "" when the idea has no compiled paper
  std::string paper_title, abstract;  // abstract: the first 400 characters
  int64_t thumbnail_id = 0;
  PaperScores scores;
  PaperTrust trust;                   // of its paper (empty when it has none)
};

struct IdeaQuery {
  std::string run_id;
  std::string text;                   // searched in the idea's title and its paper's title and abstract
  // rank, created, title, status, best_metric, interestingness, feasibility, novelty or one of score_names()
  std::string sort = "rank";
  bool descending = false;
  std::vector<ScoreRange> ranges;     // over score_names() and the idea's own scores
  std::string decision;               // accept, reject, "" = any
  std::string status;                 // an idea status, "" = any
};

Expected<std::vector<IdeaSummary>> find_ideas(Store& store, const IdeaQuery& query);

// How far a run has come: its ideas by status, and its papers.
struct RunProgress {
  int ideas = 0;
  std::map<std::string, int> by_status;  // idea status -> count
  int papers = 0;                        // ideas with a compiled paper
  int reviewed = 0;                      // of those, with at least one AI or meta review
  std::optional<double> best_score;      // the best paper score of the run
  std::string waiting_for_provider_since;  // a running run that waits for its provider: since when (ISO 8601)
};
// Progress of every run that has ideas (or waits for its provider), by run id.
Expected<std::map<std::string, RunProgress>> run_progress(Store& store);

// One paper of a run that a human reviewed: the AI's verdict beside the humans'.
struct AgreementRow {
  std::string paper_id, idea_id, title;
  std::optional<double> ai_score, human_score;
  std::string ai_decision, human_decision;
  int human_count = 0;
};
// The current papers of a run ("" = every run) with at least one human review.
Expected<std::vector<AgreementRow>> agreement_rows(Store& store, const std::string& run_id);

// An LLM call as listed beside an idea or a paper; the bodies only when asked for one call.
struct LlmCallInfo {
  int64_t id = 0;
  std::string run_id, idea_id, stage, provider, model, status, error;
  int64_t tokens_in = 0, tokens_out = 0, tokens_cached = 0;
  double cost_usd = 0;
  int64_t latency_ms = 0;
  int64_t created_ms = 0;
  std::string request_json, response_json;  // empty in lists
};
// The calls made for an idea, oldest first (no bodies).
Expected<std::vector<LlmCallInfo>> idea_llm_calls(Store& store, const std::string& idea_id);
// One call with its request and response; not_found when there is none.
Expected<LlmCallInfo> llm_call_transcript(Store& store, int64_t id);

}  // namespace shoal::store
