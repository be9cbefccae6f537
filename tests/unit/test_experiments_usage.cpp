#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>

#include "experiments/usage.hpp"
#include "temp_dir.hpp"

using namespace shoal::experiments;

TEST_CASE("disk_usage counts allocated bytes and never follows symlinks") {
  shoal::test::TempDir dir;
  std::filesystem::create_directories(dir / "a/b");
  {
    std::ofstream f(dir / "a/b/data.bin", std::ios::binary);
    std::string mb(1 << 20, 'x');
    f << mb;
  }
  std::filesystem::create_directory_symlink("/usr", dir / "usr_link");
  int64_t used = disk_usage(dir.path());
  CHECK(used >= 1 << 20);
  CHECK(used < 2 << 20);  // /usr behind the link is not counted
  CHECK(has_file_of_size(dir.path(), 1 << 20));
  CHECK_FALSE(has_file_of_size(dir.path(), (1 << 20) + 1));
}

TEST_CASE("scan_pid_namespace finds this process's namespace and its CPU time") {
  std::string ns = pid_namespace_of(::getpid());
  REQUIRE(ns.rfind("pid:[", 0) == 0);
  TreeUsage u = scan_pid_namespace(ns);
  CHECK(u.tasks >= 1);
  CHECK(u.rss_bytes > 0);
  CHECK(scan_pid_namespace("pid:[1]").tasks == 0);
  CHECK(pid_namespace_of(-5).empty());
}
