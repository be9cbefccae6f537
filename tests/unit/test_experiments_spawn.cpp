#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "experiments/spawn.hpp"

using namespace shoal;
using namespace shoal::experiments;

namespace {
// Reads a pipe's read end until EOF.
std::string read_all(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}
}  // namespace

TEST_CASE("spawn runs a program with only the given environment, cwd, fds and rlimits") {
  int out[2], err[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
  SpawnPlan plan;
  plan.program = "/bin/sh";
  plan.argv = {"sh", "-c", "echo \"$A:$HOME:$(pwd)\"; ulimit -n; ls /proc/self/fd | wc -l; echo oops >&2"};
  plan.env = {"A=1"};
  plan.cwd = "/usr";
  plan.rlimits = {{RLIMIT_NOFILE, rlimit{77, 77}}};
  plan.stdout_fd = out[1];
  plan.stderr_fd = err[1];
  auto pid = spawn(plan);
  REQUIRE(pid.ok());
  ::close(out[1]);
  ::close(err[1]);
  std::string text = read_all(out[0]);
  CHECK(read_all(err[0]) == "oops\n");
  int status = 0;
  ::waitpid(*pid, &status, 0);
  CHECK(WEXITSTATUS(status) == 0);
  // 0, 1, 2 and the one ls opens to list them: nothing else leaked in.
  CHECK(text == "1::/usr\n77\n4\n");
}

TEST_CASE("spawn reports a failed exec as a sandbox error naming the step") {
  int out[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  SpawnPlan plan;
  plan.program = "/nonexistent/program";
  plan.argv = {"program"};
  plan.stdout_fd = out[1];
  plan.stderr_fd = out[1];
  auto pid = spawn(plan);
  ::close(out[0]);
  ::close(out[1]);
  REQUIRE_FALSE(pid.ok());
  CHECK(pid.error().kind == ErrorKind::sandbox);
  CHECK(pid.error().message.find("executing the program") != std::string::npos);
}

TEST_CASE("a user at its process limit makes spawn fail transiently; a missing program does not") {
  if (::geteuid() != 0) return;  // only root can become another user
  int out[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  SpawnPlan plan;
  plan.program = "/bin/sleep";
  plan.argv = {"sleep", "5"};
  plan.uid = 65534;  // nobody
  plan.gid = 65534;
  plan.stdout_fd = out[1];
  plan.stderr_fd = out[1];
  auto sleeper = spawn(plan);  // one process of nobody's already running...
  REQUIRE(sleeper.ok());
  plan.program = "/bin/true";
  plan.argv = {"true"};
  plan.rlimits = {{RLIMIT_NPROC, rlimit{0, 0}}};  // ...so past a limit of 0 its execve fails with EAGAIN
  auto full = spawn(plan);
  ::kill(*sleeper, SIGKILL);
  ::waitpid(*sleeper, nullptr, 0);
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().transient);
  CHECK(full.error().message.find("Resource temporarily unavailable") != std::string::npos);
  plan.rlimits.clear();
  plan.program = "/nonexistent/program";
  auto missing = spawn(plan);
  ::close(out[0]);
  ::close(out[1]);
  REQUIRE_FALSE(missing.ok());
  CHECK_FALSE(missing.error().transient);
}

TEST_CASE("find_program searches the given PATH only") {
  CHECK(find_program("sh", "/nonexistent:/bin").value_or("") == "/bin/sh");
  CHECK_FALSE(find_program("sh", "/nonexistent").has_value());
  CHECK(find_program("/bin/sh", "").value_or("") == "/bin/sh");
}
