#include <doctest/doctest.h>

#include "core/hash.hpp"
#include "store/blobs.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::store;

TEST_CASE("identical content is stored once, named by many artifacts") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  std::string data = "print('hello')\n";
  auto a = add_artifact(store, {"code", "experiment.py", "node", "n1", "text/x-python"}, data).value();
  auto b = add_artifact(store, {"code", "experiment.py", "node", "n2", "text/x-python"}, data).value();
  CHECK(a.hash == sha256_hex(data));
  CHECK(a.hash == b.hash);
  CHECK(a.id != b.id);
  CHECK(store.db().execAndGet("SELECT count(*) FROM blobs").getInt() == 1);
  CHECK(store.db().execAndGet("SELECT count(*) FROM artifacts").getInt() == 2);
  CHECK(get_blob(store, a.hash).value() == data);
}

TEST_CASE("binary blobs round-trip exactly") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  std::string bytes;
  for (int i = 0; i < 70000; ++i) bytes.push_back(static_cast<char>(i * 7 % 256));
  auto a = add_artifact(store, {"pdf", "paper.pdf", "paper", "p1", "application/pdf"}, bytes).value();
  CHECK(a.size == 70000);
  CHECK(get_blob(store, a.hash).value() == bytes);
  auto meta = get_artifact(store, a.id).value();
  CHECK(meta.name == "paper.pdf");
  CHECK(meta.mime == "application/pdf");
}

TEST_CASE("artifacts are listed per owner in insertion order") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  REQUIRE(add_artifact(store, {"log", "stdout.txt", "node", "n1"}, "a").ok());
  REQUIRE(add_artifact(store, {"plot", "loss.png", "node", "n1"}, "b").ok());
  REQUIRE(add_artifact(store, {"log", "stdout.txt", "node", "n2"}, "c").ok());
  auto list = list_artifacts(store, "node", "n1").value();
  REQUIRE(list.size() == 2);
  CHECK(list[0].name == "stdout.txt");
  CHECK(list[1].name == "loss.png");
}

TEST_CASE("missing blobs and artifacts are not_found") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  CHECK(get_blob(store, "00").error().kind == ErrorKind::not_found);
  CHECK(get_artifact(store, 42).error().kind == ErrorKind::not_found);
}
