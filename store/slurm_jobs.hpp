// Slurm jobs the Slurm executor submitted: enough to find a job again after the
// orchestrator restarts (its Slurm id, work folder and result file) instead of
// submitting it twice. One row per sbatch call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace shoal::store {

struct SlurmJob {
  int64_t id = 0;            // row id
  int64_t job_id = 0;        // Slurm's job id
  std::string cluster;       // Slurm's ClusterName ("" when unknown)
  std::string workdir;       // the job's work folder (what the sandbox gets)
  std::string result_path;   // where the batch script writes the JobResult JSON
  std::string state;         // last Slurm state seen: PENDING, RUNNING, COMPLETED, ...
  bool collected = false;    // the result was handed to a caller; never re-attached
  int64_t submitted_ms = 0;
  int64_t updated_ms = 0;
};

// Records a job just submitted; returns it with its row id.
Expected<SlurmJob> record_slurm_job(Store& store, SlurmJob job);

// Sets the last Slurm state seen (and marks it collected when `collected`).
Status update_slurm_job(Store& store, int64_t job_id, const std::string& state, bool collected = false);

// The newest job recorded for Slurm id `job_id`, if any.
Expected<std::optional<SlurmJob>> find_slurm_job(Store& store, int64_t job_id);

// The newest job for `workdir` whose result was not collected yet: the one to re-attach to.
Expected<std::optional<SlurmJob>> find_uncollected_slurm_job(Store& store, const std::string& workdir);

// Every recorded job for `workdir`, oldest first.
Expected<std::vector<SlurmJob>> list_slurm_jobs(Store& store, const std::string& workdir);

}  // namespace shoal::store
