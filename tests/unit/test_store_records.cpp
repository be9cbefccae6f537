#include <doctest/doctest.h>

#include <set>

#include "store/records.hpp"
#include "store/review_scores.hpp"

using namespace shoal;
using namespace shoal::store;
using nlohmann::json;

namespace {

// The keys of a JSON object, sorted.
std::set<std::string> keys_of(const json& j) {
  std::set<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.insert(it.key());
  return out;
}

}  // namespace

TEST_CASE("stored JSON text: embedded when it parses, kept as a string when not, null when empty") {
  CHECK(stored_json(R"({"lr": 0.01, "steps": [1, 2]})") == json{{"lr", 0.01}, {"steps", {1, 2}}});
  CHECK(stored_json("[3, 4]") == json::array({3, 4}));
  CHECK(stored_json("{\"cut\": ") == json("{\"cut\": "));
  CHECK(stored_json("not json at all") == json("not json at all"));
  CHECK(stored_json("").is_null());
}

TEST_CASE("a run: its fields under their keys, the config embedded, unset times null") {
  Run r{.id = "run-1", .template_name = "grokking", .template_hash = "th", .model = "offline", .status = "paused",
        .config_json = R"({"ideas": 3})", .budget_usd = 2.5, .cost_usd = 0.75, .unsafe_no_sandbox = true,
        .created_ms = 1000, .started_ms = 1200, .ended_ms = std::nullopt, .error = "budget"};
  auto j = to_json(r);
  CHECK(keys_of(j) == std::set<std::string>{"id", "template", "template_hash", "model", "status", "config", "budget_usd",
                                            "cost_usd", "unsafe_no_sandbox", "created_ms", "started_ms", "ended_ms",
                                            "error"});
  CHECK(j["template"] == "grokking");
  CHECK(j["config"]["ideas"] == 3);
  CHECK(j["budget_usd"] == 2.5);
  CHECK(j["unsafe_no_sandbox"] == true);
  CHECK(j["started_ms"] == 1200);
  CHECK(j["ended_ms"].is_null());
  r.config_json = "{broken";
  CHECK(to_json(r)["config"] == "{broken");
}

TEST_CASE("run progress and events") {
  RunProgress p{.ideas = 3, .by_status = {{"done", 2}, {"failed", 1}}, .papers = 2, .reviewed = 1, .best_score = 6.5};
  auto j = to_json(p);
  CHECK(keys_of(j) == std::set<std::string>{"ideas", "by_status", "papers", "reviewed", "best_score", "waiting_for_provider_since"});
  CHECK(j["by_status"]["failed"] == 1);
  CHECK(j["best_score"] == 6.5);
  CHECK(to_json(RunProgress{})["best_score"].is_null());
  CHECK(to_json(RunProgress{})["waiting_for_provider_since"].is_null());

  Event e{.id = 7, .run_id = "run-1", .idea_id = "idea-1", .kind = "stage_done", .message = "ideas done",
          .data_json = R"({"seconds": 4})", .created_ms = 5};
  auto ej = to_json(e);
  CHECK(keys_of(ej) == std::set<std::string>{"id", "run_id", "idea_id", "kind", "message", "data", "created_ms"});
  CHECK(ej["data"]["seconds"] == 4);
  e.data_json = "";
  CHECK(to_json(e)["data"].is_null());
}

TEST_CASE("an idea: the idea and the novelty report embedded, unset scores null") {
  Idea i{.id = "idea-1", .run_id = "run-1", .name = "sweep_lr", .title = "Sweep", .idea_json = R"({"plan": "x"})",
         .interestingness = 7, .feasibility = std::nullopt, .novelty = 5, .novel = false,
         .novelty_json = "the checker's plain-text note", .rank = 2, .status = "done", .stage = "review",
         .best_metric = 0.25, .created_ms = 9};
  auto j = to_json(i);
  CHECK(keys_of(j) == std::set<std::string>{"id", "run_id", "name", "title", "idea", "interestingness", "feasibility",
                                            "novelty", "novel", "novelty_verdict", "novelty_report", "rank", "status", "stage",
                                            "best_metric", "created_ms"});
  CHECK(j["idea"]["plan"] == "x");
  CHECK(j["novelty_report"] == "the checker's plain-text note");
  CHECK(j["feasibility"].is_null());
  CHECK(j["novel"] == false);
  CHECK(j["rank"] == 2);
  CHECK(j["novelty_verdict"] == "not novel");
}

