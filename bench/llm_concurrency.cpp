// 512 LLM calls at once against the fake provider server (tests/fake_llm/server.py), each
// held 1 s by the server, with the concurrency cap at 512 and every call recorded in a store.
// usage: llm_concurrency [CALLS] [--no-store]   (default 512 calls, recorded in a temp store)
// Prints the wall time, the peak requests in flight (client and server), the client's peak
// RSS, and on its last line the ratio wall / 1 s (the target is under 1.5).
#include <sys/resource.h>

#include <cstdio>
#include <atomic>
#include <future>

#include "llm/client.hpp"
#include "core/time.hpp"
#include "store/db.hpp"
#include "tests/fake_llm/fake_server.hpp"

using namespace shoal;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  int calls = 512;
  bool use_store = true;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--no-store") use_store = false;
    else calls = std::atoi(argv[i]);
  }
  fs::path dir = fs::temp_directory_path() / ("shoal-llm-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  store::Store::open(dir / "shoal.db", store::OpenMode::create).value();
  test::FakeLlmServer server(SHOAL_FAKE_LLM_SERVER);
  server.set_rules({{"rules", {{{"reply", "answer to {echo}"}, {"delay_ms", 1000}}}}});

  llm::ClientOptions o;
  o.model = "openai:gpt-4o-mini";
  o.base_url = server.openai_url();
  if (use_store) o.db_path = dir / "shoal.db";
  o.concurrency = 512;
  o.env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "OPENAI_API_KEY") return std::string("sk-test-openai");
    return std::nullopt;
  };
  auto client = llm::Client::create(o).value();

  // Completions are counted on the client's loop thread; the main thread waits for the last.
  std::atomic<int> failed{0}, done{0};
  std::atomic<double> first_done{0};
  std::promise<void> all_done;
  double server_cpu_before = server.cpu_seconds();
  Stopwatch clock;
  for (int i = 0; i < calls; ++i) {
    llm::Request r;
    r.messages = {llm::Message::user("question " + std::to_string(i))};
    r.max_tokens = 100;
    client->submit(r, {}, [&](Expected<llm::Response> result) {
      if (!result.ok() && failed++ == 0) std::fprintf(stderr, "first failure: %s\n", result.error().describe().c_str());
      if (done == 0) first_done = clock.seconds();
      if (++done == calls) all_done.set_value();
    });
  }
  double submitted = clock.seconds();
  all_done.get_future().wait();
  double wall = clock.seconds();
  auto stats = server.stats();
  double server_cpu = server.cpu_seconds() - server_cpu_before;
  int64_t client_peak = client->peak_in_flight();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  client.reset();
  fs::remove_all(dir);

  std::printf("calls: %d (%d failed), server delay 1.000 s each, concurrency cap 512, %s\n", calls, failed.load(),
              use_store ? "each recorded in the store" : "no store");
  std::printf("wall: %.3f s (all submitted after %.3f s, first answer at %.3f s)\n", wall, submitted,
              first_done.load());
  std::printf("peak in flight: client %lld, server %lld\n", static_cast<long long>(client_peak),
              static_cast<long long>(stats["max_in_flight"].get<int64_t>()));
  std::printf("client CPU: %.3f s user, %.3f s system\n", usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
              usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6);
  std::printf("fake server CPU: %.3f s; requests arrived over %.3f s\n", server_cpu,
              stats["arrival_spread_s"].get<double>());
  std::printf("client peak RSS: %.1f MB\n", usage.ru_maxrss / 1024.0);
  std::printf("ratio wall/1s: %.3f\n", wall / 1.0);
  return failed.load() == 0 ? 0 : 1;
}
