#include "tools/bibtex.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace shoal::tools {
namespace {

// ASCII letters for U+00C0..U+017F (Latin-1 Supplement and Latin Extended-A): the base letter
// of each accented one, a space for the few that are not letters.
constexpr std::string_view kLatinFold =
    "AAAAAAACEEEEIIIIDNOOOOO OUUUUYTsaaaaaaaceeeeiiiidnooooo ouuuuyty"
    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

// `text` as lower-case ASCII letters and digits: accented Latin letters lose their accent,
// anything else becomes a space (a word break).
std::string fold_ascii(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : ' ';
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len == 2 && i + 1 < text.size()) {
      unsigned code = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      if (code >= 0xC0 && code < 0x180) {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(kLatinFold[code - 0xC0])));
        i += 2;
        continue;
      }
    }
    out += ' ';
    i += len;
  }
  return out;
}

std::vector<std::string> words(std::string_view folded) {
  std::istringstream in{std::string(folded)};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The family name of an author as engines write them: "Last, First" or "First Middle Last"
// (a trailing Jr./II/III is skipped).
std::string family_name(const std::string& author) {
  auto comma = author.find(',');
  if (comma != std::string::npos) {
    auto w = words(fold_ascii(author.substr(0, comma)));
    std::string joined;
    for (const auto& x : w) joined += x;
    return joined;
  }
  auto w = words(fold_ascii(author));
  while (w.size() > 1 && (w.back() == "jr" || w.back() == "sr" || w.back() == "ii" || w.back() == "iii" ||
                          w.back() == "iv"))
    w.pop_back();
  return w.empty() ? "" : w.back();
}

// The first title word that says something (not an article, preposition or the like).
std::string first_title_word(const std::string& title) {
  static const std::set<std::string> stop = {"a",    "an",   "the",  "on",    "of",      "in",    "for", "to",
                                             "and",  "with", "is",   "are",   "by",      "from",  "at",  "as",
                                             "via",  "into", "using", "toward", "towards", "we",   "our", "do",
                                             "does", "can",  "what", "why",   "how",     "when",  "its", "it"};
  for (const auto& w : words(fold_ascii(title)))
    if (!stop.count(w) && std::isalpha(static_cast<unsigned char>(w[0]))) return w;
  return "";
}



// True for venues that are conferences or workshops (their papers are @inproceedings).
bool is_conference(const std::string& venue) {
  static const std::set<std::string> names = {"neurips", "nips",  "icml",   "iclr",    "cvpr",  "iccv",   "eccv",
                                              "aaai",    "ijcai", "acl",    "emnlp",   "naacl", "coling", "kdd",
                                              "sigir",   "www",   "aistats", "uai",    "colt",  "corl",   "icassp",
                                              "interspeech", "wacv", "bmvc", "icra",    "iros",  "rss",    "miccai"};
  std::string v = lower(venue);
  for (const char* phrase : {"conference", "proceedings", "workshop", "symposium", "neural information processing",
                             "computer vision and pattern recognition", "association for computational linguistics",
                             "empirical methods in natural language processing"})
    if (v.find(phrase) != std::string::npos) return true;
  for (const auto& w : words(fold_ascii(venue)))
    if (names.count(w)) return true;
  return false;
}

// The engine's BibTeX with its key replaced by `key`; "" when it does not look like an entry.
std::string rekey(const std::string& bibtex, const std::string& key) {
  auto at = bibtex.find('@');
  if (at == std::string::npos) return "";
  size_t i = at + 1;
  while (i < bibtex.size() && std::isalpha(static_cast<unsigned char>(bibtex[i]))) ++i;
  if (i == at + 1) return "";
  while (i < bibtex.size() && std::isspace(static_cast<unsigned char>(bibtex[i]))) ++i;
  if (i >= bibtex.size() || (bibtex[i] != '{' && bibtex[i] != '(')) return "";
  auto comma = bibtex.find(',', i + 1);
  if (comma == std::string::npos) return "";
  std::string out = bibtex.substr(at, i + 1 - at) + key + bibtex.substr(comma);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out + "\n";
}

}  // namespace

std::string cite_key(const PaperRef& paper, const std::set<std::string>& taken) {
  std::string last = paper.authors.empty() ? "" : family_name(paper.authors.front());
  std::string base = (last.empty() ? "anon" : last) + (paper.year > 0 ? std::to_string(paper.year) : "") +
                     first_title_word(paper.title);
  if (!taken.count(base)) return base;
  for (char suffix = 'b'; suffix <= 'z'; ++suffix)
    if (!taken.count(base + suffix)) return base + suffix;
  for (int n = 2;; ++n)
    if (!taken.count(base + "z" + std::to_string(n))) return base + "z" + std::to_string(n);
}

std::string escape_latex(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': case '%': case '$': case '#': case '_': case '{': case '}':
        out += '\\';
        out += c;
        break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '\\': out += "\\textbackslash{}"; break;
      default: out += c;
    }
  }
  return out;
}

