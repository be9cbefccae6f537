#include "paper/latex_log.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cstdlib>
#include <regex>

namespace shoal::paper {
namespace {

// The lines of `text`, without their line ends.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

// TeX wraps log lines at max_print_line (79 by default). When no line is longer than that,
// the log is wrapped: a line of exactly 79 characters continues on the next one. (The banner
// on the first line and the memory statistics are written unwrapped, so they do not count.)
std::vector<std::string> logical_lines(std::string_view text) {
  auto raw = split_lines(text);
  size_t longest = 0;
  for (size_t i = 1; i < raw.size(); ++i)
    if (raw[i].find("stack positions") == std::string_view::npos) longest = std::max(longest, raw[i].size());
  std::vector<std::string> out;
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string line(raw[i]);
    while (longest <= 79 && raw[i].size() == 79 && i + 1 < raw.size()) line += raw[++i];
    out.push_back(std::move(line));
  }
  return out;
}

// Log lines are trimmed of spaces and tabs only.
std::string trim(std::string_view s) { return shoal::trim(s, " \t"); }

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

// The text between the first `open` and the next `close` after `from`, or "".
std::string quoted(std::string_view line, std::string_view open = "`", std::string_view close = "'") {
  size_t b = line.find(open);
  if (b == std::string_view::npos) return "";
  b += open.size();
  size_t e = line.find(close, b);
  if (e == std::string_view::npos) return "";
  return std::string(line.substr(b, e - b));
}

// True for names that \includegraphics would look for: an image extension, or none.
bool is_figure_name(const std::string& name) {
  auto dot = name.rfind('.');
  auto slash = name.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return true;
  std::string ext = name.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == "png" || ext == "pdf" || ext == "jpg" || ext == "jpeg" || ext == "eps" || ext == "ps";
}

// For an error at lines[i], TeX's "l.N text" line a few lines below it: fills line and context.
void find_error_line(const std::vector<std::string>& lines, size_t i, LatexProblem& p) {
  for (size_t j = i + 1; j < lines.size() && j <= i + 12; ++j) {
    std::string_view l = lines[j];
    if (l.rfind("! ", 0) == 0) return;  // the next error
    if (l.size() > 2 && l[0] == 'l' && l[1] == '.' && std::isdigit(static_cast<unsigned char>(l[2]))) {
      int n = std::atoi(std::string(l.substr(2)).c_str());
      if (p.line == 0) p.line = n;
      p.context = trim(l);
      return;
    }
  }
}

// The first "line N" or "lines N--M" number in `text`, else 0.
int first_line_number(std::string_view text) {
  for (std::string_view word : {"lines ", "line "}) {
    size_t at = text.find(word);
    if (at != std::string_view::npos) return std::atoi(std::string(text.substr(at + word.size())).c_str());
  }
  return 0;
}

}  // namespace

LatexLog parse_latex_log(std::string_view log, double overfull_threshold_pt) {
  static const std::regex file_line_error(R"(^((?:\./)?[^\s:()]+\.[A-Za-z]+):(\d+): (.*)$)");
  static const std::regex overfull(R"(^Overfull \\([hv])box \(([0-9.]+)pt too (wide|high)\)(.*)$)");
  static const std::regex output_written(R"(Output written on .*?\((\d+) pages?)");
  LatexLog out;
  auto lines = logical_lines(log);
  std::smatch m;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.find("Fatal error occurred, no output PDF file produced") != std::string::npos ||
        line.find("job aborted") != std::string::npos) {
      out.fatal = true;
      continue;
    }
    if (line.rfind("! ", 0) == 0) {
      LatexProblem p{.kind = "error", .message = trim(line.substr(2))};
      find_error_line(lines, i, p);
      if (p.message == "Emergency stop." && !out.errors.empty()) continue;  // a consequence of the one before
      out.errors.push_back(p);
    } else if (std::regex_match(line, m, file_line_error)) {
      LatexProblem p{.kind = "error", .file = m[1].str(), .line = std::atoi(m[2].str().c_str()), .message = trim(m[3].str())};
      if (p.file.rfind("./", 0) == 0) p.file = p.file.substr(2);
      if (p.message.find("==> Fatal error occurred") != std::string::npos) {
        out.fatal = true;
        continue;
      }
      find_error_line(lines, i, p);
      if (p.message == "Emergency stop." && !out.errors.empty()) continue;
      out.errors.push_back(p);
    }
    if (line.find("Warning: Reference `") != std::string::npos && line.find("undefined") != std::string::npos) {
      add_unique(out.undefined_references, quoted(line));
    } else if (line.find("Warning: Citation `") != std::string::npos && line.find("undefined") != std::string::npos) {
      add_unique(out.undefined_citations, quoted(line));
    }
    if (line.find("File `") != std::string::npos && line.find("' not found") != std::string::npos) {
      std::string name = quoted(line);
      if (!name.empty() && is_figure_name(name)) add_unique(out.missing_figures, name);
    }
    if (std::regex_match(line, m, overfull)) {
      double pt = std::atof(m[2].str().c_str());
      if (pt > overfull_threshold_pt) {
        std::string where = trim(m[4].str());
        out.overfull.push_back({.kind = "overfull",
                                .line = first_line_number(where),
                                .message = "Overfull \\" + m[1].str() + "box (" + m[2].str() + "pt too " + m[3].str() +
                                           ") " + where,
                                .amount_pt = pt});
      }
    }
    if (line.find("Output written on") != std::string::npos) {
      // The count may be on this line or, in a wrapped log, joined with the next one.
      std::string joined = line + (i + 1 < lines.size() ? lines[i + 1] : "");
      if (std::regex_search(joined, m, output_written)) out.pages = std::atoi(m[1].str().c_str());
    }
    if (line.rfind("No pages of output.", 0) == 0) out.pages = 0;
  }
  return out;
}

