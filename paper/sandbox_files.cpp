#include "paper/sandbox_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace shoal::paper {
namespace fs = std::filesystem;

Expected<std::string> read_sandbox_file(const fs::path& path, int64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return fail(ErrorKind::not_found, path.string() + " was not written");
    if (err == ELOOP) return fail(ErrorKind::invalid_input, path.string() + " is a symbolic link; not read");
    return fail(ErrorKind::io, "cannot open " + path.string() + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorKind::invalid_input, path.string() + " is not a regular file; not read");
  }
  if (st.st_size > max_bytes) {
    ::close(fd);
    return fail(ErrorKind::invalid_input, path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  std::string data(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  data.resize(got);
  return data;
}

std::vector<std::string> list_sandbox_files(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto status = it->symlink_status(ec);
    if (!ec && fs::is_regular_file(status)) names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status make_work_dir(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return fail(ErrorKind::io, "cannot create " + dir.string() + ": " + ec.message());
  // bwrap resolves the bind as the sandbox's user, who must be able to enter the folder.
  fs::permissions(dir, fs::perms::others_exec | fs::perms::others_read, fs::perm_options::add, ec);
  if (ec) return fail(ErrorKind::io, "cannot set permissions of " + dir.string() + ": " + ec.message());
  return {};
}

}  // namespace shoal::paper
