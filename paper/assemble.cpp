#include "paper/assemble.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <regex>
#include <set>

#include "experiments/final_info.hpp"
#include "experiments/template.hpp"
#include "paper/tex_text.hpp"
#include "tools/bibtex.hpp"
#include "core/text.hpp"

namespace shoal::paper {
using tools::escape_latex;

namespace {



// `text` without blank-line runs and surrounding blank lines.
std::string tidy(const std::string& text) {
  std::string out = std::regex_replace(text, std::regex(R"(\n[ \t]*(\n[ \t]*)+)"), "\n\n");
  out.erase(0, out.find_first_not_of(" \t\n"));
  out.erase(out.find_last_not_of(" \t\n") + 1);
  return out;
}

// Drops placeholder lines ("RESULTS HERE"), comment lines, \label lines and table or figure
// environments that still hold placeholders.
std::string clean_skeleton_text(const std::string& body) {
  static const std::regex placeholder_env(R"(\\begin\{(table|figure)\*?\}[\s\S]*?\\end\{\1\*?\})");
  std::string out;
  size_t last = 0;
  for (auto it = std::sregex_iterator(body.begin(), body.end(), placeholder_env); it != std::sregex_iterator(); ++it) {
    auto pos = static_cast<size_t>(it->position(0));
    out += body.substr(last, pos - last);
    if (it->str().find("HERE") == std::string::npos) out += it->str();
    last = pos + static_cast<size_t>(it->length(0));
  }
  out += body.substr(last);
  static const std::regex placeholder_line(R"(^[ \t]*[A-Z][A-Z0-9 ,.'/-]* HERE[ \t]*$)");
  static const std::regex comment_or_label(R"(^[ \t]*(%.*|\\label\{[^}]*\}[ \t]*)$)");
  std::string kept;
  size_t start = 0;
  while (start <= out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    if (!std::regex_match(line, placeholder_line) && !std::regex_match(line, comment_or_label)) kept += line + "\n";
    if (end == out.size()) break;
    start = end + 1;
  }
  return tidy(kept);
}

// The \label that opens a section body, if any ("\label{sec:intro}").
std::string opening_label(const std::string& body) {
  static const std::regex label(R"(^\s*(\\label\{[^}]*\}))");
  std::smatch m;
  if (std::regex_search(body, m, label)) return m[1].str();
  return "";
}

const std::string* find_body(const std::map<std::string, std::string>& sections, const std::string& title) {
  for (const auto& [key, body] : sections)
    if (lower(key) == lower(title)) return &body;
  return nullptr;
}

// "loss_curve.png" -> "Loss curve."
std::string caption_from_name(const std::string& file) {
  std::string stem = file.substr(0, file.rfind('.'));
  std::replace(stem.begin(), stem.end(), '_', ' ');
  std::replace(stem.begin(), stem.end(), '-', ' ');
  if (!stem.empty()) stem[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(stem[0])));
  return stem + ".";
}

std::string label_safe(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out;
}

}  // namespace

std::vector<std::string> skeleton_sections(std::string_view template_tex) {
  std::vector<std::string> out;
  for (const auto& s : find_sections(template_tex)) out.push_back(s.title);
  return out;
}

std::string skeleton_section_text(std::string_view template_tex, std::string_view title) {
  for (const auto& s : find_sections(template_tex))
    if (lower(s.title) == lower(title))
      return clean_skeleton_text(std::string(template_tex.substr(s.body_begin, s.body_end - s.body_begin)));
  return "";
}

std::string fill_skeleton(std::string_view template_tex, const PaperDraft& draft) {
  std::string tex(template_tex);
  auto sections = find_sections(tex);
  for (auto it = sections.rbegin(); it != sections.rend(); ++it) {
    std::string old_body = tex.substr(it->body_begin, it->body_end - it->body_begin);
    const std::string* body = find_body(draft.sections, it->title);
    std::string label = opening_label(old_body);
    std::string text = body ? tidy(*body) : clean_skeleton_text(old_body);
    std::string fresh = "\n" + (label.empty() ? "" : label + "\n") + text + "\n\n";
    tex.replace(it->body_begin, it->body_end - it->body_begin, fresh);
  }
  auto [ab, ae] = find_abstract(tex);
  if (ab != std::string::npos && !draft.abstract.empty())
    tex.replace(ab, ae - ab, "\n" + tidy(draft.abstract) + "\n");
  size_t t = strip_comments(tex).find("\\title{");
  if (t != std::string::npos && !draft.title.empty()) {
    size_t open = t + 6;
    size_t close = group_end(tex, open);
    if (close != std::string::npos) tex.replace(open + 1, close - open - 2, draft.title);
  }
  return tex;
}

