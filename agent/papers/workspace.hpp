// What the write-up stages (LLM and offline) share: the compile folder made from the template's
// latex/ files, the idea's figures and the paper's .tex and .bib; the numbers the claim
// check accepts; and storing one attempt (paper row plus its tex, bib, log and pdf artifacts).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/evidence.hpp"
#include "experiments/template.hpp"
#include "paper/checks.hpp"
#include "paper/claims.hpp"
#include "paper/compile.hpp"
#include "store/papers.hpp"

namespace shoal::agent {

struct PaperWorkspace {
  std::filesystem::path dir;              // the compile folder
  std::string main = "template";          // template.tex
  std::string bib_name = "references.bib";
  std::vector<std::string> figure_files;  // the idea's plots written into the folder
  std::string template_tex;               // the skeleton (latex/template.tex without filecontents blocks)
  std::string template_bib;               // the template's own .bib and filecontents entries ("" when none)
};

// Makes `work_dir` fresh with the template's latex/ files (style files, the skeleton) and
// the idea's plots. not_found when the template has no latex/template.tex.
Expected<PaperWorkspace> prepare_workspace(const std::filesystem::path& work_dir, const std::filesystem::path& template_dir,
                                           const IdeaEvidence& evidence);

// Writes the paper's .tex and .bib into the workspace.
Status write_sources(const PaperWorkspace& ws, const std::string& tex, const std::string& bib);

// The numbers a paper of this idea may state, labelled (paper::known_values over the done
// nodes by node_label, the baseline, the commands they ran, the metric's name, and the
// template's description and task description as setup texts).
std::vector<paper::KnownValue> evidence_numbers(const IdeaEvidence& evidence, const experiments::Template& tpl);

// A short label for a node in tables and prompts: the command-line settings that differ from
// the baseline's ("weight_decay = 0.3"), else its plan, else its kind and step.
std::string node_label(const store::Node& node, const std::optional<store::Node>& baseline);

// One compile attempt, as it is stored.
struct AttemptRecord {
  std::string tex, bib;
  const paper::CompileResult* compile = nullptr;  // null when it never compiled (sandbox refused)
  paper::ClaimReport claims;
  paper::PaperChecks checks;
  nlohmann::json citations = nlohmann::json::array();
  std::string error;  // for a failed attempt: why
};

// Stores the attempt as a new papers row (status compiled when compile->compiled(), else
// failed) with its tex, bib, log (and blg, chktex) and pdf as artifacts of the paper.
Expected<store::Paper> store_attempt(store::Store& store, const std::string& idea_id, const AttemptRecord& attempt);

// The \title{...} and abstract of a LaTeX paper, trimmed ("" when absent).
std::string tex_title(const std::string& tex);
std::string tex_abstract(const std::string& tex);

}  // namespace shoal::agent
