// Reproductions of papers: each `shoal reproduce` re-runs a paper's chosen code with its
// stored seeds and records here whether every reported metric came out as stored. Rows are
// never overwritten; the newest one is the paper's current reproduction outcome.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/db.hpp"

namespace shoal::store {

struct Reproduction {
  int64_t id = 0;
  std::string paper_id;
  std::string outcome;              // reproduced, differs
  std::string details_json = "{}";  // the runs, and per metric the stored and measured values
  int64_t created_ms = 0;
};

// Inserts the reproduction (created_ms filled in when 0); returns it with its id.
// invalid_input for an outcome other than "reproduced" or "differs".
Expected<Reproduction> add_reproduction(Store& store, Reproduction reproduction);
// The newest reproduction of a paper, if any.
Expected<std::optional<Reproduction>> latest_reproduction(Store& store, const std::string& paper_id);
// Every reproduction of a paper, oldest first.
Expected<std::vector<Reproduction>> list_reproductions(Store& store, const std::string& paper_id);

// The values a reproduction compared (every metric of every re-run) and how many of them came
// out outside their tolerance or were not measured; {0, 0} for details that are not
// agent/reproduce.cpp's JSON.
struct ReproductionCounts {
  int values = 0, differing = 0;
};
ReproductionCounts reproduction_counts(std::string_view details_json);

}  // namespace shoal::store
