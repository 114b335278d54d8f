#include "service/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace leadscore::service {
namespace {

Status CannotWrite(const std::string& path, int error) {
  return Status(StatusCode::kUnavailable, "cannot write " + path + ": " + std::strerror(error));
}

// Where the file behind `path` is when `path` is, or leads through symbolic links to, a
// regular file or nothing: the file itself, so that a link is not replaced by the rename.
std::string Destination(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::path real = fs::canonical(path, error); !error) return real.string();
  fs::path at = path;  // nothing there yet, perhaps at the end of a dangling link
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(at, error)); ++hops) {
    fs::path target = fs::read_symlink(at, error);
    if (error) break;
    at = target.is_absolute() ? target : at.parent_path() / target;
  }
  return at.string();
}

// Runs `body` on `f`: a failed write names `path` and its reason, whatever `body` said of it
// (a body knows the stream, not the file: "write failed: No space left on device").
Status Run(std::FILE* f, const std::string& path, const std::function<Status(std::FILE*)>& body) {
  Status s = body(f);
  const int error = errno;
  if (!s.ok() && std::ferror(f)) s = CannotWrite(path, error != 0 ? error : EIO);
  return s;
}

// Runs `body` on `f`, then closes it; the first failure wins.
Status WriteAndClose(std::FILE* f, const std::string& path,
                     const std::function<Status(std::FILE*)>& body) {
  Status s = Run(f, path, body);
  if (std::fflush(f) != 0 && s.ok()) s = CannotWrite(path, errno);
  if (std::ferror(f) && s.ok()) s = CannotWrite(path, EIO);
  if (std::fclose(f) != 0 && s.ok()) s = CannotWrite(path, errno);
  return s;
}

}  // namespace

Status WriteFileAtomically(const std::string& path, const std::function<Status(std::FILE*)>& body) {
  LS_ASSIGN_OR_RETURN(PendingOutput pending, PendingOutput::Write(path, body));
  return pending.Commit();
}

Result<PendingOutput> PendingOutput::Write(const std::string& path,
                                           const std::function<Status(std::FILE*)>& body) {
  if (path.empty() || path == "-") {
    Status s = Run(stdout, "standard output", body);
    // stdout is flushed here, not at exit, so that a full disk or a closed pipe is a failure
    // of the run rather than a lost tail of the output.
    if (std::fflush(stdout) != 0 && s.ok()) s = CannotWrite("standard output", errno);
    if (std::ferror(stdout) && s.ok()) s = CannotWrite("standard output", EIO);
    if (!s.ok()) return Error(std::move(s));
    return PendingOutput(path, "", "");
  }
  struct stat existing;  // through any links: /dev/stdout is a pipe or a terminal
  const bool exists = ::stat(path.c_str(), &existing) == 0;
  if (exists && S_ISDIR(existing.st_mode)) return Error(CannotWrite(path, EISDIR));
  if (exists && !S_ISREG(existing.st_mode)) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return Error(CannotWrite(path, errno));
    LS_RETURN_IF_ERROR(WriteAndClose(f, path, body));
    return PendingOutput(path, "", "");
  }
  const std::string target = Destination(path);
  const std::string tmp = target + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return Error(CannotWrite(path, errno));
  if (exists) {
    // A replaced file keeps its permissions (a private 0600 file stays private) and, when we
    // may, its owner; what cannot carry over is not a reason to fail the run.
    (void)::fchmod(fd, existing.st_mode & 07777);
    if (::geteuid() == 0) (void)::fchown(fd, existing.st_uid, existing.st_gid);
  }
  std::FILE* f = ::fdopen(fd, "wb");
  if (f == nullptr) {
    const int error = errno;
    ::close(fd);
    std::remove(tmp.c_str());
    return Error(CannotWrite(path, error));
  }
  PendingOutput pending(path, tmp, target);  // removes the file should the body fail
  LS_RETURN_IF_ERROR(WriteAndClose(f, path, body));
  return pending;
}

PendingOutput::PendingOutput(PendingOutput&& other) noexcept
    : path_(std::move(other.path_)),
      tmp_(std::exchange(other.tmp_, std::string())),
      target_(std::move(other.target_)) {}

PendingOutput::~PendingOutput() {
  if (!tmp_.empty()) std::remove(tmp_.c_str());
}

Status PendingOutput::Commit() {
  if (tmp_.empty()) return Status::Ok();
  const std::string tmp = std::exchange(tmp_, std::string());
  if (std::rename(tmp.c_str(), target_.c_str()) != 0) {
    const int error = errno;
    std::remove(tmp.c_str());
    return CannotWrite(path_, error);
  }
  return Status::Ok();
}

}  // namespace leadscore::service
