// Semantic Scholar's Graph API paper search:
//   GET {base}/graph/v1/paper/search?query=Q&limit=N&fields=...   (optional header x-api-key)
// answers {"total", "offset", "next", "data": [{"paperId", "title", "authors": [{"authorId",
// "name"}], "venue", "year", "abstract", "citationCount", "externalIds": {"DOI", "ArXiv", ...},
// "citationStyles": {"bibtex"}}]}; errors are {"message": ...} or {"error": ...}.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/literature.hpp"

namespace shoal::tools::semantic_scholar {

inline constexpr const char* kOfficialUrl = "https://api.semanticscholar.org";

// The request URL for `query` (limit clamped to 1..100) at `base_url` ("" = official).
std::string search_url(const std::string& base_url, std::string_view query, int limit);

// The papers in a search response body; remote error when the body is not that shape.
Expected<std::vector<PaperRef>> parse_search(std::string_view body);

// The service's message in an error response body ("" when there is none).
std::string error_message(std::string_view body);

}  // namespace shoal::tools::semantic_scholar
