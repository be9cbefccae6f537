#include <doctest/doctest.h>

#include "llm/structured.hpp"

using namespace shoal;
using namespace shoal::llm;

TEST_CASE("JSON comes out of fenced blocks first, then the first balanced object") {
  auto fenced = extract_json("Here:\n```json\n{\"a\": 1, \"b\": [1, 2]}\n```\nand {\"c\": 3}").value();
  CHECK(fenced["a"] == 1);
  CHECK_FALSE(fenced.contains("c"));
  auto bare = extract_json("THOUGHT: {not json} then {\"name\": \"x}{\", \"n\": {\"k\": 2}} trailing").value();
  CHECK(bare["name"] == "x}{");
  CHECK(bare["n"]["k"] == 2);
  auto plain_fence = extract_json("```\n[1, 2, 3]\n```").value();
  CHECK(plain_fence.size() == 3);
  auto broken_fence = extract_json("```json\n{broken\n```\n{\"ok\": true}").value();  // falls back to the object
  CHECK(broken_fence["ok"] == true);
  CHECK(extract_json("no json at all").error().kind == ErrorKind::invalid_input);
  CHECK(extract_json("{\"unterminated\": ").error().kind == ErrorKind::invalid_input);
}

TEST_CASE("shapes name each missing or mistyped key") {
  Shape shape = {{"title", JsonType::string}, {"score", JsonType::integer}, {"tags", JsonType::array}};
  CHECK(validate_shape(nlohmann::json{{"title", "t"}, {"score", 3}, {"tags", {"a"}}, {"extra", 1}}, shape).ok());
  auto bad = validate_shape(nlohmann::json{{"title", 5}, {"score", 2.5}}, shape);
  CHECK(bad.error().kind == ErrorKind::invalid_input);
  CHECK(bad.error().message.find("\"title\" must be a string, not number") != std::string::npos);
  CHECK(bad.error().message.find("\"score\" must be an integer") != std::string::npos);
  CHECK(bad.error().message.find("missing key \"tags\"") != std::string::npos);
  CHECK(validate_shape(nlohmann::json::array(), shape).error().message.find("not an object") != std::string::npos);
}