std::string format_number(double value) {
  char buf[64];
  double a = std::fabs(value);
  if (a >= 1000 || (a >= 1 && std::fabs(value - std::round(value)) < 1e-9)) std::snprintf(buf, sizeof buf, "%.0f", value);
  else if (a >= 100) std::snprintf(buf, sizeof buf, "%.1f", value);
  else if (a >= 10) std::snprintf(buf, sizeof buf, "%.2f", value);
  else if (a >= 0.001 || a == 0) std::snprintf(buf, sizeof buf, "%.4g", value);
  else std::snprintf(buf, sizeof buf, "%.6f", value);
  return buf;
}

std::string results_table(const std::vector<std::string>& header, const std::vector<TableRow>& rows,
                          const std::string& caption, const std::string& label, bool booktabs) {
  std::string cols = "l" + std::string(header.size() > 1 ? header.size() - 1 : 0, 'c');
  std::string top = booktabs ? "\\toprule" : "\\hline";
  std::string mid = booktabs ? "\\midrule" : "\\hline";
  std::string bottom = booktabs ? "\\bottomrule" : "\\hline";
  std::string out = "\\begin{table}[t]\n  \\centering\n  \\caption{" + caption + "}\n  \\label{" + label +
                    "}\n  \\begin{tabular}{" + cols + "}\n    " + top + "\n    ";
  for (size_t i = 0; i < header.size(); ++i) out += (i ? " & " : "") + header[i];
  out += " \\\\\n    " + mid + "\n";
  for (const auto& row : rows) {
    out += "    " + row.label;
    for (const auto& cell : row.cells) out += " & " + cell;
    out += " \\\\\n";
  }
  out += "    " + bottom + "\n  \\end{tabular}\n\\end{table}\n";
  return out;
}

std::string figure_block(const std::string& file, const std::string& caption, const std::string& label) {
  return "\\begin{figure}[t]\n  \\centering\n  \\includegraphics[width=0.8\\linewidth]{" + file + "}\n  \\caption{" +
         caption + "}\n  \\label{" + label + "}\n\\end{figure}\n";
}

