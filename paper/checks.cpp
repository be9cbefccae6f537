#include "paper/checks.hpp"

#include <algorithm>

namespace shoal::paper {

bool PaperChecks::passed() const {
  return compiles && (page_limit <= 0 || (pages && *pages <= page_limit)) && claims_unmatched == 0 &&
         figures.missing.empty() && figures.unreferenced.empty() && unresolved_citations.empty() &&
         bibtex_errors.empty();
}

nlohmann::json PaperChecks::to_json() const {
  nlohmann::json j = {{"compiles", compiles},
                      {"pages", pages ? nlohmann::json(*pages) : nlohmann::json(nullptr)},
                      {"page_limit", page_limit},
                      {"latex_errors", latex_errors},
                      {"overfull_boxes", overfull_boxes},
                      {"chktex_warnings", chktex_warnings},
                      {"claims", {{"checked", claims_checked}, {"unmatched", claims_unmatched}}},
                      {"figures", figures.to_json()},
                      {"citations", {{"cited", cited}, {"unresolved", unresolved_citations}}},
                      {"bibtex_errors", bibtex_errors},
                      {"passed", passed()}};
  return j;
}

PaperChecks PaperChecks::from_json(const nlohmann::json& j) {
  PaperChecks c;
  c.compiles = j.value("compiles", false);
  if (j.contains("pages") && j["pages"].is_number_integer()) c.pages = j["pages"].get<int>();
  c.page_limit = j.value("page_limit", 0);
  c.latex_errors = j.value("latex_errors", 0);
  c.overfull_boxes = j.value("overfull_boxes", 0);
  c.chktex_warnings = j.value("chktex_warnings", 0);
  if (j.contains("claims")) {
    c.claims_checked = j["claims"].value("checked", 0);
    c.claims_unmatched = j["claims"].value("unmatched", 0);
  }
  if (j.contains("figures")) {
    const auto& f = j["figures"];
    c.figures.referenced = f.value("referenced", std::vector<std::string>{});
    c.figures.missing = f.value("missing", std::vector<std::string>{});
    c.figures.unreferenced = f.value("unreferenced", std::vector<std::string>{});
  }
  if (j.contains("citations")) {
    c.cited = j["citations"].value("cited", std::vector<std::string>{});
    c.unresolved_citations = j["citations"].value("unresolved", std::vector<std::string>{});
  }
  c.bibtex_errors = j.value("bibtex_errors", std::vector<std::string>{});
  return c;
}

std::string PaperChecks::describe() const {
  auto count = [](size_t part, size_t whole) { return std::to_string(part) + " of " + std::to_string(whole); };
  std::string out;
  out += std::string("compiles: ") + (compiles ? "yes" : "no") +
         (latex_errors ? " (" + std::to_string(latex_errors) + " LaTeX error(s))" : "") + "\n";
  out += "pages: " + (pages ? std::to_string(*pages) : std::string("unknown")) +
         (page_limit > 0 ? " (limit " + std::to_string(page_limit) + ")" : "") + "\n";
  out += "claims verified against measured results: " +
         count(static_cast<size_t>(claims_checked - claims_unmatched), static_cast<size_t>(claims_checked)) + "\n";
  size_t shown = figures.referenced.size() - figures.missing.size();
  out += "figures referenced and present: " + count(shown, figures.referenced.size());
  if (!figures.unreferenced.empty()) out += "; never referenced: " + std::to_string(figures.unreferenced.size());
  out += "\n";
  out += "citations resolved: " + count(cited.size() - unresolved_citations.size(), cited.size()) + "\n";
  if (!bibtex_errors.empty()) out += "bibtex: " + bibtex_errors.front() +
                                     (bibtex_errors.size() > 1 ? " (and " + std::to_string(bibtex_errors.size() - 1) + " more)" : "") + "\n";
  if (overfull_boxes) out += "overfull boxes past the threshold: " + std::to_string(overfull_boxes) + "\n";
  out += std::string("all checks passed: ") + (passed() ? "yes" : "no") + "\n";
  return out;
}

PaperChecks make_checks(const CompileResult* compile, const ClaimReport& claims, const FigureCheck& figures,
                        const std::set<std::string>& cited, const std::set<std::string>& bib_keys, int page_limit) {
  PaperChecks c;
  c.page_limit = page_limit;
  if (compile) {
    c.compiles = compile->compiled();
    c.pages = compile->parsed.pages;
    c.latex_errors = static_cast<int>(compile->parsed.errors.size());
    c.overfull_boxes = static_cast<int>(compile->parsed.overfull.size());
    c.chktex_warnings = static_cast<int>(compile->chktex_problems.size());
    for (const auto& p : compile->bibtex_problems)
      if (p.kind == "bibtex") c.bibtex_errors.push_back(p.message);
    if (compile->pdf_written && compile->blg.empty() && !cited.empty())
      c.bibtex_errors.push_back("bibtex did not run (the paper cites " + std::to_string(cited.size()) +
                                " key(s) but its .aux names no \\bibliography)");
  }
  c.claims_checked = static_cast<int>(claims.checked.size());
  c.claims_unmatched = static_cast<int>(claims.unmatched.size());
  c.figures = figures;
  c.cited.assign(cited.begin(), cited.end());
  for (const auto& key : cited) {
    bool undefined = !bib_keys.count(key);
    if (compile) {
      const auto& u = compile->parsed.undefined_citations;
      undefined = undefined || std::find(u.begin(), u.end(), key) != u.end();
    }
    if (undefined) c.unresolved_citations.push_back(key);
  }
  return c;
}

}  // namespace shoal::paper
