#include "paper/claims.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <regex>
#include <set>

#include "experiments/results_digest.hpp"
#include "paper/attribution.hpp"
#include "paper/tex_text.hpp"
#include "core/text.hpp"

namespace shoal::paper {
namespace {

bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

// Printed numbers as values, never throwing: 400 digits read as infinity, a huge exponent is cut
// to +-999 (a model's text is not trusted to be sane).
double to_double(const std::string& s) { return std::strtod(s.c_str(), nullptr); }
int to_exponent(const std::string& s) { return static_cast<int>(std::clamp(std::strtol(s.c_str(), nullptr, 10), -999L, 999L)); }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }



// Commands whose arguments are not prose: how many {...} arguments to blank (-1: all that follow).
const std::map<std::string, int, std::less<>>& non_prose_commands() {
  static const std::map<std::string, int, std::less<>> table = {
      {"cite", -1}, {"citet", -1}, {"citep", -1}, {"citealt", -1}, {"citealp", -1}, {"citeauthor", -1},
      {"citeyear", -1}, {"nocite", -1}, {"ref", -1}, {"eqref", -1}, {"autoref", -1}, {"cref", -1},
      {"Cref", -1}, {"pageref", -1}, {"label", -1}, {"includegraphics", -1}, {"input", -1}, {"include", -1},
      {"url", -1}, {"href", 1}, {"begin", -1}, {"end", -1}, {"vspace", -1}, {"hspace", -1}, {"setlength", -1},
      {"addtolength", -1}, {"resizebox", 2}, {"scalebox", 1}, {"rule", -1}, {"raisebox", 1}, {"parbox", 1},
      {"makebox", 0}, {"fontsize", -1}, {"setcounter", -1}, {"addtocounter", -1}, {"renewcommand", -1},
      {"newcommand", -1}, {"cmidrule", -1}, {"cline", -1}, {"multicolumn", 2}, {"multirow", 2},
      {"bibliographystyle", -1}, {"bibliography", -1}, {"graphicspath", -1}, {"usepackage", -1},
      {"definecolor", -1}, {"color", 1}, {"textcolor", 1}, {"hypersetup", -1}, {"arraystretch", 0},
      {"tabcolsep", 0}, {"linewidth", 0}, {"textwidth", 0}, {"columnwidth", 0}, {"textheight", 0}};
  return table;
}

// `text` with non-prose command arguments, optional arguments and \\[...] spacing blanked.
std::string mask_commands(const std::string& text) {
  std::string out = text;
  auto blank = [&](size_t from, size_t to) {
    for (size_t k = from; k < to && k < out.size(); ++k)
      if (out[k] != '\n') out[k] = ' ';
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 >= text.size()) continue;
    size_t j = i + 1;
    if (!is_alpha(text[j])) {  // \\ (with an optional [2pt]), \%, \, ...
      if (text[j] == '\\' && j + 1 < text.size() && text[j + 1] == '[') {
        size_t end = group_end(text, j + 1, '[', ']');
        if (end != std::string::npos) blank(i, end);
      }
      i = j;
      continue;
    }
    while (j < text.size() && is_alpha(text[j])) ++j;
    std::string name = text.substr(i + 1, j - i - 1);
    if (j < text.size() && text[j] == '*') ++j;
    auto it = non_prose_commands().find(name);
    int mandatory = it == non_prose_commands().end() ? 0 : it->second;
    bool masked = it != non_prose_commands().end();
    size_t k = j;
    int taken = 0;
    while (k < text.size()) {
      size_t a = k;
      while (a < text.size() && (text[a] == ' ' || text[a] == '\t')) ++a;
      if (a >= text.size()) break;
      char c = text[a];
      size_t end = std::string::npos;
      if (c == '[') end = group_end(text, a, '[', ']');
      else if (c == '(' && name == "cmidrule") end = group_end(text, a, '(', ')');
      else if (c == '{' && masked && (mandatory < 0 || taken < mandatory)) {
        end = group_end(text, a, '{', '}');
        ++taken;
      }
      if (end == std::string::npos) break;
      blank(a, end);
      k = end;
    }
    if (masked) blank(i, j);
    i = j - 1;
  }
  return out;
}

struct Span {
  std::string title;
  size_t begin = 0, end = 0;
  bool setup = false;
};

