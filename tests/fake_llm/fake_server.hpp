// Starts tests/fake_llm/server.py as a subprocess on a free loopback port (it binds port 0
// and prints the port), and talks to its control endpoints. For integration tests and benches.
#pragma once

#include <curl/curl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace shoal::test {

class FakeLlmServer {
 public:
  // `script` is server.py's path; `extra_args` are passed on (e.g. --min-cache-tokens 10).
  explicit FakeLlmServer(const std::string& script, std::vector<std::string> extra_args = {}) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> args = {"/usr/bin/python3", script, "--port", "0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) throw std::runtime_error("cannot start the fake LLM server");
    FILE* out = ::fdopen(fds[0], "r");
    char line[64] = {0};
    if (!std::fgets(line, sizeof line, out)) {
      std::fclose(out);
      throw std::runtime_error("the fake LLM server printed no port");
    }
    std::fclose(out);
    port_ = std::stoi(line);
  }
  ~FakeLlmServer() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  FakeLlmServer(const FakeLlmServer&) = delete;
  FakeLlmServer& operator=(const FakeLlmServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string openai_url() const { return url() + "/v1"; }

  // Replaces the rules; zeroes the counters.
  void set_rules(const nlohmann::json& rules) {
    call("/_rules", rules.dump());
    call("/_reset", "{}");
  }
  nlohmann::json stats() const { return call("/_stats", ""); }
  int64_t requests() const { return stats()["requests"].get<int64_t>(); }
  // CPU seconds (user + system) the server process has used so far, from /proc.
  double cpu_seconds() const {
    FILE* f = std::fopen(("/proc/" + std::to_string(pid_) + "/stat").c_str(), "r");
    if (!f) return -1;
    char buf[1024] = {0};
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    std::string stat(buf, n);
    auto close = stat.rfind(')');  // fields after the command name; utime and stime are 14 and 15
    unsigned long utime = 0, stime = 0;
    std::sscanf(stat.c_str() + close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime);
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  // The last provider requests: [{"path", "headers", "body"}].
  nlohmann::json recent_requests() const { return call("/_requests", "")["requests"]; }

 private:
  static size_t append(char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
  }
  // GET `path` (POST `body` when not empty) on the server; the JSON answer.
  nlohmann::json call(const std::string& path, const std::string& body) const {
    CURL* curl = curl_easy_init();
    std::string out, target = url() + path;
    curl_easy_setopt(curl, CURLOPT_URL, target.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
    if (!body.empty()) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) throw std::runtime_error("fake LLM server control call failed: " + path);
    return nlohmann::json::parse(out);
  }

  pid_t pid_ = 0;
  int port_ = 0;
};

}  // namespace shoal::test
