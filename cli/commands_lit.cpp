// shoal lit search QUERY: one literature search as the agent runs it (engines in order,
// retries, the store's cache), printed as text, JSON or BibTeX.
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/command.hpp"
#include "core/log.hpp"
#include "tools/bibtex.hpp"
#include "tools/literature.hpp"

namespace shoal::cli {
namespace {

struct LitArgs {
  std::string query, engine;
  int limit = 10;
  bool json = false;
  bool bibtex = false;
};

// "A, B, C and 5 more": the first authors of a paper.
std::string author_line(const std::vector<std::string>& authors) {
  std::string out;
  for (size_t i = 0; i < authors.size() && i < 3; ++i) out += (i ? ", " : "") + authors[i];
  if (authors.size() > 3) out += " and " + std::to_string(authors.size() - 3) + " more";
  return out.empty() ? "(no authors listed)" : out;
}

void print_text(const tools::SearchResult& result) {
  int n = 0;
  for (const auto& p : result.papers) {
    std::cout << ++n << ". " << p.title << (p.year ? " (" + std::to_string(p.year) + ")" : "") << "\n   "
              << author_line(p.authors) << (p.venue.empty() ? "" : "; " + p.venue) << "; " << p.citations
              << " citations\n   " << p.url << (p.arxiv_id.empty() ? "" : "  arXiv:" + p.arxiv_id)
              << (p.doi.empty() ? "" : "  doi:" + p.doi) << "\n";
  }
}

void print_json(const tools::SearchResult& result) {
  nlohmann::json papers = nlohmann::json::array();
  for (const auto& p : result.papers) papers.push_back(tools::paper_to_json(p));
  nlohmann::json doc = {{"engine", result.engine},
                        {"from_cache", result.from_cache},
                        {"skipped", result.skipped},
                        {"papers", papers}};
  std::cout << doc.dump(2) << "\n";
}

void print_bibtex(const tools::SearchResult& result) {
  std::set<std::string> taken;
  for (const auto& p : result.papers) {
    std::string key = tools::cite_key(p, taken);
    taken.insert(key);
    std::cout << tools::bibtex_entry(p, key) << "\n";
  }
}

int run_search(Context& ctx, const LitArgs& args) {
  auto options = tools::literature_options(ctx.config());
  if (!args.engine.empty()) options.engines = {args.engine};
  std::optional<store::Store> store;
  if (std::filesystem::exists(ctx.db_path())) store = ctx.open_store(store::OpenMode::existing);
  else
    log::info("lit", "no database at " + ctx.db_path().string() + ": answers are not cached (run `shoal init`)");
  auto result = tools::search_papers(store ? &*store : nullptr, args.query, args.limit, options).value();
  for (const auto& s : result.skipped) std::cerr << "-- skipped " << s << "\n";
  if (args.json) print_json(result);
  else if (args.bibtex) print_bibtex(result);
  else print_text(result);
  std::cerr << "-- " << result.papers.size() << " paper(s) from " << result.engine
            << (result.from_cache ? " (from the cache: no request made)" : "") << "\n";
  return 0;
}

}  // namespace

void add_lit_commands(CLI::App& app, Commands& commands) {
  auto* lit = app.add_subcommand("lit", "Literature tools (Semantic Scholar, OpenAlex, arXiv)");
  lit->require_subcommand(1);
  static LitArgs args;
  auto* search = lit->add_subcommand(
      "search", "Search the literature: engines in the order of literature_engines, answers cached in the store");
  search->add_option("query", args.query, "What to search for")->required();
  search->add_option("--engine", args.engine, "Ask only this engine: semantic_scholar, openalex or arxiv");
  search->add_option("--limit", args.limit, "Most papers to return")->check(CLI::Range(1, 100));
  auto* json = search->add_flag("--json", args.json, "Print the answer as JSON");
  search->add_flag("--bibtex", args.bibtex, "Print a BibTeX entry per paper, with unique keys")->excludes(json);
  commands.add(search, [](Context& ctx) { return run_search(ctx, args); });
}

}  // namespace shoal::cli
