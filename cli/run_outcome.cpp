#include "cli/run_outcome.hpp"

#include <cctype>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "store/catalog.hpp"
#include "store/ideas.hpp"
#include "store/papers.hpp"
#include "store/runs.hpp"

namespace shoal::cli {
namespace {

// Combining marks of LaTeX's accent commands (\'e is e + U+0301).
const std::map<std::string, std::string>& accents() {
  static const std::map<std::string, std::string> m = {
      {"'", "\u0301"}, {"`", "\u0300"}, {"^", "\u0302"}, {"\"", "\u0308"}, {"~", "\u0303"}, {"=", "\u0304"},
      {".", "\u0307"}, {"c", "\u0327"}, {"u", "\u0306"}, {"v", "\u030C"}, {"H", "\u030B"}, {"k", "\u0328"},
      {"r", "\u030A"}};
  return m;
}

// Commands that stand for a character.
const std::map<std::string, std::string>& symbols() {
  static const std::map<std::string, std::string> m = {
      {"ss", "ß"}, {"o", "ø"}, {"O", "Ø"}, {"aa", "å"}, {"AA", "Å"}, {"ae", "æ"}, {"AE", "Æ"}, {"l", "ł"},
      {"L", "Ł"}, {"i", "ı"}, {"ldots", "…"}, {"dots", "…"}, {"cdots", "⋯"}, {"times", "×"}, {"cdot", "·"},
      {"pm", "±"}, {"approx", "≈"}, {"leq", "≤"}, {"le", "≤"}, {"geq", "≥"}, {"ge", "≥"}, {"neq", "≠"},
      {"infty", "∞"}, {"to", "→"}, {"rightarrow", "→"}, {"sim", "~"}, {"textasciitilde", "~"},
      {"alpha", "α"}, {"beta", "β"}, {"gamma", "γ"}, {"delta", "δ"}, {"epsilon", "ε"}, {"eta", "η"},
      {"theta", "θ"}, {"lambda", "λ"}, {"mu", "μ"}, {"pi", "π"}, {"rho", "ρ"}, {"sigma", "σ"}, {"tau", "τ"},
      {"phi", "φ"}, {"omega", "ω"}, {"Delta", "Δ"}, {"Sigma", "Σ"}, {"LaTeX", "LaTeX"}, {"TeX", "TeX"},
      {"quad", " "}, {"qquad", " "}, {"textbackslash", "\\"}};
  return m;
}

// The text of a braced group starting at tex[i] == '{' (i moves past it), or one character.
std::string argument(std::string_view tex, size_t& i) {
  while (i < tex.size() && tex[i] == ' ') ++i;
  if (i >= tex.size()) return "";
  if (tex[i] != '{') return std::string(1, tex[i++]);
  int depth = 0;
  size_t start = i + 1;
  for (; i < tex.size(); ++i) {
    if (tex[i] == '\\') { ++i; continue; }
    if (tex[i] == '{') ++depth;
    if (tex[i] == '}' && --depth == 0) return std::string(tex.substr(start, i++ - start));
  }
  return std::string(tex.substr(start));
}

}  // namespace

std::string latex_plain(std::string_view tex) {
  std::string out;
  for (size_t i = 0; i < tex.size();) {
    char c = tex[i];
    if (c == '\\' && i + 1 < tex.size()) {
      char n = tex[i + 1];
      if (std::string_view("_%&#${} ,;").find(n) != std::string_view::npos) {
        out += (n == ',' || n == ';') ? ' ' : n;
        i += 2;
        continue;
      }
      if (n == '\\') { out += ' '; i += 2; continue; }
      std::string name;
      size_t j = i + 1;
      if (std::isalpha(static_cast<unsigned char>(n)))
        while (j < tex.size() && std::isalpha(static_cast<unsigned char>(tex[j]))) name += tex[j++];
      else
        name = std::string(1, tex[j++]);
      i = j;
      if (auto a = accents().find(name); a != accents().end() && (name.size() == 1)) {
        // \'e, \'{e}, \c{c}: the letter, then the mark (a terminal composes them)
        out += latex_plain(argument(tex, i)) + a->second;
        continue;
      }
      if (auto s = symbols().find(name); s != symbols().end()) { out += s->second; continue; }
      if (name == "cite" || name == "citep" || name == "citet" || name == "ref" || name == "eqref") {
        while (i < tex.size() && tex[i] == '[') i = tex.find(']', i) == std::string_view::npos ? tex.size() : tex.find(']', i) + 1;
        std::string keys = argument(tex, i);
        out += name == "ref" || name == "eqref" ? keys : "[" + keys + "]";
        continue;
      }
      if (name == "label") { argument(tex, i); continue; }
      continue;  // any other command: its name goes, its braced argument stays as text
    }
    if (c == '{' || c == '}' || c == '$') { ++i; continue; }
    if (c == '~') { out += ' '; ++i; continue; }
    if (tex.substr(i, 3) == "---") { out += "—"; i += 3; continue; }
    if (tex.substr(i, 2) == "--") { out += "–"; i += 2; continue; }
    if (tex.substr(i, 2) == "``") { out += "“"; i += 2; continue; }
    if (tex.substr(i, 2) == "''") { out += "”"; i += 2; continue; }
    out += c;
    ++i;
  }
  return out;
}

void print_run_outcome(Context& ctx, const std::string& run_id, std::ostream& out) {
  auto store = ctx.open_store(store::OpenMode::read_only);
  auto ideas = store::list_ideas(store, run_id).value();
  std::string home = ctx.home().string();
  std::vector<std::string> paper_ids;
  int finished = 0, unverified = 0;
  out << "\nwhat came out:\n";
  if (ideas.empty()) out << "  no ideas yet\n";
  for (const auto& idea : ideas) {
    auto paper = store::best_paper(store, idea.id).value();
    if (!paper) {
      if (idea.status == "done" || idea.status == "failed")
        out << "  " << idea.name << ": no paper (idea " << idea.status << " at " << idea.stage << ")\n";
      continue;
    }
    paper_ids.push_back(paper->id);
    auto checks = nlohmann::json::parse(paper->checks_json, nullptr, false);
    std::string verified = !checks.is_object() || !checks.contains("passed") ? "checks not run"
                           : checks.value("passed", false)                  ? "checks passed"
                                                                             : "checks failed";
    if (store::paper_finished(*paper)) {
      ++finished;
    } else {
      ++unverified;
      int n = store::unverified_count(*paper);
      verified = "UNVERIFIED (" + (n < 0 ? std::string("its claim check is unreadable")
                                         : std::to_string(n) + " number(s) match no stored result") +
                 "; not a finished paper) · " + verified;
    }
    auto summary = store::paper_summary(store, paper->id).value();
    char score[64] = "no review";
    if (summary.scores.score) std::snprintf(score, sizeof score, "review score %.2f", *summary.scores.score);
    out << "  " << idea.name << ": paper " << paper->id << "\n    \"" << latex_plain(paper->title) << "\"\n    "
        << (paper->pages ? std::to_string(*paper->pages) + (*paper->pages == 1 ? " page" : " pages") : std::string("pages unknown")) << " · "
        << verified << " · " << score << "\n";
  }
  if (paper_ids.empty()) {
    out << "  no paper was written\n";
    return;
  }
  out << "  " << finished << " finished paper(s)";
  if (unverified > 0) out << ", " << unverified << " unverified (not counted as finished)";
  out << "\n";
  const auto& cfg = ctx.config();
  std::string host = cfg.get("web_host") == "0.0.0.0" ? "127.0.0.1" : cfg.get("web_host");
  std::string url = "http://" + host + ":" + cfg.get("web_port");
  out << "\nlook at them:\n"
      << "  shoal serve --home " << home << "    then open " << url << "/runs/" << run_id
      << " (a paper: " << url << "/papers/" << paper_ids.front() << ")\n"
      << "  shoal open " << paper_ids.front() << " --home " << home << "    writes ./" << paper_ids.front()
      << ".pdf (or give a PATH)\n";
}

}  // namespace shoal::cli
