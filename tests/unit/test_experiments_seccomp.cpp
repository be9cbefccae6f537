#include <doctest/doctest.h>

#include <cstring>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "experiments/seccomp.hpp"

using namespace shoal::experiments;

TEST_CASE("the seccomp filter is whole BPF instructions ending in allow") {
  std::string f = seccomp_filter();
#if defined(__x86_64__) || defined(__aarch64__)
  REQUIRE(f.size() % sizeof(sock_filter) == 0);
  REQUIRE(f.size() / sizeof(sock_filter) > 20);
  sock_filter last{};
  std::memcpy(&last, f.data() + f.size() - sizeof last, sizeof last);
  CHECK(last.code == (BPF_RET | BPF_K));
  CHECK(last.k == SECCOMP_RET_ALLOW);
#else
  CHECK(f.empty());
#endif
}
