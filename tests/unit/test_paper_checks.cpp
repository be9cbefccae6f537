#include <doctest/doctest.h>

#include "paper/checks.hpp"

using namespace shoal::paper;

TEST_CASE("checks pass only when everything holds, and survive a JSON round trip") {
  CompileResult compile;
  compile.pdf_written = true;
  compile.parsed.pages = 4;
  compile.parsed.undefined_citations = {"b"};
  ClaimReport claims;
  claims.checked = {Claim{.text = "1.5"}, Claim{.text = "2.5"}};
  FigureCheck figures{{"a.png"}, {}, {}};
  auto c = make_checks(&compile, claims, figures, {"a", "b", "c"}, {"a", "b"}, /*page_limit=*/4);
  CHECK_FALSE(c.compiles);  // an undefined citation
  CHECK(c.pages == 4);
  CHECK(c.unresolved_citations == std::vector<std::string>{"b", "c"});
  CHECK_FALSE(c.passed());

  compile.parsed.undefined_citations.clear();
  auto good = make_checks(&compile, claims, figures, {"a"}, {"a"}, 4);
  CHECK(good.compiles);
  CHECK(good.passed());
  auto over = make_checks(&compile, claims, figures, {"a"}, {"a"}, 3);
  CHECK_FALSE(over.passed());
  claims.unmatched = {claims.checked[0]};
  CHECK_FALSE(make_checks(&compile, claims, figures, {"a"}, {"a"}, 0).passed());
  CHECK_FALSE(make_checks(nullptr, {}, {}, {}, {}, 0).passed());

  auto back = PaperChecks::from_json(good.to_json());
  CHECK(back.compiles);
  CHECK(back.pages == 4);
  CHECK(back.claims_checked == 2);
  CHECK(back.figures.referenced == std::vector<std::string>{"a.png"});
  CHECK(back.cited == std::vector<std::string>{"a"});
  CHECK(back.passed());
  CHECK(good.describe().find("all checks passed: yes") != std::string::npos);
  CHECK(over.describe().find("pages: 4 (limit 3)") != std::string::npos);
}
