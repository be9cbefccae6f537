// Latency of the reviewer web API under load: a store with 10,000 papers and 50,000 reviews
// (4 AI reviews and a meta-review each, first-page images, generated through the store API),
// the server in-process, 32 concurrent keep-alive clients. For each of the paper list (sorted
// by score, one page of 25 at a random offset), a paper page, a search and an evolve run's view
// (1,000 programs: genealogy, fitness per generation, archive, the best program's diff) it
// prints p50 and p99 latency and the throughput; the last line is the worst p99 (target: under 25 ms).
//
// usage: web_latency [--papers N] [--clients N] [--requests N (per client and kind)] [--threads N] [--dir DIR]
//                    [--no-cache]   (the store is generated once per size in DIR and reused)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "../tests/web/http_client.hpp"
#include "core/time.hpp"
#include "store/blobs.hpp"
#include "store/ideas.hpp"
#include "store/nodes.hpp"
#include "store/papers.hpp"
#include "store/reviews.hpp"
#include "store/runs.hpp"
#include "web/app.hpp"
#include "web/http_server.hpp"

using namespace shoal;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Words of titles (and searches); abstracts also draw from many rarer made-up terms.
const char* kWords[] = {
    "grokking", "weight", "decay", "warmup", "diffusion", "transformer", "attention", "sparse", "dense", "schedule",
    "learning", "rate", "batch", "size", "noise", "curriculum", "modular", "arithmetic", "generalisation", "memorisation",
    "regularisation", "dropout", "momentum", "adam", "optimiser", "gradient", "clipping", "normalisation", "layer",
    "residual", "embedding", "tokeniser", "character", "language", "model", "sampling", "temperature", "entropy",
    "loss", "landscape", "sharpness", "flatness", "scaling", "law", "compute", "budget", "depth", "width", "capacity",
    "initialisation", "variance", "bias", "ensemble", "distillation", "pruning", "quantisation", "mixture", "experts",
    "routing", "retrieval", "memory", "recurrence", "convolution", "kernel", "spectral", "fourier", "features",
    "phase", "transition", "double", "descent", "overfitting", "underfitting", "robustness", "calibration",
    "uncertainty", "bayesian", "variational", "posterior", "prior", "denoising", "score", "matching", "flow",
    "energy", "contrastive", "augmentation", "synthetic", "data", "pretraining", "finetuning", "adapter", "lowrank",
    "efficiency", "throughput", "latency", "stability", "divergence", "collapse", "plasticity", "continual"};
constexpr int kWordCount = sizeof kWords / sizeof kWords[0];

struct Options {
  int papers = 10000;
  int clients = 32;
  int requests = 300;  // per client and kind
  int threads = 0;     // 0: as `shoal serve` picks
  fs::path dir = fs::temp_directory_path() / "shoal-web-latency";
  bool cache = true;   // --no-cache: every answer computed afresh
};

std::string words(std::mt19937& rng, int n, bool rare) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    int pick = static_cast<int>(rng() % (rare ? kWordCount * 30 : kWordCount));
    std::string w = kWords[pick % kWordCount];
    if (pick >= kWordCount) w = "t" + std::to_string(pick / kWordCount) + w;  // a rarer term (no shared prefix)
    out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

double score(std::mt19937& rng, double lo, double hi) { return lo + (hi - lo) * (rng() % 1000) / 999.0; }

// Fills the store through the store API; returns the paper ids.
std::vector<std::string> generate(store::Store& store, int papers) {
  std::mt19937 rng(42);
  std::vector<std::string> ids;
  std::string png(2048, '\0');  // one shared first-page image blob (deduplicated like real ones would not be)
  std::string run;
  for (int i = 0; i < papers; ++i) {
    if (i % 500 == 0)
      run = store::create_run(store, {.id = "run-bench-" + std::to_string(i / 500), .template_name = "grokking",
                                      .model = "openai:gpt-4o-mini", .status = "done"})
                .value()
                .id;
    std::string n = std::to_string(i);  // ids of our own: new_id() is unique in practice, these by construction
    auto idea = store::add_idea(store, {.id = "idea-bench-" + n, .run_id = run, .name = "idea" + n,
                                        .title = words(rng, 6, false),
                                        .interestingness = score(rng, 1, 10), .feasibility = score(rng, 1, 10),
                                        .novelty = score(rng, 1, 10)})
                    .value();
    auto paper = store::add_paper(store, {.id = "paper-bench-" + n, .idea_id = idea.id, .status = "compiled",
                                          .title = words(rng, 7, false),
                                          .abstract = words(rng, 110, true), .pages = 4})
                     .value();
    store::add_artifact(store, {"page_image", "page-1.png", "paper", paper.id, "image/png"}, png).value();
    double base = score(rng, 2, 8);
    for (int r = 0; r < 5; ++r) {
      bool meta = r == 4;
      double overall = std::clamp(base + score(rng, -1.5, 1.5), 1.0, 10.0);
      store::add_review(store, {.paper_id = paper.id, .reviewer_kind = meta ? "meta" : "ai",
                                .reviewer = "openai:gpt-4o-mini", .overall = std::round(overall),
                                .decision = overall >= 6 ? "accept" : "reject", .originality = score(rng, 1, 4),
                                .quality = score(rng, 1, 4), .clarity = score(rng, 1, 4),
                                .significance = score(rng, 1, 4), .soundness = score(rng, 1, 4),
                                .presentation = score(rng, 1, 4), .contribution = score(rng, 1, 4),
                                .confidence = score(rng, 1, 5), .text = words(rng, 80, true)})
          .value();
    }
    ids.push_back(paper.id);
    if ((i + 1) % 2000 == 0) std::fprintf(stderr, "  generated %d papers\n", i + 1);
  }
  return ids;
}

