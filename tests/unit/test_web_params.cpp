#include <doctest/doctest.h>

#include "core/text.hpp"
#include "web/params.hpp"

using namespace shoal;
using namespace shoal::web;

TEST_CASE("numbers in the query are parsed whole or refused with the parameter's name") {
  CHECK(parse_int("42", "page").value() == 42);
  CHECK(parse_int("4x", "page").error().message.rfind("page", 0) == 0);
  CHECK_FALSE(parse_int("", "page").ok());
  CHECK_FALSE(parse_int("99999999999999999999", "page").ok());
  CHECK(parse_number("2.5", "min_score").value() == 2.5);
  CHECK_FALSE(parse_number("nan", "min_score").ok());
  CHECK_FALSE(parse_number("inf", "min_score").ok());
  auto t = parse_target("/x?page=3&min_score=5&max_clarity=2&min_empty=&order=asc").value();
  CHECK(int_param(t, "page", 1, 1, 10).value() == 3);
  CHECK(int_param(t, "per_page", 25, 1, 100).value() == 25);
  CHECK_FALSE(int_param(t, "page", 1, 4, 10).ok());
  auto ranges = score_ranges(t).value();
  REQUIRE(ranges.size() == 2);
  CHECK(ranges[0].name == "clarity");
  CHECK(ranges[0].max == 2.0);
  CHECK(ranges[1].name == "score");
  CHECK(ranges[1].min == 5.0);
  CHECK(descending_param(t, true).value() == false);
  CHECK(split_items("a,b,,c") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_items(" a , b\t,") == std::vector<std::string>{"a", "b"});
  CHECK(split_items("").empty());
}
