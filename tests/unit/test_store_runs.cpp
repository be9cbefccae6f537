#include <doctest/doctest.h>

#include "store/runs.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::store;

TEST_CASE("runs are created, listed newest first, and move through statuses") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  auto a = create_run(store, Run{.template_name = "grokking", .template_hash = "h1", .model = "offline", .budget_usd = 5.0}).value();
  auto b = create_run(store, Run{.template_name = "charlm", .template_hash = "h2", .model = "openai:gpt-4o"}).value();
  CHECK(a.id.rfind("run-", 0) == 0);
  auto runs = list_runs(store).value();
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].created_ms >= runs[1].created_ms);

  REQUIRE(set_run_status(store, a.id, "running").ok());
  auto running = get_run(store, a.id).value();
  CHECK(running.started_ms.has_value());
  CHECK_FALSE(running.ended_ms.has_value());
  REQUIRE(set_run_status(store, a.id, "failed", "sandbox refused").ok());
  auto failed = get_run(store, a.id).value();
  CHECK(failed.ended_ms.has_value());
  CHECK(failed.error == "sandbox refused");
  CHECK(failed.budget_usd == 5.0);
  CHECK(get_run(store, "run-nope").error().kind == ErrorKind::not_found);
  CHECK(set_run_status(store, "run-nope", "done").error().kind == ErrorKind::not_found);
  CHECK(set_run_status(store, b.id, "exploded").error().kind == ErrorKind::invalid_input);
}

TEST_CASE("costs add up inside a transaction") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  auto r = create_run(store, Run{.template_name = "grokking", .model = "offline"}).value();
  REQUIRE(store.transaction([&](SQLite::Database& db) -> Status {
    add_run_cost(db, r.id, 0.25);
    add_run_cost(db, r.id, 0.5);
    return {};
  }).ok());
  CHECK(get_run(store, r.id).value().cost_usd == doctest::Approx(0.75));
}

TEST_CASE("events are read incrementally") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  auto r = create_run(store, Run{.template_name = "grokking", .model = "offline"}).value();
  auto first = add_event(store, {0, r.id, "", "stage", "ideas started", "", 0}).value();
  REQUIRE(add_event(store, {0, r.id, "", "stage", "ideas done", R"({"n":3})", 0}).ok());
  auto later = list_events(store, r.id, first).value();
  REQUIRE(later.size() == 1);
  CHECK(later[0].message == "ideas done");
  CHECK(later[0].data_json == R"({"n":3})");
}
