#include "paper/unverified_note.hpp"

#include <cctype>

#include "paper/tex_text.hpp"

namespace shoal::paper {
namespace {

constexpr std::string_view kBegin = "%% shoal: unverified-numbers note\n";
constexpr std::string_view kEnd = "%% shoal: end of note\n";

// The first \name outside comments, or npos.
size_t find_command(const std::string& tex, std::string_view name) {
  std::string plain = strip_comments(tex);
  for (size_t at = plain.find(name); at != std::string::npos; at = plain.find(name, at + 1)) {
    size_t after = at + name.size();
    if (after >= plain.size() || !std::isalpha(static_cast<unsigned char>(plain[after]))) return at;
  }
  return std::string::npos;
}

}  // namespace

std::string without_unverified_note(std::string_view tex) {
  std::string out(tex);
  for (size_t b; (b = out.find(kBegin)) != std::string::npos;) {
    size_t e = out.find(kEnd, b);
    if (e == std::string::npos) break;
    if (b > 0 && out[b - 1] == '\n') --b;  // the line break with_unverified_note put before it
    out.erase(b, e + kEnd.size() - b);
  }
  return out;
}

std::string with_unverified_note(std::string_view tex, int unverified) {
  std::string out = without_unverified_note(tex);
  if (unverified <= 0) return out;
  size_t at = find_command(out, "\\maketitle");
  size_t len = std::string_view("\\maketitle").size();
  if (at == std::string::npos) {
    at = find_command(out, "\\begin{document}");
    len = std::string_view("\\begin{document}").size();
  }
  if (at == std::string::npos) return out;
  std::string count = std::to_string(unverified);
  std::string note = "\n" + std::string(kBegin) +
                     "\\begin{center}\\fbox{\\parbox{0.92\\linewidth}{\\centering\\textbf{Unverified:} " + count +
                     (unverified == 1 ? " number in this paper does" : " numbers in this paper do") +
                     " not match the stored results of its experiments; see the claims check.}}\\end{center}\n" +
                     std::string(kEnd);
  out.insert(at + len, note);
  return out;
}

}  // namespace shoal::paper