std::string offline_paper_tex(const OfflinePaperInputs& in) {
  // The measured values: per run, the metric's mean (and standard error) per condition.
  struct Parsed {
    const MeasuredRun* run;
    experiments::FinalInfo info;
    std::optional<double> headline;
  };
  std::vector<Parsed> parsed;
  std::vector<std::string> conditions;
  for (const auto& run : in.runs) {
    auto info = experiments::parse_final_info(run.metrics_json);
    if (!info.ok()) continue;
    Parsed p{&run, *info, std::nullopt};
    if (auto h = experiments::headline_metric(*info, in.metric, in.condition); h.ok()) p.headline = *h;
    for (const auto& [cond, result] : *info)
      if (result.means.count(in.metric) && (!in.condition || *in.condition == cond) &&
          std::find(conditions.begin(), conditions.end(), cond) == conditions.end())
        conditions.push_back(cond);
    parsed.push_back(std::move(p));
  }
  if (conditions.size() > 4) conditions.resize(4);

  const Parsed* baseline = nullptr;
  const Parsed* best = nullptr;
  for (const auto& p : parsed) {
    if (p.run->baseline) {
      if (!baseline && p.headline) baseline = &p;
      continue;
    }
    if (!p.headline) continue;
    if (!best || experiments::metric_better(*p.headline, *best->headline, in.higher_is_better)) best = &p;
  }

  std::string metric_tex = "\\texttt{" + escape_latex(in.metric) + "}";
  std::string direction = in.higher_is_better ? "higher is better" : "lower is better";
  std::string where = in.condition ? " on " + escape_latex(*in.condition) : " averaged over the conditions";

  // The results table.
  std::vector<std::string> header = {"Setting"};
  for (const auto& c : conditions) header.push_back(escape_latex(c));
  bool mean_column = !in.condition && conditions.size() > 1;
  if (mean_column) header.push_back("Mean");
  // A censored metric at its bound was never reached: it is reported so, never as a value.
  auto reached = [&](double v) {
    return !in.metric_bound || std::fabs(v - *in.metric_bound) > 1e-9 * std::max(1.0, std::fabs(*in.metric_bound));
  };
  std::string bound_text = in.metric_bound ? format_number(*in.metric_bound) : "";
  bool censored_rows = false;
  // An evolution evaluates many combinations: the table keeps the baseline and the best few.
  constexpr size_t kEvolveRows = 10;
  std::vector<const Parsed*> shown;
  for (const auto& p : parsed) shown.push_back(&p);
  size_t evaluated = std::count_if(parsed.begin(), parsed.end(), [](const Parsed& p) { return !p.run->baseline; });
  bool trimmed = in.search && evaluated > kEvolveRows;
  if (trimmed) {
    std::vector<const Parsed*> ranked;
    for (const auto& p : parsed)
      if (!p.run->baseline && p.headline) ranked.push_back(&p);
    std::stable_sort(ranked.begin(), ranked.end(), [&](const Parsed* a, const Parsed* b) {
      return experiments::metric_better(*a->headline, *b->headline, in.higher_is_better);
    });
    if (ranked.size() > kEvolveRows) ranked.resize(kEvolveRows);
    shown.clear();
    for (const auto& p : parsed)
      if (p.run->baseline || std::find(ranked.begin(), ranked.end(), &p) != ranked.end()) shown.push_back(&p);
  }
  std::vector<TableRow> rows;
  for (const auto* pp : shown) {
    const Parsed& p = *pp;
    TableRow row{escape_latex(p.run->label), {}};
    for (const auto& c : conditions) {
      auto cond = p.info.find(c);
      if (cond == p.info.end() || !cond->second.means.count(in.metric)) {
        row.cells.push_back("---");
        continue;
      }
      double mean = cond->second.means.at(in.metric);
      if (!reached(mean)) {
        row.cells.push_back("not reached");
        censored_rows = true;
        continue;
      }
      std::string cell = "$" + format_number(mean);
      if (auto se = cond->second.stderrs.find(in.metric); se != cond->second.stderrs.end())
        cell += " \\pm " + format_number(se->second);
      row.cells.push_back(cell + "$");
    }
    if (mean_column) row.cells.push_back(!p.headline ? "---" : !reached(*p.headline) ? "not reached" : "$" + format_number(*p.headline) + "$");
    rows.push_back(row);
  }
  std::string table = results_table(header, rows,
                                    "Measured " + metric_tex + " (" + direction +
                                        "; mean $\\pm$ standard error over seeds where reported) for " +
                                        (trimmed ? "the baseline and the " + std::to_string(kEvolveRows) +
                                                       " best of the combinations evaluated."
                                                 : std::string("each setting.")) +
                                        (censored_rows ? " ``Not reached'': the target was not reached within " +
                                                             bound_text + " (the run's budget)."
                                                       : std::string()),
                                    "tab:results", in.template_tex.find("{booktabs}") != std::string::npos);

  // The comparison sentences, from measured numbers only.
  std::string comparison;
  // Settings whose headline is at the bound never reached the target: they can't be "best".
  if (best && !reached(*best->headline)) {
    best = nullptr;
    for (const auto& p : parsed)
      if (!p.run->baseline && p.headline && reached(*p.headline) &&
          (!best || experiments::metric_better(*p.headline, *best->headline, in.higher_is_better)))
        best = &p;
  }
  if (best && baseline && !reached(*baseline->headline)) {
    comparison = "The baseline does not reach the target within " + bound_text + "; the best setting, " +
                 escape_latex(best->run->label) + ", reaches it at " + metric_tex + " $=" + format_number(*best->headline) +
                 "$" + where + ".";
  } else if (!best && std::any_of(parsed.begin(), parsed.end(), [](const Parsed& p) { return !p.run->baseline && p.headline; })) {
    comparison = "No setting we tried reaches the target within " + bound_text + ".";
  } else if (best && baseline) {
    double v = *best->headline, b = *baseline->headline;
    comparison = "The best setting, " + escape_latex(best->run->label) + ", reaches " + metric_tex + " $=" +
                 format_number(v) + "$" + where + ", against $" + format_number(b) + "$ for the baseline";
    if (b != 0) {
      double change = (v - b) / std::fabs(b) * 100;
      comparison += " (" + format_number(std::fabs(change)) + "\\% " + (change >= 0 ? "higher" : "lower") + ")";
    }
    comparison += ".";
    bool improved = experiments::metric_better(v, b, in.higher_is_better);
    if (!improved) comparison += " No setting we tried improves on the baseline.";
  } else if (best) {
    comparison = "The best setting, " + escape_latex(best->run->label) + ", reaches " + metric_tex + " $=" +
                 format_number(*best->headline) + "$" + where + "; no baseline result was stored to compare with.";
  } else {
    comparison = "No run of this idea reported " + metric_tex + ", so there is no result to compare.";
  }

  std::string settings;
  for (const auto& p : parsed)
    if (!p.run->baseline) settings += (settings.empty() ? "" : ", ") + escape_latex(p.run->label);

  // What the agent did, in words: one knob swept, or the evolution over combinations of knobs.
  const SearchSummary* evo = in.search ? &*in.search : nullptr;
  std::string agent_did =
      evo ? "It is produced by Shoal's offline baseline agent, which searches combinations of the settings that the "
            "template declares with a small genetic algorithm, runs every combination it proposes in the sandbox and "
            "writes up what it measured."
          : "It is produced by Shoal's offline baseline agent, which varies one setting that the template "
            "declares, runs every value in the sandbox and writes up what it measured.";
  std::string method =
      evo ? "We search the combinations of the template's " + std::to_string(evo->knobs) +
                " settings with a genetic algorithm, without a language model. The first population is the "
                "baseline and random combinations; every later combination is a uniform crossover of two of the " +
                (evo->population > 0 ? std::to_string(evo->population) + " " : std::string()) +
                "fittest combinations found so far, chosen by tournament, and half the time one or two of its "
                "settings are then changed at random. A combination that was evaluated before is never run again. "
                "The search evaluated " + std::to_string(evo->evaluations) + " combinations besides the baseline in " +
                std::to_string(evo->generations) + " rounds" +
                (evo->failed > 0 ? " (" + std::to_string(evo->failed) + " of the runs failed)" : std::string()) + "." +
                (evo->best.empty() ? std::string()
                                   : " The best combination it found sets " + escape_latex(evo->best) + ".") +
                (evo->seed_runs > 0 ? " The best two combinations were then run again with other seeds (" +
                                          std::to_string(evo->seed_runs) +
                                          " runs), and a combination's result is the mean over its seeds."
                                    : std::string())
          : "We change one setting of the template's experiment at a time and keep every other setting at its "
            "default. The settings compared are: " + (settings.empty() ? std::string("none") : settings) + ".";
  std::string caveat = evo ? " These results come from one evolutionary search over the template's settings, with a "
                             "budget of runs fixed in advance; a larger budget or another seed of the search may find "
                             "a better combination, and the differences should be read against the standard errors "
                             "in Table~\\ref{tab:results} before drawing conclusions."
                           : " These results come from one sweep of one setting with the template's seeds; "
                             "the differences should be read against the standard errors in "
                             "Table~\\ref{tab:results} before drawing conclusions.";

  // What is studied, as LaTeX: a flag's "--" stays two hyphens (not an en dash).
  std::string studied = escape_latex(in.idea_description.empty() ? in.idea_title : in.idea_description);
  for (size_t at = studied.find("--"); at != std::string::npos; at = studied.find("--", at + 4))
    studied.replace(at, 2, "-{}-");

  PaperDraft draft;
  draft.title = escape_latex(in.idea_title.empty() ? "A measured sweep on " + in.template_name : in.idea_title);
  draft.abstract = "We study how " + studied + " affects " + metric_tex + " (" + direction + ") on the " +
                   escape_latex(in.template_name) + " research template. " + comparison +
                   " This paper was assembled by Shoal's offline baseline agent: it states only numbers that "
                   "were measured in sandboxed runs, and no language model wrote any of it.";

  std::string figures, figure_refs;
  std::set<std::string> used_labels;
  for (const auto& f : in.figures) {
    std::string label = "fig:" + label_safe(f.file.substr(0, f.file.rfind('.')));
    if (!used_labels.insert(label).second) continue;
    std::string caption = escape_latex(f.caption.empty() ? caption_from_name(f.file) : f.caption);
    figures += figure_block(f.file, caption, label) + "\n";
    figure_refs += (figure_refs.empty() ? "" : ", ") + std::string("Figure~\\ref{") + label + "}";
  }

  auto with_skeleton = [&](const std::string& title, const std::string& text) {
    std::string own = skeleton_section_text(in.template_tex, title);
    return own.empty() ? text : own + "\n\n" + text;
  };
  for (const auto& title : skeleton_sections(in.template_tex)) {
    std::string t = lower(title);
    if (t.find("intro") != std::string::npos)
      draft.sections[title] = with_skeleton(
          title, "This report asks how " + studied +
                     " affects " + metric_tex + " on the " + escape_latex(in.template_name) + " template (" +
                     escape_latex(in.template_description) +
                     "). " + agent_did);
    else if (t.find("related") != std::string::npos)
      draft.sections[title] = with_skeleton(title, "");
    else if (t.find("method") != std::string::npos)
      draft.sections[title] = method;
    else if (t.find("setup") != std::string::npos || t.find("experiment") != std::string::npos)
      draft.sections[title] = with_skeleton(
          title, "Every setting runs the template's \\texttt{experiment.py} in Shoal's sandbox, with the seeds the "
                 "template uses. We report " + metric_tex + where + " (" + direction + ").");
    else if (t.find("result") != std::string::npos)
      draft.sections[title] = "Table~\\ref{tab:results} lists the measured results" +
                              (figure_refs.empty() ? std::string(".") : "; " + figure_refs + " show the runs' curves.") +
                              " " + comparison + "\n\n" + table + "\n" + figures;
    else if (t.find("conclusion") != std::string::npos || t.find("discussion") != std::string::npos)
      draft.sections[title] = comparison + caveat;
  }
  return fill_skeleton(in.template_tex, draft);
}

}  // namespace shoal::paper
