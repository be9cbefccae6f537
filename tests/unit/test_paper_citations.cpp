#include <doctest/doctest.h>

#include "paper/citations.hpp"

using namespace shoal::paper;

TEST_CASE("unknown citation keys are dropped, known ones kept, empty commands removed") {
  auto r = drop_unknown_citations(
      "A \\citep[see][p.~2]{good, bad1}. B~\\cite{bad2}. C \\citet*{good}. % \\cite{bad3}\n\\nocite{bad1,good}",
      {"good"});
  CHECK(r.tex == "A \\citep[see][p.~2]{good}. B. C \\citet*{good}. % \\cite{bad3}\n\\nocite{good}");
  CHECK(r.dropped == std::vector<std::string>{"bad1", "bad2"});
  auto same = drop_unknown_citations("No citations \\ref{x}.", {});
  CHECK(same.tex == "No citations \\ref{x}.");
  CHECK(same.dropped.empty());
}

TEST_CASE("the .bib file name comes from \\bibliography") {
  CHECK(bib_file_name("\\bibliography{references}") == "references.bib");
  CHECK(bib_file_name("\\bibliography{refs.bib,other}") == "refs.bib");
  CHECK(bib_file_name("% \\bibliography{x}\nnone") == "references.bib");
}
