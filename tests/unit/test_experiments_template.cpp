#include <doctest/doctest.h>

#include <fstream>

#include "experiments/template.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::experiments;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// A complete minimal template folder.
void make_template(const fs::path& dir) {
  write(dir / "experiment.py", "print('hi')\n");
  write(dir / "plot.py", "\n");
  write(dir / "prompt.json", R"({"system": "s", "task_description": "t"})");
  write(dir / "seed_ideas.json", R"([{"Name": "a", "Title": "A", "Experiment": "e"}])");
  write(dir / "latex/template.tex", "\\documentclass{article}\\begin{document}x\\end{document}\n");
}

bool mentions(const std::vector<TemplateProblem>& problems, const std::string& where, const std::string& text) {
  for (const auto& p : problems)
    if (p.where == where && p.message.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("a template without template.json gets the documented defaults") {
  test::TempDir dir;
  make_template(dir / "mytpl");
  auto tpl = load_template(dir / "mytpl").value();
  CHECK(tpl.manifest.name == "mytpl");
  CHECK(tpl.manifest.interpreter == "/usr/bin/python3");
  CHECK(tpl.manifest.timeout_s == 7200);
  CHECK(tpl.manifest.higher_is_better);
  CHECK(tpl.manifest.knobs.empty());
  CHECK_FALSE(tpl.manifest.from_file);
  CHECK(tpl.hash.size() == 64);
  CHECK(check_template_files(dir / "mytpl").empty());
}

TEST_CASE("the manifest is read with its knobs and metric") {
  test::TempDir dir;
  make_template(dir.path());
  write(dir / "template.json", R"({"name": "g", "timeout_s": 60,
     "metric": {"name": "val_acc", "condition": null, "higher_is_better": false},
     "knobs": [{"flag": "--lr", "values": [0.1, 0.01], "baseline": 0.1, "description": "rate"}],
     "smoke_args": ["--steps", "2"], "editable": ["experiment.py"]})");
  auto tpl = load_template(dir.path()).value();
  CHECK(tpl.manifest.name == "g");
  CHECK(tpl.manifest.metric == "val_acc");
  CHECK_FALSE(tpl.manifest.condition.has_value());
  CHECK_FALSE(tpl.manifest.higher_is_better);
  REQUIRE(tpl.manifest.knobs.size() == 1);
  CHECK(tpl.manifest.knobs[0].values.size() == 2);
  CHECK(tpl.manifest.smoke_args == std::vector<std::string>{"--steps", "2"});
}

TEST_CASE("the hash follows content and ignores run outputs") {
  test::TempDir dir;
  make_template(dir.path());
  auto h1 = template_hash(dir.path()).value();
  write(dir / "run_0/final_info.json", "{}");
  write(dir / "__pycache__/x.pyc", "junk");
  CHECK(template_hash(dir.path()).value() == h1);
  write(dir / "experiment.py", "print('changed')\n");
  CHECK(template_hash(dir.path()).value() != h1);
}

TEST_CASE("check names every problem precisely") {
  test::TempDir dir;
  make_template(dir.path());
  fs::remove(dir / "plot.py");
  write(dir / "prompt.json", "{\"system\": \"s\",\n \"task_description\": }");
  write(dir / "seed_ideas.json", R"([{"Name": "a"}])");
  write(dir / "template.json", R"({"knobs": [{"flag": "lr", "values": [1]}]})");
  auto problems = check_template_files(dir.path());
  CHECK(mentions(problems, "plot.py", "missing"));
  CHECK(mentions(problems, "prompt.json", "line 2, column"));
  CHECK(mentions(problems, "seed_ideas.json", "idea 0 has no 'Title'"));
  CHECK(mentions(problems, "template.json", "flags starting with --"));
  CHECK(load_template(dir.path()).error().kind == ErrorKind::invalid_input);
}

TEST_CASE("a missing folder is not_found and copies leave run outputs behind") {
  test::TempDir dir;
  CHECK(load_template(dir / "nope").error().kind == ErrorKind::not_found);
  make_template(dir / "t");
  write(dir / "t/run_3/final_info.json", "{}");
  auto tpl = load_template(dir / "t").value();
  REQUIRE(copy_template(tpl, dir / "copy").ok());
  CHECK(fs::exists(dir / "copy/latex/template.tex"));
  CHECK_FALSE(fs::exists(dir / "copy/run_3"));
  CHECK(copy_template(tpl, dir / "copy").error().kind == ErrorKind::invalid_input);
  auto job = experiment_job(tpl, dir / "copy", "run_1", {"--lr", "0.1"});
  CHECK(job.argv == std::vector<std::string>{"/usr/bin/python3", "experiment.py", "--out_dir", "run_1", "--lr", "0.1"});
}

TEST_CASE("metrics compare in the template's direction") {
  CHECK(experiments::metric_better(2, 1, true));
  CHECK_FALSE(experiments::metric_better(2, 1, false));
  CHECK(experiments::metric_better(1, 2, false));
  CHECK_FALSE(experiments::metric_better(1, 1, true));
}

TEST_CASE("sealed files: never editable, and a copy that differs from the template's is named") {
  test::TempDir tmp;
  auto dir = tmp.path() / "t";
  make_template(dir);
  write(dir / "evaluate.py", "def score(x): return x\n");
  write(dir / "template.json", R"({"sealed": ["evaluate.py"]})");
  auto tpl = load_template(dir).value();
  CHECK(tpl.manifest.sealed == std::vector<std::string>{"evaluate.py"});
  CHECK(check_template_files(dir).empty());

  auto work = tmp.path() / "work";
  REQUIRE(copy_template(tpl, work).ok());
  CHECK(changed_sealed_files(tpl, work).empty());
  write(work / "evaluate.py", "def score(x): return 1.0\n");  // a run that rewrites its evaluation
  CHECK(changed_sealed_files(tpl, work) == std::vector<std::string>{"evaluate.py"});
  fs::remove(work / "evaluate.py");
  CHECK(changed_sealed_files(tpl, work) == std::vector<std::string>{"evaluate.py"});

  write(dir / "template.json", R"({"sealed": ["experiment.py"]})");  // also editable by default
  auto both = load_template(dir);
  REQUIRE_FALSE(both.ok());
  CHECK(both.error().message.find("'experiment.py' is in both") != std::string::npos);
  write(dir / "template.json", R"({"sealed": ["missing.py"]})");
  CHECK(mentions(check_template_files(dir), "template.json", "sealed file 'missing.py' does not exist"));
}

TEST_CASE("a metric bound is a number, or the value of a flag in the run's command (a smoke run's shorter budget)") {
  test::TempDir tmp;
  auto dir = tmp.path() / "t";
  make_template(dir);
  write(dir / "template.json", R"({"metric_bound": 1200})");
  auto fixed = load_template(dir).value().manifest;
  CHECK(metric_bound_of(fixed, "python3 experiment.py --num_steps 30") == 1200.0);

  write(dir / "template.json", R"({"metric_bound": {"flag": "--num_steps", "default": 1200}})");
  auto flag = load_template(dir).value().manifest;
  CHECK(metric_bound_of(flag, "/usr/bin/python3 experiment.py --out_dir run_0 --num_steps 30 --seeds 1") == 30.0);
  CHECK(metric_bound_of(flag, "python3 experiment.py --num_steps=40") == 40.0);
  CHECK(metric_bound_of(flag, "python3 experiment.py --num_steps 30 --num_steps 50") == 50.0);  // argparse: the last
  CHECK(metric_bound_of(flag, "python3 experiment.py --out_dir run_1") == 1200.0);            // the default
  CHECK(metric_bound_of(flag, "python3 experiment.py --num_steps_extra 7") == 1200.0);        // another flag
  CHECK(metric_bound_of(flag, "python3 experiment.py --num_steps lots") == 1200.0);           // not a number
  CHECK_FALSE(metric_bound_of(TemplateManifest{}, "python3 experiment.py --num_steps 30").has_value());

  for (const char* bad : {R"({"metric_bound": "1200"})", R"({"metric_bound": {"flag": "--num_steps"}})",
                          R"({"metric_bound": {"flag": "num_steps", "default": 1200}})",
                          R"({"metric_bound": {"flag": "--num_steps", "default": 1200, "unit": "steps"}})"}) {
    write(dir / "template.json", bad);
    auto r = load_template(dir);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("metric_bound") != std::string::npos);
  }
}