TEST_CASE("the novelty verdict: an idea never compared with the literature is 'unchecked', never 'novel'") {
  Idea i{.id = "idea-1", .novel = true, .novelty_json = R"({"literature_unreachable": true, "rounds": []})"};
  CHECK(novelty_verdict(i) == "unchecked (literature unreachable)");
  CHECK(to_json(i)["novelty_verdict"] == "unchecked (literature unreachable)");
  i.novelty_json = R"({"literature_unreachable": false})";
  CHECK(novelty_verdict(i) == "novel");
  i.novel = std::nullopt;
  CHECK(novelty_verdict(i) == "not checked");
  i.novel = false;
  i.novelty_json = "a plain-text note";
  CHECK(novelty_verdict(i) == "not novel");
}

TEST_CASE("a node: metrics embedded, code given as hash and has_code, output tails only on request") {
  Node n{.id = "node-1", .idea_id = "idea-1", .template_hash = "th", .parent_id = "node-0", .kind = "improve",
         .code_hash = "abc", .command = "python run.py", .plan = "lower lr", .step = 2, .seed = std::nullopt,
         .status = "done", .exit_code = 0, .signal = 0, .limit_hit = "", .metrics_json = R"({"loss": 0.5})",
         .metric = 0.5, .stdout_tail = "out", .stderr_tail = "err", .duration_s = 1.5, .created_ms = 3,
         .ended_ms = 4};
  auto j = to_json(n);
  CHECK(keys_of(j) == std::set<std::string>{"id", "idea_id", "template_hash", "parent_id", "kind", "code_hash",
                                            "has_code", "command", "plan", "step", "seed", "status", "exit_code",
                                            "signal", "limit_hit", "metrics", "metric", "duration_s", "created_ms",
                                            "ended_ms", "search"});
  CHECK(j["search"] == nlohmann::json::object());  // only a search strategy that records facts about its nodes fills it
  CHECK(j["metrics"]["loss"] == 0.5);
  CHECK(j["has_code"] == true);
  CHECK(j["seed"].is_null());
  auto full = node_output_json(n);
  CHECK(full["stdout_tail"] == "out");
  CHECK(full["stderr_tail"] == "err");
  full.erase("stdout_tail");
  full.erase("stderr_tail");
  CHECK(full == j);
  n.code_hash.clear();
  n.metrics_json = "loss=0.5";
  CHECK(to_json(n)["has_code"] == false);
  CHECK(to_json(n)["metrics"] == "loss=0.5");
}

TEST_CASE("a paper: blobs as has_*, stored lists embedded") {
  Paper p{.id = "paper-1", .idea_id = "idea-1", .attempt = 2, .status = "compiled", .title = "T", .abstract = "A",
          .tex_hash = "t", .pdf_hash = "", .pages = 4, .unverified_json = R"(["0.91"])", .citations_json = "[oops",
          .checks_json = R"({"compiles": true})", .error = "", .created_ms = 11};
  auto j = to_json(p);
  CHECK(keys_of(j) == std::set<std::string>{"id", "idea_id", "attempt", "status", "title", "abstract", "has_pdf",
                                            "has_tex", "pages", "unverified", "verified", "finished", "citations",
                                            "checks", "error", "created_ms"});
  CHECK(j["has_pdf"] == false);
  // A compiled paper with an unverified number is not finished; with none, it is.
  CHECK(j["verified"] == false);
  CHECK(j["finished"] == false);
  p.unverified_json = "[]";
  CHECK(to_json(p)["finished"] == true);
  p.status = "failed";
  CHECK(to_json(p)["finished"] == false);
  p.status = "compiled";
  p.unverified_json = "not json";  // unreadable: not verified
  CHECK(unverified_count(p) == -1);
  CHECK(to_json(p)["verified"] == false);
  CHECK(j["has_tex"] == true);
  CHECK(j["unverified"] == json::array({"0.91"}));
  CHECK(j["citations"] == "[oops");
  CHECK(j["checks"]["compiles"] == true);
}

