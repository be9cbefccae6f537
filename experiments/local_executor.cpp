// The local slot pool (see local_executor.hpp).
#include "experiments/local_executor.hpp"

#include <chrono>
#include <filesystem>
#include <thread>

namespace shoal::experiments {
namespace fs = std::filesystem;

int count_gpus() {
  int n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/dev", ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 6 && name.rfind("nvidia", 0) == 0 &&
        name.find_first_not_of("0123456789", 6) == std::string::npos)
      ++n;
  }
  return n;
}

LocalExecutor::LocalExecutor(int cpu_slots, int gpu_slots, SandboxOptions options)
    : cpu_slots_(cpu_slots > 0 ? cpu_slots : std::max(1, static_cast<int>(std::thread::hardware_concurrency()))),
      options_(std::move(options)),
      cpus_free_(cpu_slots_),
      gpu_busy_(static_cast<size_t>(gpu_slots >= 0 ? gpu_slots : count_gpus()), false) {}

int LocalExecutor::free_cpu_slots() const {
  std::lock_guard lock(mu_);
  return cpus_free_;
}

int LocalExecutor::free_gpu_slots() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count(gpu_busy_.begin(), gpu_busy_.end(), false));
}

Expected<JobResult> LocalExecutor::run(const JobSpec& spec, const CancelToken& cancel) {
  int cpus = std::max(1, spec.cpus);
  if (cpus > cpu_slots_)
    return fail(ErrorKind::invalid_input, "the job asks for " + std::to_string(cpus) + " CPUs but the local executor has " +
                                              std::to_string(cpu_slots_) + " slots: ask for fewer");
  if (spec.gpus > gpu_slots())
    return fail(ErrorKind::invalid_input, "the job asks for " + std::to_string(spec.gpus) + " GPUs but this machine has " +
                                              std::to_string(gpu_slots()) + ": ask for fewer or use the slurm executor");
  // Take the slots, waking now and then to notice a cancel.
  std::vector<int> gpus;
  {
    std::unique_lock lock(mu_);
    auto fits = [&] {
      return cpus_free_ >= cpus && std::count(gpu_busy_.begin(), gpu_busy_.end(), false) >= spec.gpus;
    };
    while (!fits()) {
      if (cancel.cancelled()) {
        JobResult r;
        r.limit_hit = limit::cancelled;
        return r;
      }
      freed_.wait_for(lock, std::chrono::milliseconds(100));
    }
    cpus_free_ -= cpus;
    for (size_t i = 0; i < gpu_busy_.size() && static_cast<int>(gpus.size()) < spec.gpus; ++i)
      if (!gpu_busy_[i]) gpu_busy_[i] = true, gpus.push_back(static_cast<int>(i));
  }
  // Give them back however the run ends.
  struct Release {
    LocalExecutor* self;
    int cpus;
    std::vector<int> gpus;
    ~Release() {
      {
        std::lock_guard lock(self->mu_);
        self->cpus_free_ += cpus;
        for (int g : gpus) self->gpu_busy_[static_cast<size_t>(g)] = false;
      }
      self->freed_.notify_all();
    }
  } release{this, cpus, gpus};

  JobSpec job = spec;
  job.cpus = cpus;
  if (!gpus.empty()) {
    std::string list;
    for (int g : gpus) list += (list.empty() ? "" : ",") + std::to_string(g);
    job.env["CUDA_VISIBLE_DEVICES"] = list;
  }
  return run_sandboxed(job, options_, cancel);
}

}  // namespace shoal::experiments
