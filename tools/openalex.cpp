#include "tools/openalex.hpp"

#include <algorithm>

#include "tools/arxiv.hpp"
#include "tools/http_get.hpp"
#include "tools/json_fields.hpp"

namespace shoal::tools::openalex {
namespace {

// "https://doi.org/10.1/x" -> "10.1/x"; other forms unchanged.
std::string bare_doi(std::string doi) {
  for (const char* prefix : {"https://doi.org/", "http://doi.org/", "doi:"})
    if (doi.rfind(prefix, 0) == 0) return doi.substr(std::string(prefix).size());
  return doi;
}

// The arXiv id of a work: from an arxiv.org/abs/ location, or from arXiv's DOI 10.48550/arXiv.ID.
std::string arxiv_id_of(const nlohmann::json& work, const std::string& doi) {
  std::string lower = doi;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower.rfind("10.48550/arxiv.", 0) == 0) return doi.substr(15);
  for (const auto& loc : node_field(work, "locations")) {
    std::string url = string_field(loc, "landing_page_url");
    auto at = url.find("arxiv.org/abs/");
    if (at == std::string::npos) continue;
    return arxiv::strip_version(url.substr(at + 14));
  }
  return "";
}

}  // namespace

std::string search_url(const std::string& base_url, std::string_view query, int limit) {
  std::string base = base_url.empty() ? kOfficialUrl : base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/works?search=" + url_encode(query) + "&per-page=" + std::to_string(std::clamp(limit, 1, 200));
}

std::string abstract_from_inverted_index(const nlohmann::json& index) {
  if (!index.is_object()) return "";
  constexpr int64_t kMaxWords = 20000;  // an abstract is never longer; guards against absurd positions
  std::vector<std::string> words;
  for (const auto& [word, positions] : index.items()) {
    if (!positions.is_array()) continue;
    for (const auto& p : positions) {
      if (!p.is_number_integer()) continue;
      int64_t at = p.get<int64_t>();
      if (at < 0 || at >= kMaxWords) continue;
      if (static_cast<size_t>(at) >= words.size()) words.resize(static_cast<size_t>(at) + 1);
      words[static_cast<size_t>(at)] = word;
    }
  }
  std::string text;
  for (const auto& w : words) {
    if (w.empty()) continue;
    if (!text.empty()) text += ' ';
    text += w;
  }
  return text;
}

Expected<std::vector<PaperRef>> parse_search(std::string_view body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return fail(ErrorKind::remote, "OpenAlex answered something that is not a JSON object");
  const auto& results = node_field(doc, "results");
  if (!results.is_array()) return fail(ErrorKind::remote, "OpenAlex's answer has no \"results\" list");
  std::vector<PaperRef> papers;
  for (const auto& w : results) {
    PaperRef r;
    r.engine = "openalex";
    r.id = string_field(w, "id");
    if (auto slash = r.id.rfind('/'); slash != std::string::npos) r.id = r.id.substr(slash + 1);
    r.title = string_field(w, "title");
    if (r.title.empty()) r.title = string_field(w, "display_name");
    if (r.title.empty()) continue;
    for (const auto& a : node_field(w, "authorships"))
      if (auto name = string_field(node_field(a, "author"), "display_name"); !name.empty())
        r.authors.push_back(name);
    r.year = static_cast<int>(int_field(w, "publication_year"));
    const auto& primary = node_field(w, "primary_location");
    r.venue = string_field(node_field(primary, "source"), "display_name");
    r.url = string_field(primary, "landing_page_url");
    if (r.url.empty()) r.url = string_field(w, "id");
    r.doi = bare_doi(string_field(w, "doi"));
    r.arxiv_id = arxiv_id_of(w, r.doi);
    r.abstract = abstract_from_inverted_index(node_field(w, "abstract_inverted_index"));
    r.citations = int_field(w, "cited_by_count");
    papers.push_back(std::move(r));
  }
  return papers;
}

std::string error_message(std::string_view body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  std::string error = string_field(doc, "error"), message = string_field(doc, "message");
  if (!error.empty() && !message.empty()) return error + ": " + message;
  return error.empty() ? message : error;
}

}  // namespace shoal::tools::openalex
