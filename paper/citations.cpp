#include "paper/citations.hpp"

#include <algorithm>
#include <cctype>

#include "paper/tex_text.hpp"
#include "tools/bibtex.hpp"
#include "core/text.hpp"

namespace shoal::paper {

namespace {


}  // namespace

CitationCleanup drop_unknown_citations(std::string_view tex_in, const std::set<std::string>& known) {
  std::string tex(tex_in);
  std::string visible = strip_comments(tex);
  CitationCleanup out;
  std::string result;
  size_t copied = 0;
  for (size_t at = visible.find('\\'); at != std::string::npos; at = visible.find('\\', at + 1)) {
    size_t i = at + 1;
    while (i < visible.size() && std::isalpha(static_cast<unsigned char>(visible[i]))) ++i;
    std::string name = visible.substr(at + 1, i - at - 1);
    if (name.rfind("cite", 0) != 0 && name != "nocite") {
      if (i == at + 1) ++at;  // an escaped character such as \\: skip both
      continue;
    }
    if (i < visible.size() && visible[i] == '*') ++i;
    while (i < visible.size() && visible[i] == '[') {
      size_t e = group_end(visible, i, '[', ']');
      if (e == std::string::npos) break;
      i = e;
    }
    if (i >= visible.size() || visible[i] != '{') continue;
    size_t close = group_end(visible, i);
    if (close == std::string::npos) continue;
    std::string keys = visible.substr(i + 1, close - i - 2);
    std::vector<std::string> kept;
    bool changed = false;
    size_t start = 0;
    while (start <= keys.size()) {
      size_t comma = keys.find(',', start);
      if (comma == std::string::npos) comma = keys.size();
      std::string key = trim(keys.substr(start, comma - start));
      if (!key.empty()) {
        if (known.count(key)) kept.push_back(key);
        else {
          changed = true;
          if (std::find(out.dropped.begin(), out.dropped.end(), key) == out.dropped.end()) out.dropped.push_back(key);
        }
      }
      start = comma + 1;
    }
    if (!changed) continue;
    result += tex.substr(copied, at - copied);
    if (!kept.empty()) {
      std::string joined;
      for (const auto& k : kept) joined += (joined.empty() ? "" : ",") + k;
      result += tex.substr(at, i - at) + "{" + joined + "}";
    } else if (!result.empty() && (result.back() == '~' || result.back() == ' ')) {
      result.pop_back();  // "as shown~\cite{x}." -> "as shown."
    }
    copied = close;
    at = close - 1;
  }
  result += tex.substr(copied);
  out.tex = result;
  return out;
}

std::string bib_file_name(std::string_view tex) {
  auto args = command_arguments(tex, "bibliography");
  if (args.empty() || args[0].empty()) return "references.bib";
  std::string first = trim(args[0].substr(0, args[0].find(',')));
  if (first.size() < 4 || first.substr(first.size() - 4) != ".bib") first += ".bib";
  return first;
}

EmbeddedFiles split_filecontents(std::string_view tex) {
  EmbeddedFiles out;
  size_t at = 0;
  while (true) {
    size_t begin = tex.find("\\begin{filecontents", at);
    if (begin == std::string_view::npos) break;
    size_t name_end = tex.find('}', begin);
    if (name_end == std::string_view::npos) break;
    std::string env(tex.substr(begin + 7, name_end - begin - 7));  // "filecontents" or "filecontents*"
    if (env != "filecontents" && env != "filecontents*") {
      out.tex += tex.substr(at, name_end + 1 - at);
      at = name_end + 1;
      continue;
    }
    size_t i = name_end + 1;
    if (i < tex.size() && tex[i] == '[') {  // [overwrite] and the like
      size_t close = tex.find(']', i);
      i = close == std::string_view::npos ? i : close + 1;
    }
    if (i >= tex.size() || tex[i] != '{') {
      out.tex += tex.substr(at, i - at);
      at = i;
      continue;
    }
    size_t file_end = tex.find('}', i);
    std::string end_tag = "\\end{" + env + "}";
    size_t end = file_end == std::string_view::npos ? file_end : tex.find(end_tag, file_end);
    if (end == std::string_view::npos) break;  // unterminated: left as it is
    std::string name = trim(std::string(tex.substr(i + 1, file_end - i - 1)));
    std::string body(tex.substr(file_end + 1, end - file_end - 1));
    if (!body.empty() && body.front() == '\n') body.erase(0, 1);
    out.files[name] += body;
    out.tex += tex.substr(at, begin - at);
    at = end + end_tag.size();
    if (at < tex.size() && tex[at] == '\n') ++at;
  }
  out.tex += tex.substr(at);
  return out;
}

std::string merge_bib(const std::string& bib, const std::string& extra) {
  if (extra.empty()) return bib;
  auto known = tools::bib_keys(bib);
  std::string out = bib;
  // Entries start at an '@' at the start of a line; each is kept unless its key is known.
  size_t at = 0;
  while (at < extra.size()) {
    size_t start = extra.find('@', at);
    if (start == std::string::npos) break;
    size_t next = extra.find("\n@", start + 1);
    size_t stop = next == std::string::npos ? extra.size() : next + 1;
    std::string entry = extra.substr(start, stop - start);
    auto keys = tools::bib_keys(entry);
    bool duplicate = !keys.empty() && std::all_of(keys.begin(), keys.end(), [&](const std::string& k) { return known.count(k) > 0; });
    if (!duplicate) {
      if (!out.empty() && out.back() != '\n') out += '\n';
      if (!out.empty()) out += '\n';
      out += entry;
      known.insert(keys.begin(), keys.end());
    }
    at = stop;
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

}  // namespace shoal::paper
