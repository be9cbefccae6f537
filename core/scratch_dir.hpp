// A scratch folder under the system's temp folder, made searchable by others (the sandbox
// user enters it) and removed with the object.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/expected.hpp"

namespace shoal {

class ScratchDir {
 public:
  // io error naming the folder when it cannot be made.
  static Expected<std::unique_ptr<ScratchDir>> create(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScratchDir(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

}  // namespace shoal
