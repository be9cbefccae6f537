// `shoal doctor`: checks the environment before a long run, one check per thing a run needs
// (the sandbox, TeX, the template's Python packages, the model, free disk, Slurm), each with a
// verdict and, when it is not ok, what to do. A library function so every front end can call it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"

namespace shoal::agent {

enum class CheckLevel { ok, skip, warn, fail };

// One check's verdict: "ok", "skip", "warn" or "FAIL".
std::string_view to_string(CheckLevel level);

struct DoctorCheck {
  std::string name;                          // "sandbox", "tex", "packages", "model", "disk", "slurm"
  CheckLevel level = CheckLevel::ok;
  std::string message;                       // what was found; for warn and FAIL also what to do
  ErrorKind kind = ErrorKind::internal;      // for FAIL: the kind of the failure (its exit code)
};

struct DoctorOptions {
  std::filesystem::path template_dir;  // empty: no template check
  std::string model;                   // a model string; "offline" (or empty) skips the model check
  std::string base_url;                // over the config's llm_base_url when not empty
  std::string executor = "local";      // "local" or "slurm" (slurm adds the Slurm check)
  double model_timeout_s = 30;         // the cheap model call, in all
};

// Runs every check and returns their verdicts in order. Never throws; nothing is stored.
std::vector<DoctorCheck> run_doctor(const Config& config, const DoctorOptions& options);

// The import names an experiment.py or plot.py source imports at top level ("numpy" for
// `import numpy.linalg as la`, "torch" for `from torch import nn`), sorted, without relative
// imports and without `local` names (modules that are files or folders of the template).
std::vector<std::string> imported_modules(const std::string& source, const std::vector<std::string>& local = {});

}  // namespace shoal::agent
