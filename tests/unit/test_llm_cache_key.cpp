#include <doctest/doctest.h>

#include "llm/cache_key.hpp"

using namespace shoal::llm;

TEST_CASE("equal requests hash equal; anything that changes the answer changes the hash") {
  Request r;
  r.system = "sys";
  r.messages = {Message::user("hello")};
  std::string base = request_hash("openai", "gpt-4o", r, 1, 0);
  CHECK(base.size() == 64);
  CHECK(request_hash("openai", "gpt-4o", r, 1, 0) == base);
  Request same = r;
  same.stable_prefix = 1;  // a caching hint, not part of the answer
  CHECK(request_hash("openai", "gpt-4o", same, 1, 0) == base);

  CHECK(request_hash("anthropic", "gpt-4o", r, 1, 0) != base);
  CHECK(request_hash("openai", "gpt-4o-mini", r, 1, 0) != base);
  CHECK(request_hash("openai", "gpt-4o", r, 2, 0) != base);
  CHECK(request_hash("openai", "gpt-4o", r, 1, 1) != base);
  auto changed = [&](auto edit) {
    Request c = r;
    edit(c);
    return request_hash("openai", "gpt-4o", c, 1, 0) != base;
  };
  CHECK(changed([](Request& c) { c.system = "sys2"; }));
  CHECK(changed([](Request& c) { c.messages[0].parts[0].text = "hello!"; }));
  CHECK(changed([](Request& c) { c.messages[0].role = "assistant"; }));
  CHECK(changed([](Request& c) { c.messages[0].parts.push_back(ContentPart::png("AAAA")); }));
  CHECK(changed([](Request& c) { c.temperature = 0.1; }));
  CHECK(changed([](Request& c) { c.max_tokens = 10; }));
  CHECK(changed([](Request& c) { c.stop = {"x"}; }));
}
