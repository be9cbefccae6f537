// shoal models: the model table (built in, with the user's llm_prices_file merged over it).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "llm/client.hpp"
#include "llm/models.hpp"
#include "cli/command.hpp"

namespace shoal::cli {
namespace {

// The accepted sampling parameters of `info`, comma-separated ("-" for none).
std::string params_of(const llm::ModelInfo& info) {
  std::string out;
  if (info.wire.temperature) out += "temperature";
  if (info.wire.top_p) out += std::string(out.empty() ? "" : ",") + "top_p";
  if (info.wire.stop) out += std::string(out.empty() ? "" : ",") + "stop";
  return out.empty() ? "-" : out;
}

// The reasoning column: effort with its values, thinking, or none.
std::string reasoning_of(const llm::ModelInfo& info) {
  std::string out(llm::to_string(info.wire.reasoning));
  if (!info.efforts.empty()) {
    out += "(";
    for (size_t i = 0; i < info.efforts.size(); ++i) out += (i ? "/" : "") + info.efforts[i];
    out += ")";
  }
  return out;
}

nlohmann::json entry_json(const llm::ModelInfo& info) {
  return {{"protocol", info.protocol == llm::Protocol::anthropic ? "anthropic" : "openai"},
          {"context", info.context},
          {"max_output", info.max_output},
          {"params", params_of(info)},
          {"token_param", info.wire.token_param},
          {"images", info.images},
          {"structured", llm::to_string(info.wire.structured)},
          {"reasoning", reasoning_of(info)},
          {"input", info.price.input},
          {"cached_input", info.price.cached_input},
          {"cache_write", info.price.cache_write},
          {"output", info.price.output}};
}

int run_models(Context& ctx, bool as_json) {
  std::filesystem::path file = llm::client_prices_file(ctx.config());
  auto table = llm::ModelTable::load(file).value();
  if (as_json) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, info] : table.entries()) out[key] = entry_json(info);
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("%-30s %-9s %8s %7s %-22s %-6s %-11s %-28s %s\n", "MODEL", "PROTOCOL", "CONTEXT", "OUTPUT", "SAMPLING",
              "IMAGES", "STRUCTURED", "REASONING", "USD/M IN,CACHED,OUT");
  for (const auto& [key, info] : table.entries()) {
    char prices[64];
    std::snprintf(prices, sizeof prices, "%g,%g,%g", info.price.input, info.price.cached_input, info.price.output);
    std::printf("%-30s %-9s %8lld %7d %-22s %-6s %-11s %-28s %s\n", key.c_str(),
                info.protocol == llm::Protocol::anthropic ? "anthropic" : "openai", static_cast<long long>(info.context),
                info.max_output, params_of(info).c_str(), info.images ? "yes" : "no",
                std::string(llm::to_string(info.wire.structured)).c_str(), reasoning_of(info).c_str(), prices);
  }
  std::printf("(0 = unknown; a model not listed works with OpenAI-protocol defaults, no output limit and no cost)\n");
  return 0;
}

}  // namespace

void add_models_command(CLI::App& app, Commands& commands) {
  auto* models = app.add_subcommand("models", "List the model table: protocol, limits, parameters, images, "
                                              "structured output, reasoning and prices of each model");
  static bool as_json = false;
  models->add_flag("--json", as_json, "Print as JSON");
  commands.add(models, [](Context& ctx) { return run_models(ctx, as_json); });
}

}  // namespace shoal::cli
