// arXiv's query API:
//   GET {base}/api/query?search_query=all:W1+AND+all:W2&max_results=N
// answers an Atom feed: <feed> with <opensearch:totalResults> and one <entry> per paper:
// <id>http://arxiv.org/abs/ID</id>, <title>, <summary>, <published>, <author><name>,
// <link rel="alternate" href>, <arxiv:doi>, <arxiv:journal_ref>. An error is a feed whose one
// entry has an id under http://arxiv.org/api/errors and the message in <summary>.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/literature.hpp"

namespace shoal::tools::arxiv {

inline constexpr const char* kOfficialUrl = "https://export.arxiv.org";

// The request URL for `query` (its words joined as all:W AND ...; limit clamped to 1..100)
// at `base_url` ("" = official).
std::string search_url(const std::string& base_url, std::string_view query, int limit);

// The papers in an Atom response; remote error for XML that does not parse or an error feed.
Expected<std::vector<PaperRef>> parse_search(std::string_view body);

// The message of an error feed ("" when the body is not one).
std::string error_message(std::string_view body);

// "1706.03762v7" -> "1706.03762", "hep-ex/0307015v1" -> "hep-ex/0307015"; others unchanged.
std::string strip_version(std::string id);

}  // namespace shoal::tools::arxiv
