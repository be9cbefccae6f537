// shoal template check DIR, shoal template baseline DIR.
#include <iostream>

#include "cli/command.hpp"
#include "core/file.hpp"
#include "core/text.hpp"
#include "experiments/baseline.hpp"
#include "experiments/final_info.hpp"
#include "paper/citations.hpp"
#include "tools/bibtex.hpp"

namespace shoal::cli {
namespace {

struct TemplateArgs {
  std::string dir;
  bool no_run = false;
  bool no_smoke = false;
  bool force = false;
  bool smoke = false;
};


// What a run will use that the template may leave implicit: the headline metric and its
// direction, and where the bibliography comes from. Guesses are warnings.
void print_template_choices(const experiments::Template& tpl, const std::string& smoke_final_info) {
  const auto& m = tpl.manifest;
  auto direction = [](bool higher) { return higher ? "higher is better" : "lower is better"; };
  if (!m.metric.empty()) {
    std::cout << "metric: " << m.metric << ", " << direction(m.higher_is_better) << " (template.json)\n";
  } else if (auto first = experiments::first_metric(smoke_final_info); first.ok()) {
    bool higher = experiments::guess_higher_is_better(*first);
    std::cout << "metric: " << *first << ", " << direction(higher) << " (inferred)\n"
              << "warning: template.json names no metric; runs use the first metric of final_info.json ("
              << *first << "), and the direction above is a guess from its name (a run with a model asks the model "
              << "once). Say it with template.json's metric or `shoal run ... --metric " << *first
              << (higher ? ":max" : ":min") << "`.\n";
  } else {
    std::cout << "metric: not known yet (template.json names none; a run takes the first metric of the baseline's "
                 "final_info.json, or the --metric NAME:max|min you give)\n";
  }
  if (m.sealed.empty())
    std::cout << "sealed: nothing (the agent may edit " << join(m.editable, ", ")
              << ", including the code that computes the results; name evaluation files in template.json's \"sealed\")\n";
  else
    std::cout << "sealed: " << join(m.sealed, ", ") << " (the agent can't change them)\n";
  auto tex = read_file(tpl.dir / "latex/template.tex");
  if (!tex.ok()) return;
  auto embedded = paper::split_filecontents(*tex);
  std::string bib_name = paper::bib_file_name(*tex);
  size_t file_keys = tools::bib_keys(read_file(tpl.dir / "latex" / bib_name).value_or("")).size();
  size_t embedded_keys = 0;
  for (const auto& [file, text] : embedded.files)
    if (file == bib_name) embedded_keys += tools::bib_keys(text).size();
  std::cout << "bibliography: " << file_keys << " entr" << (file_keys == 1 ? "y" : "ies") << " in latex/" << bib_name;
  if (embedded_keys) std::cout << ", " << embedded_keys << " in template.tex's filecontents block (kept and merged)";
  std::cout << "\n";
  if (file_keys + embedded_keys == 0)
    std::cout << "warning: the template has no BibTeX entries; papers cite only what the literature search finds\n";
}

int run_check(Context& ctx, const TemplateArgs& args) {
  auto problems = experiments::check_template_files(args.dir);
  auto tpl = experiments::load_template(args.dir);
  if (!tpl.ok() && tpl.error().kind == ErrorKind::not_found) throw ShoalError(tpl.error());
  std::string name = tpl.ok() ? tpl->manifest.name : std::filesystem::path(args.dir).filename().string();
  std::string smoke_final_info;
  if (tpl.ok() && problems.empty() && !args.no_run) {
    auto scratch = ctx.home() / "work" / ("check-" + name + "-" + tpl->hash.substr(0, 12));
    ensure_writable_dir(scratch).value();
    auto executor = ctx.session().executor("local").value();  // the sandbox, as runs use it
    auto more = experiments::check_template_runs(*tpl, *executor, scratch, !args.no_smoke, &smoke_final_info);
    problems.insert(problems.end(), more.begin(), more.end());
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
  }
  for (const auto& p : problems) std::cout << p.where << ": " << p.message << "\n";
  if (tpl.ok()) print_template_choices(*tpl, smoke_final_info);
  if (problems.empty()) {
    std::cout << name << ": ok\n";
    return 0;
  }
  std::cout << name << ": " << problems.size() << " problem(s)\n";
  return exit_code(ErrorKind::invalid_input);
}

int run_baseline(Context& ctx, const TemplateArgs& args) {
  auto tpl = experiments::load_template(args.dir).value();
  auto store = ctx.open_store(store::OpenMode::existing);
  const char* label = args.smoke ? " (smoke)" : "";
  if (!args.force) {
    auto existing = store::find_baseline(store, tpl.hash, args.smoke ? "baseline_smoke" : "baseline").value();
    if (existing) {
      std::cout << "reusing stored baseline " << existing->id << label << " of " << tpl.manifest.name << " ("
                << tpl.hash.substr(0, 12) << ")\n"
                << existing->metrics_json << "\n";
      return 0;
    }
  }
  auto executor = ctx.session().executor("local").value();  // the sandbox, as runs use it
  auto node = experiments::ensure_baseline(store, tpl, *executor, ctx.home() / "work",
                                           {.force = true, .smoke = args.smoke})
                  .value();
  std::cout << "stored baseline " << node.id << label << " of " << tpl.manifest.name << " ("
            << tpl.hash.substr(0, 12) << ") in " << node.duration_s << " s\n"
            << node.metrics_json << "\n";
  return 0;
}

}  // namespace

void add_template_commands(CLI::App& app, Commands& commands) {
  static TemplateArgs args;
  auto* tpl = app.add_subcommand("template", "Check research templates and run their baselines");
  tpl->require_subcommand(1);

  auto* check = tpl->add_subcommand("check", "Validate a template and name every problem");
  check->add_option("DIR", args.dir, "Template folder")->required();
  check->add_flag("--no-run", args.no_run, "Only the checks that run nothing (files, JSON, manifest)");
  check->add_flag("--no-smoke", args.no_smoke, "Skip the reduced run that checks final_info.json");
  commands.add(check, [](Context& ctx) { return run_check(ctx, args); });

  auto* baseline = tpl->add_subcommand(
      "baseline", "Run the template's baseline (run_0) in the sandbox and store it; reused per template version");
  baseline->add_option("DIR", args.dir, "Template folder")->required();
  baseline->add_flag("--force", args.force, "Run again even if this template version has a stored baseline");
  baseline->add_flag("--smoke", args.smoke, "Run with the manifest's smoke_args (seconds; never reused as the real baseline)");
  commands.add(baseline, [](Context& ctx) { return run_baseline(ctx, args); });
}

}  // namespace shoal::cli
