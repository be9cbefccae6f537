#include "paper/citations.hpp"

#include <algorithm>
#include <cctype>

#include "paper/tex_text.hpp"
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

}  // namespace shoal::paper
