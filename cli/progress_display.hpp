// What `shoal run` and `shoal resume` print while they work. On a terminal: one live line
// per active idea (stage, latest note, elapsed time, LLM cost so far), redrawn in place.
// Otherwise (a pipe, a log file, Slurm's output): one plain line per note.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "agent/orchestrator.hpp"
#include "store/db.hpp"

namespace shoal::cli {

class ProgressDisplay {
 public:
  // `db_path`: read for the ideas' names and costs (a read-only connection of its own).
  ProgressDisplay(std::filesystem::path db_path, std::string run_id, bool tty);
  ~ProgressDisplay();
  void note(const agent::ProgressNote& note);  // thread-safe
  void finish(const agent::RunSummary& summary);

 private:
  struct Line {
    std::string name, stage, message;
    std::chrono::steady_clock::time_point started;
    bool active = true;
  };
  void redraw();
  std::string name_of(const std::string& idea_id);

  std::filesystem::path db_path_;
  std::string run_id_;
  bool tty_;
  std::mutex mu_;
  std::map<std::string, Line> lines_;  // by idea id; "" = the run itself
  std::map<std::string, std::string> names_;
  int drawn_ = 0;  // lines drawn last time (to move the cursor back over them)
  bool stop_ = false;
  std::thread ticker_;
};

}  // namespace shoal::cli
