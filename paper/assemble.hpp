// Putting a paper together from a template's LaTeX skeleton (latex/template.tex): the
// title, the abstract and each section's body filled in, with results tables and figures.
// The LLM write-up fills the skeleton with the model's sections; the offline baseline agent
// writes every section itself from the measured numbers (offline_paper_tex).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::paper {

// What goes into the skeleton. Section bodies are keyed by the skeleton's section titles
// (compared without regard to case); a section with no body keeps the skeleton's own text,
// less its placeholder lines ("RESULTS HERE") and hint comments.
struct PaperDraft {
  std::string title;     // LaTeX
  std::string abstract;  // LaTeX
  std::map<std::string, std::string> sections;
};

// The section titles of a skeleton, in order.
std::vector<std::string> skeleton_sections(std::string_view template_tex);

// A skeleton section's own text without placeholder lines and comment lines ("" when absent).
std::string skeleton_section_text(std::string_view template_tex, std::string_view title);

// The skeleton with the draft filled in. Each replaced section keeps the \label that opened it.
std::string fill_skeleton(std::string_view template_tex, const PaperDraft& draft);

// A number as the offline paper prints it: about four significant digits, no exponent.
std::string format_number(double value);

// One row of a results table: a label and its cells (LaTeX).
struct TableRow {
  std::string label;
  std::vector<std::string> cells;
};

// A table environment with a tabular of `header` columns; booktabs rules when `booktabs`,
// else \hline.
std::string results_table(const std::vector<std::string>& header, const std::vector<TableRow>& rows,
                          const std::string& caption, const std::string& label, bool booktabs);

// A figure environment showing `file` at 0.8\linewidth.
std::string figure_block(const std::string& file, const std::string& caption, const std::string& label);

// One measured configuration for the offline paper.
struct MeasuredRun {
  std::string label;         // "baseline" or "--weight_decay 0.3" (plain text)
  std::string metrics_json;  // final_info.json
  bool baseline = false;
};

struct FigureFile {
  std::string file;     // the file name in the compile folder
  std::string caption;  // plain text; "" = a caption is made from the name
};

// How the offline agent searched when it did not sweep one knob: the evolution over
// combinations of the knobs' values (--search evolve), in counts taken from the stored nodes.
struct SearchSummary {
  int knobs = 0;         // the knobs combined
  int evaluations = 0;   // combinations run (the baseline not counted)
  int failed = 0;        // of those, runs that failed
  int generations = 0;   // rounds of proposals
  int population = 0;    // the fittest combinations that parents are drawn from
  std::string best;      // the best combination, plain text ("layout=hex, iters=1000")
  int seed_runs = 0;     // re-runs of the best combinations with other seeds (0: none)
};

// Everything the offline paper is written from; no text is invented beyond these.
struct OfflinePaperInputs {
  std::string template_tex;
  std::string template_name, template_description;
  std::string idea_title, idea_description;  // plain text
  std::string metric;                        // the headline metric's name
  std::optional<std::string> condition;      // its condition (none: the mean over conditions)
  bool higher_is_better = true;
  std::optional<double> metric_bound;  // the metric's value when its target was never reached
  std::vector<MeasuredRun> runs;  // the baseline first, when there is one
  std::vector<FigureFile> figures;
  std::optional<SearchSummary> search;  // set for the evolution; none for the one-knob sweep
};

// The offline paper's LaTeX: the skeleton's title, abstract and sections written from the
// measured numbers, a results table (mean ± standard error of the headline metric per condition
// and overall) and the figures. Every number it prints is one of the measured values or a
// difference, ratio or relative change against the baseline, so the claim check passes.
std::string offline_paper_tex(const OfflinePaperInputs& inputs);

}  // namespace shoal::paper
