#include <doctest/doctest.h>

#include "store/ideas.hpp"
#include "store/papers.hpp"
#include "store/runs.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::store;

namespace {

struct Fixture {
  test::TempDir dir;
  Store store = Store::open(dir / "shoal.db", OpenMode::create).value();
  std::string run_id = create_run(store, {.template_name = "t", .model = "m"}).value().id;
  std::string idea(const std::string& name, std::optional<int> rank = std::nullopt) {
    auto id = add_idea(store, {.run_id = run_id, .name = name}).value().id;
    REQUIRE(set_idea_rank(store, id, rank).ok());
    return id;
  }
};

}  // namespace

TEST_CASE("every attempt is a new row with the next attempt number; nothing is overwritten") {
  Fixture f;
  auto idea = f.idea("a");
  auto first = add_paper(f.store, {.idea_id = idea, .status = "compiled", .title = "One", .pdf_hash = "",
                                   .pages = 3, .unverified_json = R"([{"text":"9.9"}])"})
                   .value();
  auto second = add_paper(f.store, {.idea_id = idea, .status = "failed", .title = "Two", .error = "did not compile"}).value();
  CHECK(first.attempt == 1);
  CHECK(second.attempt == 2);
  CHECK(first.id != second.id);
  CHECK(first.created_ms > 0);

  auto all = list_papers(f.store, idea).value();
  REQUIRE(all.size() == 2);
  CHECK(all[0].title == "One");
  CHECK(all[0].pages == 3);
  CHECK(all[0].unverified_json == R"([{"text":"9.9"}])");
  CHECK(all[1].status == "failed");
  CHECK(all[1].error == "did not compile");
  CHECK_FALSE(all[1].pages.has_value());

  // A later failed attempt never hides the earlier compiled one.
  auto best = best_paper(f.store, idea).value();
  REQUIRE(best.has_value());
  CHECK(best->id == first.id);

  // Re-adding a row with a taken id or attempt number fails and leaves the stored row as it was.
  auto again = first;
  again.title = "Overwritten?";
  CHECK_FALSE(add_paper(f.store, again).ok());
  auto same_attempt = Paper{.idea_id = idea, .attempt = 1, .status = "compiled", .title = "Also overwritten?"};
  CHECK_FALSE(add_paper(f.store, same_attempt).ok());
  CHECK(get_paper(f.store, first.id).value().title == "One");
  CHECK(list_papers(f.store, idea).value().size() == 2);

  // A newer compiled attempt becomes the best.
  auto third = add_paper(f.store, {.idea_id = idea, .status = "compiled", .title = "Three"}).value();
  CHECK(third.attempt == 3);
  CHECK(best_paper(f.store, idea).value()->id == third.id);
}

TEST_CASE("blob hashes are stored, absent ones read back empty, and unknown ids are not_found") {
  Fixture f;
  auto idea = f.idea("a");
  auto p = add_paper(f.store, {.idea_id = idea, .status = "failed"}).value();
  auto back = get_paper(f.store, p.id).value();
  CHECK(back.tex_hash.empty());
  CHECK(back.pdf_hash.empty());
  CHECK(back.checks_json == "{}");
  CHECK(get_paper(f.store, "paper-none").error().kind == ErrorKind::not_found);
  CHECK_FALSE(add_paper(f.store, {.idea_id = "idea-none", .status = "failed"}).ok());  // foreign key
  CHECK_FALSE(best_paper(f.store, "idea-none").value().has_value());
}

TEST_CASE("a run's papers are the best compiled attempt of each idea, in rank order") {
  Fixture f;
  auto second = f.idea("second", 2);
  auto first = f.idea("first", 1);
  auto none = f.idea("none");
  add_paper(f.store, {.idea_id = second, .status = "compiled", .title = "s1"}).value();
  add_paper(f.store, {.idea_id = second, .status = "compiled", .title = "s2"}).value();
  add_paper(f.store, {.idea_id = second, .status = "failed", .title = "s3"}).value();
  add_paper(f.store, {.idea_id = first, .status = "compiled", .title = "f1"}).value();
  add_paper(f.store, {.idea_id = none, .status = "failed", .title = "n1"}).value();
  auto papers = run_papers(f.store, f.run_id).value();
  REQUIRE(papers.size() == 2);
  CHECK(papers[0].title == "f1");
  CHECK(papers[1].title == "s2");
}
