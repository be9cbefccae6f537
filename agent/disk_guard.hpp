// Free disk space checks: a run pauses before it fills the disk, instead of failing its
// experiments and papers half-written. Checked before every stage and every experiment.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "agent/stage_context.hpp"
#include "core/expected.hpp"

namespace shoal::agent {

// io error when the file system holding `dir` has fewer than `min_free_bytes` available;
// the message names the folder, the space left, the setting and `shoal resume RUN`.
Status check_free_disk(const std::filesystem::path& dir, int64_t min_free_bytes, const std::string& run_id);

// The run's home and work folder against the min_free_disk_mb setting (none without a config).
Status check_free_disk(const StageContext& ctx);

}  // namespace shoal::agent
