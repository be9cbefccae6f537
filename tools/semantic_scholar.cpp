#include "tools/semantic_scholar.hpp"

#include <algorithm>

#include "tools/http_get.hpp"
#include "tools/json_fields.hpp"

namespace shoal::tools::semantic_scholar {

std::string search_url(const std::string& base_url, std::string_view query, int limit) {
  std::string base = base_url.empty() ? kOfficialUrl : base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/graph/v1/paper/search?query=" + url_encode(query) +
         "&limit=" + std::to_string(std::clamp(limit, 1, 100)) +
         "&fields=title,authors,venue,year,abstract,citationCount,externalIds,citationStyles";
}

Expected<std::vector<PaperRef>> parse_search(std::string_view body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return fail(ErrorKind::remote, "Semantic Scholar answered something that is not a JSON object");
  std::vector<PaperRef> papers;
  const auto& data = node_field(doc, "data");
  if (!data.is_array()) {
    if (doc.contains("total")) return papers;  // no match: S2 leaves "data" out
    return fail(ErrorKind::remote, "Semantic Scholar's answer has no \"data\" list");
  }
  for (const auto& p : data) {
    PaperRef r;
    r.engine = "semantic_scholar";
    r.id = string_field(p, "paperId");
    r.title = string_field(p, "title");
    if (r.title.empty()) continue;
    for (const auto& a : node_field(p, "authors"))
      if (auto name = string_field(a, "name"); !name.empty()) r.authors.push_back(name);
    r.year = static_cast<int>(int_field(p, "year"));
    r.venue = string_field(p, "venue");
    r.abstract = string_field(p, "abstract");
    r.citations = int_field(p, "citationCount");
    const auto& ids = node_field(p, "externalIds");
    r.doi = string_field(ids, "DOI");
    r.arxiv_id = string_field(ids, "ArXiv");
    r.bibtex = string_field(node_field(p, "citationStyles"), "bibtex");
    if (!r.id.empty()) r.url = "https://www.semanticscholar.org/paper/" + r.id;
    papers.push_back(std::move(r));
  }
  return papers;
}

std::string error_message(std::string_view body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (auto m = string_field(doc, "message"); !m.empty()) return m;
  return string_field(doc, "error");
}

}  // namespace shoal::tools::semantic_scholar