// The abstract and the sections whose title names one of options.sections.
std::vector<Span> checked_spans(const std::string& tex, const ClaimOptions& options) {
  std::vector<Span> spans;
  auto [ab, ae] = find_abstract(tex);
  if (ab != std::string::npos) spans.push_back({"abstract", ab, ae});
  for (const auto& section : find_sections(tex)) {
    std::string title = lower(section.title);
    if (std::any_of(options.sections.begin(), options.sections.end(),
                    [&](const std::string& w) { return title.find(lower(w)) != std::string::npos; }))
    {
      bool setup = title.find("result") == std::string::npos &&
                   std::any_of(options.setup_sections.begin(), options.setup_sections.end(),
                               [&](const std::string& w) { return title.find(lower(w)) != std::string::npos; });
      spans.push_back({section.title, section.body_begin, section.body_end, setup});
    }
  }
  return spans;
}

// Skips spaces, ~, $ and thin spaces (\,) from `i`; the index of the next other character.
size_t skip_filler(const std::string& s, size_t i) {
  while (i < s.size()) {
    if (s[i] == ' ' || s[i] == '~' || s[i] == '$' || s[i] == '\t' || s[i] == '\n' || s[i] == '{' || s[i] == '}') ++i;
    else if (s.compare(i, 2, "\\,") == 0 || s.compare(i, 2, "\\ ") == 0) i += 2;
    else break;
  }
  return i;
}

bool starts_with_at(const std::string& s, size_t i, std::string_view word) { return s.compare(i, word.size(), word) == 0; }

// True when the word just before `i` names a section, figure, table, equation and the like.
bool follows_reference_word(const std::string& s, size_t i) {
  size_t e = i;
  while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '~' || s[e - 1] == '(')) --e;
  size_t b = e;
  while (b > 0 && (is_alpha(s[b - 1]) || s[b - 1] == '.')) --b;
  std::string word = lower(s.substr(b, e - b));
  static const std::set<std::string> words = {
      "section", "sections", "sec.", "secs.", "figure", "figures", "fig.", "figs.", "table", "tables", "tab.",
      "eq.", "eqs.", "equation", "equations", "appendix", "app.", "algorithm", "alg.", "line", "lines", "chapter"};
  return words.count(word) > 0;
}

std::string one_line(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) space = !out.empty();
    else {
      if (space) out += ' ';
      out += c;
      space = false;
    }
  }
  return out;
}

