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

TEST_CASE("a template's filecontents bibliography is taken out of the text and kept") {
  std::string tex = "\\documentclass{article}\n"
                    "\\begin{filecontents}{references.bib}\n@article{lu2024, title={A}, year={2024}}\n\\end{filecontents}\n"
                    "\\begin{filecontents*}[overwrite]{extra.bib}\n@misc{x1, title={B}}\n\\end{filecontents*}\n"
                    "\\begin{document}Hi \\cite{lu2024}.\\end{document}\n";
  auto split = split_filecontents(tex);
  CHECK(split.tex.find("filecontents") == std::string::npos);
  CHECK(split.tex.find("\\begin{document}Hi \\cite{lu2024}.") != std::string::npos);
  REQUIRE(split.files.size() == 2);
  CHECK(split.files.at("references.bib").find("@article{lu2024") != std::string::npos);
  CHECK(split.files.at("extra.bib").find("@misc{x1") != std::string::npos);
  CHECK(split_filecontents("no environments").tex == "no environments");
}

TEST_CASE("merging bibliographies keeps the first entry of a key and adds the new ones") {
  std::string bib = "@article{lu2024, title={Kept}}\n";
  std::string merged = merge_bib(bib, "@article{lu2024, title={Dropped}}\n@book{new1, title={Added}}\n");
  CHECK(merged.find("Kept") != std::string::npos);
  CHECK(merged.find("Dropped") == std::string::npos);
  CHECK(merged.find("@book{new1") != std::string::npos);
  CHECK(merge_bib("", "@misc{a, title={A}}").find("@misc{a") != std::string::npos);
}
