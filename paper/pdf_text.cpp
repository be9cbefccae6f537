#include "paper/pdf_text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/file.hpp"
#include "paper/sandbox_files.hpp"

namespace shoal::paper {
namespace fs = std::filesystem;

Expected<PdfContent> read_pdf(experiments::Executor& executor, const std::string& pdf, const fs::path& work_dir,
                              const PdfReadOptions& options, const experiments::CancelToken& cancel) {
  if (pdf.rfind("%PDF", 0) != 0) return fail(ErrorKind::invalid_input, "the file is not a PDF (no %PDF header)");
  SHOAL_CHECK(make_work_dir(work_dir));
  SHOAL_CHECK(write_file_atomic(work_dir / "paper.pdf", pdf));
  fs::permissions(work_dir / "paper.pdf", fs::perms::others_read, fs::perm_options::add);

  std::string script =
      "pdfinfo paper.pdf > info.txt 2> info.err || exit 3; pdftotext -layout -enc UTF-8 paper.pdf paper.txt || exit 4; ";
  if (options.max_page_images > 0)
    script += "pdftoppm -png -r " + std::to_string(options.dpi) + " -f 1 -l " +
              std::to_string(options.max_page_images) + " paper.pdf page || exit 5; ";
  experiments::JobSpec job;
  job.argv = {"sh", "-c", script};
  job.workdir = work_dir;
  job.limits.wall_s = options.timeout_s;
  job.limits.max_procs = 32;
  job.limits.max_disk_bytes = 512LL << 20;
  SHOAL_TRY(result, executor.run(job, cancel));
  if (!result.limit_hit.empty())
    return fail(ErrorKind::timeout, "reading the PDF was stopped (limit hit: " + result.limit_hit + ")");
  if (result.exit_code == 3) {
    auto err = read_sandbox_file(work_dir / "info.err", 1 << 20);
    return fail(ErrorKind::invalid_input,
                "poppler cannot read the PDF: " + (err.ok() ? err->substr(0, 500) : std::string("pdfinfo failed")));
  }
  if (!result.succeeded())
    return fail(ErrorKind::invalid_input, "pdftotext/pdftoppm failed on the PDF (exit code " +
                                              std::to_string(result.exit_code) + "): " + result.stderr_tail.substr(0, 500));
  PdfContent out;
  if (auto info = read_sandbox_file(work_dir / "info.txt", 1 << 20); info.ok()) {
    auto at = info->find("\nPages:");
    if (at == std::string::npos && info->rfind("Pages:", 0) == 0) at = 0;
    if (at != std::string::npos) out.pages = std::atoi(info->c_str() + info->find(':', at) + 1);
  }
  SHOAL_TRY(text, read_sandbox_file(work_dir / "paper.txt", 64LL << 20));
  bool has_text = std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isalnum(c); });
  if (!has_text)
    return fail(ErrorKind::invalid_input,
                "the PDF has no text layer (" + std::to_string(out.pages) +
                    " page(s) of images only?): a reviewer needs its text; run OCR on it first (e.g. ocrmypdf)");
  out.text = std::move(text);
  for (const auto& name : list_sandbox_files(work_dir)) {
    if (name.rfind("page", 0) != 0 || name.size() < 5 || name.substr(name.size() - 4) != ".png") continue;
    SHOAL_TRY(png, read_sandbox_file(work_dir / name, 32LL << 20));
    out.page_pngs.push_back(std::move(png));
  }
  return out;
}

}  // namespace shoal::paper
