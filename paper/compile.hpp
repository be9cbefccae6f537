// Compiling a LaTeX folder in the sandbox: pdflatex, bibtex, pdflatex twice, then chktex, in
// one sandboxed job with a wall-clock limit (through any Executor). The PDF, the logs and
// their parsed problems come back; nothing is trusted from the folder except regular files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "experiments/executor.hpp"
#include "paper/latex_log.hpp"

namespace shoal::paper {

struct CompileOptions {
  std::string main = "template";       // the main file's stem: template.tex
  double timeout_s = 120;              // the whole job (every pass)
  bool bibtex = true;                  // run bibtex between the passes
  bool chktex = true;                  // run chktex on the main file afterwards
  double overfull_threshold_pt = 10;   // overfull boxes past this are problems
  int page_limit = 0;                  // pages allowed (0: no limit)
};

struct CompileResult {
  bool pdf_written = false;    // the final pass wrote a PDF
  std::string pdf;             // its bytes ("" if none)
  std::string log, blg, chktex_output;  // the final pass's .log, bibtex's .blg, chktex's output
  LatexLog parsed;             // the final .log, parsed
  std::vector<LatexProblem> bibtex_problems, chktex_problems;
  std::string job_failure;     // "" or why the job itself failed (time limit, sandbox)
  double wall_s = 0;

  // A PDF was written with no LaTeX error, no undefined citation or reference, no missing figure.
  bool compiled() const;
  // What stands in the way of compiled(), plus overfull boxes and a page count past the limit:
  // what the write-up feeds back to the model.
  std::vector<LatexProblem> problems(int page_limit = 0) const;
};

// Compiles `dir`/<main>.tex in the sandbox; `dir` must be searchable by the sandbox's user
// (make_work_dir). Errors only when the job could not run at all (sandbox refused); a
// compile that fails is a CompileResult saying why.
Expected<CompileResult> compile_latex(experiments::Executor& executor, const std::filesystem::path& dir,
                                      const CompileOptions& options, const experiments::CancelToken& cancel);

}  // namespace shoal::paper
