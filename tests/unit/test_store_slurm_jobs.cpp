#include <doctest/doctest.h>

#include "store/slurm_jobs.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::store;

TEST_CASE("a recorded Slurm job is found by id and, until collected, by its work folder") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  auto job = record_slurm_job(store, SlurmJob{.job_id = 42, .cluster = "shoal", .workdir = "/shared/run_1",
                                              .result_path = "/shared/run_1.result.json", .state = "PENDING"})
                 .value();
  CHECK(job.id > 0);
  CHECK(job.submitted_ms > 0);

  auto by_id = find_slurm_job(store, 42).value();
  REQUIRE(by_id.has_value());
  CHECK(by_id->workdir == "/shared/run_1");
  CHECK(by_id->cluster == "shoal");
  CHECK_FALSE(find_slurm_job(store, 43).value().has_value());

  REQUIRE(update_slurm_job(store, 42, "RUNNING").ok());
  auto open = find_uncollected_slurm_job(store, "/shared/run_1").value();
  REQUIRE(open.has_value());
  CHECK(open->state == "RUNNING");
  CHECK_FALSE(open->collected);
  CHECK_FALSE(find_uncollected_slurm_job(store, "/shared/run_2").value().has_value());

  REQUIRE(update_slurm_job(store, 42, "COMPLETED", true).ok());
  CHECK_FALSE(find_uncollected_slurm_job(store, "/shared/run_1").value().has_value());
  // A later state update never un-collects a job.
  REQUIRE(update_slurm_job(store, 42, "COMPLETED", false).ok());
  CHECK(find_slurm_job(store, 42).value()->collected);
  CHECK(update_slurm_job(store, 7, "RUNNING").error().kind == ErrorKind::not_found);
}

TEST_CASE("a Slurm job id reused by a fresh cluster refers to the newest record") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  REQUIRE(record_slurm_job(store, SlurmJob{.job_id = 1, .workdir = "/a", .result_path = "/a.r", .state = "COMPLETED",
                                           .collected = true})
              .ok());
  REQUIRE(record_slurm_job(store, SlurmJob{.job_id = 1, .workdir = "/b", .result_path = "/b.r", .state = "PENDING"})
              .ok());
  CHECK(find_slurm_job(store, 1).value()->workdir == "/b");
  REQUIRE(update_slurm_job(store, 1, "RUNNING").ok());
  auto jobs_a = list_slurm_jobs(store, "/a").value();
  REQUIRE(jobs_a.size() == 1);
  CHECK(jobs_a[0].state == "COMPLETED");
  CHECK(list_slurm_jobs(store, "/b").value().at(0).state == "RUNNING");
}
