// Paper tools: the wall time of one sandboxed compile (pdflatex, bibtex, pdflatex x2, chktex)
// of a 4-page paper with a table, a figure and citations, and the claim check's speed on a
// paper of 2,000 numbers against 10,000 measured values.
// usage: paper_bench [COMPILES]   (default 3; prints the median)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "experiments/local_executor.hpp"
#include "paper/claims.hpp"
#include "paper/compile.hpp"
#include "paper/sandbox_files.hpp"

using namespace shoal;
namespace fs = std::filesystem;

namespace {

std::string paper_tex(int paragraphs) {
  std::string body;
  for (int i = 0; i < paragraphs; ++i)
    body += "Paragraph " + std::to_string(i) + " reports an accuracy of " + std::to_string(80 + i % 17) + "." +
            std::to_string(i % 10) + "\\% after " + std::to_string(1000 + 37 * i) +
            " steps, see \\citet{smith2020} and Table~\\ref{tab:r}. Lorem ipsum dolor sit amet, consectetur adipiscing "
            "elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.\n\n";
  return "\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage[numbers]{natbib}\n\\begin{document}\n"
         "\\begin{abstract}We measure things.\\end{abstract}\n\\section{Results}\n" + body +
         "\\begin{table}[t]\\centering\\caption{R.}\\label{tab:r}\\begin{tabular}{lc}\\toprule A & 0.87 \\\\ "
         "\\bottomrule\\end{tabular}\\end{table}\n\\bibliographystyle{plainnat}\n\\bibliography{references}\n"
         "\\end{document}\n";
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  int compiles = argc > 1 ? std::atoi(argv[1]) : 3;
  fs::path dir = fs::temp_directory_path() / ("shoal-paper-bench-" + std::to_string(::getpid()));
  if (!paper::make_work_dir(dir).ok()) return 1;
  std::ofstream(dir / "template.tex") << paper_tex(40);
  std::ofstream(dir / "references.bib") << "@article{smith2020, author={Jane Smith}, title={A Study}, journal={J}, year={2020}}\n";
  experiments::LocalExecutor executor;
  experiments::CancelToken never;
  std::vector<double> times;
  int pages = 0;
  for (int i = 0; i < compiles; ++i) {
    auto r = paper::compile_latex(executor, dir, {}, never);
    if (!r.ok() || !r->compiled()) {
      std::fprintf(stderr, "compile failed: %s\n", r.ok() ? paper::describe_problems(r->problems()).c_str() : r.error().message.c_str());
      return 1;
    }
    times.push_back(r->wall_s);
    pages = r->parsed.pages.value_or(0);
  }
  std::sort(times.begin(), times.end());
  std::error_code ec;
  fs::remove_all(dir, ec);

  std::string big = paper_tex(700);  // ~2,000 numbers
  std::vector<double> known;
  for (int i = 0; i < 10000; ++i) known.push_back(0.5 + i * 0.731);
  auto t = std::chrono::steady_clock::now();
  auto report = paper::check_claims(big, known);
  double claim_s = seconds_since(t);

  std::printf("compile (pdflatex, bibtex, pdflatex x2, chktex; sandboxed): median %.2f s over %d runs, %d pages\n",
              times[times.size() / 2], compiles, pages);
  std::printf("claim check: %zu numbers against %zu known values in %.1f ms (%zu unmatched)\n", report.checked.size(),
              known.size(), claim_s * 1000, report.unmatched.size());
  return 0;
}
