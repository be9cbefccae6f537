// Reading what pdflatex, bibtex and chktex said: errors with their file and line, undefined
// references and citations, missing figures, overfull boxes past a threshold, the page count.
// The problems are what the write-up feeds back to the model and stores with each attempt.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::paper {

// One problem found in a log.
struct LatexProblem {
  std::string kind;      // error, undefined_reference, undefined_citation, missing_figure, overfull, chktex, bibtex
  std::string file;      // "" when the log does not say
  int line = 0;          // 0 when the log does not say
  std::string message;   // the message as the tool printed it (one line)
  std::string context;   // for errors: the "l.N ..." line TeX showed, when there is one
  double amount_pt = 0;  // for overfull boxes: how far too wide or too high
};

// What one pdflatex .log says.
struct LatexLog {
  std::vector<LatexProblem> errors;  // "! ..." and "file:line: ..." errors, in order
  std::vector<std::string> undefined_references, undefined_citations, missing_figures;  // distinct, in order
  std::vector<LatexProblem> overfull;  // boxes over the threshold
  std::optional<int> pages;            // from "Output written on X.pdf (N pages, ...)"
  bool fatal = false;                  // "no output PDF file produced" or a job aborted

  bool has_errors() const { return !errors.empty() || fatal; }
};

// Parses a pdflatex log (best read with max_print_line raised so lines are not wrapped;
// wrapped logs are read too). Overfull boxes of `overfull_threshold_pt` or less are ignored.
LatexLog parse_latex_log(std::string_view log, double overfull_threshold_pt = 10.0);

// Parses chktex's output in its -v0 form ("file:line:column:number:message" per line).
std::vector<LatexProblem> parse_chktex(std::string_view output);

// Errors of a bibtex .blg ("I couldn't open database file ...", "Repeated entry", "I found
// no \citation commands", ...: kind "bibtex") and its warnings ("Warning--...": kind
// "bibtex_warning").
std::vector<LatexProblem> parse_bibtex_log(std::string_view blg);

// Every problem of a log as one list (errors, undefined citations and references, missing
// figures, overfull boxes), in that order.
std::vector<LatexProblem> all_problems(const LatexLog& log);

// A readable list of problems for the model, one per line ("template.tex:12: Undefined
// control sequence. (l.12 \foo)"), at most `max_lines` lines (then "... and N more").
std::string describe_problems(const std::vector<LatexProblem>& problems, size_t max_lines = 40);

}  // namespace shoal::paper
