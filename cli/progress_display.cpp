#include "cli/progress_display.hpp"

#include <iostream>

#include "store/ideas.hpp"
#include "store/llm_calls.hpp"

namespace shoal::cli {

ProgressDisplay::ProgressDisplay(std::filesystem::path db_path, std::string run_id, bool tty)
    : db_path_(std::move(db_path)), run_id_(std::move(run_id)), tty_(tty) {
  if (tty_)
    ticker_ = std::thread([this] {
      while (true) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        std::lock_guard lock(mu_);
        if (stop_) return;
        redraw();
      }
    });
}

ProgressDisplay::~ProgressDisplay() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  if (ticker_.joinable()) ticker_.join();
}

std::string ProgressDisplay::name_of(const std::string& idea_id) {
  if (idea_id.empty()) return "run";
  auto it = names_.find(idea_id);
  if (it != names_.end()) return it->second;
  std::string name = idea_id;
  if (auto store = store::Store::open(db_path_, store::OpenMode::read_only); store.ok())
    if (auto idea = store::get_idea(*store, idea_id); idea.ok()) name = idea->name;
  names_[idea_id] = name;
  return name;
}

void ProgressDisplay::note(const agent::ProgressNote& n) {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  Line& line = lines_[n.idea_id];
  if (line.name.empty()) {
    line.name = name_of(n.idea_id);
    line.started = now;
  }
  line.stage = n.stage;
  line.message = n.message;
  line.active = !(n.message == "done" && (n.stage == "plots" || n.stage == "review"));
  if (!tty_) {
    double s = std::chrono::duration<double>(now - line.started).count();
    std::printf("[%7.1fs] %-28s %-12s %s\n", s, line.name.substr(0, 28).c_str(), n.stage.c_str(), n.message.c_str());
    std::fflush(stdout);
  } else {
    redraw();
  }
}

void ProgressDisplay::redraw() {
  // Costs per idea, read fresh (the LLM client records every call).
  std::map<std::string, double> cost;
  if (auto store = store::Store::open(db_path_, store::OpenMode::read_only); store.ok())
    if (auto calls = store::list_llm_calls(*store, run_id_); calls.ok())
      for (const auto& c : *calls) cost[c.idea_id] += c.cost_usd;
  std::string out;
  for (int i = 0; i < drawn_; ++i) out += "\x1b[1A\x1b[2K";  // back over the last frame
  int count = 0;
  auto now = std::chrono::steady_clock::now();
  for (const auto& [id, line] : lines_) {
    if (!line.active && !id.empty()) continue;
    char buf[512];
    double s = std::chrono::duration<double>(now - line.started).count();
    std::snprintf(buf, sizeof buf, "%-28s %-12s %-48s %7.0fs  $%.4f\n", line.name.substr(0, 28).c_str(),
                  line.stage.c_str(), line.message.substr(0, 48).c_str(), s, cost[id]);
    out += buf;
    ++count;
  }
  drawn_ = count;
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
}

void ProgressDisplay::finish(const agent::RunSummary& s) {
  std::lock_guard lock(mu_);
  stop_ = true;
  std::printf("run %s %s: %d idea(s): %d done, %d failed, %d skipped, %d parked; LLM cost $%.4f; %.1f s (orchestrator CPU %.2f s)\n",
              s.run_id.c_str(), s.status.c_str(), s.ideas, s.done, s.failed, s.skipped, s.parked, s.cost_usd,
              s.seconds, s.cpu_s);
  if (s.papers_finished + s.papers_unverified > 0)
    std::printf("papers: %d finished%s\n", s.papers_finished,
                s.papers_unverified == 0 ? ""
                                         : (", " + std::to_string(s.papers_unverified) +
                                            " unverified (numbers that match no stored result; not counted as finished)")
                                               .c_str());
  if (s.tokens_in > 0)
    std::printf("LLM input tokens: %lld, %.0f%% of them served from the provider's prompt cache\n",
                static_cast<long long>(s.tokens_in), 100 * s.cached_input_share);
  if (s.novelty_unchecked > 0)
    std::printf("novelty unchecked for %d idea(s): the literature could not be reached (novelty_required stops a run instead)\n",
                s.novelty_unchecked);
  if (!s.message.empty()) std::printf("%s\n", s.message.c_str());
  std::fflush(stdout);
}

}  // namespace shoal::cli