TEST_CASE("a review: every score of the table under its name, the form embedded") {
  Review r{.id = 4, .paper_id = "paper-1", .reviewer_kind = "human", .reviewer = "Grace", .overall = 7,
           .decision = "accept", .originality = 3, .quality = std::nullopt, .clarity = 4, .significance = 1,
           .soundness = 3, .presentation = 2, .contribution = 3, .confidence = 5,
           .scores_json = R"({"form": {"Overall": 7}})", .text = "Good.", .status = "done", .created_ms = 8};
  auto j = to_json(r);
  std::set<std::string> want{"id", "paper_id", "reviewer_kind", "reviewer", "decision", "form",
                             "text", "status", "error", "created_ms"};
  for (const auto& s : review_scores()) want.insert(std::string(s.name));
  CHECK(keys_of(j) == want);
  for (const auto& s : review_scores()) {
    CAPTURE(s.name);
    auto value = r.*(s.column);
    CHECK(j[std::string(s.name)] == (value ? json(*value) : json(nullptr)));
  }
  CHECK(j["quality"].is_null());
  CHECK(j["form"]["form"]["Overall"] == 7);
  r.scores_json = "Overall 7";
  CHECK(to_json(r)["form"] == "Overall 7");
}

TEST_CASE("LLM calls: the same listing keys for both kinds; bodies only when the catalog loaded them") {
  LlmCall c{.id = 3, .run_id = "run-1", .idea_id = "idea-1", .stage = "review", .provider = "openai", .model = "m",
            .request_hash = "h", .request_json = R"({"messages": []})", .response_json = "{}", .status = "ok",
            .tokens_in = 10, .tokens_out = 5, .tokens_cached = 2, .cost_usd = 0.01, .latency_ms = 30,
            .created_ms = 6};
  auto j = to_json(c);
  const std::set<std::string> listing{"id",         "run_id",     "idea_id",       "stage",    "provider",
                                      "model",      "status",     "error",         "tokens_in", "tokens_out",
                                      "tokens_cached", "cost_usd", "latency_ms",   "created_ms"};
  CHECK(keys_of(j) == listing);
  CHECK(j["tokens_cached"] == 2);

  LlmCallInfo info{.id = 3, .run_id = "run-1", .idea_id = "idea-1", .stage = "review", .provider = "openai",
                   .model = "m", .status = "ok", .tokens_in = 10, .tokens_out = 5, .tokens_cached = 2,
                   .cost_usd = 0.01, .latency_ms = 30, .created_ms = 6};
  CHECK(to_json(info) == j);
  info.request_json = R"({"messages": [1]})";
  info.response_json = "truncated {";
  auto full = to_json(info);
  CHECK(full["request"]["messages"] == json::array({1}));
  CHECK(full["response"] == "truncated {");
}

TEST_CASE("artifacts and stage executions") {
  Artifact a{.id = 5, .hash = "h", .kind = "plot", .name = "loss.png", .owner_kind = "node", .owner_id = "node-1",
             .mime = "image/png", .size = 123, .created_ms = 2};
  auto j = to_json(a);
  CHECK(keys_of(j) ==
        std::set<std::string>{"id", "kind", "name", "owner_kind", "owner_id", "mime", "size", "created_ms"});
  CHECK(j["size"] == 123);

  StageExecution s{.id = 6, .run_id = "run-1", .idea_id = "", .stage = "ideas", .status = "failed", .attempts = 2,
                   .started_ms = 10, .ended_ms = std::nullopt, .cost_usd = 0.5, .error_kind = "timeout",
                   .error = "slow", .output_json = "{}"};
  auto sj = to_json(s);
  CHECK(keys_of(sj) == std::set<std::string>{"id", "run_id", "idea_id", "stage", "status", "attempts", "started_ms",
                                             "ended_ms", "cost_usd", "error_kind", "error"});
  CHECK(sj["attempts"] == 2);
  CHECK(sj["ended_ms"].is_null());
  CHECK(sj["error_kind"] == "timeout");
}