// An evolve run of `programs` programs (the scale bench/scale targets) over 20 generations on 4
// islands, each program a node with its code and search facts; added to a store that lacks it.
// Returns the idea's id.
std::string ensure_evolve(store::Store& store, int programs) {
  const std::string idea_id = "idea-bench-evolve";
  if (store::get_idea(store, idea_id).ok()) return idea_id;
  std::mt19937 rng(7);
  auto run = store::create_run(store, {.id = "run-bench-evolve", .template_name = "circle_packing",
                                       .template_hash = "tpl-bench-evolve", .model = "openai:gpt-4o-mini",
                                       .status = "done"})
                 .value();
  auto code = [&](int i) {
    std::string text;
    for (int line = 0; line < 120; ++line)
      text += "x" + std::to_string(line) + " = " + std::to_string(line % 17 == i % 17 ? i : line) + "\n";
    return nlohmann::json{{"construct.py", text}}.dump();
  };
  auto put = [&](const std::string& data) {
    return store.transaction([&](SQLite::Database& db) -> Expected<std::string> { return store::put_blob(db, data); })
        .value();
  };
  auto base = store::add_node(store, {.template_hash = "tpl-bench-evolve", .kind = "baseline", .code_hash = put(code(0)),
                                      .status = "done"})
                  .value();
  base.metric = 1.0;
  store::finish_node(store, base).value();
  store::add_idea(store, {.id = idea_id, .run_id = run.id, .name = "evolve", .title = "evolve"}).value();
  std::vector<std::string> ids;
  const int generations = 20, islands = 4;
  for (int i = 0; i < programs; ++i) {
    int generation = i == 0 ? 0 : 1 + (i - 1) * generations / std::max(1, programs - 1);
    nlohmann::json parents = nlohmann::json::array();
    if (i > 0) parents.push_back(ids[rng() % ids.size()]);
    bool crossover = i > 1 && rng() % 5 == 0, rejected = i > 1 && rng() % 10 == 0;
    if (crossover) parents.push_back(ids[rng() % ids.size()]);
    double metric = 1.0 + generation * 0.07 + score(rng, -0.2, 0.2);
    nlohmann::json search = {{"strategy", "evolve"}, {"generation", generation}, {"island", i % islands},
                             {"operator", i == 0 ? "baseline" : crossover ? "crossover" : "mutate"},
                             {"parents", parents}, {"model", "gpt-4o-mini"}, {"cost_usd", 0.004},
                             {"descriptors", {{"duration_s", score(rng, 1, 10)}}},
                             {"cell", rejected ? nlohmann::json(nullptr) : nlohmann::json::array({rng() % 8, rng() % 8})}};
    if (rejected) search["rejected"] = {{"similar_to", parents[0]}, {"similarity", 0.97}};
    auto node = store::add_node(store, {.idea_id = idea_id, .template_hash = "tpl-bench-evolve",
                                        .parent_id = parents.empty() ? "" : parents[0].get<std::string>(),
                                        .kind = "evolve", .code_hash = put(code(i)),
                                        .status = rejected ? "rejected" : "done", .search_json = search.dump()})
                    .value();
    if (!rejected) {
      node.metric = metric;
      store::finish_node(store, node).value();
      ids.push_back(node.id);
    }
  }
  return idea_id;
}

struct Result {
  double p50_ms = 0, p99_ms = 0, per_s = 0;
  int errors = 0;
};

