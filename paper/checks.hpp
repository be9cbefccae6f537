// The automated checks of one paper attempt: does it compile, how many pages, are its numbers
// backed by measured results, are its figures and citations all there. Stored as
// papers.checks_json, shown to reviewers, and (offline) recorded instead of an LLM review.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paper/claims.hpp"
#include "paper/compile.hpp"
#include "paper/figures.hpp"

namespace shoal::paper {

struct PaperChecks {
  bool compiles = false;
  std::optional<int> pages;
  int page_limit = 0;  // 0: none
  int latex_errors = 0, overfull_boxes = 0, chktex_warnings = 0;
  int claims_checked = 0, claims_unmatched = 0;
  FigureCheck figures;
  std::vector<std::string> cited;                // keys the paper cites
  std::vector<std::string> unresolved_citations;  // cited but not in the .bib, or undefined in the log
  std::vector<std::string> bibtex_errors;         // bibtex's errors, or that it never ran for a paper with a bibliography

  // Compiles, within the page limit, every claim matched, no figure missing or unused, every
  // citation resolved, bibtex ran without errors.
  bool passed() const;
  nlohmann::json to_json() const;
  static PaperChecks from_json(const nlohmann::json& j);
  // One line per check ("claims verified: 12 of 12"), for people and for reviewers.
  std::string describe() const;
};

// The checks of a compile (null when it never ran), a claim report, a figure check and the
// keys the paper cites against those its .bib defines.
PaperChecks make_checks(const CompileResult* compile, const ClaimReport& claims, const FigureCheck& figures,
                        const std::set<std::string>& cited, const std::set<std::string>& bib_keys, int page_limit);

}  // namespace shoal::paper
