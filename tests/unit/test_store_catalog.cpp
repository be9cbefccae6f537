#include <doctest/doctest.h>

#include "store/catalog.hpp"
#include "store/ideas.hpp"
#include "store/llm_calls.hpp"
#include "store/papers.hpp"
#include "store/reviews.hpp"
#include "store/runs.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::store;

namespace {

struct Catalog {
  test::TempDir dir;
  Store store = Store::open(dir / "shoal.db", OpenMode::create).value();
  std::string run = create_run(store, {.template_name = "t", .model = "offline"}).value().id;

  std::string idea(const std::string& name) { return add_idea(store, {.run_id = run, .name = name, .title = name}).value().id; }
  std::string paper(const std::string& idea_id, const std::string& title, const std::string& status = "compiled",
                    const std::string& abstract = "") {
    return add_paper(store, {.idea_id = idea_id, .status = status, .title = title, .abstract = abstract}).value().id;
  }
  void review(const std::string& paper_id, const std::string& kind, double overall, const std::string& decision,
              std::optional<double> clarity = std::nullopt) {
    REQUIRE(add_review(store, {.paper_id = paper_id, .reviewer_kind = kind, .reviewer = kind, .overall = overall,
                               .decision = decision, .clarity = clarity})
                .ok());
  }
  std::vector<std::string> ids(const PaperQuery& q) {
    std::vector<std::string> out;
    auto page = find_papers(store, q).value();
    for (const auto& s : page.items) out.push_back(s.paper_id);
    return out;
  }
};

}  // namespace

TEST_CASE("review aggregates follow every insert: AI mean, meta first, human apart, majority decisions") {
  Catalog c;
  auto p = c.paper(c.idea("a"), "A");
  c.review(p, "ai", 4, "reject", 2);
  c.review(p, "ai", 8, "accept", 4);
  auto s = paper_summary(c.store, p).value().scores;
  CHECK(s.ai_overall == 6.0);
  CHECK(s.ai_count == 2);
  CHECK(s.score == 6.0);       // no meta-review: the AI mean
  CHECK(s.clarity == 3.0);
  CHECK(s.decision == "reject");  // a tie is not a majority to accept
  c.review(p, "ai", 7, "accept");
  CHECK(paper_summary(c.store, p).value().scores.decision == "accept");
  c.review(p, "meta", 5, "reject");
  s = paper_summary(c.store, p).value().scores;
  CHECK(s.score == 5.0);       // the meta-review decides
  CHECK(s.decision == "reject");
  CHECK(s.ai_overall.value() == doctest::Approx(19.0 / 3));
  c.review(p, "human", 9, "accept");
  s = paper_summary(c.store, p).value().scores;
  CHECK(s.human_overall == 9.0);
  CHECK(s.human_count == 1);
  CHECK(s.human_decision == "accept");
  CHECK(s.score == 5.0);       // humans never change the AI score
}

TEST_CASE("only each idea's newest compiled attempt is listed, whatever order attempts arrive in") {
  Catalog c;
  auto idea = c.idea("a");
  auto first = c.paper(idea, "first");
  CHECK(c.ids({}) == std::vector<std::string>{first});
  auto second = c.paper(idea, "second");
  CHECK(c.ids({}) == std::vector<std::string>{second});
  c.paper(idea, "third", "failed");  // a later failure does not hide the good PDF
  CHECK(c.ids({}) == std::vector<std::string>{second});
  CHECK_FALSE(paper_summary(c.store, first).value().current);
  CHECK(paper_summary(c.store, second).value().current);
}

TEST_CASE("papers sort by any score in both directions with unset scores last, and page") {
  Catalog c;
  auto a = c.paper(c.idea("a"), "Alpha");
  auto b = c.paper(c.idea("b"), "beta");
  auto n = c.paper(c.idea("n"), "Gamma");  // never reviewed
  c.review(a, "ai", 7, "accept", 1);
  c.review(b, "ai", 3, "reject", 4);
  CHECK(c.ids({.sort = "score"}) == std::vector<std::string>{a, b, n});
  CHECK(c.ids({.sort = "score", .descending = false}) == std::vector<std::string>{b, a, n});
  CHECK(c.ids({.sort = "clarity"}) == std::vector<std::string>{b, a, n});
  CHECK(c.ids({.sort = "title", .descending = false}) == std::vector<std::string>{a, b, n});  // case-insensitive
  auto page = find_papers(c.store, {.sort = "score", .offset = 1, .limit = 1}).value();
  CHECK(page.total == 3);
  CHECK(page.items.size() == 1);
  CHECK(page.items[0].paper_id == b);
  CHECK(c.ids({.ranges = {{"score", 5.0, std::nullopt}}}) == std::vector<std::string>{a});
  CHECK(c.ids({.ranges = {{"clarity", std::nullopt, 2.0}}}) == std::vector<std::string>{a});
  CHECK(c.ids({.decision = "reject"}) == std::vector<std::string>{b});
  CHECK(find_papers(c.store, {.sort = "id; DROP TABLE papers"}).error().kind == ErrorKind::invalid_input);
  CHECK(find_papers(c.store, {.ranges = {{"nope", 1.0, std::nullopt}}}).error().kind == ErrorKind::invalid_input);
  CHECK(find_papers(c.store, {.decision = "maybe"}).error().kind == ErrorKind::invalid_input);
}

