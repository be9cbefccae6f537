// shoal llm chat: one call to a model, to check a provider set-up (keys, base URL, prices).
#include <cstdio>
#include <iostream>

#include "llm/client.hpp"
#include "llm/image.hpp"
#include "cli/command.hpp"

namespace shoal::cli {
namespace {

struct ChatArgs {
  std::string model, base_url, system, prompt;
  std::vector<std::string> images;
  int max_tokens = 1024;
  double temperature = 0.7;
  bool no_cache = false;
};

}  // namespace

void add_models_command(CLI::App& app, Commands& commands);  // commands_models.cpp

namespace {

int run_chat(Context& ctx, const ChatArgs& args) {
  ctx.open_store(store::OpenMode::existing);  // a clear "run shoal init" before anything else
  llm::ClientOptions options = llm::client_options(ctx.config());
  if (!args.model.empty()) options.model = args.model;
  if (!args.base_url.empty()) options.base_url = args.base_url;
  auto client = llm::Client::create(options).value();

  llm::Request request;
  request.system = args.system;
  request.max_tokens = args.max_tokens;
  request.temperature = args.temperature;
  llm::Message message{"user", {llm::ContentPart::from_text(args.prompt)}};
  for (const auto& path : args.images) message.parts.push_back(llm::png_part_from_file(path).value());
  request.messages = {message};

  auto response = client->complete(request, {.stage = "chat", .fresh = args.no_cache}).value();
  std::cout << response.text() << "\n";
  if (response.truncated)
    std::cerr << "-- the reply was cut off at the token limit (" << response.finish_reason << ", --max-tokens "
              << args.max_tokens << ", model maximum " << client->model_info().max_output
              << "): it is incomplete; raise --max-tokens\n";
  char line[300];
  std::snprintf(line, sizeof line,
                "-- %s: tokens in %lld (cached %lld, cache write %lld), out %lld; cost $%.6f; %lld ms%s\n",
                client->model().id().c_str(), static_cast<long long>(response.tokens_in),
                static_cast<long long>(response.tokens_cached_read), static_cast<long long>(response.tokens_cache_write),
                static_cast<long long>(response.tokens_out), response.cost_usd,
                static_cast<long long>(response.latency_ms), response.from_cache ? "; from the response cache" : "");
  std::cerr << line;
  return 0;
}

}  // namespace

void add_llm_commands(CLI::App& app, Commands& commands) {
  auto* llm = app.add_subcommand("llm", "Talk to the configured LLM");
  llm->require_subcommand(1);
  static ChatArgs args;
  auto* chat = llm->add_subcommand("chat", "One call to a model: prints the reply, then tokens and cost on stderr");
  chat->add_option("prompt", args.prompt, "What to ask")->required();
  chat->add_option("--model", args.model,
                   "openai:MODEL, anthropic:MODEL, ollama:MODEL or replay:PROVIDER:MODEL (default: the model setting)");
  chat->add_option("--llm-base-url", args.base_url,
                   "Base URL of the provider (over llm_base_url, OPENAI_BASE_URL / ANTHROPIC_BASE_URL)");
  chat->add_option("--image", args.images, "A PNG image to send with the prompt (repeatable)");
  chat->add_option("--system", args.system, "System prompt");
  chat->add_option("--max-tokens", args.max_tokens, "Most tokens to generate")->check(CLI::PositiveNumber);
  chat->add_option("--temperature", args.temperature, "Sampling temperature")->check(CLI::Range(0.0, 2.0));
  chat->add_flag("--no-cache,--fresh", args.no_cache, "Ask the model even if the store holds this exact call's answer");
  commands.add(chat, [](Context& ctx) { return run_chat(ctx, args); });
  add_models_command(app, commands);
}

}  // namespace shoal::cli
