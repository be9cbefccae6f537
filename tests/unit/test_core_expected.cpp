#include <doctest/doctest.h>

#include "core/expected.hpp"

using namespace shoal;

namespace {
Expected<int> half(int x) {
  if (x % 2) return fail(ErrorKind::invalid_input, "odd: " + std::to_string(x));
  return x / 2;
}
Expected<int> quarter(int x) {
  SHOAL_TRY(h, half(x));
  return half(h);
}
}  // namespace

TEST_CASE("Expected holds a value or an error") {
  auto ok = half(8);
  CHECK(ok.ok());
  CHECK(*ok == 4);
  auto bad = half(3);
  CHECK_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::invalid_input);
  CHECK(bad.error().describe() == "invalid_input: odd: 3");
  CHECK(bad.value_or(-1) == -1);
  CHECK_THROWS_AS(bad.value(), ShoalError);
}

TEST_CASE("SHOAL_TRY propagates the first error") {
  CHECK(*quarter(8) == 2);
  auto e = quarter(6);  // 6 -> 3 -> odd
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "odd: 3");
}

TEST_CASE("error kinds map to distinct documented exit codes") {
  CHECK(exit_code(ErrorKind::invalid_input) == 3);
  CHECK(exit_code(ErrorKind::not_found) == 4);
  CHECK(exit_code(ErrorKind::io) == 5);
  CHECK(exit_code(ErrorKind::corrupt) == 6);
  CHECK(exit_code(ErrorKind::budget_exceeded) == 7);
  CHECK(to_string(ErrorKind::rate_limited) == "rate_limited");
}
