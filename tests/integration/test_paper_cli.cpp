// `shoal review PAPER.pdf` and `shoal paper IDEA_ID` as users run them.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>

#include "llm_fixture.hpp"
#include "paper_fixture.hpp"
#include "store/papers.hpp"
#include "store/reviews.hpp"

using namespace shoal;
using nlohmann::json;

namespace {

struct Ran {
  int code = -1;
  std::string out;  // stdout and stderr together
};

// Runs `args` with the shoal binary through the shell; exit code and output.
Ran run_shoal(const std::string& env, const std::string& args) {
  std::string cmd = env + " '" + std::string(SHOAL_BINARY) + "' " + args + " 2>&1";
  Ran r;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

json form(int overall) {
  return {{"Summary", "Fine."}, {"Strengths", {"a"}}, {"Weaknesses", {"b"}}, {"Originality", 2}, {"Quality", 2},
          {"Clarity", 3}, {"Significance", 2}, {"Questions", json::array()}, {"Limitations", json::array()},
          {"Ethical Concerns", false}, {"Soundness", 2}, {"Presentation", 3}, {"Contribution", 2},
          {"Overall", overall}, {"Confidence", 3}, {"Decision", "Reject"}};
}

}  // namespace

TEST_CASE("shoal review reviews any PDF; one without a text layer is a clear error") {
  test::LlmFixture f;
  test::open_to_sandbox(f.dir);
  f.server.set_rules({{"rules", json::array({{{"match", "TASK: reflect"}, {"reply", "I am done"}},
                                             {{"match", "TASK: meta-review"}, {"reply", "```json\n" + form(4).dump() + "\n```"}},
                                             {{"match", "reviewer 1 of"}, {"reply", "```json\n" + form(3).dump() + "\n```"}},
                                             {{"match", "reviewer 2 of"}, {"reply", "```json\n" + form(5).dump() + "\n```"}}})}});
  std::string pdf = test::quick_pdf(f.dir / "src", "\\documentclass{article}\n\\begin{document}\n\\section{Intro}\nA draft "
                                                   "about grokking.\n\\end{document}\n");
  REQUIRE_FALSE(pdf.empty());
  std::string env = "OPENAI_API_KEY=" + std::string(test::kOpenAiKey) + " OPENAI_BASE_URL=" + f.server.openai_url() +
                    " SHOAL_HOME='" + (f.dir / "nohome").string() + "'";
  auto r = run_shoal(env, "review '" + (f.dir / "src/main.pdf").string() + "' --model openai:gpt-4o --ensemble 2 --json");
  REQUIRE_MESSAGE(r.code == 0, r.out);
  auto j = json::parse(r.out.substr(r.out.find("{\n")));
  CHECK(j["model"] == "openai:gpt-4o");
  REQUIRE(j["reviews"].size() == 2);
  CHECK(j["reviews"][0]["Overall"] == 3);
  CHECK(j["reviews"][1]["Overall"] == 5);
  CHECK(j["meta"]["Overall"] == 4);
  CHECK(j["meta"]["Decision"] == "Reject");

  auto text = run_shoal(env, "review '" + (f.dir / "src/main.pdf").string() + "' --model openai:gpt-4o --ensemble 2");
  CHECK(text.code == 0);
  CHECK(text.out.find("meta-review (mean scores):") != std::string::npos);

  test::write_files(f.dir / "img", {{"plot.png", test::tiny_png()}});
  test::quick_pdf(f.dir / "img", "\\documentclass{article}\n\\usepackage{graphicx}\n\\pagestyle{empty}\n\\begin{document}\n"
                                 "\\includegraphics[width=4cm]{plot.png}\n\\end{document}\n");
  auto scanned = run_shoal(env, "review '" + (f.dir / "img/main.pdf").string() + "' --model openai:gpt-4o");
  CHECK(scanned.code == 3);
  CHECK(scanned.out.find("no text layer") != std::string::npos);
  auto missing = run_shoal(env, "review '" + (f.dir / "nothing.pdf").string() + "' --model openai:gpt-4o");
  CHECK(missing.code == 4);
  auto offline = run_shoal(env, "review '" + (f.dir / "src/main.pdf").string() + "' --model offline");
  CHECK(offline.code == 3);
  CHECK(offline.out.find("needs an LLM") != std::string::npos);
}

TEST_CASE("shoal paper rewrites an idea's paper from its stored evidence, offline, and records the checks") {
  test::TempDir dir;
  test::open_to_sandbox(dir);
  auto home = dir / "home";
  {
    auto store = store::Store::open(home / "shoal.db", store::OpenMode::create).value();
    auto f = test::make_idea(store, "grokking", "offline", "Weight decay sweep", {{" --weight_decay 0.3", 0.7}});
    auto r = run_shoal("", "paper " + f.idea_id + " --home '" + home.string() + "' --out '" + (dir / "out.pdf").string() + "'");
    REQUIRE_MESSAGE(r.code == 0, r.out);
    CHECK(r.out.find("0 unverified number(s)") != std::string::npos);
    CHECK(r.out.find("offline baseline agent") != std::string::npos);
    CHECK(read_file(dir / "out.pdf").value().rfind("%PDF", 0) == 0);
    auto best = store::best_paper(store, f.idea_id).value();
    REQUIRE(best.has_value());
    auto reviews = store::list_reviews(store, best->id).value();
    REQUIRE(reviews.size() == 1);
    CHECK(reviews[0].reviewer == "offline-checks");
    auto again = run_shoal("", "paper " + f.idea_id + " --home '" + home.string() + "' --no-review --json");
    REQUIRE_MESSAGE(again.code == 0, again.out);
    CHECK(json::parse(again.out.substr(again.out.find("{\n")))["attempt"] == 2);
  }
  auto unknown = run_shoal("", "paper idea-nope --home '" + home.string() + "'");
  CHECK(unknown.code == 4);
}
