#include "web/serve.hpp"

#include <csignal>
#include <thread>

#include "core/log.hpp"
#include "store/db.hpp"
#include "web/access.hpp"
#include "web/app.hpp"
#include "web/http_server.hpp"

namespace shoal::web {

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Status serve(const ServeOptions& options, std::ostream& out, std::ostream& err) {
  if (options.port < 0 || options.port > 65535)
    return fail(ErrorKind::invalid_input, "port " + std::to_string(options.port) + " is not a TCP port (0-65535)");
  {  // Opening read-write once applies pending migrations before any reader starts.
    SHOAL_TRY(store, store::Store::open(options.db_path, store::OpenMode::existing));
  }
  bool generated = options.token.empty();
  std::string token = generated ? random_hex(16) : options.token;
  log::register_secret(token);

  AppOptions app_options;
  app_options.db_path = options.db_path;
  app_options.token = token;
  app_options.requests_per_s = options.requests_per_s;
  app_options.request_burst = options.requests_per_s * 4;
  app_options.render_first_page = options.render_first_page;
  App app(app_options);

  // SIGINT/SIGTERM are blocked here, so the server threads inherit the mask and this thread
  // takes them in sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  int threads = options.threads > 0 ? options.threads
                                    : std::max(4, 2 * static_cast<int>(std::thread::hardware_concurrency()));
  std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  SHOAL_TRY(server, HttpServer::start(host, static_cast<uint16_t>(options.port), threads, ServerLimits{},
                                      [&app](const Request& r) { return app.handle(r); }));
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  out << "shoal serve: http://" << shown << ":" << server->port() << "/ (store " << options.db_path.string()
      << "; Ctrl-C stops)\n";
  out << "token: " << token << (generated ? "   (generated; pass --token or SHOAL_TOKEN to choose one)" : "")
      << "\n";
  out.flush();
  if (!is_loopback(host)) {
    err << "shoal serve: warning: listening on " << host
        << ", reachable from other machines: anyone who reaches it can read every run, paper, review and LLM "
           "transcript";
    if (generated) err << ", and no --token was given (writes need the generated token printed above)";
    err << ". Bind 127.0.0.1 (the default) unless that is intended.\n";
    err.flush();
  }

  int signal = 0;
  sigwait(&stop_signals, &signal);
  log::info("web", std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
  server->stop();
  return {};
}

}  // namespace shoal::web
