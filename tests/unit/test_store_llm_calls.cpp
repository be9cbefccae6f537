#include <doctest/doctest.h>

#include "store/llm_calls.hpp"
#include "store/runs.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::store;

TEST_CASE("llm calls are recorded, add their cost to the run, and are found by request hash") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  auto run = create_run(store, Run{.template_name = "t", .model = "openai:gpt-4o"}).value();
  LlmCall call{.run_id = run.id, .stage = "ideas", .provider = "openai", .model = "gpt-4o", .request_hash = "h1",
               .request_json = "{}", .response_json = "{\"r\":1}", .status = "ok", .tokens_in = 100,
               .tokens_out = 20, .cost_usd = 0.25};
  auto id = record_llm_call(store, call).value();
  CHECK(id > 0);
  call.cost_usd = 0.5;
  call.request_hash = "h2";
  call.status = "error";
  call.response_json = "";
  REQUIRE(record_llm_call(store, call).ok());

  CHECK(get_run(store, run.id).value().cost_usd == doctest::Approx(0.75));
  auto spend = llm_spend_of_run(store, run.id).value();
  CHECK(spend.cost_usd == doctest::Approx(0.75));
  CHECK(spend.tokens == 240);
  CHECK(spend.calls == 2);

  auto hit = find_cached_llm_call(store, "h1").value();
  REQUIRE(hit.has_value());
  CHECK(hit->response_json == "{\"r\":1}");
  CHECK(hit->stage == "ideas");
  CHECK_FALSE(find_cached_llm_call(store, "h2").value().has_value());  // errors are not answers
  CHECK_FALSE(find_cached_llm_call(store, "nope").value().has_value());
  CHECK(list_llm_calls(store, run.id).value().size() == 2);
  CHECK(llm_spend_of_run(store, "run-other").value().calls == 0);
}

TEST_CASE("llm calls without a run are kept and listed under the empty run id") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  REQUIRE(record_llm_call(store, LlmCall{.provider = "anthropic", .model = "m", .request_hash = "x",
                                         .request_json = "{}", .status = "cached"})
              .ok());
  auto calls = list_llm_calls(store, "").value();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].status == "cached");
  CHECK(calls[0].run_id.empty());
  CHECK_FALSE(record_llm_call(store, LlmCall{.provider = "p", .model = "m", .request_hash = "x",
                                             .request_json = "{}", .status = "weird"})
                  .ok());
  CHECK(list_llm_calls(store, "").value().size() == 1);  // the refused row left nothing behind
}
