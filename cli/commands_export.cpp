// shoal export PAPER DIR: everything behind a paper in one folder with a manifest of hashes;
// shoal reproduce PAPER: re-run the paper's chosen code with its seeds and compare the numbers.
#include <cstdio>
#include <iostream>

#include "agent/export.hpp"
#include "agent/reproduce.hpp"
#include "cli/command.hpp"
#include "core/time.hpp"
#include "store/records.hpp"

#ifndef SHOAL_VERSION
#define SHOAL_VERSION "unknown"
#endif

namespace shoal::cli {
namespace fs = std::filesystem;
namespace {

struct ExportArgs {
  std::string paper_id, dir, template_dir;
  bool json = false;
};

// A paper id the store does not know: say where paper ids are found.
store::Store open_for_paper(Context& ctx, const std::string& paper_id) {
  auto store = ctx.open_store(store::OpenMode::existing);
  auto paper = store::get_paper(store, paper_id);
  if (!paper.ok() && paper.error().kind == ErrorKind::not_found)
    throw ShoalError(fail(ErrorKind::not_found, "no paper " + paper_id + " in " + ctx.db_path().string() +
                                                    ": paper ids are in `shoal status RUN --json` and the web UI"));
  return store;
}

int run_export(Context& ctx, const ExportArgs& a) {
  auto store = open_for_paper(ctx, a.paper_id);
  auto executor = ctx.session().executor("local").value();  // the sandbox, as runs use it
  agent::ExportOptions options;
  options.shoal_version = SHOAL_VERSION;
  options.work_dir = ctx.home() / "work" / ("export-" + a.paper_id + "-" + std::to_string(now_ms()));
  auto result = agent::export_paper(store, *executor, a.paper_id, a.dir, options).value();
  if (a.json) {
    nlohmann::json j = {{"dir", fs::absolute(result.dir).string()},
                        {"paper_id", result.paper_id},
                        {"chosen_node", result.chosen_node_id},
                        {"files", result.files.size() + 1},
                        {"notes", result.notes}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  int64_t bytes = 0;
  for (const auto& f : result.files) bytes += f.size;
  std::cout << "exported paper " << result.paper_id << " (chosen version: node " << result.chosen_node_id << ") to "
            << result.dir.string() << ": " << result.files.size() + 1 << " files, " << bytes / 1024
            << " KiB; manifest.json lists each with its SHA-256\n";
  for (const auto& n : result.notes) std::cout << "note: " << n << "\n";
  return 0;
}

std::string number(std::optional<double> v) {
  if (!v) return "-";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", *v);
  return buf;
}

// One line per metric of each re-run: stored, measured, the allowed difference, the verdict.
void print_table(const agent::ReproduceResult& r) {
  std::printf("%-28s %-5s %-24s %16s %16s %16s  %s\n", "node", "seed", "metric", "stored", "measured", "tolerance", "");
  for (const auto& run : r.runs) {
    std::string seed = run.seed ? std::to_string(*run.seed) : "-";
    for (const auto& m : run.metrics) {
      std::string name = m.condition + "." + m.metric;
      std::printf("%-28s %-5s %-24s %16s %16s %16s  %s\n", run.node_id.c_str(), seed.c_str(), name.c_str(),
                  number(m.stored).c_str(), number(m.measured).c_str(), number(m.tolerance).c_str(),
                  m.match ? "ok" : "DIFFERS");
    }
    if (!run.problem.empty()) std::printf("%-28s %-5s %s\n", run.node_id.c_str(), seed.c_str(), run.problem.c_str());
  }
}

int run_reproduce(Context& ctx, const ExportArgs& a) {
  auto store = open_for_paper(ctx, a.paper_id);
  auto executor = ctx.session().executor("local").value();
  agent::ReproduceOptions options;
  options.work_dir = ctx.home() / "work" / ("reproduce-" + a.paper_id + "-" + std::to_string(now_ms()));
  options.template_dir = a.template_dir;
  auto result = agent::reproduce_paper(store, *executor, a.paper_id, options).value();
  int rc = result.reproduced() ? 0 : exit_code(ErrorKind::invalid_input);
  if (a.json) {
    std::cout << store::to_json(result.record).dump(2) << "\n";
    return rc;
  }
  size_t metrics = 0, differing = 0;
  for (const auto& run : result.runs)
    for (const auto& m : run.metrics) {
      ++metrics;
      differing += !m.match;
    }
  std::cout << "paper " << result.paper_id << ": re-ran the chosen version (node " << result.chosen_node_id << ") "
            << result.runs.size() << " time(s), once per stored seed\n";
  print_table(result);
  for (const auto& n : result.notes) std::cout << "note: " << n << "\n";
  if (result.reproduced())
    std::cout << "reproduced: all " << metrics << " metric(s) match the stored values\n";
  else
    std::cout << "differs: " << differing << " of " << metrics << " metric(s) do not match the stored values"
              << " (recorded on the paper; --json prints every value)\n";
  return rc;
}

}  // namespace

void add_export_commands(CLI::App& app, Commands& commands) {
  static ExportArgs args;
  auto* exp = app.add_subcommand(
      "export", "Write a paper with everything behind it (code, diff, runs, plots, reviews, LLM calls) and a manifest");
  exp->add_option("PAPER", args.paper_id, "The paper id")->required();
  exp->add_option("DIR", args.dir, "A new or empty folder to write into")->required();
  exp->add_flag("--json", args.json, "Print the outcome as JSON");
  commands.add(exp, [](Context& ctx) { return run_export(ctx, args); });

  auto* rep = app.add_subcommand(
      "reproduce", "Re-run a paper's chosen code with its stored seeds in the sandbox and compare every metric");
  rep->add_option("PAPER", args.paper_id, "The paper id")->required();
  rep->add_option("--template", args.template_dir, "The template folder (default: the one the run recorded)");
  rep->add_flag("--json", args.json, "Print the recorded outcome as JSON");
  commands.add(rep, [](Context& ctx) { return run_reproduce(ctx, args); });
}

}  // namespace shoal::cli
