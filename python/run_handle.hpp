// A run launched from Python: created at once (bad input raises before anything is spent),
// driven on a C++ thread; the Python thread waits with the GIL released and receives the
// run's events (the store's events table: stage started/done/failed with cost and seconds)
// through a callback called in the Python thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>
#include <pybind11/pybind11.h>

#include "agent/orchestrator.hpp"
#include "core/config.hpp"

namespace shoal::python {

class RunHandle {
 public:
  // Creates the run of `template_dir` with the settings of `config` and starts driving it.
  // `model` set: the run's LLM is that Python function.
  RunHandle(Config config, const std::filesystem::path& template_dir, std::optional<llm::FunctionModel> model);
  ~RunHandle();  // stops a run still going (it pauses; shoal resume continues it) and joins

  const std::string& run_id() const { return run_id_; }
  // Waits until the run ends or `timeout_s` passes (< 0: no limit), calling on_event(dict)
  // for each new event; returns whether the run has ended.
  bool wait(double timeout_s, const pybind11::object& on_event);
  bool done() const;
  // Cancels the run for good (as shoal cancel); stop() pauses it (shoal resume continues).
  void cancel();
  void stop();
  // The run's row and its progress, read from the store.
  nlohmann::json status() const;
  // The run summary once it ended; raises the run's error if driving it failed.
  nlohmann::json result() const;

 private:
  void deliver(const pybind11::object& on_event);

  Config config_;
  std::string run_id_;
  experiments::CancelToken stop_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool finished_ = false;
  std::optional<Expected<agent::RunSummary>> outcome_;
  int64_t last_event_ = 0;
};

}  // namespace shoal::python
