#include <doctest/doctest.h>

#include "store/nodes.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::store;

TEST_CASE("a baseline node is found by template hash only once it is done") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  auto node = add_node(store, Node{.template_hash = "h1", .kind = "baseline", .command = "python3 experiment.py",
                                   .status = "running"})
                  .value();
  CHECK(node.id.rfind("node-", 0) == 0);
  CHECK_FALSE(find_baseline(store, "h1").value().has_value());

  node.status = "done";
  node.exit_code = 0;
  node.metrics_json = R"({"a": {"means": {"x": 1}}})";
  node.stdout_tail = "ok\n";
  node.duration_s = 1.5;
  REQUIRE(finish_node(store, node).ok());
  auto found = find_baseline(store, "h1").value();
  REQUIRE(found.has_value());
  CHECK(found->id == node.id);
  CHECK(found->exit_code == 0);
  CHECK(found->metrics_json == node.metrics_json);
  CHECK(found->ended_ms.has_value());
  CHECK_FALSE(find_baseline(store, "h2").value().has_value());
}

TEST_CASE("a failed baseline is not reused") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  auto node = add_node(store, Node{.template_hash = "h", .kind = "baseline"}).value();
  node.status = "failed";
  node.exit_code = 1;
  REQUIRE(finish_node(store, node).ok());
  CHECK_FALSE(find_baseline(store, "h").value().has_value());
  CHECK(get_node(store, node.id).value().status == "failed");
  CHECK(finish_node(store, Node{.id = "node-missing"}).error().kind == ErrorKind::not_found);
}
