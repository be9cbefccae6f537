#include <doctest/doctest.h>

#include <algorithm>

#include "paper/claims.hpp"

using namespace shoal::paper;

namespace {

const char* kBaseline = R"({"x_plus_y": {"means": {"val_acc": 0.8125, "step_to_99_val": 4200}, "stderrs": {"val_acc": 0.0123}}})";
const char* kRun = R"({"x_plus_y": {"means": {"val_acc": 0.8734, "step_to_99_val": 2730}, "stderrs": {"val_acc": 0.0087}}})";

std::vector<double> known() { return known_numbers({kRun}, kBaseline, {"python3 experiment.py --weight_decay 0.3"}); }

std::string paper(const std::string& abstract, const std::string& results, const std::string& other = "") {
  return "\\documentclass{article}\n\\begin{document}\n\\begin{abstract}\n" + abstract +
         "\n\\end{abstract}\n\\section{Method}\n" + other + "\n\\section{Results}\n\\label{sec:results}\n" + results +
         "\n\\section{Conclusion}\nDone.\n\\bibliography{references}\n\\end{document}\n";
}

std::vector<std::string> unmatched_texts(const ClaimReport& r) {
  std::vector<std::string> out;
  for (const auto& c : r.unmatched) out.push_back(c.text);
  return out;
}

}  // namespace

TEST_CASE("correct numbers pass when rounded to the printed digits or printed as percentages") {
  auto r = check_claims(paper("Accuracy rises to 0.873 (from 0.81), i.e.\\ 87.3\\% against 81.25\\%.",
                              "We reach $0.8734 \\pm 0.0087$ and 87\\% accuracy; grokking takes 2730 steps "
                              "(about 2700) instead of 4200, a 35\\% reduction and 1.54x faster."),
                        known());
  CHECK(r.checked.size() >= 10);
  CHECK(unmatched_texts(r).empty());
}

TEST_CASE("planted wrong numbers are caught with their section and context") {
  auto r = check_claims(paper("Accuracy rises to 0.912.", "Grokking takes 2730 steps, 45.6\\% fewer than before.\n"
                                                          "Validation accuracy is 88.9\\%."),
                        known());
  auto bad = unmatched_texts(r);
  CHECK(bad == std::vector<std::string>{"0.912", "45.6\\%", "88.9\\%"});
  REQUIRE(r.unmatched.size() == 3);
  CHECK(r.unmatched[0].section == "abstract");
  CHECK(r.unmatched[1].section == "Results");
  CHECK(r.unmatched[1].percent);
  CHECK(r.unmatched[2].context.find("Validation accuracy is 88.9") != std::string::npos);
  auto stored = unmatched_json(r);
  REQUIRE(stored.size() == 3);
  CHECK(stored[0]["text"] == "0.912");
}

TEST_CASE("rounding is to the printed digits, not looser") {
  Claim c{.text = "0.87", .value = 0.87, .decimals = 2};
  CHECK(claim_matches(c, 0.8734));
  CHECK(claim_matches(c, 0.8651));
  CHECK_FALSE(claim_matches(c, 0.8849));
  Claim p{.text = "87.3\\%", .value = 87.3, .decimals = 1, .percent = true};
  CHECK(claim_matches(p, 0.8734));
  CHECK_FALSE(claim_matches(p, 0.8781));
  Claim big{.text = "1200", .value = 1200, .decimals = -2};
  CHECK(claim_matches(big, 1234));
  CHECK_FALSE(claim_matches(big, 1290));
}

TEST_CASE("years, references, widths, citations, labels, comments and small counts are not claims") {
  std::string results =
      "As shown in Figure~3 and Section 4.2 (see Table~\\ref{tab:results} and Eq.~(7)), following "
      "\\citet{power2022grokking} from 2022, with 3 seeds and 5 runs.\n"
      "\\begin{figure}[t]\\centering\\includegraphics[width=0.7\\linewidth,trim=10 20 30 40]{val_acc_x_plus_y.png}"
      "\\caption{Accuracy.}\\label{fig:acc2}\\end{figure}\n"
      "\\vspace{-2mm} % a comment with 99.9 in it\n"
      "Models such as GPT-2 and ResNet-50 on CIFAR-10 in fp16 with $x_{12}$ are not claims; neither is 3D.\n"
      "\\begin{tabular}{lcc}\\toprule A & B\\\\[2pt]\\cmidrule(lr){2-3} \\multicolumn{2}{c}{0.8734} \\\\\\bottomrule\\end{tabular}";
  auto r = check_claims(paper("", results), known());
  CHECK(unmatched_texts(r).empty());
  REQUIRE(r.checked.size() == 1);  // only the table cell
  CHECK(r.checked[0].value == doctest::Approx(0.8734));
}