// Reads the numbers of masked[begin, end); `original` gives the printed text and context.
void scan_numbers(const std::string& masked, const std::string& original, const Span& span,
                  const ClaimOptions& options, std::vector<Claim>& out) {
  SpanLayout layout(masked, original, span.begin, span.end, span.setup);
  size_t i = span.begin;
  while (i < span.end) {
    char c = masked[i];
    bool starts = is_digit(c) || (c == '.' && i + 1 < span.end && is_digit(masked[i + 1]));
    if (!starts) {
      ++i;
      continue;
    }
    char prev = i > 0 ? masked[i - 1] : ' ';
    char prev2 = i > 1 ? masked[i - 2] : ' ';
    bool attached = is_alpha(prev) || prev == '_' || prev == '^' || prev == '\\' ||
                    (prev == '{' && (prev2 == '_' || prev2 == '^')) || (prev == '-' && is_alpha(prev2)) ||
                    (prev == '.' && is_digit(prev2));
    size_t start = i;
    std::string digits;
    while (i < span.end) {
      if (is_digit(masked[i])) digits += masked[i++];
      else if (masked[i] == ',' && i + 3 < masked.size() && is_digit(masked[i + 1]) && is_digit(masked[i + 2]) &&
               is_digit(masked[i + 3]) && (i + 4 >= masked.size() || !is_digit(masked[i + 4])) && !digits.empty())
        ++i;  // 12,345
      else if (starts_with_at(masked, i, "{,}") && i + 5 < masked.size() && is_digit(masked[i + 3]))
        i += 3;  // 12{,}345
      else break;
    }
    int decimals = 0;
    if (i + 1 < span.end && masked[i] == '.' && is_digit(masked[i + 1])) {
      digits += masked[i++];
      while (i < span.end && is_digit(masked[i])) {
        digits += masked[i++];
        ++decimals;
      }
    }
    // What follows: an attached word, an exponent, a width, a percent sign.
    int exponent = 0;
    bool has_exponent = false, skip = attached;
    if (i < masked.size() && (masked[i] == 'e' || masked[i] == 'E') && i + 1 < masked.size() &&
        (is_digit(masked[i + 1]) || ((masked[i + 1] == '-' || masked[i + 1] == '+') && i + 2 < masked.size() &&
                                     is_digit(masked[i + 2])))) {
      size_t k = i + 1;
      size_t e0 = k;
      if (masked[k] == '-' || masked[k] == '+') ++k;
      while (k < masked.size() && is_digit(masked[k])) ++k;
      exponent = to_exponent(masked.substr(e0, k - e0));
      has_exponent = true;
      i = k;
    } else if (i < masked.size() && is_alpha(masked[i]) &&
               !((masked[i] == 'x' || masked[i] == 'X') && (i + 1 >= masked.size() || !is_alpha(masked[i + 1])))) {
      skip = true;  // 3D, 2nd, 10pt, 1.5cm, 7B
    }
    size_t end = i;
    size_t k = skip_filler(masked, i);
    for (std::string_view times : {"\\times", "\\cdot"}) {
      if (has_exponent || !starts_with_at(masked, k, times)) continue;
      size_t t = skip_filler(masked, k + times.size());
      if (!starts_with_at(masked, t, "10^")) continue;
      t = skip_filler(masked, t + 3);
      size_t e0 = t;
      if (t < masked.size() && (masked[t] == '-' || masked[t] == '+')) ++t;
      size_t d0 = t;
      while (t < masked.size() && is_digit(masked[t])) ++t;
      if (t == d0) continue;
      exponent = to_exponent(masked.substr(e0, t - e0));
      has_exponent = true;
      end = t < masked.size() && masked[t] == '}' ? t + 1 : t;
      k = skip_filler(masked, end);
    }
    bool percent = false;
    if (starts_with_at(masked, k, "\\%")) {
      percent = true;
      end = k + 2;
    } else if (starts_with_at(lower(masked.substr(k, 9)), 0, "percent") ||
               starts_with_at(lower(masked.substr(k, 9)), 0, "per cent")) {
      percent = true;
    }
    if (starts_with_at(masked, k, "\\linewidth") || starts_with_at(masked, k, "\\textwidth") ||
        starts_with_at(masked, k, "\\columnwidth") || starts_with_at(masked, k, "\\textheight"))
      skip = true;
    i = std::max(i, end);
    if (skip || follows_reference_word(masked, start)) continue;

    double value = to_double(digits) * std::pow(10.0, exponent);
    bool integer = decimals == 0 && !has_exponent;
    if (integer && !percent && value >= 1900 && value <= 2100) continue;  // a year
    if (integer && !percent && value <= options.small_integer) continue;  // a count
    Claim claim;
    claim.text = one_line(original.substr(start, end - start));
    claim.value = value;
    claim.decimals = decimals - exponent;
    if (integer && digits.size() >= 3) {  // 1200: rounded to at least two significant digits
      int zeros = 0;
      for (size_t z = digits.size(); z > 0 && digits[z - 1] == '0'; --z) ++zeros;
      claim.decimals = -std::min(zeros, static_cast<int>(digits.size()) - 2);
    }
    claim.percent = percent;
    claim.section = span.title;
    size_t ctx_begin = start > 60 ? start - 60 : 0;
    claim.context = one_line(original.substr(ctx_begin, std::min(end + 60, original.size()) - ctx_begin));
    claim.where = layout.context(start, end);
    out.push_back(claim);
  }
}

// Every number of a JSON text by path as its digest shows it (arrays summarised, see
// experiments/results_digest.hpp), plus, for final_info.json-shaped documents, each
// metric's mean over the conditions that report it (path "/*/means/METRIC"): a template's
// headline metric is that mean when it names no condition.
std::map<std::string, double> numbers_of(const std::string& json_text) {
  std::map<std::string, double> out;
  auto parsed = nlohmann::json::parse(json_text, nullptr, false);
  if (parsed.is_discarded()) return out;
  out = experiments::digest_numbers(parsed);
  if (!parsed.is_object()) return out;
  std::map<std::string, std::pair<double, int>> sums;
  for (const auto& [condition, result] : parsed.items()) {
    if (!result.is_object() || !result.contains("means") || !result["means"].is_object()) continue;
    for (const auto& [metric, value] : result["means"].items())
      if (value.is_number()) {
        sums[metric].first += value.get<double>();
        sums[metric].second += 1;
      }
  }
  for (const auto& [metric, sum] : sums)
    if (sum.second > 1) out["/*/means/" + metric] = sum.first / sum.second;
  return out;
}

