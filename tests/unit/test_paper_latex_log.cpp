// The log parser on real pdflatex failures: small broken documents are compiled with the
// system's pdflatex at test time and their logs parsed.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "core/file.hpp"
#include "paper/latex_log.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::paper;

namespace {

// Runs pdflatex once on `tex` (as main.tex in `dir`) and returns its .log.
std::string pdflatex_log(const test::TempDir& dir, const std::string& tex, bool wrap = false) {
  std::ofstream(dir / "main.tex") << tex;
  std::string cmd = "cd '" + dir.path().string() + "' && " + (wrap ? "" : "max_print_line=10000 ") +
                    "pdflatex -interaction=nonstopmode -file-line-error -no-shell-escape main.tex >/dev/null 2>&1";
  (void)std::system(cmd.c_str());
  return read_file(dir / "main.log").value();
}

const char* kPreamble = "\\documentclass{article}\n\\usepackage{graphicx}\n\\usepackage[numbers]{natbib}\n";

}  // namespace

TEST_CASE("an undefined control sequence is an error with its file, line and context") {
  test::TempDir dir;
  auto log = parse_latex_log(pdflatex_log(dir, std::string(kPreamble) + "\\begin{document}\nHello\n\\foobar{} world.\n\\end{document}\n"));
  REQUIRE(log.errors.size() == 1);
  CHECK(log.errors[0].file == "main.tex");
  CHECK(log.errors[0].line == 6);
  CHECK(log.errors[0].message == "Undefined control sequence.");
  CHECK(log.errors[0].context.find("\\foobar") != std::string::npos);
  CHECK(log.has_errors());
  CHECK(log.pages == 1);
  CHECK_FALSE(log.fatal);
}

TEST_CASE("undefined references and citations, a missing figure and an overfull box are found") {
  test::TempDir dir;
  std::string tex = std::string(kPreamble) +
                    "\\begin{document}\nSee Figure~\\ref{fig:none} and \\cite{nobody2020} and \\citep{ghost}.\n"
                    "\\includegraphics{missing_plot.png}\n\n"
                    "\\noindent\\mbox{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n"
                    "\\end{document}\n";
  auto log = parse_latex_log(pdflatex_log(dir, tex));
  CHECK(log.undefined_references == std::vector<std::string>{"fig:none"});
  CHECK(log.undefined_citations == std::vector<std::string>{"nobody2020", "ghost"});
  CHECK(log.missing_figures == std::vector<std::string>{"missing_plot.png"});
  REQUIRE(log.overfull.size() == 1);
  CHECK(log.overfull[0].amount_pt > 100);
  CHECK(log.overfull[0].line == 8);
  // The missing file is also an error (pdftex.def's), so the attempt does not count as compiled.
  CHECK(log.has_errors());
  auto problems = all_problems(log);
  std::string text = describe_problems(problems);
  CHECK(text.find("citation `ghost' is undefined") != std::string::npos);
  CHECK(text.find("figure file `missing_plot.png' not found") != std::string::npos);
  CHECK(text.find("Overfull \\hbox") != std::string::npos);
}

TEST_CASE("overfull boxes at or under the threshold are not problems") {
  test::TempDir dir;
  std::string tex = std::string(kPreamble) +
                    "\\begin{document}\n\\noindent\\mbox{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n"
                    "\\end{document}\n";
  std::string text = pdflatex_log(dir, tex);
  REQUIRE(parse_latex_log(text, 1.0).overfull.size() == 1);
  double amount = parse_latex_log(text, 1.0).overfull[0].amount_pt;
  CHECK(parse_latex_log(text, amount + 1).overfull.empty());
  CHECK(parse_latex_log(text, amount - 1).overfull.size() == 1);
}

TEST_CASE("a missing package is fatal: no PDF, no page count") {
  test::TempDir dir;
  auto log = parse_latex_log(pdflatex_log(dir, "\\documentclass{article}\n\\usepackage{nosuchpackage}\n\\begin{document}\nx\n\\end{document}\n"));
  CHECK(log.fatal);
  REQUIRE_FALSE(log.errors.empty());
  CHECK(log.errors[0].message.find("nosuchpackage.sty' not found") != std::string::npos);
  CHECK(log.missing_figures.empty());  // a .sty is not a figure
  CHECK_FALSE(log.pages.has_value());
}

TEST_CASE("mismatched environments and a missing $ are two errors with their lines") {
  test::TempDir dir;
  auto log = parse_latex_log(pdflatex_log(
      dir, "\\documentclass{article}\n\\begin{document}\n\\begin{itemize}\n\\item x\n\\end{enumerate}\n$x^2\n\n\\end{document}\n"));
  REQUIRE(log.errors.size() >= 2);
  CHECK(log.errors[0].message.find("\\begin{itemize} on input line 3 ended by \\end{enumerate}") != std::string::npos);
  CHECK(log.errors[0].line == 5);
  CHECK(log.errors[1].message == "Missing $ inserted.");
  CHECK(log.errors[1].line == 7);
}

TEST_CASE("a log with TeX's default line wrapping still gives the page count and long citations") {
  test::TempDir dir;
  std::string key(70, 'k');
  std::string tex = std::string(kPreamble) + "\\begin{document}\nLong: \\cite{" + key + "}.\n\\end{document}\n";
  auto log = parse_latex_log(pdflatex_log(dir, tex, /*wrap=*/true));
  CHECK(log.pages == 1);
  REQUIRE(log.undefined_citations.size() == 1);
  // Wrapped at 79 columns the key is cut; the parser keeps what is on the line and never crashes.
  CHECK(key.rfind(log.undefined_citations[0], 0) == 0);
}

TEST_CASE("chktex's -v0 output and bibtex's .blg are parsed") {
  auto ck = parse_chktex("main.tex:5:1:9:`itemize' expected, found `enumerate'.\nmain.tex:8:12:1:Command terminated with space.\n"
                         "garbage line\n");
  REQUIRE(ck.size() == 2);
  CHECK(ck[0].file == "main.tex");
  CHECK(ck[0].line == 5);
  CHECK(ck[0].message == "chktex warning 9: `itemize' expected, found `enumerate'.");
  auto bib = parse_bibtex_log(
      "This is BibTeX\nI couldn't open database file missing.bib\n---line 3 of file main.aux\n"
      "Warning--I didn't find a database entry for \"ghost\"\n");
  REQUIRE(bib.size() == 2);
  CHECK(bib[0].message == "I couldn't open database file missing.bib");
  CHECK(bib[0].file == "main.aux");
  CHECK(bib[0].line == 3);
  CHECK(bib[0].kind == "bibtex");
  CHECK(bib[1].message.find("ghost") != std::string::npos);
  CHECK(bib[1].kind == "bibtex_warning");
}

TEST_CASE("describe_problems caps its lines") {
  std::vector<LatexProblem> many(5, LatexProblem{.kind = "error", .file = "a.tex", .line = 2, .message = "bad"});
  std::string text = describe_problems(many, 3);
  CHECK(text.find("a.tex:2: bad") != std::string::npos);
  CHECK(text.find("... and 2 more") != std::string::npos);
}
