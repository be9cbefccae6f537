#include <doctest/doctest.h>

#include "store/ideas.hpp"
#include "store/papers.hpp"
#include "store/reviews.hpp"
#include "store/runs.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::store;

namespace {

struct Fixture {
  test::TempDir dir;
  Store store = Store::open(dir / "shoal.db", OpenMode::create).value();
  std::string paper_id = [this] {
    auto run = create_run(store, {.template_name = "t", .model = "m"}).value();
    auto idea = add_idea(store, {.run_id = run.id, .name = "i"}).value();
    return add_paper(store, {.idea_id = idea.id, .status = "compiled"}).value().id;
  }();
};

}  // namespace

TEST_CASE("reviews are stored with every score and listed oldest first; each is its own row") {
  Fixture f;
  Review r{.paper_id = f.paper_id, .reviewer_kind = "ai", .reviewer = "openai:gpt-4o", .overall = 6, .decision = "accept",
           .originality = 3, .quality = 2, .clarity = 4, .significance = 1, .soundness = 3, .presentation = 2,
           .contribution = 3, .confidence = 5, .scores_json = R"({"form":{}})", .text = "Good."};
  auto a = add_review(f.store, r).value();
  r.overall = 4;
  r.decision = "reject";
  auto b = add_review(f.store, r).value();
  CHECK(a.id != b.id);
  auto back = get_review(f.store, a.id).value();
  CHECK(back.overall == 6);
  CHECK(back.decision == "accept");
  CHECK(back.originality == 3);
  CHECK(back.quality == 2);
  CHECK(back.clarity == 4);
  CHECK(back.significance == 1);
  CHECK(back.soundness == 3);
  CHECK(back.presentation == 2);
  CHECK(back.contribution == 3);
  CHECK(back.confidence == 5);
  CHECK(back.text == "Good.");
  CHECK(back.status == "done");
  CHECK(back.created_ms > 0);
  auto list = list_reviews(f.store, f.paper_id).value();
  REQUIRE(list.size() == 2);
  CHECK(list[0].overall == 6);
  CHECK(list[1].overall == 4);
}

TEST_CASE("a failed review has no scores, a status and an error; bad kinds and statuses are refused") {
  Fixture f;
  auto failed = add_review(f.store, {.paper_id = f.paper_id, .reviewer_kind = "ai", .reviewer = "m", .status = "failed",
                                     .error = "no JSON"})
                    .value();
  auto back = get_review(f.store, failed.id).value();
  CHECK(back.status == "failed");
  CHECK(back.error == "no JSON");
  CHECK_FALSE(back.overall.has_value());
  CHECK_FALSE(back.confidence.has_value());
  CHECK(back.decision.empty());
  CHECK(add_review(f.store, {.paper_id = f.paper_id, .reviewer_kind = "robot", .reviewer = "m"}).error().kind ==
        ErrorKind::invalid_input);
  CHECK(add_review(f.store, {.paper_id = f.paper_id, .reviewer_kind = "ai", .reviewer = "m", .status = "zeros"})
            .error()
            .kind == ErrorKind::invalid_input);
  CHECK_FALSE(add_review(f.store, {.paper_id = "paper-none", .reviewer_kind = "human", .reviewer = "Ann"}).ok());
  CHECK(get_review(f.store, 999).error().kind == ErrorKind::not_found);
  CHECK(list_reviews(f.store, f.paper_id).value().size() == 1);
}
