#include "paper/tex_text.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

namespace shoal::paper {

std::string strip_comments(std::string_view tex) {
  std::string out(tex);
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\\') {
      ++i;  // an escaped character, \% included
      continue;
    }
    if (out[i] != '%') continue;
    while (i < out.size() && out[i] != '\n') out[i++] = ' ';
  }
  return out;
}

size_t group_end(std::string_view s, size_t open_at, char open, char close) {
  int depth = 0;
  for (size_t j = open_at; j < s.size(); ++j) {
    if (s[j] == '\\') {
      ++j;
      continue;
    }
    if (s[j] == open) ++depth;
    else if (s[j] == close && --depth == 0) return j + 1;
  }
  return std::string_view::npos;
}

std::vector<TexSection> find_sections(std::string_view tex_in) {
  std::string tex = strip_comments(tex_in);
  static const std::regex section(R"(\\section\*?\s*\{)");
  std::vector<TexSection> out;
  for (auto it = std::sregex_iterator(tex.begin(), tex.end(), section); it != std::sregex_iterator(); ++it) {
    size_t open = static_cast<size_t>(it->position(0) + it->length(0)) - 1;
    size_t close = group_end(tex, open);
    if (close == std::string::npos) continue;
    out.push_back({tex.substr(open + 1, close - open - 2), static_cast<size_t>(it->position(0)), close, tex.size()});
  }
  size_t doc_end = tex.size();
  for (const char* stop : {"\\bibliographystyle{", "\\bibliography{", "\\appendix", "\\end{document}",
                           "\\begin{thebibliography}"}) {
    size_t at = tex.find(stop);
    if (at != std::string::npos && (out.empty() || at > out.front().body_begin)) doc_end = std::min(doc_end, at);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].body_end = i + 1 < out.size() ? std::min(out[i + 1].head_begin, doc_end) : doc_end;
    out[i].body_end = std::max(out[i].body_end, out[i].body_begin);
  }
  return out;
}

std::pair<size_t, size_t> find_abstract(std::string_view tex_in) {
  std::string tex = strip_comments(tex_in);
  size_t b = tex.find("\\begin{abstract}");
  if (b == std::string::npos) return {std::string::npos, std::string::npos};
  size_t e = tex.find("\\end{abstract}", b);
  return {b + 16, e == std::string::npos ? tex.size() : e};
}

std::vector<std::string> command_arguments(std::string_view tex_in, std::string_view name) {
  std::string tex = strip_comments(tex_in);
  std::string needle = "\\" + std::string(name);
  std::vector<std::string> out;
  for (size_t at = tex.find(needle); at != std::string::npos; at = tex.find(needle, at + 1)) {
    size_t i = at + needle.size();
    if (i < tex.size() && std::isalpha(static_cast<unsigned char>(tex[i]))) continue;  // a longer command
    if (i < tex.size() && tex[i] == '*') ++i;
    while (i < tex.size()) {
      while (i < tex.size() && std::isspace(static_cast<unsigned char>(tex[i]))) ++i;
      if (i < tex.size() && tex[i] == '[') {
        size_t e = group_end(tex, i, '[', ']');
        if (e == std::string::npos) break;
        i = e;
        continue;
      }
      break;
    }
    if (i >= tex.size() || tex[i] != '{') continue;
    size_t e = group_end(tex, i);
    if (e == std::string::npos) continue;
    std::string arg = tex.substr(i + 1, e - i - 2);
    arg.erase(0, arg.find_first_not_of(" \t\n"));
    arg.erase(arg.find_last_not_of(" \t\n") + 1);
    out.push_back(arg);
  }
  return out;
}

}  // namespace shoal::paper
