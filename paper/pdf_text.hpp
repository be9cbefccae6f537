// What a reviewer reads of a PDF: its text (pdftotext) and its pages as PNG images
// (pdftoppm), both run in the sandbox, since the PDF may come from anywhere.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "experiments/executor.hpp"

namespace shoal::paper {

struct PdfReadOptions {
  int max_page_images = 0;  // pages rendered to PNG from the first (0: none)
  int dpi = 60;             // resolution of the page images
  double timeout_s = 60;
};

struct PdfContent {
  std::string text;                     // pdftotext -layout output
  std::vector<std::string> page_pngs;   // PNG bytes of pages 1..n
  int pages = 0;                        // from pdfinfo, 0 when unknown
};

// Writes `pdf` into `work_dir` (made fresh) and reads it. invalid_input when the bytes are
// not a PDF poppler can read, or when it has no text layer (a scanned PDF: run OCR first).
Expected<PdfContent> read_pdf(experiments::Executor& executor, const std::string& pdf,
                              const std::filesystem::path& work_dir, const PdfReadOptions& options,
                              const experiments::CancelToken& cancel);

}  // namespace shoal::paper