TEST_CASE("an argparse --help gives the knobs of a template without template.json") {
  const char* help = R"(usage: experiment.py [-h] [--out_dir OUT_DIR] [--lr LR]
                     [--optimizer {sgd,momentum}] [--steps STEPS]
                     [--seed SEED] [--verbose] [--sizes SIZES [SIZES ...]]

argparse test template

options:
  -h, --help            show this help message and exit
  --out_dir OUT_DIR     where final_info.json goes (default: run_0)
  --lr LR               step size (default: 0.1)
  --optimizer {sgd,momentum}
                        update rule (default: sgd)
  --steps STEPS         gradient steps (default: 40)
  --dropout DROPOUT     dropout rate, a long help text that argparse wraps onto
                        the next line (default: 0.0)
  --sizes SIZES [SIZES ...]
                        layer sizes (default: [1, 2])
  --seed SEED           random seed (default: 0)
  --num_workers NUM_WORKERS
                        (default: 4)
  --activation ACTIVATION
                        (default: relu)
  --width WIDTH         no default shown
  --verbose             print every step (default: False)
)";
  auto knobs = experiments::knobs_from_help(help);
  REQUIRE(knobs.size() == 4);
  CHECK(knobs[0].flag == "--lr");
  CHECK(knobs[0].baseline == 0.1);
  CHECK(knobs[0].values == std::vector<nlohmann::json>{0.025, 0.05, 0.2, 0.4});
  CHECK(knobs[0].description == "step size");
  CHECK(knobs[1].flag == "--optimizer");
  CHECK(knobs[1].values == std::vector<nlohmann::json>{"sgd", "momentum"});
  CHECK(knobs[1].baseline == "sgd");
  CHECK(knobs[2].flag == "--steps");
  CHECK(knobs[2].baseline == 40);
  CHECK(knobs[2].values == std::vector<nlohmann::json>{10, 20, 80, 160});
  CHECK(knobs[3].flag == "--dropout");  // a zero default, its help wrapped over two lines
  CHECK(knobs[3].values == std::vector<nlohmann::json>{0.001, 0.01, 0.1});
  CHECK(knobs[3].description.find("onto the next line") != std::string::npos);
}

TEST_CASE("an argparse --help without defaults, numbers or choices gives no knobs") {
  // The plain formatter prints no defaults: nothing says what the baseline is.
  CHECK(experiments::knobs_from_help("options:\n  -h, --help  show this help\n  --lr LR     step size\n").empty());
  CHECK(experiments::knobs_from_help("").empty());
  CHECK(experiments::knobs_from_help("usage: x [--out_dir OUT_DIR]\n\noptions:\n  --out_dir OUT_DIR  (default: run_0)\n").empty());
}
