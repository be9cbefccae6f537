#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/file.hpp"
#include "temp_dir.hpp"
#include "tools/edit_blocks.hpp"

using namespace shoal;
using namespace shoal::tools;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) { return read_file(p).value(); }
void write(const fs::path& p, const std::string& text) { REQUIRE(write_file_atomic(p, text).ok()); }

}  // namespace

TEST_CASE("blocks are parsed with their path, fenced or not, several per reply") {
  std::string reply =
      "I will change the learning rate.\n\n"
      "experiment.py\n"
      "```python\n"
      "<<<<<<< SEARCH\n"
      "lr = 1e-3\n"
      "=======\n"
      "lr = 3e-4\n"
      ">>>>>>> REPLACE\n"
      "```\n\n"
      "```\n"
      "`plot.py`\n"
      "<<<<<<< SEARCH\r\n"
      "=======\r\n"
      "import matplotlib\r\n"
      ">>>>>>> REPLACE\n"
      "<<<<<<< SEARCH\n"
      "a\n"
      "\n"
      "=======\n"
      ">>>>>>> REPLACE\n"
      "```\n";
  auto blocks = parse_edit_blocks(reply).value();
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[0].path == "experiment.py");
  CHECK(blocks[0].search == "lr = 1e-3\n");
  CHECK(blocks[0].replace == "lr = 3e-4\n");
  CHECK(blocks[1].path == "plot.py");
  CHECK(blocks[1].search.empty());
  CHECK(blocks[1].replace == "import matplotlib\n");
  // A block right after another in the same fence keeps that block's path.
  CHECK(blocks[2].path == "plot.py");
  CHECK(blocks[2].search == "a\n\n");
  CHECK(blocks[2].replace.empty());
  CHECK(parse_edit_blocks("no blocks in this reply\n=======\n").value().empty());
}

TEST_CASE("malformed blocks are invalid_input naming the line") {
  auto no_divider = parse_edit_blocks("a.py\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n");
  REQUIRE_FALSE(no_divider.ok());
  CHECK(no_divider.error().kind == ErrorKind::invalid_input);
  CHECK(no_divider.error().message.find("line 4:") != std::string::npos);
  CHECK(no_divider.error().message.find("=======") != std::string::npos);

  auto no_end = parse_edit_blocks("a.py\n<<<<<<< SEARCH\nx\n=======\ny\n");
  REQUIRE_FALSE(no_end.ok());
  CHECK(no_end.error().message.find("line 2:") != std::string::npos);
  CHECK(no_end.error().message.find(">>>>>>> REPLACE") != std::string::npos);

  auto stray = parse_edit_blocks("text\n>>>>>>> REPLACE\n");
  REQUIRE_FALSE(stray.ok());
  CHECK(stray.error().message.find("line 2:") != std::string::npos);

  auto no_path = parse_edit_blocks("<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n");
  REQUIRE_FALSE(no_path.ok());
  CHECK(no_path.error().message.find("line 1:") != std::string::npos);
  CHECK(no_path.error().message.find("path") != std::string::npos);

  auto sentence = parse_edit_blocks("Here is the change to a.py:\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n");
  REQUIRE_FALSE(sentence.ok());
  CHECK(sentence.error().message.find("line 1:") != std::string::npos);
}

