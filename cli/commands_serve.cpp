// shoal serve: the reviewer web UI (web/serve.hpp).
#include <cstdlib>
#include <iostream>

#include "cli/command.hpp"
#include "web/serve.hpp"

namespace shoal::cli {
namespace {

struct ServeArgs {
  std::string host, token;
  int port = -1;
};

int run_serve(Context& ctx, const ServeArgs& args) {
  const auto& cfg = ctx.config();
  web::ServeOptions options;
  options.db_path = ctx.db_path();
  options.host = args.host.empty() ? cfg.get("web_host") : args.host;
  options.port = args.port >= 0 ? args.port : static_cast<int>(cfg.get_int("web_port"));
  options.threads = static_cast<int>(cfg.get_int("web_threads"));
  options.requests_per_s = cfg.get_double("web_rate_limit");
  // The token is a secret like an API key: from the flag or the environment, never from a config file.
  options.token = args.token;
  if (options.token.empty())
    if (const char* env = std::getenv("SHOAL_TOKEN")) options.token = env;
  if (!options.token.empty() && options.token.size() < 8)
    throw ShoalError(fail(ErrorKind::invalid_input, "the token must have at least 8 characters"));
  web::serve(options, std::cout, std::cerr).value();
  return 0;
}

}  // namespace

void add_serve_commands(CLI::App& app, Commands& commands) {
  static ServeArgs args;
  auto* serve = app.add_subcommand("serve", "Serve the reviewer web UI: browse, read, compare and score the papers");
  serve->add_option("--host", args.host, "Address to listen on (setting web_host, default 127.0.0.1)");
  serve->add_option("--port", args.port, "Port to listen on, 0 for any free one (setting web_port, default 8080)")
      ->check(CLI::Range(0, 65535));
  serve->add_option("--token", args.token,
                    "Token that writing (human reviews) needs (env SHOAL_TOKEN; default: a random one, printed)");
  commands.add(serve, [](Context& ctx) { return run_serve(ctx, args); });
}

}  // namespace shoal::cli
