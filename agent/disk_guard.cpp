#include "agent/disk_guard.hpp"

#include <sys/statvfs.h>

namespace shoal::agent {

Status check_free_disk(const std::filesystem::path& dir, int64_t min_free_bytes, const std::string& run_id) {
  struct statvfs fs {};
  if (statvfs(dir.c_str(), &fs) != 0) return {};  // a folder not made yet: the write itself will tell
  int64_t available = static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
  if (available >= min_free_bytes) return {};
  return fail(ErrorKind::io, "the disk holding " + dir.string() + " has " + std::to_string(available >> 20) +
                                 " MB free, under min_free_disk_mb = " + std::to_string(min_free_bytes >> 20) +
                                 ": the run is paused before it fills the disk; free some space, then run shoal resume " +
                                 run_id);
}

Status check_free_disk(const StageContext& ctx) {
  if (ctx.min_free_disk_mb <= 0) return {};
  int64_t min_bytes = ctx.min_free_disk_mb << 20;
  SHOAL_CHECK(check_free_disk(ctx.db_path.parent_path(), min_bytes, ctx.run_id));
  return check_free_disk(ctx.work_root, min_bytes, ctx.run_id);
}

}  // namespace shoal::agent
