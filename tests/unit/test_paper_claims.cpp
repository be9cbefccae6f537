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

TEST_CASE("the abstract, method, setup, results, discussion and conclusion are checked, not the introduction") {
  auto r = check_claims(paper("", "", "The learning rate is 0.0123456."), known());
  CHECK(unmatched_texts(r) == std::vector<std::string>{"0.0123456"});
  auto intro = check_claims("\\begin{document}\\section{Introduction}\nPrior work reports 77.7\\%.\n\\end{document}", known());
  CHECK(intro.checked.empty());
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

namespace {

// Two settings and the baseline on two conditions, and a task description.
ResultSet grokking_results() {
  ResultSet r;
  r.baseline = RunNumbers{"baseline",
                          R"({"x_plus_y": {"means": {"val_acc": 0.8125, "step_to_99_val": 4200}, "stderrs": {"val_acc": 0.0123}},
                              "x_minus_y": {"means": {"val_acc": 0.7710, "step_to_99_val": 5100}}})",
                          "python3 experiment.py --out_dir run_0"};
  r.runs.push_back({"weight_decay = 0.3",
                    R"({"x_plus_y": {"means": {"val_acc": 0.8734, "step_to_99_val": 2730}, "stderrs": {"val_acc": 0.0087}},
                        "x_minus_y": {"means": {"val_acc": 0.9050, "step_to_99_val": 3300}}})",
                    "python3 experiment.py --weight_decay 0.3 --out_dir run_1"});
  r.runs.push_back({"weight_decay = 2.0",
                    R"({"x_plus_y": {"means": {"val_acc": 0.6420, "step_to_99_val": 6000}},
                        "x_minus_y": {"means": {"val_acc": 0.5530, "step_to_99_val": 7000}}})",
                    "python3 experiment.py --weight_decay 2.0 --out_dir run_2"});
  r.metric_names = {"val_acc", "step_to_99_val"};
  r.setup_texts = {"Train a transformer on modular arithmetic modulo 97 for 7500 steps with batch size 512."};
  return r;
}

ClaimReport check_labelled(const std::string& abstract, const std::string& results, const std::string& method = "") {
  return check_claims(paper(abstract, results, method), known_values(grokking_results()));
}

}  // namespace

TEST_CASE("known values carry their run, condition, metric and statistic") {
  auto k = known_values(grokking_results());
  auto find = [&](double v, KnownValue::Origin origin) {
    return std::find_if(k.begin(), k.end(), [&](const KnownValue& x) {
      return std::abs(x.value - v) < 1e-9 && x.origin == origin;
    });
  };
  auto mean = find(0.9050, KnownValue::Origin::result);
  REQUIRE(mean != k.end());
  CHECK(mean->run == "weight_decay = 0.3");
  CHECK(mean->condition == "x_minus_y");
  CHECK(mean->metric == "val_acc");
  CHECK(mean->statistic == "mean");
  CHECK(mean->describe() == "val_acc mean of weight_decay = 0.3 on x_minus_y");
  auto se = find(0.0123, KnownValue::Origin::result);
  REQUIRE(se != k.end());
  CHECK(se->run == "baseline");
  CHECK(se->statistic == "stderr");
  auto setting = find(2.0, KnownValue::Origin::setting);
  REQUIRE(setting != k.end());
  CHECK(setting->metric == "weight_decay");
  CHECK(find(97, KnownValue::Origin::task) != k.end());
  CHECK(find(99, KnownValue::Origin::metric_name) != k.end());
  CHECK(find(3, KnownValue::Origin::setting) == k.end());  // python3 is not a number of the setup
}

TEST_CASE("a number attributed to the result it states passes") {
  auto r = check_labelled(
      "Weight decay 0.3 raises validation accuracy on x\\_plus\\_y to 87.3\\%.",
      "With weight decay 0.3, validation accuracy on x\\_plus\\_y reaches $0.8734 \\pm 0.0087$, compared with 0.8125 "
      "for the baseline. On x\\_minus\\_y it reaches 0.905. A weight decay of 2.0 slows grokking to 6000 steps on "
      "x\\_plus\\_y, while our best setting needs 2730. Steps to 99\\% validation accuracy drop by 35\\% relative to "
      "the baseline.");
  for (const auto& c : r.unmatched) FAIL_CHECK(c.text << " [" << c.problem << "] names " << c.names << "; from " << c.source);
  CHECK(r.checked.size() >= 10);
}

