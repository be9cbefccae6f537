#include "experiments/command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "experiments/spawn.hpp"

extern char** environ;

namespace shoal::experiments {
namespace {

// Closes a file descriptor once, on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// This process's environment with `extra` set on top, as "K=V" strings.
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos && extra.count(kv.substr(0, eq))) continue;
    out.push_back(std::move(kv));
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

// Reads what is available on `fd` into `sink` (up to `cap` bytes kept); false at EOF.
bool drain(int fd, std::string& sink, int64_t cap) {
  char buf[8192];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) return false;
  auto room = cap - static_cast<int64_t>(sink.size());
  if (room > 0) sink.append(buf, static_cast<size_t>(std::min<int64_t>(room, n)));
  return true;
}

}  // namespace

std::string CommandOutput::message() const {
  std::string m = err.empty() ? out : err;
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  if (m.empty()) m = signal ? "killed by signal " + std::to_string(signal) : "exit status " + std::to_string(exit_code);
  return m;
}

std::string shell_quote(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                              "_-./=:,+@%") == std::string::npos)
    return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string shell_quote_join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + shell_quote(a);
  return out;
}

Expected<CommandOutput> run_command(const std::vector<std::string>& argv, const CommandOptions& options) {
  if (argv.empty()) return fail(ErrorKind::internal, "run_command: empty command line");
  const char* path = std::getenv("PATH");
  auto program = find_program(argv[0], path ? path : "/usr/local/bin:/usr/bin:/bin");
  if (!program) return fail(ErrorKind::not_found, "'" + argv[0] + "' not found on PATH");
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return fail(ErrorKind::io, std::string("pipe: ") + std::strerror(errno));
  Fd out_r{out_pipe[0]}, out_w{out_pipe[1]};
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return fail(ErrorKind::io, std::string("pipe: ") + std::strerror(errno));
  Fd err_r{err_pipe[0]}, err_w{err_pipe[1]};

  SpawnPlan plan;
  plan.program = *program;
  plan.argv = argv;
  plan.env = merged_environment(options.env);
  plan.stdout_fd = out_w.fd;
  plan.stderr_fd = err_w.fd;
  auto spawned = spawn(plan);  // its own process group, so a timeout kills its children too
  if (!spawned) return fail(ErrorKind::io, "cannot run '" + argv[0] + "': " + spawned.error().message);
  pid_t pid = *spawned;
  out_w.reset();
  err_w.reset();

  CommandOutput result;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(options.timeout_s);
  bool out_open = true, err_open = true, timed_out = false;
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_open ? out_r.fd : -1, POLLIN, 0}, {err_open ? err_r.fd : -1, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
      out_open = drain(out_r.fd, result.out, options.max_output_bytes);
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
      err_open = drain(err_r.fd, result.err, options.max_output_bytes);
  }
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    return fail(ErrorKind::timeout, "'" + shell_quote_join(argv) + "' did not finish within " +
                                        std::to_string(static_cast<int>(options.timeout_s)) + " s and was killed");
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace shoal::experiments
