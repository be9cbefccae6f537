// What every LLM integration test needs: a fake provider server on a free loopback port, a
// fresh store, and client options pointing at both with keys the server accepts.
#pragma once

#include <map>

#include "../fake_llm/fake_server.hpp"
#include "../unit/temp_dir.hpp"
#include "llm/client.hpp"
#include "store/llm_calls.hpp"
#include "store/runs.hpp"

namespace shoal::test {

inline constexpr const char* kOpenAiKey = "sk-test-openai";
inline constexpr const char* kAnthropicKey = "sk-ant-test";

// A tiny PNG header with IHDR width and height (the fake server reads no further).
inline std::string png_bytes(uint32_t width, uint32_t height) {
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (uint32_t v : {width, height})
    for (int shift = 24; shift >= 0; shift -= 8) png += static_cast<char>((v >> shift) & 0xff);
  png += std::string("\x08\x02\0\0\0\0\0\0\0", 9);
  return png;
}

struct LlmFixture {
  TempDir dir;
  FakeLlmServer server{SHOAL_FAKE_LLM_SERVER, {"--min-cache-tokens", "100"}};
  store::Store store = store::Store::open(dir / "shoal.db", store::OpenMode::create).value();
  std::map<std::string, std::string> env = {{"OPENAI_API_KEY", kOpenAiKey}, {"ANTHROPIC_API_KEY", kAnthropicKey}};

  // Options for `model` against the fake server, with quick retries.
  llm::ClientOptions options(const std::string& model) {
    llm::ClientOptions o;
    o.model = model;
    o.base_url = model.rfind("anthropic:", 0) == 0 ? server.url() : server.openai_url();
    o.db_path = dir / "shoal.db";
    o.timeout_s = 10;
    o.retry = {.max_retries = 3, .base_delay_ms = 10, .max_delay_ms = 50, .max_retry_after_ms = 5000};
    auto vars = env;
    o.env = [vars](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    return o;
  }
  std::unique_ptr<llm::Client> client(llm::ClientOptions o) { return llm::Client::create(std::move(o)).value(); }
  std::unique_ptr<llm::Client> client(const std::string& model) { return client(options(model)); }

  std::string new_run() {
    return store::create_run(store, store::Run{.template_name = "t", .model = "m"}).value().id;
  }
  std::vector<store::LlmCall> calls(const std::string& run_id = "") {
    return store::list_llm_calls(store, run_id).value();
  }
};

inline llm::Request ask(const std::string& text, const std::string& system = "") {
  llm::Request r;
  r.system = system;
  r.messages = {llm::Message::user(text)};
  r.max_tokens = 200;
  return r;
}

}  // namespace shoal::test
