// Shared by the paper tests: a tiny valid PNG, a temp dir the sandbox's user can enter, and
// pdflatex run directly (outside the sandbox) to make fixture PDFs quickly.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "core/file.hpp"
#include "temp_dir.hpp"

namespace shoal::test {

// A 1x1 RGBA PNG.
inline std::string tiny_png() {
  static const unsigned char bytes[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
      0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
      0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0xf8, 0xcf, 0x50, 0x0f, 0x00, 0x03, 0x86, 0x01, 0x80,
      0x5a, 0x34, 0x7d, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

// Lets the sandbox's unprivileged user enter `dir` (mkdtemp makes it 0700).
inline void open_to_sandbox(const TempDir& dir) {
  std::filesystem::permissions(dir.path(), std::filesystem::perms::others_exec, std::filesystem::perm_options::add);
}

// Writes `files` into `dir` (name -> content).
inline void write_files(const std::filesystem::path& dir, const std::map<std::string, std::string>& files) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, content] : files) std::ofstream(dir / name, std::ios::binary) << content;
}

// Runs pdflatex on dir/main.tex directly; the PDF's bytes ("" if none).
inline std::string quick_pdf(const std::filesystem::path& dir, const std::string& tex) {
  write_files(dir, {{"main.tex", tex}});
  std::string cmd = "cd '" + dir.string() + "' && pdflatex -interaction=nonstopmode -no-shell-escape main.tex >/dev/null 2>&1";
  (void)std::system(cmd.c_str());
  return read_file(dir / "main.pdf").value_or("");
}

}  // namespace shoal::test
