// Artifact-insert throughput for 1 KB and 1 MB blobs, and database size per 10k artifacts.
// usage: store_bench [DIR]   (default: a temp folder). Prints one line per figure;
// the last line is the headline figure.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "store/blobs.hpp"
#include "store/info.hpp"

using namespace shoal;
namespace fs = std::filesystem;

namespace {

// Distinct pseudo-random payload so that nothing deduplicates.
std::string payload(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    uint64_t v = rng();
    for (size_t j = 0; j < 8 && i + j < size; ++j) s[i + j] = static_cast<char>(v >> (8 * j));
  }
  return s;
}

// Inserts `count` artifacts of `size` bytes, one transaction each; returns artifacts per second.
double insert_rate(store::Store& store, size_t size, int count, uint64_t seed) {
  std::vector<std::string> data;
  for (int i = 0; i < count; ++i) data.push_back(payload(size, seed + i));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i)
    add_artifact(store, {"log", "out.txt", "node", "n" + std::to_string(i)}, data[i]).value();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return count / secs;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::temp_directory_path() / "shoal-store-bench";
  fs::remove_all(dir);
  fs::create_directories(dir);

  auto small_store = store::Store::open(dir / "small.db", store::OpenMode::create).value();
  double small_rate = insert_rate(small_store, 1024, 10000, 1);
  small_store.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  auto bytes_10k = store::store_info(small_store).value().file_bytes;

  auto big_store = store::Store::open(dir / "big.db", store::OpenMode::create).value();
  double big_rate = insert_rate(big_store, 1 << 20, 200, 1000000);

  std::printf("1 KB artifacts: %.0f inserts/s (%.2f MB/s)\n", small_rate, small_rate * 1024 / 1e6);
  std::printf("1 MB artifacts: %.1f inserts/s (%.0f MB/s)\n", big_rate, big_rate * (1 << 20) / 1e6);
  std::printf("db size per 10k 1 KB artifacts: %.2f MB (payload 10.24 MB, overhead %.1f%%)\n", bytes_10k / 1e6,
              100.0 * (bytes_10k - 10240000.0) / 10240000.0);
  fs::remove_all(dir);
  return 0;
}
