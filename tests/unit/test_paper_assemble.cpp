#include <doctest/doctest.h>

#include "paper/assemble.hpp"
#include "paper/claims.hpp"
#include "paper/figures.hpp"

using namespace shoal::paper;

namespace {

const char* kSkeleton = R"(\documentclass{article}
\usepackage{booktabs}
\title{TITLE HERE}
\begin{document}
\maketitle
\begin{abstract}
ABSTRACT HERE
\end{abstract}
\section{Introduction}
\label{sec:intro}
INTRODUCTION HERE
%% Motivate the question.
Grokking was reported by \citet{power2022grokking}.

\section{Method}
\label{sec:method}
METHOD HERE

\section{Results}
\label{sec:results}
RESULTS HERE
\begin{table}[t]
  \caption{RESULTS TABLE CAPTION HERE}
  \begin{tabular}{lc} A & --- \\ \end{tabular}
\end{table}

\section{Conclusion}
\label{sec:conclusion}
CONCLUSIONS HERE

\bibliographystyle{plainnat}
\bibliography{references}
\end{document}
)";

}  // namespace

TEST_CASE("the skeleton is filled: title, abstract, sections, labels kept, placeholders gone") {
  CHECK(skeleton_sections(kSkeleton) == std::vector<std::string>{"Introduction", "Method", "Results", "Conclusion"});
  CHECK(skeleton_section_text(kSkeleton, "introduction") == "Grokking was reported by \\citet{power2022grokking}.");
  CHECK(skeleton_section_text(kSkeleton, "Results").empty());
  PaperDraft draft{"A Title", "An abstract.", {{"results", "We measured things."}, {"Method", "\\label{x}Our method."}}};
  std::string tex = fill_skeleton(kSkeleton, draft);
  CHECK(tex.find("\\title{A Title}") != std::string::npos);
  CHECK(tex.find("\\begin{abstract}\nAn abstract.\n\\end{abstract}") != std::string::npos);
  CHECK(tex.find("\\section{Results}\n\\label{sec:results}\nWe measured things.") != std::string::npos);
  CHECK(tex.find("\\section{Introduction}\n\\label{sec:intro}\nGrokking was reported") != std::string::npos);
  CHECK(tex.find("HERE") == std::string::npos);
  CHECK(tex.find("\\bibliography{references}") != std::string::npos);
}

TEST_CASE("tables and numbers are formatted for LaTeX") {
  CHECK(format_number(0.87341) == "0.8734");
  CHECK(format_number(4200) == "4200");
  CHECK(format_number(1234.56) == "1235");
  CHECK(format_number(12.3456) == "12.35");
  CHECK(format_number(0.00001234) == "0.000012");
  std::string t = results_table({"Setting", "Acc"}, {{"base", {"$0.5$"}}}, "Cap.", "tab:r", true);
  CHECK(t.find("\\begin{tabular}{lc}") != std::string::npos);
  CHECK(t.find("\\toprule") != std::string::npos);
  CHECK(t.find("base & $0.5$ \\\\") != std::string::npos);
  CHECK(results_table({"S"}, {}, "C", "l", false).find("\\hline") != std::string::npos);
  CHECK(figure_block("a.png", "Cap", "fig:a").find("\\includegraphics[width=0.8\\linewidth]{a.png}") != std::string::npos);
}

TEST_CASE("the offline paper states only measured numbers and shows every figure") {
  OfflinePaperInputs in;
  in.template_tex = kSkeleton;
  in.template_name = "grokking";
  in.template_description = "modular arithmetic";
  in.idea_title = "Weight decay and grokking";
  in.idea_description = "how AdamW weight decay changes the grokking delay";
  in.metric = "step_to_99_val";
  in.higher_is_better = false;
  const std::string base = R"({"x_plus_y": {"means": {"step_to_99_val": 4200}, "stderrs": {"step_to_99_val": 150}},
                               "x_minus_y": {"means": {"step_to_99_val": 5100}}})";
  const std::string a = R"({"x_plus_y": {"means": {"step_to_99_val": 2730}, "stderrs": {"step_to_99_val": 120}},
                            "x_minus_y": {"means": {"step_to_99_val": 3300}}})";
  const std::string b = R"({"x_plus_y": {"means": {"step_to_99_val": 6000}}, "x_minus_y": {"means": {"step_to_99_val": 7000}}})";
  in.runs = {{"baseline", base, true}, {"weight_decay = 0.3", a, false}, {"weight_decay = 2.0", b, false}};
  in.figures = {{"val_acc_x_plus_y.png", "Validation accuracy for weight decay 0.3 and 2.0."}, {"loss_curve.png", ""}};
  std::string tex = offline_paper_tex(in);

  CHECK(tex.find("\\title{Weight decay and grokking}") != std::string::npos);
  CHECK(tex.find("HERE") == std::string::npos);
  CHECK(tex.find("weight\\_decay = 0.3 & $3300$ & $2730 \\pm 120$ & $3015$") != std::string::npos);  // conditions sorted
  CHECK(tex.find("The best setting, weight\\_decay = 0.3, reaches") != std::string::npos);
  CHECK(tex.find("\\toprule") != std::string::npos);
  CHECK(tex.find("Loss curve.") != std::string::npos);
  CHECK(tex.find("\\citet{power2022grokking}") != std::string::npos);

  auto known = known_numbers({a, b}, base, {"--weight_decay 0.3", "--weight_decay 2.0", in.metric});
  auto report = check_claims(tex, known);
  CHECK(report.checked.size() >= 8);
  for (const auto& c : report.unmatched) FAIL_CHECK("unmatched " << c.text << " in: " << c.context);
  CHECK(check_figures(tex, {"val_acc_x_plus_y.png", "loss_curve.png"}).ok());

  // Each number is also attributed to the result it states.
  ResultSet results;
  results.baseline = RunNumbers{"baseline", base, "python3 experiment.py"};
  results.runs = {{"weight_decay = 0.3", a, "python3 experiment.py --weight_decay 0.3"},
                  {"weight_decay = 2.0", b, "python3 experiment.py --weight_decay 2.0"}};
  results.metric_names = {in.metric};
  results.setup_texts = {in.template_description};
  auto attributed = check_claims(tex, known_values(results));
  CHECK(attributed.checked.size() == report.checked.size());
  for (const auto& c : attributed.unmatched)
    FAIL_CHECK("unattributed " << c.text << " [" << c.problem << "] names " << c.names << " in: " << c.context);
}

