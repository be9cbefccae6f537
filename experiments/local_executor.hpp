// The local executor: runs jobs on this machine in the sandbox, at most as many at once as
// its CPU and GPU slots allow; each job is given spec.cpus CPU slots and spec.gpus GPUs.
#pragma once

#include <condition_variable>
#include <mutex>
#include <vector>

#include "experiments/executor.hpp"
#include "experiments/sandbox.hpp"

namespace shoal::experiments {

class LocalExecutor : public Executor {
 public:
  // cpu_slots 0: the number of cores; gpu_slots -1: the number of /dev/nvidiaN devices.
  explicit LocalExecutor(int cpu_slots = 0, int gpu_slots = -1, SandboxOptions options = {});

  std::string name() const override { return "local"; }
  // Waits for free slots (a cancel while waiting gives a "cancelled" result without running),
  // then runs the job in the sandbox with CUDA_VISIBLE_DEVICES set to the GPUs it was given.
  Expected<JobResult> run(const JobSpec& spec, const CancelToken& cancel) override;

  int cpu_slots() const { return cpu_slots_; }
  int gpu_slots() const { return static_cast<int>(gpu_busy_.size()); }
  // Slots not given to a running job now.
  int free_cpu_slots() const;
  int free_gpu_slots() const;

 private:
  int cpu_slots_;
  SandboxOptions options_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  int cpus_free_;
  std::vector<bool> gpu_busy_;
};

// The /dev/nvidiaN devices of this machine.
int count_gpus();

}  // namespace shoal::experiments
