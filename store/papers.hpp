// Papers: one row per write-up attempt of an idea. Attempts are never overwritten: a new
// attempt is a new row, and best_paper() picks the newest compiled one, so a later failed
// attempt never hides an earlier good PDF.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace shoal::store {

struct Paper {
  std::string id;
  std::string idea_id;
  int attempt = 0;                 // 1, 2, ...; add_paper() assigns the next one when 0
  std::string status = "failed";   // compiled, failed
  std::string title, abstract;
  std::string tex_hash, bib_hash, log_hash, pdf_hash;  // blobs; "" when absent
  std::optional<int> pages;
  std::string unverified_json = "[]";  // numbers the claim check could not match
  std::string citations_json = "[]";
  std::string checks_json = "{}";      // automated checks: compiles, pages, figures, citations, claims
  std::string error;                   // why a failed attempt failed
  int64_t created_ms = 0;
};

// Inserts a new attempt (id, attempt number and created_ms filled in when unset).
Expected<Paper> add_paper(Store& store, Paper paper);
Expected<Paper> get_paper(Store& store, const std::string& id);
// Every attempt of an idea, oldest first.
Expected<std::vector<Paper>> list_papers(Store& store, const std::string& idea_id);
// The newest compiled attempt of an idea, if any.
Expected<std::optional<Paper>> best_paper(Store& store, const std::string& idea_id);
// The best paper of each idea of a run.
Expected<std::vector<Paper>> run_papers(Store& store, const std::string& run_id);

// How many numbers of the paper the claim check could not tie to a stored result (the
// length of unverified_json; -1 when that is not a JSON array, which counts as unverified).
int unverified_count(const Paper& paper);
// A finished paper: compiled, and every number it states is tied to a stored result. A
// compiled paper with unverified numbers is "unverified" and never counts as finished.
bool paper_finished(const Paper& paper);

}  // namespace shoal::store