// `clients` threads, each on its own connection, each sending `requests` targets from `next`.
template <class Next>
Result measure(uint16_t port, int clients, int requests, Next next) {
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      std::mt19937 rng(1000 + c);
      test::HttpClient client("127.0.0.1", port);
      for (int i = 0; i < requests; ++i) {
        std::string target = next(rng);
        auto t0 = Clock::now();
        auto reply = client.get(target);
        latencies[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (!reply.ok() || reply->status != 200) ++errors;
      }
    });
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Result r;
  r.p50_ms = all[all.size() / 2];
  r.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  r.per_s = all.size() / seconds;
  r.errors = errors;
  return r;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--no-cache") {
      o.cache = false;
      continue;
    }
    if (i + 1 >= argc) break;
    if (flag == "--papers") o.papers = std::atoi(argv[i + 1]);
    else if (flag == "--clients") o.clients = std::atoi(argv[i + 1]);
    else if (flag == "--requests") o.requests = std::atoi(argv[i + 1]);
    else if (flag == "--threads") o.threads = std::atoi(argv[i + 1]);
    else if (flag == "--dir") o.dir = argv[i + 1];
    ++i;
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  fs::path db = o.dir / ("papers-" + std::to_string(o.papers) + ".db");
  std::vector<std::string> ids;
  {
    if (!fs::exists(db)) {
      // Generated under another name and renamed when complete, so an interrupted generation
      // is never taken for a finished store.
      fs::path partial = db.string() + ".partial";
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(partial.string() + suffix);
      std::fprintf(stderr, "generating %d papers with 5 reviews each in %s\n", o.papers, db.c_str());
      Stopwatch watch;
      {
        auto fresh = store::Store::open(partial, store::OpenMode::create).value();
        ids = generate(fresh, o.papers);
      }
      fs::rename(partial, db);
      std::fprintf(stderr, "  took %.1f s\n", watch.seconds());
    }
    auto store = store::Store::open(db, store::OpenMode::existing).value();
    ensure_evolve(store, 1000);
    if (ids.empty()) {
      auto runs = store::list_runs(store).value();
      for (const auto& run : runs) {
        auto papers = store::run_papers(store, run.id).value();
        for (const auto& p : papers) ids.push_back(p.id);  // the evolve run has none
      }
    }
  }
  web::AppOptions app_options;
  app_options.db_path = db;
  app_options.token = "bench-token-0123";
  app_options.requests_per_s = 0;  // every client is 127.0.0.1 here
  if (!o.cache) app_options.cache_bytes = 0;
  web::App app(app_options);
  int threads = o.threads > 0 ? o.threads : std::max(4, 2 * static_cast<int>(std::thread::hardware_concurrency()));
  auto server = web::HttpServer::start("127.0.0.1", 0, threads, {}, [&](const web::Request& r) { return app.handle(r); })
                    .value();
  const int pages = std::max(1, static_cast<int>(ids.size()) / 25);
  auto list = [&](std::mt19937& rng) {
    return "/api/v1/papers?sort=score&order=desc&per_page=25&page=" + std::to_string(1 + rng() % pages);
  };
  auto paper = [&](std::mt19937& rng) { return "/api/v1/papers/" + ids[rng() % ids.size()]; };
  auto search = [&](std::mt19937& rng) {
    return std::string("/api/v1/papers?sort=score&per_page=25&q=") + kWords[rng() % kWordCount];
  };
  auto evolve = [&](std::mt19937&) { return std::string("/api/v1/ideas/idea-bench-evolve/evolve"); };
  measure(server->port(), o.clients, 20, list);  // warm the page cache and the connection pool

  std::printf("store: %zu papers, %d reviews; %d clients, %d requests each per kind, %d server threads, cache %s\n",
              ids.size(), 5 * static_cast<int>(ids.size()), o.clients, o.requests, threads, o.cache ? "on" : "off");
  double worst = 0;
  int errors = 0;
  for (auto& [name, next] : std::vector<std::pair<const char*, std::function<std::string(std::mt19937&)>>>{
           {"paper list (sorted by score, 25 per page, random page)", list},
           {"paper page (paper, scores, reviews, artifacts, calls)", paper},
           {"search (one title word, sorted by score, 25 per page)", search},
           {"evolve run (1,000 programs, the best program's diff)", evolve}}) {
    auto r = measure(server->port(), o.clients, o.requests, next);
    std::printf("%-58s p50 %6.2f ms  p99 %6.2f ms  %7.0f req/s  errors %d\n", name, r.p50_ms, r.p99_ms, r.per_s,
                r.errors);
    worst = std::max(worst, r.p99_ms);
    errors += r.errors;
  }
  server->stop();
  std::printf("web_latency: worst p99 %.2f ms (target < 25 ms), %d errors\n", worst, errors);
  return errors ? 1 : 0;
}
