#include "paper/attribution.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "core/text.hpp"
#include "paper/tex_text.hpp"

namespace shoal::paper {
namespace {

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool at(const std::string& s, size_t i, std::string_view w) { return s.compare(i, w.size(), w) == 0; }

// A text as words (lower case; "_" and "-" separate) and the numbers in it.
struct Words {
  std::vector<std::string> words;
  std::vector<double> numbers;
};

Words words_of(std::string_view text) {
  Words out;
  std::string s = lower(text);
  for (size_t i = 0; i < s.size();) {
    if (digit(s[i])) {
      size_t j = i;
      while (j < s.size() && (digit(s[j]) || (s[j] == '.' && j + 1 < s.size() && digit(s[j + 1])))) ++j;
      std::string n = s.substr(i, j - i);
      out.words.push_back(n);
      out.numbers.push_back(std::strtod(n.c_str(), nullptr));
      i = j;
    } else if (alnum(s[i])) {
      size_t j = i;
      while (j < s.size() && alnum(s[j]) && !digit(s[j])) ++j;
      out.words.push_back(s.substr(i, j - i));
      i = j;
    } else {
      ++i;
    }
  }
  return out;
}

// The words of a label that must appear for a text to name it: no small function words, no
// bare numbers ("step_to_99_val" is named by "steps to 99% validation").
std::vector<std::string> name_tokens(std::string_view name) {
  static const std::set<std::string, std::less<>> stop = {"to", "of", "the", "a", "an", "in", "on", "at", "for",
                                                          "and", "per", "by", "with", "is"};
  std::vector<std::string> out;
  for (auto& w : words_of(name).words)
    if (!stop.count(w) && !digit(w[0])) out.push_back(w);
  return out;
}

// Short forms in metric and flag names and what prose writes instead.
const std::map<std::string, std::vector<std::string>, std::less<>>& expansions() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> table = {
      {"lr", {"learning", "rate"}},       {"wd", {"weight", "decay"}},     {"std", {"standard", "deviation"}},
      {"stderr", {"standard", "error"}}, {"sem", {"standard", "error"}},  {"avg", {"average"}},
      {"ppl", {"perplexity"}},            {"bpc", {"bits", "character"}}, {"ce", {"cross", "entropy"}},
      {"nll", {"negative", "log", "likelihood"}}, {"mse", {"squared", "error"}}, {"acc", {"accuracy"}}};
  return table;
}

// A word of the text stands for `token`: the same word, or (for tokens of 3 letters or more)
// a word that it begins ("val" in "validation", "acc" in "accuracy").
bool has_word(const Words& w, std::string_view token) {
  return std::any_of(w.words.begin(), w.words.end(), [&](const std::string& x) {
    return x == token || (token.size() >= 3 && x.size() > token.size() && x.compare(0, token.size(), token) == 0);
  });
}

bool has_token(const Words& w, const std::string& token) {
  if (has_word(w, token)) return true;
  auto e = expansions().find(token);
  return e != expansions().end() &&
         std::all_of(e->second.begin(), e->second.end(), [&](const std::string& x) { return has_word(w, x); });
}

bool has_all(const Words& w, const std::vector<std::string>& tokens) {
  return !tokens.empty() && std::all_of(tokens.begin(), tokens.end(), [&](const std::string& t) { return has_token(w, t); });
}

bool has_any(const Words& w, std::initializer_list<std::string_view> words) {
  return std::any_of(words.begin(), words.end(), [&](std::string_view x) {
    return std::find(w.words.begin(), w.words.end(), x) != w.words.end();
  });
}

bool has_number(const Words& w, double v) {
  return std::any_of(w.numbers.begin(), w.numbers.end(),
                     [&](double x) { return std::fabs(x - v) <= 1e-9 * std::max(1.0, std::fabs(v)); });
}

// Words that point at every run or condition ("across all tasks", "both settings").
bool names_everything(const Words& w) { return has_any(w, {"all", "each", "every", "both", "across"}); }
// Words that point at the runs other than the baseline ("our method", "the best setting").
bool names_ours(const Words& w) { return has_any(w, {"our", "ours", "proposed", "best", "modified", "variant", "variants"}); }
// A comparison names the baseline without saying so ("from 0.81 to 0.87", "than before").
bool compares(const Words& w) {
  if (has_any(w, {"than", "compared", "versus", "vs", "relative", "against"})) return true;
  for (size_t i = 0; i + 2 < w.words.size(); ++i)
    if (w.words[i] == "from" && digit(w.words[i + 1][0]))
      for (size_t j = i + 2; j < std::min(w.words.size(), i + 5); ++j)
        if (w.words[j] == "to") return true;
  return false;
}

std::string join_names(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool is_spread(const std::string& statistic) { return statistic == "stderr" || statistic == "std"; }

// Sentence ends: . ? ! followed by a space (not after an abbreviation), blank lines, and the
// start of environments, items, captions and headings.
bool abbreviation_before(const std::string& s, size_t dot) {
  size_t b = dot;
  while (b > 0 && (std::isalpha(static_cast<unsigned char>(s[b - 1])) || s[b - 1] == '.')) --b;
  static const std::set<std::string, std::less<>> abbreviations = {"e.g", "i.e", "vs", "al", "fig", "figs", "eq", "eqs",
                                                                   "sec", "cf", "approx", "resp", "etc", "tab", "no"};
  return abbreviations.count(lower(s.substr(b, dot - b))) > 0;
}

std::string cell_text(const std::string& masked, size_t b, size_t e) {
  std::string t = masked.substr(b, e - b);
  for (std::string_view rule : {"\\toprule", "\\midrule", "\\bottomrule", "\\hline"})
    for (size_t p; (p = t.find(rule)) != std::string::npos;) t.replace(p, rule.size(), std::string(rule.size(), ' '));
  return t;
}

}  // namespace

SpanLayout::SpanLayout(const std::string& masked, const std::string& original, size_t begin, size_t end, bool setup_section)
    : masked_(masked), original_(original), begin_(begin), end_(end), setup_section_(setup_section) {
  cuts_.push_back(begin);
  for (size_t i = begin; i < end; ++i) {
    char c = masked[i];
    if ((c == '.' || c == '?' || c == '!') && (i + 1 >= end || space(masked[i + 1])) &&
        !(c == '.' && abbreviation_before(masked, i)))
      cuts_.push_back(i + 1);
    else if (c == '\n') {
      size_t j = i + 1;
      while (j < end && (masked[j] == ' ' || masked[j] == '\t')) ++j;
      if (j < end && masked[j] == '\n') cuts_.push_back(j);
    } else if (c == '\\' && original[i] == '\\') {
      for (std::string_view w : {"\\begin", "\\end", "\\item", "\\caption", "\\subsection", "\\paragraph", "\\\\"})
        if (at(original, i, w)) cuts_.push_back(i);
    } else if (original[i] == '\\' && (at(original, i, "\\begin") || at(original, i, "\\end"))) {
      cuts_.push_back(i);  // masked blanks \begin{...} and \end{...}
    }
  }
  cuts_.push_back(end);
  std::sort(cuts_.begin(), cuts_.end());

  // Tables: rows split at \\, cells at &; header rows are those above the first \midrule or
  // \hline that follows a row (or the first row when there is none).
  for (size_t tb = original.find("\\begin{tabular", begin); tb < end; tb = original.find("\\begin{tabular", tb + 1)) {
    size_t te = original.find("\\end{tabular", tb);
    if (te == std::string::npos || te > end) break;
    Table table{tb, te, "", {}};
    size_t body = original.find('{', tb + 7);
    body = body == std::string::npos ? tb : group_end(original, body);  // past {tabular}
    if (body != std::string::npos && body < te && original[body] == '{') body = group_end(original, body);  // past {lcc}
    if (body == std::string::npos || body > te) continue;
    size_t env = original.rfind("\\begin{table", tb);
    size_t env_end = original.find("\\end{table}", te);
    for (size_t from : {env, te}) {
      if (from == std::string::npos || from < begin || (from == env && original.find("\\end{table}", env) < tb)) continue;
      size_t cap = original.find("\\caption", from);
      if (cap == std::string::npos || (env_end != std::string::npos && cap > env_end)) continue;
      size_t open = original.find('{', cap);
      size_t close = open == std::string::npos ? std::string::npos : group_end(original, open);
      if (close != std::string::npos) table.caption = original.substr(open + 1, close - open - 2);
      break;
    }
    struct RowCells {
      std::vector<std::pair<size_t, size_t>> cells;
      std::vector<int> columns;  // first column of each cell (\multicolumn spans several)
    };
    std::vector<RowCells> rows;
    int header_rows = -1;
    size_t row_begin = body;
    while (row_begin < te) {
      size_t row_end = masked.find("\\\\", row_begin);
      if (row_end == std::string::npos || row_end > te) row_end = te;
      std::string raw = masked.substr(row_begin, row_end - row_begin);
      bool rule = raw.find("\\midrule") != std::string::npos || raw.find("\\hline") != std::string::npos;
      if (rule && header_rows < 0 && !rows.empty()) header_rows = static_cast<int>(rows.size());
      if (!trim(cell_text(masked, row_begin, row_end)).empty()) {
        RowCells row;
        int column = 0;
        size_t cb = row_begin;
        for (size_t k = row_begin; k <= row_end; ++k) {
          if (k < row_end && !(masked[k] == '&' && (k == 0 || masked[k - 1] != '\\'))) continue;
          row.cells.push_back({cb, k});
          row.columns.push_back(column);
          size_t mc = original.find("\\multicolumn{", cb);
          int span = 1;
          if (mc != std::string::npos && mc < k) span = std::max(1, std::atoi(original.c_str() + mc + 13));
          column += span;
          cb = k + 1;
        }
        rows.push_back(row);
      }
      row_begin = row_end + 2;
    }
    if (header_rows < 0) header_rows = rows.size() > 1 ? 1 : 0;
    for (size_t r = 0; r < rows.size(); ++r) {
      std::string row_header = rows[r].cells.empty() ? "" : cell_text(masked, rows[r].cells[0].first, rows[r].cells[0].second);
      for (size_t c = 0; c < rows[r].cells.size(); ++c) {
        int column = rows[r].columns[c];
        std::string header;
        for (int h = 0; h < header_rows && h < static_cast<int>(rows.size()); ++h)
          for (size_t hc = 0; hc < rows[h].cells.size(); ++hc) {
            int first = rows[h].columns[hc];
            int next = hc + 1 < rows[h].cells.size() ? rows[h].columns[hc + 1] : first + 1;
            if (column >= first && column < next)
              header += " " + cell_text(masked, rows[h].cells[hc].first, rows[h].cells[hc].second);
          }
        table.cells.push_back({rows[r].cells[c].first, rows[r].cells[c].second,
                               static_cast<int>(r) < header_rows ? "" : row_header, header});
      }
    }
    tables_.push_back(table);
  }
}

ClaimContext SpanLayout::context(size_t from, size_t to) const {
  ClaimContext out;
  size_t text_begin = begin_, text_end = end_;
  for (const auto& t : tables_) {
    if (from < t.begin || from >= t.end) continue;
    for (const auto& cell : t.cells)
      if (from >= cell.begin && from < cell.end) {
        out.primary = cell.row_header + " " + cell.column_header;
        out.secondary = t.caption;
        text_begin = cell.begin;
        text_end = cell.end;
      }
  }
  auto next = std::upper_bound(cuts_.begin(), cuts_.end(), from);
  size_t sb = *std::prev(next), se = next == cuts_.end() ? end_ : *next;
  sb = std::max(sb, text_begin);
  se = std::min(se, text_end);
  std::string sentence = masked_.substr(sb, se - sb);
  if (out.primary.empty()) out.primary = sentence;
  else out.primary += " " + sentence;

  // The statistic: before or after \pm, or after a standard-error phrase with no number between.
  size_t a = from;
  while (a > sb && (space(masked_[a - 1]) || masked_[a - 1] == '$' || masked_[a - 1] == '{' || masked_[a - 1] == '(')) --a;
  size_t b = to;
  while (b < se && (space(masked_[b]) || masked_[b] == '$' || masked_[b] == '}')) ++b;
  auto ends_with = [&](size_t e, std::string_view w) { return e >= sb + w.size() && masked_.compare(e - w.size(), w.size(), w) == 0; };
  if (ends_with(a, "\\pm") || ends_with(a, "±") || ends_with(a, "+/-") || ends_with(a, "+-")) {
    out.stat = ClaimContext::Stat::spread;
  } else if (at(masked_, b, "\\pm") || at(masked_, b, "±") || at(masked_, b, "+/-")) {
    out.stat = ClaimContext::Stat::center;
  } else {
    size_t w = a;
    while (w > sb && !digit(masked_[w - 1]) && a - w < 40) --w;
    Words before = words_of(masked_.substr(w, a - w));
    if ((has_word(before, "standard") && (has_word(before, "error") || has_word(before, "deviation"))) ||
        has_any(before, {"stderr", "std", "sem", "se"}))
      out.stat = ClaimContext::Stat::spread;
    else if (text_begin != begin_) {  // a table cell: its column header may say so
      std::string header = out.primary.substr(0, out.primary.size() - sentence.size());
      Words h = words_of(header);
      bool spread = (has_word(h, "standard") && has_word(h, "error")) || has_any(h, {"stderr", "std", "sem", "se"});
      if (spread && !has_any(h, {"mean", "average"}) && header.find("\\pm") == std::string::npos)
        out.stat = ClaimContext::Stat::spread;
    }
  }

  // About the setup: its section, or setup words in the sentence.
  out.setup = setup_section_;
  if (!out.setup) {
    std::string s = lower(sentence);
    for (std::string_view w : {"we train", "trained", "training run", "train for", "train each", "steps", "learning rate",
                               "batch", "epoch", "seed", "optimizer", "optimiser", "hyperparameter", "warmup", "warm-up",
                               "iterations", "we use", "we set", "we run", "modulo", "modulus", "prime", "layer",
                               "dimension", "vocabulary", "dataset", "budget", "configur", "weight decay of",
                               "default", "fixed", "held out", "held-out", "split"})
      if (s.find(w) != std::string::npos) out.setup = true;
  }
  return out;
}

Attributor::Attributor(const std::vector<KnownValue>& known) {
  std::set<std::string> runs, conditions, metrics;
  for (const auto& k : known) {
    if (k.origin == KnownValue::Origin::result || k.origin == KnownValue::Origin::comparison) {
      if (!k.run.empty()) runs.insert(k.run);
      if (!k.condition.empty()) conditions.insert(k.condition);
      if (!k.metric.empty()) metrics.insert(k.metric);
    }
  }
  for (const auto& r : runs) {
    Name n{r, {}, {}};
    if (r == "baseline") n.tokens = {"baseline"};
    else
      for (size_t b = 0, e; b < r.size(); b = e + 1) {
        e = std::min(r.find(',', b), r.size());
        std::string part = r.substr(b, e - b);
        auto eq = part.find('=');
        if (eq == std::string::npos) continue;
        n.settings.push_back({name_tokens(part.substr(0, eq)), trim(part.substr(eq + 1))});
      }
    runs_.push_back(n);
  }
  for (const auto& c : conditions) conditions_.push_back({c, name_tokens(c), {}});
  for (const auto& m : metrics) metrics_.push_back({m, name_tokens(m), {}});
}

bool Attributor::attribute(Claim& claim, const std::vector<const KnownValue*>& matching) const {
  const ClaimContext& where = claim.where;
  Words primary = words_of(where.primary), secondary = words_of(where.secondary);
  auto named_run = [&](const Name& n, const Words& w) {
    if (n.label == "baseline") return has_any(w, {"baseline", "baselines", "default", "unmodified"});
    return std::any_of(n.settings.begin(), n.settings.end(), [&](const auto& s) {
      if (s.first.empty() || !has_all(w, s.first)) return false;
      char* rest = nullptr;
      double v = std::strtod(s.second.c_str(), &rest);
      if (!s.second.empty() && rest && *rest == '\0') return has_number(w, v);
      return s.second.empty() || has_all(w, name_tokens(s.second));
    });
  };
  // What the primary text names in each dimension, else what the secondary names.
  auto names = [&](const std::vector<Name>& vocabulary, auto&& named) {
    std::set<std::string> out;
    for (const Words* w : {&primary, &secondary}) {
      for (const auto& n : vocabulary)
        if (named(n, *w)) out.insert(n.label);
      if (!out.empty()) break;
    }
    return out;
  };
  auto token_named = [](const Name& n, const Words& w) { return has_all(w, n.tokens); };
  std::set<std::string> runs = names(runs_, named_run);
  std::set<std::string> conditions = names(conditions_, token_named);
  std::set<std::string> metrics = names(metrics_, token_named);
  bool everything = names_everything(primary), ours = names_ours(primary);
  if (compares(primary) && std::any_of(runs_.begin(), runs_.end(), [](const Name& n) { return n.label == "baseline"; }))
    runs.insert("baseline");
  auto nameable = [&](const std::string& run) {
    auto it = std::find_if(runs_.begin(), runs_.end(), [&](const Name& n) { return n.label == run; });
    return it != runs_.end() && (!it->tokens.empty() || !it->settings.empty());
  };

  auto fits = [&](const KnownValue& k) {
    using O = KnownValue::Origin;
    switch (k.origin) {
      case O::task: return where.setup;
      case O::setting: return where.setup || has_all(primary, name_tokens(k.metric)) || has_all(secondary, name_tokens(k.metric));
      case O::metric_name: return where.setup || metrics.count(k.metric) > 0;
      case O::result:
      case O::comparison: break;
    }
    if (!k.statistic.empty() && where.stat == ClaimContext::Stat::spread && !is_spread(k.statistic)) return false;
    if (!k.statistic.empty() && where.stat == ClaimContext::Stat::center && is_spread(k.statistic)) return false;
    if (!k.run.empty() && !runs.empty() && !everything && nameable(k.run)) {
      bool ok = runs.count(k.run) > 0 || (ours && k.run != "baseline") ||
                (k.origin == O::comparison && runs.count("baseline") > 0);
      if (!ok) return false;
    }
    if (!k.condition.empty() && !conditions.empty() && !everything && !conditions.count(k.condition)) return false;
    if (!k.metric.empty() && !metrics.empty() && !metrics.count(k.metric)) return false;
    return true;
  };
  if (std::any_of(matching.begin(), matching.end(), [&](const KnownValue* k) { return fits(*k); })) return true;

  bool setup_only = std::all_of(matching.begin(), matching.end(), [](const KnownValue* k) {
    return k->origin != KnownValue::Origin::result && k->origin != KnownValue::Origin::comparison;
  });
  claim.problem = setup_only ? "setup_number" : "wrong_result";
  std::vector<std::string> parts;
  if (!runs.empty()) parts.push_back("run " + join_names(runs));
  if (!conditions.empty()) parts.push_back("condition " + join_names(conditions));
  if (!metrics.empty()) parts.push_back("metric " + join_names(metrics));
  if (where.stat == ClaimContext::Stat::spread) parts.push_back("a standard error or deviation");
  if (where.stat == ClaimContext::Stat::center) parts.push_back("a mean (before \\pm)");
  if (setup_only) parts.push_back("not the setup");
  claim.names = parts.empty() ? "nothing it could be attributed to" : join(parts, "; ");
  std::set<std::string> sources;
  for (const auto* k : matching)
    if (sources.size() < 4) sources.insert(k->describe());
  claim.source = join_names(sources);
  return false;
}

}  // namespace shoal::paper
