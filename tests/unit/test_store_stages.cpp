#include <doctest/doctest.h>

#include "store/runs.hpp"
#include "store/stages.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::store;

TEST_CASE("a stage counts its attempts and keeps one row per (run, idea, stage)") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  auto run = create_run(store, Run{.template_name = "grokking", .model = "offline"}).value();

  auto first = begin_stage(store, run.id, "", "ideas").value();
  CHECK(first.status == "running");
  CHECK(first.attempts == 1);
  REQUIRE(finish_stage(store, first.id, "failed", 0.1, "timeout", "LLM timed out").ok());

  auto second = begin_stage(store, run.id, "", "ideas").value();
  CHECK(second.id == first.id);
  CHECK(second.attempts == 2);
  CHECK(second.error.empty());
  REQUIRE(finish_stage(store, second.id, "done", 0.2, "", "", R"({"ideas":3})").ok());

  auto found = find_stage(store, run.id, "", "ideas").value();
  REQUIRE(found.has_value());
  CHECK(found->status == "done");
  CHECK(found->cost_usd == doctest::Approx(0.3));
  CHECK(found->output_json == R"({"ideas":3})");
  CHECK_FALSE(find_stage(store, run.id, "", "review").value().has_value());
  CHECK(list_stages(store, run.id).value().size() == 1);
}

TEST_CASE("a stage of an unknown run violates the foreign key") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  CHECK(begin_stage(store, "run-missing", "", "ideas").error().kind == ErrorKind::invalid_input);
}