TEST_CASE("a block replaces its SEARCH text; an empty SEARCH creates a missing file") {
  test::TempDir dir;
  write(dir / "experiment.py", "import torch\nlr = 1e-3\nsteps = 100\n");
  ::chmod((dir / "experiment.py").c_str(), 0755);
  std::vector<EditBlock> blocks = {{"experiment.py", "lr = 1e-3\n", "lr = 3e-4\nwd = 0.1\n"},
                                   {"./models/new_model.py", "", "class Net: pass\n"}};
  auto outcome = apply_edit_blocks(dir.path(), blocks, {"experiment.py", "models/new_model.py"});
  CHECK(outcome.failures.empty());
  CHECK(outcome.changed_files == std::vector<std::string>{"experiment.py", "models/new_model.py"});
  CHECK(read(dir / "experiment.py") == "import torch\nlr = 3e-4\nwd = 0.1\nsteps = 100\n");
  CHECK(read(dir / "models" / "new_model.py") == "class Net: pass\n");
  struct stat st {};
  REQUIRE(::stat((dir / "experiment.py").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0755);  // the file keeps its mode
  // No temporary files are left behind.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  CHECK(entries == 2);
}

TEST_CASE("failures say what went wrong; the blocks that apply are applied") {
  test::TempDir dir;
  write(dir / "experiment.py",
        "def train(model):\n    for step in range(100):\n        loss = model.step()\n    return loss\n\n"
        "x = 1\nx = 1\n");
  std::vector<EditBlock> blocks = {
      {"experiment.py", "    for step in range(1000):\n        loss = model.step()\n", "unused\n"},
      {"experiment.py", "x = 1\n", "x = 2\n"},
      {"experiment.py", "    return loss\n", "    return float(loss)\n"},
      {"experiment.py", "", "print('overwrite')\n"},
      {"missing.py", "a\n", "b\n"},
  };
  auto outcome = apply_edit_blocks(dir.path(), blocks, {"experiment.py", "missing.py"});
  REQUIRE(outcome.failures.size() == 4);
  CHECK(outcome.failures[0].find("block 1 (experiment.py): SEARCH text not found") == 0);
  CHECK(outcome.failures[0].find("2|     for step in range(100):") != std::string::npos);  // the closest lines, numbered
  CHECK(outcome.failures[0].find("3|         loss = model.step()") != std::string::npos);
  CHECK(outcome.failures[1].find("block 2") == 0);
  CHECK(outcome.failures[1].find("matches 2 places") != std::string::npos);
  CHECK(outcome.failures[2].find("block 4") == 0);
  CHECK(outcome.failures[2].find("already exists") != std::string::npos);
  CHECK(outcome.failures[3].find("missing.py does not exist") != std::string::npos);
  CHECK(outcome.changed_files == std::vector<std::string>{"experiment.py"});
  CHECK(read(dir / "experiment.py").find("    return float(loss)\n") != std::string::npos);
  CHECK(read(dir / "experiment.py").find("x = 1\nx = 1\n") != std::string::npos);
}

TEST_CASE("when the exact text is not found, trailing spaces and indentation differences are tolerated") {
  test::TempDir dir;
  write(dir / "a.py", "class A:\n    def f(self):\n        return 1   \n\n    def g(self):\n        return 2\n");
  // The model dropped the class indentation and the trailing spaces, and added blank lines around.
  std::vector<EditBlock> blocks = {
      {"a.py", "\ndef f(self):\n    return 1\n\n", "\ndef f(self):\n    if self:\n        return 10\n    return 1\n\n"}};
  auto outcome = apply_edit_blocks(dir.path(), blocks, {"a.py"});
  CHECK(outcome.failures.empty());
  CHECK(read(dir / "a.py") ==
        "class A:\n    def f(self):\n        if self:\n            return 10\n        return 1\n\n"
        "    def g(self):\n        return 2\n");
  // Over-indented SEARCH text against a shallower file.
  write(dir / "b.py", "x = 1\ny = 2\n");
  outcome = apply_edit_blocks(dir.path(), {{"b.py", "    y = 2\n", "    y = 3\n    z = 4\n"}}, {"b.py"});
  CHECK(outcome.failures.empty());
  CHECK(read(dir / "b.py") == "x = 1\ny = 3\nz = 4\n");
  // A file without a final newline keeps it that way.
  write(dir / "c.py", "a = 1\nb = 2");
  outcome = apply_edit_blocks(dir.path(), {{"c.py", "b = 2\n", "b = 3\n"}}, {"c.py"});
  CHECK(outcome.failures.empty());
  CHECK(read(dir / "c.py") == "a = 1\nb = 3");
}

TEST_CASE("hostile paths are refused: '..', absolute, symlinks, files outside the editable list") {
  test::TempDir dir, outside;
  fs::create_directory(dir / "work");
  fs::path work = dir / "work";
  write(work / "experiment.py", "lr = 1\n");
  write(outside / "secret.txt", "secret = 1\n");
  std::string passwd_before = read("/etc/passwd");

  fs::create_symlink("/etc/passwd", work / "passwd_link.py");
  fs::create_symlink(outside / "secret.txt", work / "notes.py");
  fs::create_symlink(outside.path(), work / "linked_dir");
  fs::create_symlink(outside / "planted.py", work / "dangling.py");
  std::vector<std::string> allowed = {"experiment.py", "passwd_link.py", "notes.py", "linked_dir/secret.txt",
                                      "linked_dir/new.py", "dangling.py", "../outside.py"};
  std::vector<EditBlock> blocks = {
      {"../outside.py", "", "x = 1\n"},
      {"/etc/passwd", "root:", "owned:"},
      {"passwd_link.py", "shoal-test-no-such-line\n", "owned\n"},
      {"notes.py", "secret = 1\n", "secret = 2\n"},
      {"linked_dir/secret.txt", "secret = 1\n", "secret = 3\n"},
      {"linked_dir/new.py", "", "planted = 1\n"},
      {"dangling.py", "", "planted = 1\n"},
      {"plot.py", "", "import os\n"},
      {"experiment.py", "lr = 1\n", "lr = 2\n"},
  };
  auto outcome = apply_edit_blocks(work, blocks, allowed);
  REQUIRE(outcome.failures.size() == 8);
  CHECK(outcome.failures[0].find("'..' are not allowed") != std::string::npos);
  CHECK(outcome.failures[1].find("absolute paths are not allowed") != std::string::npos);
  for (int i = 2; i <= 6; ++i) CHECK(outcome.failures[static_cast<size_t>(i)].find("symlink") != std::string::npos);
  CHECK(outcome.failures[7].find("plot.py may not be edited; the files you may edit are: ") != std::string::npos);
  CHECK(outcome.failures[7].find("experiment.py") != std::string::npos);
  // Nothing outside the work folder changed or appeared; the allowed edit went through.
  CHECK(read("/etc/passwd") == passwd_before);
  CHECK(read(outside / "secret.txt") == "secret = 1\n");
  CHECK_FALSE(fs::exists(outside / "new.py"));
  CHECK_FALSE(fs::exists(outside / "planted.py"));
  CHECK_FALSE(fs::exists(dir / "outside.py"));
  CHECK(fs::is_symlink(work / "notes.py"));
  CHECK(outcome.changed_files == std::vector<std::string>{"experiment.py"});
  CHECK(read(work / "experiment.py") == "lr = 2\n");
  // An empty list of editable files allows nothing.
  auto none = apply_edit_blocks(work, {{"experiment.py", "lr = 2\n", "lr = 3\n"}}, {});
  REQUIRE(none.failures.size() == 1);
  CHECK(none.failures[0].find("are: none") != std::string::npos);
}