TEST_CASE("text search finds words and prefixes in titles and abstracts, and never lets FTS syntax through") {
  Catalog c;
  auto a = c.paper(c.idea("a"), "Weight decay and grokking", "compiled", "We sweep the decay.");
  auto b = c.paper(c.idea("b"), "Warmup", "compiled", "Generalisation comes earlier with warmup.");
  CHECK(c.ids({.text = "grokking"}) == std::vector<std::string>{a});
  CHECK(c.ids({.text = "general"}) == std::vector<std::string>{b});  // a prefix
  CHECK(c.ids({.text = "WARMUP earlier"}).size() == 1);
  CHECK(c.ids({.text = "warmup decay"}).empty());  // every word must match
  CHECK(c.ids({.text = "\"AND OR NEAR(* -"}).empty());
  CHECK(fts_query("a-b \"c\" d*") == "\"a\"* \"b\"* \"c\"* \"d\"*");
  CHECK(fts_query("!!! ---").empty());
  CHECK(c.ids({.text = "!!!"}).empty());
}

TEST_CASE("a run's ideas carry their current paper's scores and sort, filter and search") {
  Catalog c;
  auto a = c.idea("alpha");
  auto b = c.idea("beta");
  auto lone = c.idea("lonely");
  REQUIRE(set_idea_rank(c.store, b, 1).ok());
  REQUIRE(set_idea_rank(c.store, a, 2).ok());
  REQUIRE(set_idea_best_metric(c.store, a, 0.9).ok());
  REQUIRE(set_idea_status(c.store, lone, "skipped", "novelty").ok());
  auto pa = c.paper(a, "Alpha paper", "compiled", "about memorisation");
  c.review(pa, "ai", 8, "accept");
  auto ideas = find_ideas(c.store, {.run_id = c.run}).value();
  REQUIRE(ideas.size() == 3);
  CHECK(ideas[0].idea.id == b);  // by rank, unranked last
  CHECK(ideas[1].idea.id == a);
  CHECK(ideas[1].paper_id == pa);
  CHECK(ideas[1].scores.score == 8.0);
  CHECK(ideas[2].paper_id.empty());
  CHECK(find_ideas(c.store, {.run_id = c.run, .sort = "score", .descending = true}).value()[0].idea.id == a);
  CHECK(find_ideas(c.store, {.run_id = c.run, .sort = "best_metric", .descending = true}).value()[0].idea.id == a);
  CHECK(find_ideas(c.store, {.run_id = c.run, .text = "MEMORIS"}).value().size() == 1);
  CHECK(find_ideas(c.store, {.run_id = c.run, .text = "lonely"}).value()[0].idea.id == lone);
  CHECK(find_ideas(c.store, {.run_id = c.run, .status = "skipped"}).value().size() == 1);
  CHECK(find_ideas(c.store, {.run_id = c.run, .ranges = {{"score", 9.0, std::nullopt}}}).value().empty());
  CHECK(find_ideas(c.store, {.run_id = c.run, .sort = "bogus"}).error().kind == ErrorKind::invalid_input);
}

TEST_CASE("run progress counts ideas by status and reviewed papers") {
  Catalog c;
  auto a = c.idea("a");
  c.idea("b");
  REQUIRE(set_idea_status(c.store, a, "done", "review").ok());
  auto p = c.paper(a, "A");
  c.paper(c.idea("c"), "C");
  c.review(p, "ai", 6, "accept");
  auto progress = run_progress(c.store).value().at(c.run);
  CHECK(progress.ideas == 3);
  CHECK(progress.by_status.at("done") == 1);
  CHECK(progress.by_status.at("pending") == 2);
  CHECK(progress.papers == 2);
  CHECK(progress.reviewed == 1);
  CHECK(progress.best_score == 6.0);
}

TEST_CASE("agreement rows pair the AI verdict with the humans' for human-reviewed papers only") {
  Catalog c;
  auto p = c.paper(c.idea("a"), "A");
  auto q = c.paper(c.idea("b"), "B");
  c.review(p, "meta", 6, "accept");
  c.review(p, "human", 4, "reject");
  c.review(q, "ai", 5, "accept");
  auto rows = agreement_rows(c.store, c.run).value();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].paper_id == p);
  CHECK(rows[0].ai_score == 6.0);
  CHECK(rows[0].ai_decision == "accept");
  CHECK(rows[0].human_score == 4.0);
  CHECK(rows[0].human_decision == "reject");
  CHECK(agreement_rows(c.store, "").value().size() == 1);
  CHECK(agreement_rows(c.store, "run-other").value().empty());
}

TEST_CASE("an idea's LLM calls are listed without bodies; one call's transcript has them") {
  Catalog c;
  auto idea = c.idea("a");
  auto id = record_llm_call(c.store, {.run_id = c.run, .idea_id = idea, .stage = "review", .provider = "openai",
                                      .model = "m", .request_hash = "h", .request_json = R"({"messages": []})",
                                      .response_json = R"({"choices": []})", .cost_usd = 0.5})
                .value();
  REQUIRE(record_llm_call(c.store, {.run_id = c.run, .stage = "ideas", .provider = "openai", .model = "m",
                                    .request_hash = "h2", .request_json = "{}"})
              .ok());
  auto calls = idea_llm_calls(c.store, idea).value();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].stage == "review");
  CHECK(calls[0].cost_usd == 0.5);
  CHECK(calls[0].request_json.empty());
  auto t = llm_call_transcript(c.store, id).value();
  CHECK(t.request_json == R"({"messages": []})");
  CHECK(t.response_json == R"({"choices": []})");
  CHECK(llm_call_transcript(c.store, 4242).error().kind == ErrorKind::not_found);
}