std::vector<LatexProblem> parse_chktex(std::string_view output) {
  static const std::regex row(R"(^(.+?):(\d+):(\d+):(\d+):(.*)$)");
  std::vector<LatexProblem> out;
  std::smatch m;
  for (auto view : split_lines(output)) {
    std::string line(view);
    if (!std::regex_match(line, m, row)) continue;
    out.push_back({.kind = "chktex",
                   .file = m[1].str(),
                   .line = std::atoi(m[2].str().c_str()),
                   .message = "chktex warning " + m[4].str() + ": " + trim(m[5].str())});
  }
  return out;
}

std::vector<LatexProblem> parse_bibtex_log(std::string_view blg) {
  static const std::regex line_of(R"(---line (\d+) of file (\S+))");
  std::vector<LatexProblem> out;
  auto lines = split_lines(blg);
  std::smatch m;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string line(lines[i]);
    bool warning = line.rfind("Warning--", 0) == 0;
    bool error = line.find("I couldn't open") != std::string::npos || line.find("I found no") != std::string::npos ||
                 line.find("Repeated entry") != std::string::npos || line.find("I was expecting") != std::string::npos;
    if (!warning && !error) continue;
    LatexProblem p{.kind = warning ? "bibtex_warning" : "bibtex", .message = trim(warning ? line.substr(9) : line)};
    if (i + 1 < lines.size()) {
      std::string next(lines[i + 1]);
      if (std::regex_search(next, m, line_of)) {
        p.line = std::atoi(m[1].str().c_str());
        p.file = m[2].str();
      }
    }
    out.push_back(p);
  }
  return out;
}

std::vector<LatexProblem> all_problems(const LatexLog& log) {
  std::vector<LatexProblem> out = log.errors;
  if (log.fatal && log.errors.empty())
    out.push_back({.kind = "error", .message = "pdflatex stopped with a fatal error and wrote no PDF"});
  for (const auto& key : log.undefined_citations)
    out.push_back({.kind = "undefined_citation", .message = "citation `" + key + "' is undefined (not in the .bib)"});
  for (const auto& label : log.undefined_references)
    out.push_back({.kind = "undefined_reference", .message = "reference `" + label + "' is undefined (no \\label)"});
  for (const auto& name : log.missing_figures)
    out.push_back({.kind = "missing_figure", .message = "figure file `" + name + "' not found"});
  out.insert(out.end(), log.overfull.begin(), log.overfull.end());
  return out;
}

std::string describe_problems(const std::vector<LatexProblem>& problems, size_t max_lines) {
  std::string out;
  size_t shown = 0;
  for (const auto& p : problems) {
    if (shown == max_lines) {
      out += "... and " + std::to_string(problems.size() - shown) + " more\n";
      break;
    }
    std::string where;
    if (!p.file.empty()) where = p.file + (p.line ? ":" + std::to_string(p.line) : "") + ": ";
    else if (p.line) where = "line " + std::to_string(p.line) + ": ";
    out += where + p.message;
    if (!p.context.empty()) out += " (" + p.context + ")";
    out += "\n";
    ++shown;
  }
  return out;
}

}  // namespace shoal::paper