std::string bibtex_entry(const PaperRef& paper, const std::string& key) {
  if (!paper.bibtex.empty())
    if (auto rekeyed = rekey(paper.bibtex, key); !rekeyed.empty()) return rekeyed;

  bool preprint = !paper.arxiv_id.empty() && (paper.venue.empty() || lower(paper.venue).rfind("arxiv", 0) == 0);
  std::string type = preprint || paper.venue.empty() ? "misc" : is_conference(paper.venue) ? "inproceedings" : "article";
  std::vector<std::pair<std::string, std::string>> fields;
  fields.emplace_back("title", "{" + escape_latex(paper.title) + "}");  // inner braces keep its capitals
  std::string authors;
  for (const auto& a : paper.authors) authors += (authors.empty() ? "" : " and ") + escape_latex(a);
  if (!authors.empty()) fields.emplace_back("author", authors);
  if (type == "inproceedings") fields.emplace_back("booktitle", escape_latex(paper.venue));
  if (type == "article") fields.emplace_back("journal", escape_latex(paper.venue));
  if (paper.year > 0) fields.emplace_back("year", std::to_string(paper.year));
  if (preprint) {
    fields.emplace_back("eprint", escape_latex(paper.arxiv_id));
    fields.emplace_back("archivePrefix", "arXiv");
    fields.emplace_back("howpublished", "arXiv preprint arXiv:" + escape_latex(paper.arxiv_id));
  }
  if (!paper.doi.empty()) fields.emplace_back("doi", escape_latex(paper.doi));
  if (!paper.url.empty()) fields.emplace_back("url", paper.url);  // \url-safe: read verbatim by url/hyperref
  std::string out = "@" + type + "{" + key;
  for (const auto& [name, value] : fields) out += ",\n  " + name + " = {" + value + "}";
  return out + "\n}\n";
}

std::set<std::string> bib_keys(std::string_view bib) {
  std::set<std::string> keys;
  int depth = 0;
  for (size_t i = 0; i < bib.size(); ++i) {
    char c = bib[i];
    if (c == '{') ++depth;
    else if (c == '}') depth = std::max(0, depth - 1);
    if (c != '@' || depth != 0) continue;
    size_t j = i + 1;
    while (j < bib.size() && std::isalpha(static_cast<unsigned char>(bib[j]))) ++j;
    std::string type = lower(bib.substr(i + 1, j - i - 1));
    while (j < bib.size() && std::isspace(static_cast<unsigned char>(bib[j]))) ++j;
    if (type.empty() || j >= bib.size() || (bib[j] != '{' && bib[j] != '(')) continue;
    if (type == "string" || type == "preamble" || type == "comment") continue;
    size_t k = j + 1;
    while (k < bib.size() && std::isspace(static_cast<unsigned char>(bib[k]))) ++k;
    size_t start = k;
    while (k < bib.size() && bib[k] != ',' && bib[k] != '}' && bib[k] != ')' &&
           !std::isspace(static_cast<unsigned char>(bib[k])))
      ++k;
    std::string key(bib.substr(start, k - start));
    while (k < bib.size() && std::isspace(static_cast<unsigned char>(bib[k]))) ++k;
    if (!key.empty() && k < bib.size() && bib[k] == ',') keys.insert(key);
  }
  return keys;
}

std::set<std::string> cited_keys(std::string_view tex) {
  // Drop comments: from an unescaped % to the end of its line.
  std::string text;
  for (size_t i = 0; i < tex.size(); ++i) {
    if (tex[i] == '\\' && i + 1 < tex.size()) {
      text += tex.substr(i, 2);
      ++i;
    } else if (tex[i] == '%') {
      while (i < tex.size() && tex[i] != '\n') ++i;
      text += '\n';
    } else {
      text += tex[i];
    }
  }
  std::set<std::string> keys;
  auto skip_space = [&](size_t& i) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  for (size_t at = text.find('\\'); at != std::string::npos; at = text.find('\\', at + 1)) {
    size_t i = at + 1;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string name = lower(std::string_view(text).substr(at + 1, i - at - 1));
    bool is_cite = name.rfind("cite", 0) == 0 || (name.size() >= 4 && name.compare(name.size() - 4, 4, "cite") == 0);
    if (!is_cite) continue;
    if (i < text.size() && text[i] == '*') ++i;
    skip_space(i);
    for (int optional = 0; optional < 2 && i < text.size() && text[i] == '['; ++optional) {
      auto close = text.find(']', i);
      if (close == std::string::npos) break;
      i = close + 1;
      skip_space(i);
    }
    if (i >= text.size() || text[i] != '{') continue;
    auto close = text.find('}', i);
    if (close == std::string::npos) continue;
    std::istringstream list(text.substr(i + 1, close - i - 1));
    for (std::string key; std::getline(list, key, ',');) {
      key = collapse_whitespace(key);
      if (!key.empty() && key != "*") keys.insert(key);
    }
    at = close;
  }
  return keys;
}

}  // namespace shoal::tools
