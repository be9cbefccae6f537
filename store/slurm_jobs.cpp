#include "store/slurm_jobs.hpp"

#include "core/time.hpp"

namespace shoal::store {
namespace {

const char* kJobColumns =
    "SELECT id, job_id, cluster, workdir, result_path, state, collected, submitted_ms, updated_ms "
    "FROM slurm_jobs ";

SlurmJob job_from_row(SQLite::Statement& q) {
  SlurmJob j;
  j.id = q.getColumn(0).getInt64();
  j.job_id = q.getColumn(1).getInt64();
  j.cluster = q.getColumn(2).getString();
  j.workdir = q.getColumn(3).getString();
  j.result_path = q.getColumn(4).getString();
  j.state = q.getColumn(5).getString();
  j.collected = q.getColumn(6).getInt() != 0;
  j.submitted_ms = q.getColumn(7).getInt64();
  j.updated_ms = q.getColumn(8).getInt64();
  return j;
}

// The first row of `sql` (a query on slurm_jobs bound to `key`), if any.
template <class Key>
Expected<std::optional<SlurmJob>> select_one(Store& store, const std::string& where, const Key& key) {
  return store.read([&](SQLite::Database& db) -> Expected<std::optional<SlurmJob>> {
    SQLite::Statement q(db, std::string(kJobColumns) + where);
    q.bind(1, key);
    if (!q.executeStep()) return std::optional<SlurmJob>();
    return std::optional<SlurmJob>(job_from_row(q));
  });
}

}  // namespace

Expected<SlurmJob> record_slurm_job(Store& store, SlurmJob job) {
  if (job.submitted_ms == 0) job.submitted_ms = now_ms();
  job.updated_ms = job.submitted_ms;
  return store.transaction([&](SQLite::Database& db) -> Expected<SlurmJob> {
    SQLite::Statement q(db,
                        "INSERT INTO slurm_jobs (job_id, cluster, workdir, result_path, state, collected, "
                        "submitted_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, job.job_id);
    q.bind(2, job.cluster);
    q.bind(3, job.workdir);
    q.bind(4, job.result_path);
    q.bind(5, job.state);
    q.bind(6, job.collected ? 1 : 0);
    q.bind(7, job.submitted_ms);
    q.bind(8, job.updated_ms);
    q.exec();
    job.id = db.getLastInsertRowid();
    return job;
  });
}

Status update_slurm_job(Store& store, int64_t job_id, const std::string& state, bool collected) {
  return store.transaction([&](SQLite::Database& db) -> Status {
    SQLite::Statement q(db,
                        "UPDATE slurm_jobs SET state = ?, collected = max(collected, ?), updated_ms = ? "
                        "WHERE id = (SELECT max(id) FROM slurm_jobs WHERE job_id = ?)");
    q.bind(1, state);
    q.bind(2, collected ? 1 : 0);
    q.bind(3, now_ms());
    q.bind(4, job_id);
    if (q.exec() == 0) return fail(ErrorKind::not_found, "no recorded Slurm job " + std::to_string(job_id));
    return {};
  });
}

Expected<std::optional<SlurmJob>> find_slurm_job(Store& store, int64_t job_id) {
  return select_one(store, "WHERE job_id = ? ORDER BY id DESC LIMIT 1", job_id);
}

Expected<std::optional<SlurmJob>> find_uncollected_slurm_job(Store& store, const std::string& workdir) {
  return select_one(store, "WHERE workdir = ? AND collected = 0 ORDER BY id DESC LIMIT 1", workdir);
}

Expected<std::vector<SlurmJob>> list_slurm_jobs(Store& store, const std::string& workdir) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<SlurmJob>> {
    SQLite::Statement q(db, std::string(kJobColumns) + "WHERE workdir = ? ORDER BY id");
    q.bind(1, workdir);
    std::vector<SlurmJob> out;
    while (q.executeStep()) out.push_back(job_from_row(q));
    return out;
  });
}

}  // namespace shoal::store
