// What the paper integration tests share: a store holding one idea of a real template with
// made-up but plausible measured results (a baseline node, done nodes with metrics and the
// commands they ran, a plot with its caption, notes), written through the store API as the
// orchestrator would, and the PNG and PDF helpers.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "../unit/paper_fixture.hpp"
#include "experiments/template.hpp"
#include "store/blobs.hpp"
#include "store/ideas.hpp"
#include "store/nodes.hpp"
#include "store/runs.hpp"

namespace shoal::test {

inline std::filesystem::path template_dir(const std::string& name) {
  return std::filesystem::path(SHOAL_SOURCE_DIR) / "templates" / name;
}

// The template in `dir`, loaded (a stage is handed the template its run holds).
inline experiments::Template loaded_template(const std::filesystem::path& dir) {
  return experiments::load_template(dir).value();
}

// One measured setting: the flag value and the headline metric per condition.
struct Measured {
  std::string args;    // " --weight_decay 0.3" ("" for the baseline)
  double scale = 1.0;  // every metric of the baseline times this
};

// final_info.json of a template with every metric the write-up looks at, scaled.
inline std::string final_info(const std::string& tpl, double scale) {
  nlohmann::json j;
  auto put = [&](const std::string& cond, const std::string& metric, double mean, double se) {
    j[cond]["means"][metric] = mean * scale;
    j[cond]["stderrs"][metric] = se * scale;
  };
  if (tpl == "grokking") {
    put("add", "step_to_99_val", 4210, 130);
    put("sub", "step_to_99_val", 5120, 170);
    put("div", "step_to_99_val", 6340, 250);
    for (const char* c : {"add", "sub", "div"}) j[c]["means"]["final_val_acc"] = 0.9987;
  } else if (tpl == "diffusion2d") {
    put("moons", "sw1", 0.0412, 0.0021);
    put("circles", "sw1", 0.0533, 0.0034);
    put("gaussians", "sw1", 0.0618, 0.0040);
    put("spiral", "sw1", 0.0745, 0.0052);
  } else {
    put("licenses", "final_val_bpc", 2.146, 0.012);
    j["licenses"]["means"]["final_train_bpc"] = 2.011 * scale;
  }
  return j.dump();
}

struct IdeaFixture {
  std::string run_id, idea_id, baseline_id;
  std::vector<std::string> node_ids;
};

// A run of `tpl` (its real template folder and hash), its baseline, one idea sweeping `knob`
// over `settings`, a plot of the best node with a caption, and notes.
inline IdeaFixture make_idea(store::Store& store, const std::string& tpl, const std::string& model,
                             const std::string& title, const std::vector<Measured>& settings) {
  auto loaded = experiments::load_template(template_dir(tpl)).value();
  IdeaFixture f;
  nlohmann::json config = {{"template_dir", template_dir(tpl).string()}};
  f.run_id = store::create_run(store, {.template_name = tpl, .template_hash = loaded.hash, .model = model,
                                       .config_json = config.dump()})
                 .value()
                 .id;
  const std::string base_cmd = "/usr/bin/python3 experiment.py --out_dir run_0";
  auto baseline = store::add_node(store, {.template_hash = loaded.hash, .kind = "baseline", .command = base_cmd,
                                          .status = "running"})
                      .value();
  baseline.status = "done";
  baseline.exit_code = 0;
  baseline.metrics_json = final_info(tpl, 1.0);
  baseline.metric = experiments::headline_metric(experiments::parse_final_info(baseline.metrics_json).value(),
                                                 loaded.manifest.metric, loaded.manifest.condition)
                        .value();
  REQUIRE(store::finish_node(store, baseline).ok());
  f.baseline_id = baseline.id;

  auto idea = store::add_idea(store, {.run_id = f.run_id, .name = "sweep", .title = title,
                                      .idea_json = R"({"Name": "sweep", "Experiment": "vary one setting"})"})
                  .value();
  f.idea_id = idea.id;
  int step = 1;
  std::string best_id;
  double best = 0;
  for (const auto& s : settings) {
    auto node = store::add_node(store, {.idea_id = idea.id, .template_hash = loaded.hash, .kind = "draft",
                                        .command = "/usr/bin/python3 experiment.py --out_dir run_" +
                                                   std::to_string(step) + s.args,
                                        .step = step, .status = "running"})
                    .value();
    node.status = "done";
    node.exit_code = 0;
    node.metrics_json = final_info(tpl, s.scale);
    node.metric = *baseline.metric * s.scale;
    REQUIRE(store::finish_node(store, node).ok());
    f.node_ids.push_back(node.id);
    bool better = best_id.empty() || (loaded.manifest.higher_is_better ? *node.metric > best : *node.metric < best);
    if (better) {
      best_id = node.id;
      best = *node.metric;
    }
    ++step;
  }
  REQUIRE(store::set_idea_best_metric(store, idea.id, best).ok());
  const std::string plot = tpl == "grokking" ? "val_acc_add.png" : tpl == "diffusion2d" ? "samples.png" : "val_bpc.png";
  REQUIRE(store::add_artifact(store, {"plot", plot, "node", best_id, "image/png"}, tiny_png()).ok());
  REQUIRE(store::add_artifact(store, {"caption", plot, "node", best_id, "text/plain"},
                              "Validation curves of the baseline and the swept settings.")
              .ok());
  REQUIRE(store::add_artifact(store, {"notes", "notes.md", "idea", idea.id, "text/markdown"},
                              "# Notes\nThe sweep ran without failures.\n")
              .ok());
  return f;
}

// Runs pdftotext on PDF bytes (outside the sandbox: the test's own check of the output).
inline std::string pdf_text(const std::filesystem::path& dir, const std::string& pdf) {
  write_files(dir, {{"check.pdf", pdf}});
  std::string cmd = "pdftotext -layout '" + (dir / "check.pdf").string() + "' '" + (dir / "check.txt").string() + "'";
  if (std::system(cmd.c_str()) != 0) return "";
  return read_file(dir / "check.txt").value_or("");
}

}  // namespace shoal::test
