#include <doctest/doctest.h>

#include "web/url.hpp"

using namespace shoal::web;

TEST_CASE("percent-decoding refuses malformed escapes and NUL bytes") {
  CHECK(percent_decode("a%20b+c", true) == "a b c");
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK(percent_decode("%e2%9c%93", false) == "\xe2\x9c\x93");
  CHECK_FALSE(percent_decode("%zz", false));
  CHECK_FALSE(percent_decode("abc%2", false));
  CHECK_FALSE(percent_decode("%", false));
  CHECK_FALSE(percent_decode("a%00b", false));
}

TEST_CASE("a target splits into its decoded path and query") {
  auto t = parse_target("/api/v1/papers?sort=score&q=weight+decay&empty=&flag").value();
  CHECK(t.path == "/api/v1/papers");
  CHECK(t.query.at("sort") == "score");
  CHECK(t.query.at("q") == "weight decay");
  CHECK(t.query.at("empty").empty());
  CHECK(t.query.at("flag").empty());
  CHECK(parse_target("/a?x=1&x=2").value().query.at("x") == "2");
  CHECK_FALSE(parse_target("http://elsewhere/").ok());
  CHECK_FALSE(parse_target("/a?q=%G0").ok());
  CHECK_FALSE(parse_target("").ok());
}

TEST_CASE("path patterns capture one non-empty segment per parameter") {
  auto p = match_path("/api/v1/papers/{id}/pdf", "/api/v1/papers/paper-1/pdf");
  REQUIRE(p);
  CHECK(p->at("id") == "paper-1");
  CHECK_FALSE(match_path("/api/v1/papers/{id}", "/api/v1/papers/"));
  CHECK_FALSE(match_path("/api/v1/papers/{id}", "/api/v1/papers/a/b"));
  CHECK_FALSE(match_path("/api/v1/runs", "/api/v1/papers"));
  CHECK(match_path("/", "/"));
}

TEST_CASE("cookies are found by exact name") {
  CHECK(cookie_value("a=1; shoal_session=abc; b=2", "shoal_session") == "abc");
  CHECK(cookie_value("xshoal_session=abc", "shoal_session").empty());
  CHECK(cookie_value("", "shoal_session").empty());
}
