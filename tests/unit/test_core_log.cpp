#include <doctest/doctest.h>

#include "core/log.hpp"

using namespace shoal;

TEST_CASE("registered secrets are redacted") {
  log::register_secret("sk-test-1234567890");
  CHECK(log::redact("key=sk-test-1234567890 and again sk-test-1234567890") ==
        "key=[redacted] and again [redacted]");
  CHECK(log::redact("nothing secret") == "nothing secret");
}

TEST_CASE("log levels parse") {
  CHECK(log::parse_level("warn") == log::Level::warn);
  CHECK_FALSE(log::parse_level("loud").has_value());
}
