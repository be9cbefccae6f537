#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "experiments/local_executor.hpp"
#include "temp_dir.hpp"

// The sandbox user must be able to enter the folders above a work folder (mkdtemp makes 0700).
#define OPEN_TO_SANDBOX(dir) std::filesystem::permissions((dir).path(), std::filesystem::perms::others_exec, \
                                                          std::filesystem::perm_options::add)

using namespace shoal;
using namespace shoal::experiments;

namespace {
JobSpec sleeper(const std::filesystem::path& dir, const std::string& seconds) {
  std::filesystem::create_directories(dir);
  JobSpec s;
  s.workdir = dir;
  s.argv = {"/bin/sh", "-c", "sleep " + seconds + "; echo $OMP_NUM_THREADS"};
  s.limits.wall_s = 20;
  return s;
}
}  // namespace

TEST_CASE("jobs wait for CPU slots: two 1-CPU jobs on one slot run one after the other") {
  test::TempDir dir;
  OPEN_TO_SANDBOX(dir);
  LocalExecutor ex(1, 0);
  CHECK(ex.name() == "local");
  CHECK(ex.cpu_slots() == 1);
  Expected<JobResult> a = fail(ErrorKind::internal, ""), b = fail(ErrorKind::internal, "");
  auto start = std::chrono::steady_clock::now();
  std::thread ta([&] { a = ex.run(sleeper(dir / "a", "0.4"), CancelToken{}); });
  std::thread tb([&] { b = ex.run(sleeper(dir / "b", "0.4"), CancelToken{}); });
  ta.join();
  tb.join();
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->exit_code == 0);
  CHECK(b->stdout_tail == "1\n");
  CHECK(took >= 0.8);
  CHECK(ex.free_cpu_slots() == 1);
}

TEST_CASE("a job given several CPUs sees OMP_NUM_THREADS; too many is refused") {
  test::TempDir dir;
  OPEN_TO_SANDBOX(dir);
  LocalExecutor ex(3, 0);
  auto spec = sleeper(dir / "a", "0");
  spec.cpus = 3;
  auto r = ex.run(spec, CancelToken{});
  REQUIRE(r.ok());
  CHECK(r->stdout_tail == "3\n");
  spec.cpus = 4;
  CHECK(ex.run(spec, CancelToken{}).error().kind == ErrorKind::invalid_input);
  spec.cpus = 1;
  spec.gpus = 1;
  CHECK(ex.run(spec, CancelToken{}).error().kind == ErrorKind::invalid_input);
}

TEST_CASE("a job cancelled while waiting for a slot never runs") {
  test::TempDir dir;
  OPEN_TO_SANDBOX(dir);
  LocalExecutor ex(1, 0);
  Expected<JobResult> first = fail(ErrorKind::internal, "");
  std::thread busy([&] { first = ex.run(sleeper(dir / "a", "1"), CancelToken{}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CancelToken cancel;
  cancel.cancel();
  auto spec = sleeper(dir / "b", "0");
  spec.argv = {"/bin/sh", "-c", "touch ran"};
  auto r = ex.run(spec, cancel);
  busy.join();
  REQUIRE(r.ok());
  CHECK(r->limit_hit == "cancelled");
  CHECK_FALSE(std::filesystem::exists(dir / "b/ran"));
  REQUIRE(first.ok());
  CHECK(first->exit_code == 0);
}
