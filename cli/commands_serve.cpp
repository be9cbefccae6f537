// shoal serve: the reviewer web UI (web/serve.hpp).
#include <cstdlib>
#include <iostream>

#include "cli/command.hpp"
#include "core/file.hpp"
#include "core/scratch_dir.hpp"
#include "paper/sandbox_files.hpp"
#include "web/serve.hpp"

namespace shoal::cli {
namespace {

// A PDF's first page as a PNG of about 400 pixels' width, rendered by pdftoppm in the sandbox
// (a paper's PDF came from a model's LaTeX: nothing reads it outside the sandbox).
Expected<std::string> render_first_page(const Context& ctx, const std::string& pdf) {
  if (pdf.rfind("%PDF", 0) != 0) return fail(ErrorKind::invalid_input, "the stored file is not a PDF (no %PDF header)");
  SHOAL_TRY(executor, ctx.session().executor("local"));
  SHOAL_TRY(scratch, ScratchDir::create("shoal-preview"));
  std::filesystem::path dir = scratch->path() / "pdf";
  SHOAL_CHECK(paper::make_work_dir(dir));
  SHOAL_CHECK(write_file_atomic(dir / "paper.pdf", pdf));
  std::filesystem::permissions(dir / "paper.pdf", std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  experiments::JobSpec job;
  job.argv = {"pdftoppm", "-png", "-scale-to-x", "400", "-scale-to-y", "-1", "-f", "1", "-l", "1", "-singlefile",
              "paper.pdf", "preview"};
  job.workdir = dir;
  job.limits.wall_s = 60;
  job.limits.max_procs = 8;
  job.limits.max_disk_bytes = 64LL << 20;
  experiments::CancelToken never;
  SHOAL_TRY(result, executor->run(job, never));
  if (!result.succeeded())
    return fail(ErrorKind::invalid_input, "pdftoppm could not render the PDF's first page (exit code " +
                                              std::to_string(result.exit_code) + (result.limit_hit.empty() ? "" : ", limit hit: " + result.limit_hit) +
                                              "): " + result.stderr_tail.substr(0, 300));
  return paper::read_sandbox_file(dir / "preview.png", 16LL << 20);
}

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
  options.render_first_page = [&ctx](const std::string& pdf) { return render_first_page(ctx, pdf); };
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
