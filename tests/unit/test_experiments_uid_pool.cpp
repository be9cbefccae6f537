#include <doctest/doctest.h>

#include <sys/file.h>

#include <chrono>

#include "experiments/uid_pool.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::experiments;
using std::chrono::milliseconds;

namespace {
// A pool of two made-up users (leasing never needs them to exist).
std::vector<SandboxUser> two_users() { return {{"pool-test-0", 60000, 60000}, {"pool-test-1", 60001, 60001}}; }
}  // namespace

TEST_CASE("two leases from the pool never share a user; a busy pool is a transient error") {
  test::TempDir dir;
  auto locks = dir / "uids";
  auto a = lease_pool_user(two_users(), milliseconds(0), {}, locks);
  auto b = lease_pool_user(two_users(), milliseconds(0), {}, locks);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->user().uid != b->user().uid);
  CHECK(busy_pool_members(two_users(), locks) == 2);
  auto start = std::chrono::steady_clock::now();
  auto c = lease_pool_user(two_users(), milliseconds(300), {}, locks);
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().transient);
  CHECK(c.error().kind == ErrorKind::sandbox);
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(300));
}

TEST_CASE("a lease given back frees its user for the next job") {
  test::TempDir dir;
  auto locks = dir / "uids";
  std::vector<SandboxUser> one = {two_users()[0]};
  {
    auto held = lease_pool_user(one, milliseconds(0), {}, locks);
    REQUIRE(held.ok());
    CHECK_FALSE(lease_pool_user(one, milliseconds(0), {}, locks).ok());
  }
  auto again = lease_pool_user(one, milliseconds(0), {}, locks);
  REQUIRE(again.ok());
  CHECK(again->user().name == "pool-test-0");
}

TEST_CASE("waiting for a pool member stops at a cancel") {
  test::TempDir dir;
  auto locks = dir / "uids";
  std::vector<SandboxUser> one = {two_users()[0]};
  auto held = lease_pool_user(one, milliseconds(0), {}, locks);
  REQUIRE(held.ok());
  auto r = lease_pool_user(one, milliseconds(10000), [] { return true; }, locks);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::cancelled);
}