// The labels of a digest path: "/x_plus_y/means/val_acc" is the mean of val_acc on x_plus_y,
// "/*/means/val_acc" its mean over conditions, "/seir/solution[max]" the largest value of an array.
KnownValue labelled(double value, const std::string& path, const std::string& run) {
  KnownValue k;
  k.value = value;
  k.run = run;
  std::string p = path;
  k.statistic = "value";
  if (auto bracket = p.rfind('['); bracket != std::string::npos && p.back() == ']') {
    k.statistic = p.substr(bracket + 1, p.size() - bracket - 2);
    p = p.substr(0, bracket);
  }
  std::vector<std::string> parts;
  for (size_t b = 0, e; b < p.size(); b = e + 1) {
    e = std::min(p.find('/', b), p.size());
    if (e > b) parts.push_back(p.substr(b, e - b));
  }
  static const std::map<std::string, std::string, std::less<>> statistics = {
      {"means", "mean"}, {"mean", "mean"}, {"stderrs", "stderr"}, {"stderr", "stderr"}, {"sems", "stderr"},
      {"stds", "std"},   {"std", "std"}};
  for (size_t i = 0; i < parts.size(); ++i) {
    auto s = statistics.find(parts[i]);
    if (s == statistics.end() || i + 1 >= parts.size()) continue;
    k.statistic = s->second;
    k.condition = i > 0 && parts[0] != "*" ? parts[0] : "";
    k.metric = parts.back();
    return k;
  }
  if (!parts.empty()) k.metric = parts.back();
  if (parts.size() > 1) k.condition = parts[0];
  return k;
}

// The numbers of a text with the flag each is the value of ("--lr 0.001", "--lr=0.001"; "" for others).
std::vector<std::pair<double, std::string>> text_numbers(const std::string& text) {
  static const std::regex number(R"((\d+(?:\.\d+)?(?:[eE][-+]?\d+)?))");
  static const std::regex flag(R"(--([A-Za-z][A-Za-z0-9_-]*)[= ]+$)");
  std::vector<std::pair<double, std::string>> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number); it != std::sregex_iterator(); ++it) {
    size_t pos = static_cast<size_t>(it->position(0));
    if (pos > 0 && is_alpha(text[pos - 1])) continue;  // python3, x2
    std::string before = text.substr(pos > 64 ? pos - 64 : 0, std::min<size_t>(pos, 64));
    std::smatch m;
    out.push_back({to_double((*it)[1].str()), std::regex_search(before, m, flag) ? m[1].str() : ""});
  }
  return out;
}

// How far a value may be from the printed number and still print as it: half a unit of the
// last printed digit (and a hair more for floating point).
double tolerance(const Claim& claim) {
  return 0.5 * std::pow(10.0, -claim.decimals) * (1 + 1e-9) + 1e-12 * std::max(1.0, std::fabs(claim.value));
}

}  // namespace

std::string KnownValue::describe() const {
  auto of = [](const std::string& prefix, const std::string& s) { return s.empty() ? "" : prefix + s; };
  switch (origin) {
    case Origin::task: return "the task description";
    case Origin::metric_name: return "the metric name " + metric;
    case Origin::setting: return metric.empty() ? "a command line" : "the setting " + metric + " of a command";
    case Origin::comparison:
      return statistic + " of " + (run.empty() ? "a run" : run) + " vs the baseline" + of(" in ", metric) +
             of(" on ", condition);
    case Origin::result: break;
  }
  std::string out = metric.empty() ? "value" : metric;
  if (!statistic.empty() && statistic != "value") out += " " + statistic;
  return out + of(" of ", run) + of(" on ", condition);
}

bool claim_matches(const Claim& claim, double known) {
  double k = std::fabs(known);
  double v = std::fabs(claim.value);
  double tol = tolerance(claim);
  if (std::fabs(k - v) <= tol) return true;
  if (std::fabs(k * 100 - v) <= tol) return true;  // a fraction printed as a percentage
  return false;
}

std::vector<Claim> extract_claims(std::string_view tex, const ClaimOptions& options) {
  std::string original = strip_comments(tex);
  std::string masked = mask_commands(original);
  std::vector<Claim> out;
  for (const auto& span : checked_spans(original, options)) scan_numbers(masked, original, span, options, out);
  return out;
}

