#include "agent/papers/workspace.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "core/file.hpp"
#include "core/time.hpp"
#include "paper/citations.hpp"
#include "paper/sandbox_files.hpp"
#include "paper/tex_text.hpp"
#include "store/blobs.hpp"
#include "core/text.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;

namespace {

// A plot's file name made safe for the compile folder and for \includegraphics.
std::string safe_file_name(const std::string& name) {
  std::string base = fs::path(name).filename().string();
  std::string out;
  for (char c : base) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
  if (out.empty() || out[0] == '.') out = "figure" + out;
  return out;
}

// "--flag value" pairs of a command line (a flag without a value maps to "").
std::map<std::string, std::string> flags_of(const std::string& command) {
  std::istringstream in(command);
  std::vector<std::string> tokens;
  for (std::string t; in >> t;) tokens.push_back(t);
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].rfind("--", 0) != 0) continue;
    std::string flag = tokens[i].substr(2);
    std::string value;
    if (auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < tokens.size() && tokens[i + 1].rfind("--", 0) != 0) {
      value = tokens[++i];
    }
    if (flag != "out_dir") out[flag] = value;
  }
  return out;
}


}  // namespace

Expected<PaperWorkspace> prepare_workspace(const fs::path& work_dir, const fs::path& template_dir,
                                           const IdeaEvidence& evidence) {
  PaperWorkspace ws;
  ws.dir = work_dir;
  fs::path latex = template_dir / "latex";
  auto skeleton = read_file(latex / "template.tex");
  if (!skeleton.ok())
    return fail(ErrorKind::not_found, "the template has no latex/template.tex (" + (latex / "template.tex").string() +
                                          "): a paper needs the template's LaTeX skeleton");
  // The skeleton without its filecontents blocks: an AI-Scientist-format template keeps its
  // BibTeX entries there, and they join the .bib file (which the paper's .bib replaces).
  auto embedded = paper::split_filecontents(*skeleton);
  ws.template_tex = embedded.tex;
  ws.bib_name = paper::bib_file_name(ws.template_tex);
  ws.template_bib = read_file(latex / ws.bib_name).value_or("");
  if (auto e = embedded.files.find(ws.bib_name); e != embedded.files.end())
    ws.template_bib = paper::merge_bib(ws.template_bib, e->second);
  SHOAL_CHECK(paper::make_work_dir(work_dir));
  for (const auto& name : paper::list_sandbox_files(latex)) {
    SHOAL_TRY(data, read_file(latex / name));
    SHOAL_CHECK(write_file_atomic(work_dir / name, data));
  }
  for (const auto& plot : evidence.plots) {
    std::string name = safe_file_name(plot.name);
    SHOAL_CHECK(write_file_atomic(work_dir / name, plot.png));
    if (std::find(ws.figure_files.begin(), ws.figure_files.end(), name) == ws.figure_files.end())
      ws.figure_files.push_back(name);
  }
  return ws;
}

Status write_sources(const PaperWorkspace& ws, const std::string& tex, const std::string& bib) {
  SHOAL_CHECK(write_file_atomic(ws.dir / (ws.main + ".tex"), tex));
  SHOAL_CHECK(write_file_atomic(ws.dir / ws.bib_name, bib));
  return {};
}

std::vector<paper::KnownValue> evidence_numbers(const IdeaEvidence& evidence, const experiments::Template& tpl) {
  paper::ResultSet results;
  results.metric_names = {tpl.manifest.metric};
  results.setup_texts = {tpl.manifest.description};
  for (const auto& n : evidence.done_nodes())
    if (!evidence.baseline || n.id != evidence.baseline->id)
      results.runs.push_back({node_label(n, evidence.baseline), n.metrics_json, n.command});
  if (evidence.baseline)
    results.baseline = paper::RunNumbers{"baseline", evidence.baseline->metrics_json, evidence.baseline->command};
  if (auto prompt = read_file(tpl.dir / "prompt.json"); prompt.ok()) {
    auto j = nlohmann::json::parse(*prompt, nullptr, false);
    if (!j.is_discarded() && j.contains("task_description") && j["task_description"].is_string())
      results.setup_texts.push_back(j["task_description"].get<std::string>());
  }
  return paper::known_values(results);
}

std::string node_label(const store::Node& node, const std::optional<store::Node>& baseline) {
  if (baseline && node.id == baseline->id) return "baseline";
  auto mine = flags_of(node.command);
  auto base = baseline ? flags_of(baseline->command) : std::map<std::string, std::string>{};
  std::string label;
  for (const auto& [flag, value] : mine) {
    auto b = base.find(flag);
    if (b != base.end() && b->second == value) continue;
    label += (label.empty() ? "" : ", ") + flag + (value.empty() ? "" : " = " + value);
  }
  if (!label.empty()) return label;
  if (!node.plan.empty()) {
    std::string plan = trim(node.plan.substr(0, node.plan.find('\n')));
    return plan.size() > 80 ? plan.substr(0, 77) + "..." : plan;
  }
  return node.kind + " " + std::to_string(node.step);
}

Expected<store::Paper> store_attempt(store::Store& store, const std::string& idea_id, const AttemptRecord& a) {
  store::Paper p;
  p.id = new_id("paper");
  p.idea_id = idea_id;
  const paper::CompileResult* c = a.compile;
  p.status = c && c->compiled() ? "compiled" : "failed";
  p.title = tex_title(a.tex);
  p.abstract = tex_abstract(a.tex);
  if (c) p.pages = c->parsed.pages;
  p.unverified_json = paper::unmatched_json(a.claims).dump();
  p.citations_json = a.citations.dump();
  p.checks_json = a.checks.to_json().dump();
  p.error = p.status == "failed" ? a.error : "";

  struct Part {
    std::string kind, name, mime, data;
    std::string* hash;
  };
  std::vector<Part> parts = {{"tex", "template.tex", "text/x-tex", a.tex, &p.tex_hash},
                             {"bib", "references.bib", "text/x-bibtex", a.bib, &p.bib_hash}};
  if (c && !c->log.empty()) parts.push_back({"log", "template.log", "text/plain", c->log, &p.log_hash});
  if (c && c->pdf_written) parts.push_back({"pdf", "paper.pdf", "application/pdf", c->pdf, &p.pdf_hash});
  if (c && !c->blg.empty()) parts.push_back({"log", "template.blg", "text/plain", c->blg, nullptr});
  if (c && !c->chktex_output.empty()) parts.push_back({"log", "chktex.txt", "text/plain", c->chktex_output, nullptr});
  SHOAL_CHECK(store.transaction([&](SQLite::Database& db) -> Status {
    for (auto& part : parts)
      if (part.hash) *part.hash = store::put_blob(db, part.data);
    return {};
  }));
  SHOAL_TRY(stored, store::add_paper(store, p));
  for (const auto& part : parts)
    SHOAL_CHECK(store::add_artifact(store, {part.kind, part.name, "paper", stored.id, part.mime}, part.data));
  return stored;
}

std::string tex_title(const std::string& tex) {
  auto args = paper::command_arguments(tex, "title");
  return args.empty() ? "" : trim(args[0]);
}

std::string tex_abstract(const std::string& tex) {
  auto [b, e] = paper::find_abstract(tex);
  if (b == std::string::npos) return "";
  return trim(tex.substr(b, e - b));
}

}  // namespace shoal::agent
