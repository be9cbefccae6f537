#include <doctest/doctest.h>

#include <fstream>

#include "llm/prices.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::llm;

TEST_CASE("the built-in price table parses and finds models exactly, by prefix and by wildcard") {
  auto table = PriceTable::load().value();
  auto gpt = table.find("openai", "gpt-4o").value();
  CHECK(gpt.input == 2.5);
  CHECK(gpt.output == 10.0);
  CHECK(gpt.cached_input == 1.25);
  CHECK(table.find("openai", "gpt-4o-mini").value().input == 0.15);               // exact beats prefix
  CHECK(table.find("openai", "gpt-4o-2024-08-06").value().input == 2.5);          // dated version
  CHECK(table.find("anthropic", "claude-sonnet-4-5-20250929").value().cache_write == 3.75);
  CHECK(table.find("ollama", "llama3.1").value().output == 0);                     // provider:*
  auto unknown = table.find("openai", "mystery-model");
  CHECK(unknown.error().kind == ErrorKind::invalid_input);
  CHECK(unknown.error().message.find("llm_prices_file") != std::string::npos);
}

TEST_CASE("a user price file overrides and extends; a broken one is refused") {
  test::TempDir dir;
  std::ofstream(dir / "prices.json") << R"({"models": {"openai:gpt-4o": {"input": 1, "output": 2},
                                                       "openai:my-vllm": {"input": 0.5, "output": 0.5}}})";
  auto table = PriceTable::load(dir / "prices.json").value();
  auto gpt = table.find("openai", "gpt-4o").value();
  CHECK(gpt.input == 1);
  CHECK(gpt.cached_input == 1);  // cached defaults to the input price
  CHECK(table.find("openai", "my-vllm").ok());
  CHECK(table.find("anthropic", "claude-haiku-4-5").ok());  // the rest of the built-in table stays

  std::ofstream(dir / "bad.json") << "{\"models\": {\"openai:x\": {\"input\": 1}";
  CHECK(PriceTable::load(dir / "bad.json").error().kind == ErrorKind::invalid_input);
  std::ofstream(dir / "neg.json") << R"({"models": {"openai:x": {"input": -1, "output": 1}}})";
  CHECK(PriceTable::load(dir / "neg.json").error().message.find("non-negative") != std::string::npos);
  std::ofstream(dir / "nokey.json") << R"({"models": {"x": {"input": 1, "output": 1}}})";
  CHECK(PriceTable::load(dir / "nokey.json").error().kind == ErrorKind::invalid_input);
  CHECK(PriceTable::load(dir / "missing.json").error().kind == ErrorKind::invalid_input);
}

TEST_CASE("cost counts uncached input, cache reads, cache writes and output at their own prices") {
  Price p{.input = 3, .cached_input = 0.3, .cache_write = 3.75, .output = 15};
  CHECK(cost_usd(p, Usage{.input = 1000000, .output = 0}) == doctest::Approx(3.0));
  CHECK(cost_usd(p, Usage{.input = 0, .output = 1000000}) == doctest::Approx(15.0));
  // 2310 in = 10 plain + 2000 read + 300 written
  CHECK(cost_usd(p, Usage{.input = 2310, .output = 7, .cached_read = 2000, .cache_write = 300}) ==
        doctest::Approx((10 * 3 + 2000 * 0.3 + 300 * 3.75 + 7 * 15) / 1e6));
}
