#include "tools/arxiv.hpp"

#include <algorithm>
#include <pugixml.hpp>
#include <sstream>

#include "tools/http_get.hpp"

namespace shoal::tools::arxiv {
namespace {

// An element's name without its namespace prefix ("arxiv:doi" -> "doi").
std::string_view local_name(const pugi::xml_node& node) {
  std::string_view name = node.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// The first child element called `name` (any prefix); an empty node when there is none.
pugi::xml_node child(const pugi::xml_node& parent, std::string_view name) {
  for (auto c : parent.children())
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  return {};
}

// The text of the first child called `name`, whitespace collapsed.
std::string child_text(const pugi::xml_node& parent, std::string_view name) {
  return collapse_whitespace(child(parent, name).text().get());
}

// The <feed> element of a parsed document, or an error naming what is wrong.
Expected<pugi::xml_node> load_feed(pugi::xml_document& doc, std::string_view body) {
  auto parsed = doc.load_buffer(body.data(), body.size());
  if (!parsed) return fail(ErrorKind::remote, std::string("arXiv answered XML that does not parse: ") + parsed.description());
  auto feed = child(doc, "feed");
  if (!feed) return fail(ErrorKind::remote, "arXiv's answer is not an Atom feed (no <feed> element)");
  return feed;
}

// True for the entry arXiv uses to report an error.
bool is_error_entry(const pugi::xml_node& entry) {
  return child_text(entry, "id").find("arxiv.org/api/errors") != std::string::npos;
}

}  // namespace

std::string search_url(const std::string& base_url, std::string_view query, int limit) {
  std::string base = base_url.empty() ? kOfficialUrl : base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  // Words only: arXiv's query syntax gives ( ) " : and the operators a meaning.
  std::string search, word;
  std::istringstream in{std::string(query)};
  while (in >> word) {
    std::string clean;
    for (unsigned char c : word)
      if (std::isalnum(c) || c == '-' || c >= 0x80) clean += static_cast<char>(c);
    std::string lower = clean;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (clean.empty() || lower == "and" || lower == "or" || lower == "andnot") continue;
    search += (search.empty() ? "all:" : " AND all:") + clean;
  }
  return base + "/api/query?search_query=" + url_encode(search) +
         "&start=0&max_results=" + std::to_string(std::clamp(limit, 1, 100));
}

std::string strip_version(std::string id) {
  auto v = id.rfind('v');
  if (v == std::string::npos || v == 0 || v + 1 >= id.size() || !std::isdigit(static_cast<unsigned char>(id[v - 1])))
    return id;
  if (std::all_of(id.begin() + static_cast<std::ptrdiff_t>(v) + 1, id.end(),
                  [](unsigned char c) { return std::isdigit(c); }))
    id.erase(v);
  return id;
}

Expected<std::vector<PaperRef>> parse_search(std::string_view body) {
  pugi::xml_document doc;
  SHOAL_TRY(feed, load_feed(doc, body));
  std::vector<PaperRef> papers;
  for (auto entry : feed.children()) {
    if (entry.type() != pugi::node_element || local_name(entry) != "entry") continue;
    if (is_error_entry(entry)) return fail(ErrorKind::remote, "arXiv refused the query: " + child_text(entry, "summary"));
    PaperRef r;
    r.engine = "arxiv";
    std::string id_url = child_text(entry, "id");
    auto at = id_url.find("/abs/");
    r.arxiv_id = strip_version(at == std::string::npos ? id_url : id_url.substr(at + 5));
    r.id = r.arxiv_id;
    r.title = child_text(entry, "title");
    if (r.title.empty()) continue;
    r.abstract = child_text(entry, "summary");
    for (auto a : entry.children())
      if (a.type() == pugi::node_element && local_name(a) == "author")
        if (auto name = child_text(a, "name"); !name.empty()) r.authors.push_back(name);
    std::string published = child_text(entry, "published");
    if (published.size() >= 4 && std::all_of(published.begin(), published.begin() + 4, [](unsigned char c) { return std::isdigit(c); }))
      r.year = std::stoi(published.substr(0, 4));
    r.doi = child_text(entry, "doi");
    r.venue = child_text(entry, "journal_ref");
    if (r.venue.empty()) r.venue = "arXiv";
    for (auto link : entry.children())
      if (link.type() == pugi::node_element && local_name(link) == "link" &&
          std::string_view(link.attribute("rel").value()) == "alternate")
        r.url = link.attribute("href").value();
    if (r.url.empty()) r.url = id_url;
    papers.push_back(std::move(r));
  }
  return papers;
}

std::string error_message(std::string_view body) {
  pugi::xml_document doc;
  auto feed = load_feed(doc, body);
  if (!feed.ok()) return "";
  for (auto entry : feed->children())
    if (entry.type() == pugi::node_element && local_name(entry) == "entry" && is_error_entry(entry))
      return child_text(entry, "summary");
  return "";
}

}  // namespace shoal::tools::arxiv
