#include <doctest/doctest.h>

#include "paper/sandbox_files.hpp"
#include "paper_fixture.hpp"

using namespace shoal;
using namespace shoal::paper;

TEST_CASE("sandbox files are read only when regular, not links, and small enough") {
  test::TempDir dir;
  test::write_files(dir.path(), {{"real.txt", "data"}});
  std::filesystem::create_symlink(dir / "real.txt", dir / "link.txt");
  std::filesystem::create_directory(dir / "sub.png");
  CHECK(read_sandbox_file(dir / "real.txt").value() == "data");
  CHECK(read_sandbox_file(dir / "link.txt").error().kind == ErrorKind::invalid_input);
  CHECK(read_sandbox_file(dir / "none.txt").error().kind == ErrorKind::not_found);
  CHECK(read_sandbox_file(dir / "sub.png").error().kind == ErrorKind::invalid_input);
  CHECK(read_sandbox_file(dir / "real.txt", 2).error().kind == ErrorKind::invalid_input);
  CHECK(list_sandbox_files(dir.path()) == std::vector<std::string>{"real.txt"});
}

TEST_CASE("a work dir is made fresh and searchable by others") {
  test::TempDir dir;
  auto work = dir / "w";
  test::write_files(work, {{"stale.txt", "old"}});
  REQUIRE(make_work_dir(work).ok());
  CHECK(std::filesystem::is_empty(work));
  auto perms = std::filesystem::status(work).permissions();
  CHECK((perms & std::filesystem::perms::others_exec) != std::filesystem::perms::none);
}
