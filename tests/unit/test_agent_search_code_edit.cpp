#include <doctest/doctest.h>

#include "agent/search/code_edit.hpp"
#include "core/file.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::agent;

namespace {
const char* kBlock = "experiment.py\n```python\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n```\n";
}

TEST_CASE("a coding reply gives its edit blocks, plan, flags and notes") {
  auto r = parse_coder_reply(std::string("Change x.\n") + kBlock +
                             "```json\n{\"plan\": \"double x\", \"args\": [\"--lr\", 0.5, true], \"notes\": \"n\"}\n```\n");
  CHECK(r.problem == "");
  CHECK_FALSE(r.all_done);
  REQUIRE(r.blocks.size() == 1);
  CHECK(r.blocks[0].path == "experiment.py");
  CHECK(r.blocks[0].replace == "x = 2\n");
  CHECK(r.plan == "double x");
  CHECK(r.args == std::vector<std::string>{"--lr", "0.5", "true"});
  CHECK(r.notes == "n");
}

TEST_CASE("flags alone are a usable reply; ALL_DONE without edits ends the search") {
  auto flags = parse_coder_reply("```json\n{\"plan\": \"only a flag\", \"args\": [\"--lr\", \"0.2\"]}\n```");
  CHECK(flags.problem == "");
  CHECK(flags.blocks.empty());
  CHECK(flags.args.size() == 2);
  CHECK(parse_coder_reply("Everything needed has run.\nALL_DONE").all_done);
  CHECK_FALSE(parse_coder_reply(std::string(kBlock) + "ALL_DONE").all_done);
}

TEST_CASE("unusable replies say why, for the model") {
  CHECK(parse_coder_reply(kBlock).problem.find("\"plan\"") != std::string::npos);
  CHECK(parse_coder_reply("```json\n{\"plan\": \"p\", \"args\": \"--lr 1\"}\n```").problem.find("list") !=
        std::string::npos);
  CHECK(parse_coder_reply("```json\n{\"plan\": \"p\", \"args\": [\"--out_dir\", \"x\"]}\n```").problem.find("--out_dir") !=
        std::string::npos);
  CHECK(parse_coder_reply("```json\n{\"plan\": \"p\", \"args\": [{\"a\": 1}]}\n```").problem.find("object") !=
        std::string::npos);
  CHECK(parse_coder_reply("experiment.py\n<<<<<<< SEARCH\nx\n").problem.find("edit blocks") != std::string::npos);
}

TEST_CASE("the code listing shows each editable file that exists, and nothing else") {
  test::TempDir dir;
  experiments::Template tpl;
  tpl.manifest.editable = {"experiment.py", "plot.py", "missing.py"};
  REQUIRE(write_file_atomic(dir / "experiment.py", "x = 1\n").ok());
  REQUIRE(write_file_atomic(dir / "plot.py", "y = 2").ok());
  REQUIRE(write_file_atomic(dir / "secret.txt", "s").ok());
  auto listing = code_listing(tpl, dir.path());
  REQUIRE(listing.ok());
  CHECK(*listing == "### experiment.py\n```\nx = 1\n```\n\n### plot.py\n```\ny = 2\n```\n\n");
  tpl.manifest.editable = {"missing.py"};
  CHECK(code_listing(tpl, dir.path()).error().kind == ErrorKind::not_found);
}
