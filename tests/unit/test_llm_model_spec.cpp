#include <doctest/doctest.h>

#include <map>

#include "llm/model_spec.hpp"
#include "core/log.hpp"

using namespace shoal;
using namespace shoal::llm;

namespace {
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}
}  // namespace

TEST_CASE("model strings name the provider, protocol, default URL and key") {
  auto env = env_of({{"OPENAI_API_KEY", "sk-spec-test-1"}, {"ANTHROPIC_API_KEY", "sk-ant-spec-2"}});
  auto o = parse_model("openai:gpt-4o", "", env).value();
  CHECK(o.backend == Backend::http);
  CHECK(o.protocol == Protocol::openai);
  CHECK(o.model == "gpt-4o");
  CHECK(o.base_url == "https://api.openai.com/v1");
  CHECK(o.api_key == "sk-spec-test-1");
  CHECK(o.id() == "openai:gpt-4o");
  CHECK(log::redact("key sk-spec-test-1 here") == "key [redacted] here");

  auto a = parse_model("anthropic:claude-sonnet-4-5", "", env).value();
  CHECK(a.protocol == Protocol::anthropic);
  CHECK(a.base_url == "https://api.anthropic.com");
  CHECK(a.key_env == "ANTHROPIC_API_KEY");

  auto l = parse_model("ollama:llama3.1", "", env_of({})).value();
  CHECK(l.protocol == Protocol::openai);
  CHECK(l.base_url == "http://localhost:11434/v1");
  CHECK(l.api_key.empty());
  CHECK(parse_model("openai:org/model:tag", "", env).value().model == "org/model:tag");
}

TEST_CASE("base URL precedence: setting, then the SDK variables, then the default") {
  auto env = env_of({{"OPENAI_API_KEY", "sk-precedence-test-key-1"}, {"OPENAI_BASE_URL", "http://env:1/v1"}, {"ANTHROPIC_API_KEY", "sk-ant-precedence-test-2"}});
  CHECK(parse_model("openai:m", "", env).value().base_url == "http://env:1/v1");
  CHECK(parse_model("openai:m", "http://flag:2/v1", env).value().base_url == "http://flag:2/v1");
  CHECK(parse_model("anthropic:m", "", env).value().base_url == "https://api.anthropic.com");
  CHECK(parse_model("openai:m", "ftp://nope", env).error().kind == ErrorKind::invalid_input);
}

TEST_CASE("replay, function, and bad model strings") {
  auto none = env_of({});
  auto r = parse_model("replay:anthropic:claude-sonnet-4-5", "", none).value();  // no key needed
  CHECK(r.backend == Backend::replay);
  CHECK(r.provider == "anthropic");
  CHECK(r.protocol == Protocol::anthropic);
  CHECK(parse_model("replay", "", none).value().provider.empty());
  auto f = parse_model("function:my_llm", "", none).value();
  CHECK(f.backend == Backend::function);
  CHECK(f.id() == "function:my_llm");

  auto offline = parse_model("offline", "", none);
  CHECK(offline.error().kind == ErrorKind::invalid_input);
  CHECK(offline.error().message.find("not an LLM") != std::string::npos);
  auto unknown = parse_model("gemini:pro", "", none);
  CHECK(unknown.error().kind == ErrorKind::invalid_input);
  CHECK(unknown.error().message.find("openai:MODEL") != std::string::npos);
  CHECK(parse_model("openai:", "", none).error().kind == ErrorKind::invalid_input);
  auto missing = parse_model("openai:gpt-4o", "", none);
  CHECK(missing.error().kind == ErrorKind::invalid_input);
  CHECK(missing.error().message.find("OPENAI_API_KEY is not set") != std::string::npos);
}
