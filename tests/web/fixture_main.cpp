// web_fixture: fills a home's store for the browser tests (tests/browser/web_browser.mjs).
//   web_fixture HOME               creates HOME/shoal.db, fills it (with XSS payloads), prints the ids as JSON
//   web_fixture HOME finish RUN    marks RUN done and adds an event (what a finishing run writes)
#include <iostream>
#include <nlohmann/json.hpp>

#include "fixture.hpp"

using namespace shoal;

int main(int argc, char** argv) {
  if (argc != 2 && !(argc == 4 && std::string(argv[2]) == "finish")) {
    std::cerr << "usage: web_fixture HOME | web_fixture HOME finish RUN\n";
    return 2;
  }
  std::filesystem::path home = argv[1];
  auto store = store::Store::open(home / "shoal.db", store::OpenMode::create);
  if (!store.ok()) {
    std::cerr << "web_fixture: " << store.error().describe() << "\n";
    return 1;
  }
  if (argc == 4) {
    auto st = test::finish_live_run(*store, argv[3]);
    if (!st.ok()) std::cerr << "web_fixture: " << st.error().describe() << "\n";
    return st.ok() ? 0 : 1;
  }
  auto ids = test::fill_fixture(*store, home / "fixture-work", /*xss=*/true);
  if (!ids.ok()) {
    std::cerr << "web_fixture: " << ids.error().describe() << "\n";
    return 1;
  }
  nlohmann::json j{{"done_run", ids->done_run},       {"live_run", ids->live_run},     {"best_idea", ids->best_idea},
                   {"xss_idea", ids->xss_idea},       {"best_paper", ids->best_paper}, {"xss_paper", ids->xss_paper},
                   {"skipped_idea", ids->skipped_idea},
                   {"failed_paper", ids->failed_paper}, {"page_image", ids->page_image}, {"draft_node", ids->draft_node},
                   {"improve_node", ids->improve_node}, {"html_log", ids->html_log},
                   {"evolve_run", ids->evolve_run},     {"evolve_idea", ids->evolve_idea},
                   {"evolve_baseline", ids->evolve_baseline}, {"evolve_best", ids->evolve_best},
                   {"evolve_crossover", ids->evolve_crossover}, {"evolve_failed", ids->evolve_failed},
                   {"evolve_rejected", ids->evolve_rejected}, {"evolve_a", ids->evolve_a}, {"evolve_b", ids->evolve_b}};
  std::cout << j.dump() << "\n";
  return 0;
}
