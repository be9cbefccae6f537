#include "paper/compile.hpp"

#include "paper/sandbox_files.hpp"

namespace shoal::paper {
namespace fs = std::filesystem;

namespace {

// The shell script of one compile: stale outputs removed, then the passes. A first pass that
// writes no PDF ends the job (the later passes would only repeat its errors).
std::string compile_script(const CompileOptions& o) {
  const std::string m = o.main;
  const std::string pdflatex =
      "pdflatex -interaction=nonstopmode -file-line-error -no-shell-escape " + m + ".tex >/dev/null 2>&1";
  std::string s = "rm -f " + m + ".pdf " + m + ".log " + m + ".aux " + m + ".bbl " + m + ".blg " + m + ".chktex; ";
  s += pdflatex + "; [ -f " + m + ".pdf ] || exit 3; ";
  if (o.bibtex) s += "if grep -q '\\\\bibdata' " + m + ".aux; then bibtex " + m + " >/dev/null 2>&1; fi; ";
  s += pdflatex + "; " + pdflatex + "; ";
  if (o.chktex) s += "chktex -q -v0 " + m + ".tex > " + m + ".chktex 2>/dev/null; ";
  s += "[ -f " + m + ".pdf ]";
  return s;
}

}  // namespace

bool CompileResult::compiled() const {
  return pdf_written && job_failure.empty() && !parsed.has_errors() && parsed.undefined_citations.empty() &&
         parsed.undefined_references.empty() && parsed.missing_figures.empty();
}

std::vector<LatexProblem> CompileResult::problems(int page_limit) const {
  std::vector<LatexProblem> out;
  if (!job_failure.empty()) out.push_back({.kind = "error", .message = job_failure});
  if (!pdf_written && !parsed.has_errors()) out.push_back({.kind = "error", .message = "no PDF was written"});
  auto from_log = all_problems(parsed);
  out.insert(out.end(), from_log.begin(), from_log.end());
  for (const auto& p : bibtex_problems)
    if (p.kind == "bibtex") out.push_back(p);
  if (page_limit > 0 && parsed.pages && *parsed.pages > page_limit)
    out.push_back({.kind = "page_limit",
                   .message = "the paper has " + std::to_string(*parsed.pages) + " pages; the limit is " +
                              std::to_string(page_limit)});
  return out;
}

Expected<CompileResult> compile_latex(experiments::Executor& executor, const fs::path& dir, const CompileOptions& options,
                                      const experiments::CancelToken& cancel) {
  if (!fs::is_regular_file(dir / (options.main + ".tex")))
    return fail(ErrorKind::not_found, (dir / (options.main + ".tex")).string() + " does not exist");
  experiments::JobSpec job;
  job.argv = {"sh", "-c", compile_script(options)};
  job.workdir = dir;
  job.limits.wall_s = options.timeout_s;
  job.limits.max_procs = 64;
  job.limits.max_output_bytes = 16LL << 20;
  job.limits.max_disk_bytes = 512LL << 20;
  // Unwrapped log lines, so messages and file names are never split.
  job.env = {{"max_print_line", "10000"}, {"error_line", "254"}, {"half_error_line", "238"}};
  SHOAL_TRY(result, executor.run(job, cancel));

  CompileResult out;
  out.wall_s = result.wall_s;
  if (!result.limit_hit.empty())
    out.job_failure = "the LaTeX job was stopped: limit hit " + result.limit_hit +
                      (result.limit_hit == experiments::limit::wall_time
                           ? " (" + std::to_string(static_cast<int>(options.timeout_s)) + " s)"
                           : "");
  if (auto log = read_sandbox_file(dir / (options.main + ".log"), 64LL << 20); log.ok()) {
    out.log = *log;
    out.parsed = parse_latex_log(out.log, options.overfull_threshold_pt);
  }
  if (auto blg = read_sandbox_file(dir / (options.main + ".blg"), 16LL << 20); blg.ok()) {
    out.blg = *blg;
    out.bibtex_problems = parse_bibtex_log(out.blg);
  }
  if (auto ck = read_sandbox_file(dir / (options.main + ".chktex"), 16LL << 20); ck.ok()) {
    out.chktex_output = *ck;
    out.chktex_problems = parse_chktex(out.chktex_output);
  }
  if (auto pdf = read_sandbox_file(dir / (options.main + ".pdf")); pdf.ok() && pdf->rfind("%PDF", 0) == 0) {
    out.pdf = std::move(*pdf);
    out.pdf_written = true;
  }
  if (out.log.empty() && out.job_failure.empty())
    out.job_failure = "pdflatex wrote no log (exit code " + std::to_string(result.exit_code) + "): " +
                      result.stderr_tail.substr(0, 2000);
  return out;
}

}  // namespace shoal::paper