TEST_CASE("a censored metric at its bound reads 'not reached', never as a measurement") {
  OfflinePaperInputs in;
  in.template_tex = "\\documentclass{article}\\begin{document}\\begin{abstract}A\\end{abstract}"
                    "\\section{Results}R\\section{Conclusion}C\\end{document}";
  in.template_name = "grokking";
  in.idea_title = "Weight decay";
  in.metric = "step_to_99_val";
  in.condition = "x_plus_y";
  in.higher_is_better = false;
  in.metric_bound = 1200;
  in.runs = {{"baseline", R"({"x_plus_y": {"means": {"step_to_99_val": 1200}, "stderrs": {"step_to_99_val": 0}}})", true},
             {"weight_decay = 0.0", R"({"x_plus_y": {"means": {"step_to_99_val": 1200}, "stderrs": {"step_to_99_val": 0}}})", false},
             {"weight_decay = 1.0", R"({"x_plus_y": {"means": {"step_to_99_val": 586.7}, "stderrs": {"step_to_99_val": 12.1}}})", false}};
  std::string tex = offline_paper_tex(in);
  CHECK(tex.find("1200 \\pm 0") == std::string::npos);
  CHECK(tex.find("weight\\_decay = 0.0 & not reached") != std::string::npos);
  CHECK(tex.find("not reached within 1200") != std::string::npos);
  CHECK(tex.find("The baseline does not reach the target within 1200; the best setting, weight\\_decay = 1.0") !=
        std::string::npos);
  // None reached: said so, no "best".
  in.runs.pop_back();
  std::string none = offline_paper_tex(in);
  CHECK(none.find("No setting we tried reaches the target within 1200.") != std::string::npos);
  CHECK(none.find("The best setting") == std::string::npos);
}

TEST_CASE("an evolution's paper describes its search and keeps the table to the baseline and the ten best") {
  OfflinePaperInputs in;
  in.template_tex = kSkeleton;
  in.template_name = "circle_packing";
  in.template_description = "26 circles in the unit square";
  in.idea_title = "Which combination is best";
  in.idea_description = "the combination of the settings --layout and --iters";
  in.metric = "sum_radii";
  auto run = [](double v) {
    return std::string(R"({"square": {"means": {"sum_radii": )") + format_number(v) + "}}}";
  };
  in.runs.push_back({"baseline", run(2.5), true});
  std::vector<std::string> results = {run(2.5)};
  for (int i = 1; i <= 14; ++i) {  // 14 combinations: 2.51 .. 2.64
    in.runs.push_back({"layout = hex, iters = " + std::to_string(i * 100), run(2.5 + i * 0.01), false});
    results.push_back(run(2.5 + i * 0.01));
  }
  in.search = SearchSummary{.knobs = 2, .evaluations = 14, .failed = 1, .generations = 7, .population = 4,
                            .best = "layout = hex, iters = 1400", .seed_runs = 6};
  std::string tex = offline_paper_tex(in);

  // The method says what was searched, in the stored counts; no sweep wording.
  CHECK(tex.find("genetic algorithm") != std::string::npos);
  CHECK(tex.find("two of the 4 fittest combinations") != std::string::npos);
  CHECK(tex.find("evaluated 14 combinations besides the baseline in 7 rounds (1 of the runs failed)") != std::string::npos);
  CHECK(tex.find("sets layout = hex, iters = 1400") != std::string::npos);
  CHECK(tex.find("with other seeds (6 runs)") != std::string::npos);
  CHECK(tex.find("one setting of the template's experiment at a time") == std::string::npos);
  CHECK(tex.find("one sweep of one setting") == std::string::npos);
  // The flags read as two hyphens, not an en dash.
  CHECK(tex.find("We study how the combination of the settings -{}-layout and -{}-iters affects") != std::string::npos);
  // The table: the baseline and the ten best (2.55 .. 2.64), not the four worst.
  CHECK(tex.find("the 10 best of the combinations evaluated") != std::string::npos);
  CHECK(tex.find("iters = 1400 & $2.64$") != std::string::npos);
  CHECK(tex.find("iters = 500 & $2.55$") != std::string::npos);
  CHECK(tex.find("iters = 400 &") == std::string::npos);
  CHECK(tex.find("baseline & $2.5$") != std::string::npos);

  // Every number passes the claim check once the search's counts are known (as the offline paper adds them).
  std::vector<std::string> runs(results.begin() + 1, results.end());
  std::vector<std::string> texts = {in.metric};
  for (int i = 1; i <= 14; ++i) texts.push_back("--layout hex --iters " + std::to_string(i * 100));
  auto known = known_numbers(runs, results.front(), texts);
  for (double count : {2, 4, 14, 1, 7, 6}) known.push_back(count);
  auto report = check_claims(tex, known);
  for (const auto& c : report.unmatched) FAIL_CHECK("unmatched " << c.text << " in: " << c.context);
}
