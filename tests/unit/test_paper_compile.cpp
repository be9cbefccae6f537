// Compiling in the sandbox (pdflatex, bibtex, pdflatex x2, chktex) through the local executor.
#include <doctest/doctest.h>

#include "experiments/local_executor.hpp"
#include "paper/compile.hpp"
#include "paper/sandbox_files.hpp"
#include "paper_fixture.hpp"

using namespace shoal;
using namespace shoal::paper;

namespace {

const char* kBib = "@article{smith2020,\n  author = {Jane Smith},\n  title = {A Study},\n  journal = {J},\n  year = {2020}\n}\n";

std::string doc(const std::string& body) {
  return "\\documentclass{article}\n\\usepackage{graphicx}\n\\usepackage[numbers]{natbib}\n\\begin{document}\n" + body +
         "\n\\bibliographystyle{plainnat}\n\\bibliography{references}\n\\end{document}\n";
}

}  // namespace

TEST_CASE("a folder with a figure and a citation compiles to a PDF with everything resolved") {
  test::TempDir dir;
  test::open_to_sandbox(dir);
  auto work = dir / "paper";
  REQUIRE(make_work_dir(work).ok());
  test::write_files(work, {{"template.tex", doc("As shown by \\citet{smith2020}, see Figure~\\ref{fig:a}.\n"
                                                "\\begin{figure}[h]\\centering\\includegraphics[width=2cm]{plot.png}"
                                                "\\caption{A plot.}\\label{fig:a}\\end{figure}")},
                           {"references.bib", kBib},
                           {"plot.png", test::tiny_png()}});
  experiments::LocalExecutor executor;
  experiments::CancelToken never;
  auto r = compile_latex(executor, work, {}, never).value();
  CHECK(r.compiled());
  CHECK(r.pdf_written);
  CHECK(r.pdf.rfind("%PDF", 0) == 0);
  CHECK(r.parsed.pages == 1);
  CHECK(r.parsed.undefined_citations.empty());
  CHECK(r.parsed.undefined_references.empty());
  CHECK(r.blg.find("Database file #1: references.bib") != std::string::npos);
  CHECK(r.problems().empty());
  CHECK(r.problems(/*page_limit=*/1).empty());
}

TEST_CASE("errors, an unknown citation and a missing figure are reported; a later good compile is clean") {
  test::TempDir dir;
  test::open_to_sandbox(dir);
  auto work = dir / "paper";
  REQUIRE(make_work_dir(work).ok());
  test::write_files(work, {{"template.tex", doc("Bad \\nosuchmacro{} and \\cite{ghost2021}.\n\\includegraphics{gone.png}")},
                           {"references.bib", kBib}});
  experiments::LocalExecutor executor;
  experiments::CancelToken never;
  auto r = compile_latex(executor, work, {}, never).value();
  CHECK_FALSE(r.compiled());
  auto text = describe_problems(r.problems());
  CHECK(text.find("template.tex:5: Undefined control sequence.") != std::string::npos);
  CHECK(text.find("citation `ghost2021' is undefined") != std::string::npos);
  CHECK(text.find("figure file `gone.png' not found") != std::string::npos);
  CHECK_FALSE(r.chktex_problems.empty());  // chktex ran too

  // The same folder, fixed: stale outputs of the failed attempt do not leak into this one.
  test::write_files(work, {{"template.tex", doc("Good \\cite{smith2020}.")}});
  auto fixed = compile_latex(executor, work, {}, never).value();
  CHECK(fixed.compiled());
  CHECK(fixed.problems().empty());
}

TEST_CASE("a document that loops forever is stopped at the time limit; a page limit is a problem") {
  test::TempDir dir;
  test::open_to_sandbox(dir);
  auto work = dir / "paper";
  REQUIRE(make_work_dir(work).ok());
  test::write_files(work, {{"template.tex", "\\documentclass{article}\n\\begin{document}\n\\def\\loop{\\loop}\\loop\n\\end{document}\n"}});
  experiments::LocalExecutor executor;
  experiments::CancelToken never;
  auto r = compile_latex(executor, work, {.timeout_s = 2}, never).value();
  CHECK_FALSE(r.compiled());
  CHECK(r.job_failure.find("wall_time") != std::string::npos);
  CHECK(describe_problems(r.problems()).find("limit hit wall_time") != std::string::npos);

  test::write_files(work, {{"template.tex", "\\documentclass{article}\n\\begin{document}\na\\newpage b\\newpage c\n\\end{document}\n"}});
  auto long_one = compile_latex(executor, work, {.bibtex = false}, never).value();
  CHECK(long_one.compiled());
  CHECK(long_one.parsed.pages == 3);
  auto problems = long_one.problems(/*page_limit=*/2);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].kind == "page_limit");
  CHECK(problems[0].message == "the paper has 3 pages; the limit is 2");
}

TEST_CASE("a missing main file is not_found") {
  test::TempDir dir;
  experiments::LocalExecutor executor;
  experiments::CancelToken never;
  CHECK(compile_latex(executor, dir.path(), {}, never).error().kind == ErrorKind::not_found);
}
