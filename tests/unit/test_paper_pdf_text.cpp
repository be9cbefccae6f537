// Reading PDFs in the sandbox: text (pdftotext), page images (pdftoppm), and the refusals.
#include <doctest/doctest.h>

#include "experiments/local_executor.hpp"
#include "paper/pdf_text.hpp"
#include "paper_fixture.hpp"

using namespace shoal;
using namespace shoal::paper;

TEST_CASE("a PDF's text and first page image are read") {
  test::TempDir dir;
  test::open_to_sandbox(dir);
  std::string pdf = test::quick_pdf(dir / "src", "\\documentclass{article}\n\\begin{document}\nGrokking happens late.\\newpage Two.\n\\end{document}\n");
  REQUIRE(pdf.rfind("%PDF", 0) == 0);
  experiments::LocalExecutor executor;
  experiments::CancelToken never;
  auto content = read_pdf(executor, pdf, dir / "read", {.max_page_images = 1}, never).value();
  CHECK(content.text.find("Grokking happens late.") != std::string::npos);
  CHECK(content.pages == 2);
  REQUIRE(content.page_pngs.size() == 1);
  CHECK(content.page_pngs[0].rfind("\x89PNG", 0) == 0);
}

TEST_CASE("a PDF with no text layer and bytes that are no PDF are clear errors") {
  test::TempDir dir;
  test::open_to_sandbox(dir);
  test::write_files(dir / "src", {{"plot.png", test::tiny_png()}});
  std::string pdf = test::quick_pdf(dir / "src", "\\documentclass{article}\n\\usepackage{graphicx}\n\\pagestyle{empty}\n\\begin{document}\n"
                                                 "\\includegraphics[width=5cm]{plot.png}\n\\end{document}\n");
  REQUIRE(pdf.rfind("%PDF", 0) == 0);
  experiments::LocalExecutor executor;
  experiments::CancelToken never;
  auto r = read_pdf(executor, pdf, dir / "read", {}, never);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::invalid_input);
  CHECK(r.error().message.find("no text layer") != std::string::npos);
  CHECK(r.error().message.find("OCR") != std::string::npos);

  CHECK(read_pdf(executor, "hello", dir / "read", {}, never).error().message.find("not a PDF") != std::string::npos);
  auto broken = read_pdf(executor, "%PDF-1.5\ngarbage", dir / "read", {}, never);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().kind == ErrorKind::invalid_input);
}
