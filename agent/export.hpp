// `shoal export`: everything behind one paper, in one folder a reader can check without Shoal:
// the PDF, LaTeX and BibTeX; the code of the paper's chosen version and its diff against the
// template; every experiment run's final_info.json and log; the plots; the reviews; the idea's
// LLM transcripts; and manifest.json, which gives every file's SHA-256 and says what produced
// them (paper, idea, run, template and its hash, each run's seed and command, the Shoal
// version, the sandbox's Python and packages, the models and their cost).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "experiments/executor.hpp"
#include "store/db.hpp"

namespace shoal::agent {

struct ExportOptions {
  std::string shoal_version;       // written into the manifest
  std::filesystem::path work_dir;  // scratch folder for the sandbox probe (made and removed here)
};

struct ExportedFile {
  std::string path;    // relative to the export folder, '/'-separated
  std::string sha256;
  int64_t size = 0;
  std::string blob;    // the store's blob it was written from byte for byte ("" = made for the export)
};

struct ExportResult {
  std::filesystem::path dir;
  std::string paper_id, chosen_node_id;
  std::vector<ExportedFile> files;  // manifest.json not among them
  std::vector<std::string> notes;   // what could not be exported, and why
};

// Writes the export of `paper_id` into `dir`, which must be missing or empty (invalid_input
// naming it otherwise: nothing is ever overwritten). The sandbox probe runs in `executor`.
Expected<ExportResult> export_paper(store::Store& store, experiments::Executor& executor, const std::string& paper_id,
                                    const std::filesystem::path& dir, const ExportOptions& options);

}  // namespace shoal::agent