TEST_CASE("condition A's number stated for condition B is attributed to the wrong result") {
  // 0.873 is weight decay 0.3's accuracy, stated for weight decay 2.0.
  auto r = check_labelled("", "With weight decay 2.0, validation accuracy on x\\_plus\\_y reaches 0.873.");
  REQUIRE(r.unmatched.size() == 1);
  const auto& c = r.unmatched[0];
  CHECK(c.text == "0.873");
  CHECK(c.problem == "wrong_result");
  CHECK(c.names.find("weight_decay = 2.0") != std::string::npos);
  CHECK(c.source.find("val_acc mean of weight_decay = 0.3 on x_plus_y") != std::string::npos);
  auto stored = unmatched_json(r);
  CHECK(stored[0]["problem"] == "wrong_result");
  CHECK(stored[0]["source"].get<std::string>().find("weight_decay = 0.3") != std::string::npos);

  // x_minus_y's accuracy (0.905) stated for x_plus_y, and the baseline's for a setting.
  auto swapped = check_labelled("", "Weight decay 0.3 reaches 0.905 validation accuracy on x\\_plus\\_y. "
                                    "With weight decay 0.3, accuracy on x\\_minus\\_y is 0.771.");
  CHECK(unmatched_texts(swapped) == std::vector<std::string>{"0.905", "0.771"});
  for (const auto& u : swapped.unmatched) CHECK(u.problem == "wrong_result");

  // A mean stated as a standard error.
  auto spread = check_labelled("", "Weight decay 0.3 reaches 0.8734 with a standard error of 0.8125.");
  CHECK(unmatched_texts(spread) == std::vector<std::string>{"0.8125"});
}

TEST_CASE("a table row with the right values passes; a swapped value is caught") {
  auto table = [](const std::string& last_row) {
    return "\\begin{table}[t]\\centering\n\\begin{tabular}{lcc}\\toprule\n"
           "Setting & x\\_plus\\_y & x\\_minus\\_y \\\\ \\midrule\n"
           "Baseline & $0.8125 \\pm 0.0123$ & 0.771 \\\\\n"
           "weight\\_decay = 0.3 & $0.8734 \\pm 0.0087$ & 0.905 \\\\\n" +
           last_row + " \\\\ \\bottomrule\n\\end{tabular}\n\\caption{Validation accuracy of each setting.}\n\\end{table}\n";
  };
  auto right = check_labelled("", table("weight\\_decay = 2.0 & 0.642 & 0.553"));
  for (const auto& c : right.unmatched) FAIL_CHECK(c.text << " [" << c.problem << "] names " << c.names);
  CHECK(right.checked.size() >= 9);

  auto swapped = check_labelled("", table("weight\\_decay = 2.0 & 0.553 & 0.642"));
  CHECK(unmatched_texts(swapped) == std::vector<std::string>{"0.553", "0.642"});
  REQUIRE(!swapped.unmatched.empty());
  CHECK(swapped.unmatched[0].names.find("condition x_plus_y") != std::string::npos);
  CHECK(swapped.unmatched[0].source == "val_acc mean of weight_decay = 2.0 on x_minus_y");
}

TEST_CASE("numbers of the task description count in setup sentences only") {
  auto results = check_labelled("", "Validation accuracy on x\\_plus\\_y peaks at 97\\%.");
  REQUIRE(results.unmatched.size() == 1);
  CHECK(results.unmatched[0].problem == "setup_number");
  CHECK(results.unmatched[0].source == "the task description");

  auto setup = check_labelled("", "We train on addition modulo 97 with a batch size of 512 for 7500 steps.",
                              "The modulus is 97 and models see 7500 updates.");
  CHECK(unmatched_texts(setup).empty());
  CHECK(setup.checked.size() == 5);
  // A setting's value names the setting wherever it is used.
  CHECK(unmatched_texts(check_labelled("", "Weight decay 2.0 never generalises on x\\_minus\\_y.")).empty());
  // A number no result rounds to is still "no_match".
  auto made_up = check_labelled("The method reaches 0.951 accuracy.", "");
  REQUIRE(made_up.unmatched.size() == 1);
  CHECK(made_up.unmatched[0].problem == "no_match");
}

TEST_CASE("absurd numbers from a model are claims that match nothing, never an exception") {
  std::string nines(400, '9');
  auto r = check_labelled("", "We reach " + nines + ", then 1e999999999999 and $2 \\times 10^{99999999999}$ and 3e-99999999999.");
  CHECK(r.checked.size() == 4);
  CHECK(unmatched_texts(r).size() == 4);
  REQUIRE(r.unmatched.size() == 4);
  for (int i = 0; i < 3; ++i) CHECK(r.unmatched[i].problem == "no_match");  // infinite: compared with nothing
  CHECK(r.unmatched[3].value == 0);  // 3e-99999999999 is 0, and no result of the runs is 0
}
