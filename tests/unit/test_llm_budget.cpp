#include <doctest/doctest.h>

#include "llm/budget.hpp"

using namespace shoal;
using namespace shoal::llm;

TEST_CASE("a budget refuses calls once recorded plus reserved spend reaches the cap") {
  Budget budget(1.0, std::nullopt, Spend{0.5, 0});
  REQUIRE(budget.reserve({0.3, 100}, "call 1").ok());
  REQUIRE(budget.reserve({0.3, 100}, "call 2").ok());  // 0.8 < 1.0: may start
  auto refused = budget.reserve({0.3, 100}, "call 3");  // 1.1 >= 1.0
  CHECK(refused.error().kind == ErrorKind::budget_exceeded);
  CHECK(refused.error().message.find("call 3 refused") != std::string::npos);
  CHECK(refused.error().message.find("budget_usd") != std::string::npos);
  budget.settle({0.3, 100}, {0.01, 50});  // a call ends cheaper than its worst case
  CHECK(budget.recorded().usd == doctest::Approx(0.51));
  CHECK(budget.reserved().usd == doctest::Approx(0.3));
  CHECK(budget.reserve({0.3, 100}, "call 4").ok());
  budget.settle({0.3, 100}, {});  // a failed call costs nothing
  budget.settle({0.3, 100}, {});
  CHECK(budget.reserved().usd == 0);
  CHECK(budget.recorded().tokens == 50);
}

TEST_CASE("a token cap refuses calls too; no cap never refuses") {
  Budget tokens(std::nullopt, 1000, Spend{0, 900});
  REQUIRE(tokens.reserve({0, 50}, "a").ok());
  CHECK(tokens.reserve({0, 50}, "b").ok());
  CHECK(tokens.reserve({0, 50}, "c").error().kind == ErrorKind::budget_exceeded);
  Budget none(std::nullopt, std::nullopt, Spend{1e9, 1000000000});
  CHECK(none.reserve({5, 5}, "d").ok());
  Budget zero(0.0, std::nullopt);
  CHECK(zero.reserve({0, 0}, "e").error().kind == ErrorKind::budget_exceeded);
}
