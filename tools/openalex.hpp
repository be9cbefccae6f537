// OpenAlex works search:
//   GET {base}/works?search=Q&per-page=N
// answers {"meta": {"count", "page", "per_page"}, "results": [{"id": "https://openalex.org/W..",
// "doi": "https://doi.org/..", "title", "display_name", "publication_year", "cited_by_count",
// "authorships": [{"author": {"display_name"}}], "primary_location": {"landing_page_url",
// "source": {"display_name"}}, "locations": [...], "abstract_inverted_index": {"word": [pos, ..]}}]};
// errors are {"error": ..., "message": ...}.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/literature.hpp"

namespace shoal::tools::openalex {

inline constexpr const char* kOfficialUrl = "https://api.openalex.org";

// The request URL for `query` (limit clamped to 1..200) at `base_url` ("" = official).
std::string search_url(const std::string& base_url, std::string_view query, int limit);

// The papers in a /works response body; remote error when the body is not that shape.
Expected<std::vector<PaperRef>> parse_search(std::string_view body);

// The abstract as text from OpenAlex's abstract_inverted_index ({"word": [positions]}).
std::string abstract_from_inverted_index(const nlohmann::json& index);

// The service's message in an error response body ("" when there is none).
std::string error_message(std::string_view body);

}  // namespace shoal::tools::openalex