TEST_CASE("only the abstract, results, discussion and conclusion are checked") {
  auto r = check_claims(paper("", "", "The learning rate is 0.0123456."), known());
  CHECK(r.checked.empty());
  auto with_discussion = check_claims(
      "\\begin{document}\\section{Discussion and Conclusions}\nWe saw 77.7\\% accuracy.\n\\end{document}", known());
  CHECK(unmatched_texts(with_discussion) == std::vector<std::string>{"77.7\\%"});
}

TEST_CASE("scientific notation and thousands separators are read as one number") {
  auto claims = extract_claims(paper("We use $3 \\times 10^{-4}$ and 2e-3 over 12,345 and 4{,}200 steps.", ""));
  REQUIRE(claims.size() == 4);
  CHECK(claims[0].value == doctest::Approx(3e-4));
  CHECK(claims[0].text.find("10^{-4}") != std::string::npos);
  CHECK(claims[1].value == doctest::Approx(2e-3));
  CHECK(claims[2].value == 12345);
  CHECK(claims[3].value == 4200);
  CHECK(claim_matches(claims[0], 0.0003));
  CHECK_FALSE(claim_matches(claims[0], 0.0004));
}

TEST_CASE("known numbers include comparisons with the baseline and numbers of the settings") {
  auto k = known();
  auto has = [&](double v) { return std::any_of(k.begin(), k.end(), [&](double x) { return std::abs(x - v) < 1e-6; }); };
  CHECK(has(0.8734));
  CHECK(has(0.0087));
  CHECK(has(4200));
  CHECK(has(0.3));                                // from the command line
  CHECK(has(4200.0 / 2730.0));                    // speed-up
  CHECK(has((2730.0 - 4200.0) / 4200.0 * 100));   // relative change in percent
  CHECK(has(0.8734 - 0.8125));                    // difference
  CHECK_FALSE(has(0.0087 - 0.0123));              // standard errors are not compared
}

TEST_CASE("a large array in final_info does not make random numbers 'verified'") {
  // An ODE solution of 100x4 values between 0 and 1, plus two scalar metrics.
  nlohmann::json rows = nlohmann::json::array();
  for (int t = 0; t < 100; ++t)
    rows.push_back({1.0 - t * 0.0097, 0.3 * t / 99.0 * (1 - t / 99.0), t * 0.0031, t * 0.0077});
  nlohmann::json run = {{"seir", {{"means", {{"infected_peak", 0.0742}, {"final_size", 0.7623}}}, {"solution", rows}}}};
  nlohmann::json base = {{"seir", {{"means", {{"infected_peak", 0.1031}, {"final_size", 0.8712}}}, {"solution", rows}}}};
  auto known = known_numbers({run.dump()}, base.dump());
  CHECK(known.size() < 60);  // scalars, their comparisons, and three numbers per array
  // The true numbers still pass; a fabricated percentage is caught.
  auto r = check_claims(paper("The peak falls to 7.42\\%.", "The final size is 0.762, and the peak drops by 44.2\\%."),
                        known);
  CHECK(unmatched_texts(r) == std::vector<std::string>{"44.2\\%"});
  // Of 200 random one-decimal percentages, few match by chance (every value of the array
  // would make most of them match).
  int matched = 0;
  for (int i = 0; i < 200; ++i) {
    Claim c{.value = 0.5 * i + 0.3, .decimals = 1, .percent = true};
    if (std::any_of(known.begin(), known.end(), [&](double k) { return claim_matches(c, k); })) ++matched;
  }
  CHECK(matched < 20);
}
