#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <thread>

#include "experiments/sandbox.hpp"
#include "experiments/uid_pool.hpp"
#include "temp_dir.hpp"

// Most tests open their temp folder to others (a common layout); the mode-700 case has its own test.
#define OPEN_TO_SANDBOX(dir) std::filesystem::permissions((dir).path(), std::filesystem::perms::others_exec, \
                                                          std::filesystem::perm_options::add)

using namespace shoal;
using namespace shoal::experiments;

namespace {
JobSpec shell(const test::TempDir& dir, const std::string& script) {
  std::filesystem::create_directories(dir / "w");
  JobSpec s;
  s.workdir = dir / "w";
  s.argv = {"/bin/sh", "-c", script};
  s.limits.wall_s = 20;
  return s;
}
}  // namespace

TEST_CASE("a sandboxed command gets its exit code, output and only the work folder") {
  test::TempDir dir;
  OPEN_TO_SANDBOX(dir);
  auto spec = shell(dir, "echo hello; echo warn >&2; echo data > out.txt; touch /usr/x 2>/dev/null || echo ro; exit 7");
  auto r = run_sandboxed(spec, {}, CancelToken{});
  REQUIRE(r.ok());
  CHECK(r->sandboxed);
  CHECK(r->exit_code == 7);
  CHECK(r->signal == 0);
  CHECK(r->limit_hit.empty());
  CHECK(r->stdout_tail == "hello\nro\n");
  CHECK(r->stderr_tail == "warn\n");
  CHECK(r->stdout_bytes == 9);
  std::ifstream out(dir / "w/out.txt");
  std::string line;
  std::getline(out, line);
  CHECK(line == "data");
}

TEST_CASE("a command killed by a signal reports the signal") {
  test::TempDir dir;
  OPEN_TO_SANDBOX(dir);
  auto r = run_sandboxed(shell(dir, "kill -TERM $$"), {}, CancelToken{});
  REQUIRE(r.ok());
  CHECK(r->exit_code == -1);
  CHECK(r->signal == 15);
}

TEST_CASE("a wall-time limit kills the tree and says so") {
  test::TempDir dir;
  OPEN_TO_SANDBOX(dir);
  auto spec = shell(dir, "sleep 30 & sleep 30");
  spec.limits.wall_s = 0.5;
  auto r = run_sandboxed(spec, {}, CancelToken{});
  REQUIRE(r.ok());
  CHECK(r->limit_hit == "wall_time");
  CHECK(r->wall_s < 3);
}

TEST_CASE("cancelling a running job kills it with limit_hit cancelled") {
  test::TempDir dir;
  OPEN_TO_SANDBOX(dir);
  CancelToken cancel;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel.cancel();
  });
  auto r = run_sandboxed(shell(dir, "sleep 30"), {}, cancel);
  stopper.join();
  REQUIRE(r.ok());
  CHECK(r->limit_hit == "cancelled");
  CHECK(r->wall_s < 3);
}

TEST_CASE("a missing bwrap refuses with the fix named") {
  test::TempDir dir;
  OPEN_TO_SANDBOX(dir);
  SandboxOptions o;
  o.bwrap = "/nonexistent/bwrap";
  auto r = run_sandboxed(shell(dir, "true"), o, CancelToken{});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::sandbox);
  CHECK(r.error().message.find("apt-get install bubblewrap") != std::string::npos);
}

TEST_CASE("a missing work folder or command is invalid input") {
  JobSpec s;
  s.argv = {"true"};
  s.workdir = "/nonexistent/work";
  CHECK(run_sandboxed(s, {}, CancelToken{}).error().kind == ErrorKind::invalid_input);
  test::TempDir dir;
  OPEN_TO_SANDBOX(dir);
  auto empty = shell(dir, "true");
  empty.argv.clear();
  CHECK(run_sandboxed(empty, {}, CancelToken{}).error().kind == ErrorKind::invalid_input);
}

TEST_CASE("unsafe_no_sandbox runs directly, with rlimits, and is recorded") {
  test::TempDir dir;
  OPEN_TO_SANDBOX(dir);
  auto spec = shell(dir, "ulimit -n; echo $HOME");
  spec.unsafe_no_sandbox = true;
  spec.limits.max_open_files = 99;
  auto r = run_sandboxed(spec, {}, CancelToken{});
  REQUIRE(r.ok());
  CHECK_FALSE(r->sandboxed);
  CHECK(r->exit_code == 0);
  CHECK(r->stdout_tail == "99\n" + std::filesystem::canonical(dir / "w").string() + "\n");
}

