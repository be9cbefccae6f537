#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "store/db.hpp"
#include "store/info.hpp"
#include "store/runs.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::store;

TEST_CASE("opening an empty folder creates the database at the latest schema") {
  test::TempDir dir;
  auto store = Store::open(dir / "sub/shoal.db", OpenMode::create).value();
  CHECK(store.schema_version() == latest_schema_version());
  CHECK(latest_schema_version() >= 1);
  auto info = store_info(store).value();
  for (const char* table : {"runs", "ideas", "stage_executions", "nodes", "artifacts", "blobs", "llm_calls",
                            "literature_cache", "papers", "reviews", "events"}) {
    CHECK_MESSAGE(info.rows.count(table) == 1, table);
  }
  CHECK(store.db().execAndGet("PRAGMA journal_mode").getString() == "wal");
  CHECK(store.db().execAndGet("PRAGMA foreign_keys").getInt() == 1);
  CHECK(check_store(store).value().empty());
}

TEST_CASE("reopening does not migrate twice") {
  test::TempDir dir;
  { auto s = Store::open(dir / "shoal.db", OpenMode::create).value(); }
  auto s = Store::open(dir / "shoal.db", OpenMode::existing).value();
  CHECK(s.schema_version() == latest_schema_version());
}

TEST_CASE("a missing database is not_found unless created") {
  test::TempDir dir;
  auto r = Store::open(dir / "shoal.db", OpenMode::existing);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::not_found);
  CHECK(r.error().message.find("shoal init") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "shoal.db"));
}

TEST_CASE("a database from a newer schema is refused and left untouched") {
  test::TempDir dir;
  {
    SQLite::Database raw((dir / "shoal.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE future (x); PRAGMA user_version = 999");
  }
  auto size_before = std::filesystem::file_size(dir / "shoal.db");
  auto r = Store::open(dir / "shoal.db", OpenMode::existing);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::incompatible);
  CHECK(r.error().message.find("999") != std::string::npos);
  CHECK(std::filesystem::file_size(dir / "shoal.db") == size_before);
  SQLite::Database raw((dir / "shoal.db").string());
  CHECK(raw.execAndGet("PRAGMA user_version").getInt() == 999);
}

TEST_CASE("a file that is not a database is reported as corrupt, byte for byte unchanged") {
  test::TempDir dir;
  std::string junk(4096, 'x');
  std::ofstream(dir / "shoal.db", std::ios::binary) << junk;
  auto r = Store::open(dir / "shoal.db", OpenMode::existing);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::corrupt);
  std::ifstream in(dir / "shoal.db", std::ios::binary);
  std::string after((std::istreambuf_iterator<char>(in)), {});
  CHECK(after == junk);
}

TEST_CASE("a transaction rolls back when its body fails or throws") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  Status failed = store.transaction([&](SQLite::Database& db) -> Status {
    add_event(db, {0, "", "", "note", "first", "", 0});
    return fail(ErrorKind::invalid_input, "changed my mind");
  });
  CHECK_FALSE(failed.ok());
  CHECK_THROWS(store.transaction([&](SQLite::Database& db) -> Status {
    add_event(db, {0, "", "", "note", "second", "", 0});
    throw std::runtime_error("boom");
  }));
  Status constraint = store.transaction([&](SQLite::Database& db) -> Status {
    add_event(db, {0, "", "", "note", "third", "", 0});
    db.exec("INSERT INTO runs (id, template, model, status, created_ms) VALUES ('r', 't', 'm', 'bogus', 0)");
    return {};
  });
  CHECK(constraint.error().kind == ErrorKind::invalid_input);
  CHECK(store.db().execAndGet("SELECT count(*) FROM events").getInt() == 0);
}

TEST_CASE("readers see committed data while a writer writes") {
  test::TempDir dir;
  auto path = dir / "shoal.db";
  auto writer_store = Store::open(path, OpenMode::create).value();
  auto run = create_run(writer_store, Run{.template_name = "grokking", .model = "offline"}).value();

  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, read_errors{0}, went_backwards{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r)
    readers.emplace_back([&] {
      auto store = Store::open(path, OpenMode::read_only).value();
      int64_t last = 0;
      while (!done) {
        auto events = list_events(store, run.id, 0, 100000);
        if (!events.ok()) { ++read_errors; continue; }
        auto n = static_cast<int64_t>(events->size());
        if (n < last) ++went_backwards;
        last = n;
        ++reads;
      }
    });
  for (int i = 0; i < 300; ++i)
    REQUIRE(add_event(writer_store, {0, run.id, "", "progress", "step " + std::to_string(i), "", 0}).ok());
  while (reads < 30) std::this_thread::yield();
  done = true;
  for (auto& t : readers) t.join();
  CHECK(read_errors == 0);
  CHECK(went_backwards == 0);
  CHECK(list_events(writer_store, run.id).value().size() == 300);
}