ClaimReport check_claims(std::string_view tex, const std::vector<KnownValue>& known, const ClaimOptions& options) {
  ClaimReport report;
  report.checked = extract_claims(tex, options);
  std::vector<std::pair<double, const KnownValue*>> sorted;
  for (const auto& k : known) sorted.push_back({std::fabs(k.value), &k});
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  auto collect = [&](double low, double high, std::vector<const KnownValue*>& out) {
    auto it = std::lower_bound(sorted.begin(), sorted.end(), low, [](const auto& a, double v) { return a.first < v; });
    for (; it != sorted.end() && it->first <= high; ++it) out.push_back(it->second);
  };
  Attributor attributor(known);
  for (auto& claim : report.checked) {
    double v = std::fabs(claim.value), tol = tolerance(claim);
    // The same tests as claim_matches: |k - v| <= tol, or |100 k - v| <= tol.
    std::vector<const KnownValue*> matching;
    if (std::isfinite(v) && std::isfinite(tol) && std::isfinite(v + tol)) {  // 1e999 or 400 digits match nothing
      collect(v - tol, v + tol, matching);
      collect((v - tol) / 100, (v + tol) / 100, matching);
    }
    if (matching.empty()) {
      claim.problem = "no_match";
      report.unmatched.push_back(claim);
    } else if (!attributor.attribute(claim, matching)) {
      report.unmatched.push_back(claim);
    }
  }
  return report;
}

ClaimReport check_claims(std::string_view tex, const std::vector<double>& known, const ClaimOptions& options) {
  std::vector<KnownValue> values;
  for (double k : known) values.push_back({.value = k});
  return check_claims(tex, values, options);
}

std::vector<KnownValue> known_values(const ResultSet& results) {
  using Origin = KnownValue::Origin;
  std::vector<KnownValue> out;
  std::map<std::string, double> baseline;
  if (results.baseline) {
    baseline = numbers_of(results.baseline->metrics_json);
    for (const auto& [path, v] : baseline) out.push_back(labelled(v, path, results.baseline->label));
  }
  for (const auto& run : results.runs) {
    for (const auto& [path, v] : numbers_of(run.metrics_json)) {
      KnownValue k = labelled(v, path, run.label);
      out.push_back(k);
      auto b = baseline.find(path);
      if (b == baseline.end() || path.find("stderr") != std::string::npos) continue;
      k.origin = Origin::comparison;
      double base = b->second;
      auto add = [&](double value, const char* statistic) {
        k.value = value;
        k.statistic = statistic;
        out.push_back(k);
      };
      add(v - base, "difference");
      if (base != 0) {
        add(v / base, "ratio");
        add((v - base) / base * 100, "change");
      }
      if (v != 0) {
        add(base / v, "ratio");
        add((base - v) / v * 100, "change");
      }
    }
  }
  auto add_text = [&](const std::string& text, Origin origin, const std::string& metric) {
    for (const auto& [v, flag] : text_numbers(text))
      out.push_back({.value = v, .origin = origin, .metric = origin == Origin::setting ? flag : metric});
  };
  for (const auto& run : results.runs) add_text(run.command, Origin::setting, "");
  if (results.baseline) add_text(results.baseline->command, Origin::setting, "");
  for (const auto& m : results.metric_names) add_text(m, Origin::metric_name, m);
  for (const auto& t : results.setup_texts) add_text(t, Origin::task, "");
  return out;
}

std::vector<double> known_numbers(const std::vector<std::string>& metrics_jsons, const std::string& baseline_json,
                                  const std::vector<std::string>& extra_texts) {
  ResultSet results;
  results.baseline = RunNumbers{"baseline", baseline_json, ""};
  for (const auto& m : metrics_jsons) results.runs.push_back({"", m, ""});
  results.setup_texts = extra_texts;
  std::vector<double> out;
  for (const auto& k : known_values(results)) out.push_back(k.value);
  return out;
}

nlohmann::json unmatched_json(const ClaimReport& report) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : report.unmatched)
    out.push_back({{"text", c.text}, {"value", c.value}, {"percent", c.percent}, {"section", c.section},
                   {"context", c.context}, {"problem", c.problem}, {"names", c.names}, {"source", c.source}});
  return out;
}

}  // namespace shoal::paper