TEST_CASE("as root, a work folder and a read-only folder inside a mode-700 folder work and the mode stays") {
  if (::geteuid() != 0) return;  // only root hands the work folder to another user
  test::TempDir dir;             // mode 0700, never opened to others
  std::filesystem::create_directories(dir / "tpl");
  std::ofstream(dir / "tpl" / "data.txt") << "template data\n";
  auto spec = shell(dir, "cat " + (dir / "tpl" / "data.txt").string() + " && echo out > result.txt && id -u");
  spec.ro_binds = {dir / "tpl"};
  auto r = run_sandboxed(spec, {}, CancelToken{});
  REQUIRE(r.ok());
  CHECK(r->exit_code == 0);
  CHECK(r->stdout_tail.rfind("template data\n", 0) == 0);
  CHECK(r->stdout_tail.find("\n0\n") == std::string::npos);  // not root inside
  CHECK(std::filesystem::exists(dir / "w" / "result.txt"));
  CHECK((std::filesystem::status(dir.path()).permissions() & std::filesystem::perms::all) ==
        std::filesystem::perms::owner_all);
}

TEST_CASE("as root, a pool that stays busy is a transient error and the job does not run") {
  if (::geteuid() != 0 || pool_members().empty()) return;  // the pool is root's (scripts/setup)
  test::TempDir dir;
  OPEN_TO_SANDBOX(dir);
  SandboxOptions o;
  o.pool_locks = dir / "locks";
  o.pool_wait = std::chrono::milliseconds(300);
  o.kill_leftovers = false;  // real jobs may hold these members under the real locks
  std::vector<UidLease> held;  // every member taken, as by other jobs
  for (size_t i = 0; i < pool_members().size(); ++i) {
    auto lease = lease_pool_user(pool_members(), std::chrono::milliseconds(0), {}, o.pool_locks);
    REQUIRE(lease.ok());
    held.push_back(std::move(lease).value());
  }
  auto r = run_sandboxed(shell(dir, "touch ran"), o, CancelToken{});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().transient);
  CHECK_FALSE(std::filesystem::exists(dir / "w" / "ran"));
  held.pop_back();  // one job ends: the next one runs
  auto next = run_sandboxed(shell(dir, "touch ran"), o, CancelToken{});
  REQUIRE(next.ok());
  CHECK(next->exit_code == 0);
  CHECK(std::filesystem::exists(dir / "w" / "ran"));
}

TEST_CASE("bwrap_arguments bind staged folders by path when root staged them") {
  JobSpec s;
  s.argv = {"true"};
  s.ro_binds = {"/opt/template"};
  auto a = bwrap_arguments(s, "/root/home/work/run_1", "/run/shoal/stage");
  auto bind = std::find(a.begin(), a.end(), "--bind");
  REQUIRE(bind != a.end());
  CHECK(*(bind + 1) == "/run/shoal/stage/work");
  CHECK(*(bind + 2) == "/root/home/work/run_1");
  auto ro = std::find(a.begin(), a.end(), "/run/shoal/stage/ro0");
  REQUIRE(ro != a.end());
  CHECK(*(ro - 1) == "--ro-bind");
  CHECK(*(ro + 1) == "/opt/template");
  CHECK(std::find(a.begin(), a.end(), "--bind-fd") == a.end());
}

TEST_CASE("bwrap_arguments isolate everything and bind the work folder last") {
  JobSpec s;
  s.argv = {"python3", "x.py"};
  s.ro_binds = {"/opt/template"};
  auto a = bwrap_arguments(s, "/home/u/work/run_1");
  auto has = [&](const std::string& x) { return std::find(a.begin(), a.end(), x) != a.end(); };
  for (const char* flag : {"--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--clearenv",
                           "--disable-userns", "--seccomp"})
    CHECK(has(flag));
  CHECK_FALSE(has("--share-net"));
  auto bind = std::find(a.begin(), a.end(), "--bind-fd");
  REQUIRE(bind != a.end());
  CHECK(*(bind + 2) == "/home/u/work/run_1");
  auto ro = std::find(a.begin(), a.end(), "--ro-bind-fd");
  REQUIRE(ro != a.end());
  CHECK(*(ro + 1) == "6");
  CHECK(*(ro + 2) == "/opt/template");
  auto dash = std::find(a.begin(), a.end(), "--");
  REQUIRE(dash != a.end());
  CHECK(std::vector<std::string>(dash + 1, a.end()) == s.argv);
}
