#include <doctest/doctest.h>

#include "store/ideas.hpp"
#include "store/papers.hpp"
#include "store/records.hpp"
#include "store/reproductions.hpp"
#include "store/runs.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::store;

namespace {

struct Fixture {
  test::TempDir dir;
  Store store = Store::open(dir / "shoal.db", OpenMode::create).value();
  std::string run_id = create_run(store, {.template_name = "t", .model = "m"}).value().id;
  std::string idea_id = add_idea(store, {.run_id = run_id, .name = "a"}).value().id;
  std::string paper_id = add_paper(store, {.idea_id = idea_id, .status = "compiled"}).value().id;
};

}  // namespace

TEST_CASE("reproductions are kept in order; the newest is the paper's outcome") {
  Fixture f;
  CHECK_FALSE(latest_reproduction(f.store, f.paper_id).value().has_value());
  auto first = add_reproduction(f.store, {.paper_id = f.paper_id, .outcome = "reproduced", .created_ms = 1000}).value();
  auto second = add_reproduction(f.store, {.paper_id = f.paper_id, .outcome = "differs",
                                           .details_json = R"({"runs":[{"metrics":[{"stored":1,"measured":2}]}]})",
                                           .created_ms = 2000})
                    .value();
  CHECK(first.id > 0);
  CHECK(second.id > first.id);
  auto latest = latest_reproduction(f.store, f.paper_id).value();
  REQUIRE(latest.has_value());
  CHECK(latest->outcome == "differs");
  auto all = list_reproductions(f.store, f.paper_id).value();
  REQUIRE(all.size() == 2);
  CHECK(all[0].outcome == "reproduced");

  auto j = to_json(*latest);
  CHECK(j["outcome"] == "differs");
  CHECK(j["paper_id"] == f.paper_id);
  CHECK(j["details"]["runs"][0]["metrics"][0]["measured"] == 2);  // stored JSON embedded, not a string
}

TEST_CASE("a reproduction needs a known outcome and a stored paper") {
  Fixture f;
  auto bad = add_reproduction(f.store, {.paper_id = f.paper_id, .outcome = "maybe"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::invalid_input);
  CHECK(bad.error().message.find("maybe") != std::string::npos);
  CHECK_FALSE(add_reproduction(f.store, {.paper_id = "paper-none", .outcome = "reproduced"}).ok());  // foreign key
  CHECK(list_reproductions(f.store, f.paper_id).value().empty());
}
