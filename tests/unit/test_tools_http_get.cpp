#include <doctest/doctest.h>

#include "tools/http_get.hpp"

using namespace shoal;
using namespace shoal::tools;

TEST_CASE("query values are percent-encoded, unreserved characters kept") {
  CHECK(url_encode("a b&c=d/é~_.-") == "a%20b%26c%3Dd%2F%C3%A9~_.-");
  CHECK(url_encode("") == "");
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date") {
  CHECK(parse_retry_after("120", 0) == 120.0);
  CHECK(parse_retry_after("0", 0) == 0.0);
  // Sun, 06 Nov 1994 08:49:37 GMT is 784111777 s after the epoch.
  auto in_ten = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", (784111777LL - 10) * 1000);
  REQUIRE(in_ten.has_value());
  CHECK(*in_ten == doctest::Approx(10.0));
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777LL * 1000 + 5000) == 0.0);  // past: now
  CHECK_FALSE(parse_retry_after("soon", 0).has_value());
  CHECK_FALSE(parse_retry_after("", 0).has_value());
  CHECK_FALSE(parse_retry_after("-5", 0).has_value());
}

TEST_CASE("transport failures are errors with a kind; malformed URLs are invalid input") {
  auto refused = http_get("http://127.0.0.1:9/x", {.timeout_s = 5});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().kind == ErrorKind::remote);
  CHECK(refused.error().message.find("GET http://127.0.0.1:9/x failed") != std::string::npos);
  auto bad = http_get("notaurl://x", {.timeout_s = 5});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::invalid_input);
}
