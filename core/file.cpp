#include "core/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace shoal {
namespace fs = std::filesystem;

Expected<std::string> read_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return fail(ErrorKind::not_found, "no such file: " + path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::io, "cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

Status write_replacing(const fs::path& path, std::string_view data, bool sync) {
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(ErrorKind::io, "cannot write " + path.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(ErrorKind::io, "cannot write " + path.string() + ": " + std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  bool synced = !sync || ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return fail(ErrorKind::io, "cannot write " + path.string() + ": " + std::strerror(e));
  }
  return {};
}

}  // namespace

Status write_file_atomic(const fs::path& path, std::string_view data) { return write_replacing(path, data, true); }

Status write_scratch_file(const fs::path& path, std::string_view data) { return write_replacing(path, data, false); }

Status ensure_writable_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return fail(ErrorKind::io, "cannot create folder " + dir.string() + ": " + ec.message() +
                                   " (choose another --home or fix its permissions)");
  if (!fs::is_directory(dir)) return fail(ErrorKind::io, dir.string() + " is not a folder");
  if (::access(dir.c_str(), W_OK) != 0)
    return fail(ErrorKind::io, "folder " + dir.string() + " is not writable: " + std::strerror(errno) +
                                   " (choose another --home or fix its permissions)");
  return {};
}

}  // namespace shoal
