#include <doctest/doctest.h>

#include "paper/checks.hpp"

using namespace shoal::paper;

TEST_CASE("checks pass only when everything holds, and survive a JSON round trip") {
  CompileResult compile;
  compile.pdf_written = true;
  compile.parsed.pages = 4;
  compile.blg = "This is BibTeX, Version 0.99d\n";  // bibtex ran for the cited keys
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

TEST_CASE("a failing or missing bibtex run fails the checks, never 'all passed'") {
  CompileResult compile;
  compile.pdf_written = true;
  compile.parsed.pages = 2;
  compile.blg = "This is BibTeX\n";
  compile.bibtex_problems = {{.kind = "bibtex", .message = "I couldn't open database file references.bib"},
                             {.kind = "bibtex_warning", .message = "empty journal in lu2024"}};
  auto c = make_checks(&compile, {}, {}, {"lu2024"}, {"lu2024"}, 0);
  CHECK(c.bibtex_errors == std::vector<std::string>{"I couldn't open database file references.bib"});
  CHECK_FALSE(c.passed());
  CHECK(c.describe().find("bibtex: I couldn't open database file references.bib") != std::string::npos);
  CHECK(PaperChecks::from_json(c.to_json()).bibtex_errors == c.bibtex_errors);
  // A warning alone passes.
  compile.bibtex_problems.erase(compile.bibtex_problems.begin());
  CHECK(make_checks(&compile, {}, {}, {"lu2024"}, {"lu2024"}, 0).passed());
  // Citations and no bibtex log at all: bibtex never ran.
  compile.blg.clear();
  auto never = make_checks(&compile, {}, {}, {"lu2024"}, {"lu2024"}, 0);
  REQUIRE(never.bibtex_errors.size() == 1);
  CHECK(never.bibtex_errors[0].find("bibtex did not run") == 0);
  CHECK(make_checks(&compile, {}, {}, {}, {}, 0).passed());  // nothing cited: no bibtex needed
}
