#include <doctest/doctest.h>

#include "core/time.hpp"
#include "experiments/command.hpp"

using namespace shoal;
using namespace shoal::experiments;

TEST_CASE("a command's stdout, stderr and exit code are captured") {
  auto out = run_command({"sh", "-c", "echo out; echo err >&2; exit 4"});
  REQUIRE(out.ok());
  CHECK(out->out == "out\n");
  CHECK(out->err == "err\n");
  CHECK(out->exit_code == 4);
  CHECK(out->signal == 0);
  CHECK(out->message() == "err");
}

TEST_CASE("extra environment variables reach the command and override inherited ones") {
  ::setenv("SHOAL_COMMAND_TEST", "inherited", 1);
  auto out = run_command({"sh", "-c", "echo $SHOAL_COMMAND_TEST $SHOAL_COMMAND_EXTRA"},
                         CommandOptions{.env = {{"SHOAL_COMMAND_TEST", "over"}, {"SHOAL_COMMAND_EXTRA", "x"}}});
  ::unsetenv("SHOAL_COMMAND_TEST");
  REQUIRE(out.ok());
  CHECK(out->out == "over x\n");
}

TEST_CASE("a command past its timeout is killed with its children and reported as a timeout") {
  Stopwatch sw;
  auto out = run_command({"sh", "-c", "sleep 30 & sleep 30"}, CommandOptions{.timeout_s = 0.5});
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().kind == ErrorKind::timeout);
  CHECK(sw.seconds() < 10);
}

TEST_CASE("a missing program is not_found; a signal death is reported") {
  auto missing = run_command({"shoal-no-such-program"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == ErrorKind::not_found);
  auto killed = run_command({"sh", "-c", "kill -TERM $$"});
  REQUIRE(killed.ok());
  CHECK(killed->signal == 15);
  CHECK(killed->exit_code == -1);
  CHECK(killed->message() == "killed by signal 15");
}

TEST_CASE("shell quoting survives a shell round trip") {
  std::vector<std::string> words = {"plain", "with space", "it's", "$HOME", "a\"b", ""};
  auto out = run_command({"sh", "-c", "for w in " + shell_quote_join(words) + "; do echo \"[$w]\"; done"});
  REQUIRE(out.ok());
  CHECK(out->out == "[plain]\n[with space]\n[it's]\n[$HOME]\n[a\"b]\n[]\n");
  CHECK(shell_quote("/usr/bin/x") == "/usr/bin/x");
}