TEST_CASE("catalog summaries: scores by score_names(), a paper summary's id, an idea summary's idea keys") {
  PaperScores scores{.score = 6, .ai_overall = 5.5, .meta_overall = 6, .human_overall = std::nullopt, .ai_count = 2,
                     .human_count = 0, .clarity = 3.5, .decision = "accept"};
  auto sj = to_json(scores);
  std::set<std::string> want{"ai_count", "human_count", "decision", "human_decision"};
  for (const auto& name : score_names()) want.insert(name);
  CHECK(keys_of(sj) == want);
  CHECK(sj["ai_overall"] == 5.5);
  CHECK(sj["clarity"] == 3.5);
  CHECK(sj["human_overall"].is_null());
  CHECK(sj["originality"].is_null());

  PaperSummary p{.paper_id = "paper-1", .idea_id = "idea-1", .idea_name = "sweep", .run_id = "run-1", .attempt = 1,
                 .status = "compiled", .title = "T", .abstract = "A", .pages = std::nullopt, .has_pdf = true,
                 .thumbnail_id = 12, .created_ms = 4, .current = true, .scores = scores,
                 .trust = {.unverified = 2, .reproduction = "differs", .reproduced = {.values = 6, .differing = 1}}};
  auto pj = to_json(p);
  CHECK(keys_of(pj) == std::set<std::string>{"id", "idea_id", "idea_name", "run_id", "attempt", "status", "title",
                                             "abstract", "pages", "has_pdf", "thumbnail_id", "created_ms", "current",
                                             "scores", "trust"});
  CHECK(pj["id"] == "paper-1");
  CHECK(pj["scores"] == sj);
  CHECK(pj["trust"] == json{{"unverified", 2}, {"verified", false}, {"reproduction", "differs"},
                            {"reproduction_values", 6}, {"reproduction_differing", 1}});
  CHECK(to_json(PaperTrust{})["reproduction"].is_null());
  CHECK(to_json(PaperTrust{})["verified"] == true);

  IdeaSummary i{.idea = {.id = "idea-1", .run_id = "run-1", .name = "sweep"}, .paper_id = "paper-1",
                .paper_title = "T", .abstract = "A", .thumbnail_id = 12, .scores = scores};
  auto ij = to_json(i);
  auto idea_keys = keys_of(to_json(i.idea));
  idea_keys.insert({"paper_id", "paper_title", "abstract", "thumbnail_id", "scores", "trust"});
  CHECK(keys_of(ij) == idea_keys);
  CHECK(ij["name"] == "sweep");
  CHECK(ij["paper_title"] == "T");
}

TEST_CASE("agreement rows and lists of records") {
  AgreementRow r{.paper_id = "paper-1", .idea_id = "idea-1", .title = "T", .ai_score = 6, .human_score = std::nullopt,
                 .ai_decision = "accept", .human_decision = "", .human_count = 0};
  auto j = to_json(r);
  CHECK(keys_of(j) == std::set<std::string>{"paper_id", "idea_id", "title", "ai_score", "human_score", "ai_decision",
                                            "human_decision", "human_count"});
  CHECK(j["human_score"].is_null());
  auto list = to_json(std::vector<AgreementRow>{r, r});
  REQUIRE(list.is_array());
  CHECK(list.size() == 2);
  CHECK(list[1] == j);
  CHECK(to_json(std::vector<Run>{}) == json::array());
}

TEST_CASE("a reproduction counts the values it compared and those that differ") {
  const char* details = R"({"runs": [{"metrics": [{"match": true}, {"match": false}]},
                                     {"problem": "crashed", "metrics": [{"measured": null, "match": false}]}]})";
  CHECK(reproduction_counts(details).values == 3);
  CHECK(reproduction_counts(details).differing == 2);
  CHECK(reproduction_counts("not json").values == 0);
  CHECK(reproduction_counts(R"({"runs": [{"metrics": [7]}]})").differing == 1);  // not a comparison: not "as stored"
  auto j = to_json(Reproduction{.id = 1, .paper_id = "p", .outcome = "differs", .details_json = details});
  CHECK(j["values"] == 3);
  CHECK(j["differing"] == 2);
}
