#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "experiments/cgroup.hpp"

using namespace shoal::experiments;

TEST_CASE("detect_cgroups names a mode and a description") {
  CgroupSupport s = detect_cgroups();
  CHECK_FALSE(s.description.empty());
  if (s.mode != CgroupMode::none) CHECK(std::filesystem::is_directory(s.memory_parent));
  CHECK(to_string(s.mode) == (s.mode == CgroupMode::v2 ? "v2" : s.mode == CgroupMode::v1 ? "v1" : "none"));
}

TEST_CASE("a job cgroup in mode none is empty") {
  auto cg = JobCgroup::create(CgroupSupport{}, "shoal-unit-none", 1 << 30, 10);
  REQUIRE(cg.ok());
  CHECK_FALSE((*cg)->has_memory());
  CHECK((*cg)->procs_files().empty());
  CHECK((*cg)->process_count() == -1);
  CHECK_FALSE((*cg)->oom_killed());
}

TEST_CASE("a job cgroup, where this machine has one, carries the limits and is removed") {
  CgroupSupport s = detect_cgroups();
  if (s.mode == CgroupMode::none) return;  // covered by the hostile suite's no-cgroup run
  std::filesystem::path dir;
  {
    auto cg = JobCgroup::create(s, "shoal-unit-" + std::to_string(::getpid()), 256 << 20, 17);
    REQUIRE(cg.ok());
    REQUIRE((*cg)->has_memory());
    dir = s.memory_parent / ("shoal-unit-" + std::to_string(::getpid()));
    std::ifstream limit(dir / (s.mode == CgroupMode::v2 ? "memory.max" : "memory.limit_in_bytes"));
    std::stringstream text;
    text << limit.rdbuf();
    CHECK(std::stoll(text.str()) == 256 << 20);
    CHECK((*cg)->process_count() == 0);
    CHECK_FALSE((*cg)->oom_killed());
  }
  CHECK_FALSE(std::filesystem::exists(dir));
}
