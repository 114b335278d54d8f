#include "core/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace leadscore {
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

// Creates a file beside `target` that no one else has: `target`.tmp.<pid>, or with a count after
// it when that name is taken. O_EXCL refuses a name that exists, a symbolic link included, so a
// stale temporary file or a link planted at the name is never written through.
Result<std::pair<int, std::string>> CreateBeside(const std::string& path,
                                                 const std::string& target) {
  const std::string stem = target + ".tmp." + std::to_string(::getpid());
  for (int attempt = 0;; ++attempt) {
    std::string tmp = attempt == 0 ? stem : stem + "." + std::to_string(attempt);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0) return std::pair{fd, std::move(tmp)};
    if (errno != EEXIST || attempt == 99) return Error(CannotWrite(path, errno));
  }
}

bool IsStandardOutput(const std::string& path) { return path.empty() || path == "-"; }

}  // namespace

Status WriteFileAtomically(const std::string& path, const std::function<Status(std::FILE*)>& body) {
  LS_ASSIGN_OR_RETURN(PendingOutput pending, PendingOutput::Write(path, body));
  return pending.Commit();
}

Result<PendingOutput> PendingOutput::Write(const std::string& path,
                                           const std::function<Status(std::FILE*)>& body) {
  LS_ASSIGN_OR_RETURN(PendingOutput pending, Open(path));
  Status s = body(pending.file_);
  const int error = errno;
  // A body knows the stream, not the file ("write failed: No space left on device"): a failed
  // write names the file and its reason, whatever the body said of it.
  if (!s.ok() && std::ferror(pending.file_)) s = CannotWrite(pending.Name(), error ? error : EIO);
  Status closed = pending.Close();
  if (!s.ok()) return Error(std::move(s));  // ~PendingOutput removes what was written
  if (!closed.ok()) return Error(std::move(closed));
  return pending;
}

Result<PendingOutput> PendingOutput::Open(const std::string& path) {
  if (IsStandardOutput(path)) return PendingOutput(path, stdout, "", "");
  struct stat existing;  // through any links: /dev/stdout is a pipe or a terminal
  const bool exists = ::stat(path.c_str(), &existing) == 0;
  // A loop of symbolic links (ELOOP) or a path through a file (ENOTDIR) names no place to write:
  // the rename would replace the link itself.
  if (!exists && errno != ENOENT) return Error(CannotWrite(path, errno));
  if (exists && S_ISDIR(existing.st_mode)) return Error(CannotWrite(path, EISDIR));
  if (exists && !S_ISREG(existing.st_mode)) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return Error(CannotWrite(path, errno));
    return PendingOutput(path, f, "", "");
  }
  std::string target = Destination(path);
  LS_ASSIGN_OR_RETURN(auto created, CreateBeside(path, target));
  auto [fd, tmp] = std::move(created);
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
  return PendingOutput(path, f, std::move(tmp), std::move(target));
}

PendingOutput::PendingOutput(PendingOutput&& other) noexcept
    : path_(std::move(other.path_)),
      file_(std::exchange(other.file_, nullptr)),
      tmp_(std::exchange(other.tmp_, std::string())),
      target_(std::move(other.target_)) {}

PendingOutput::~PendingOutput() { Discard(); }

std::string PendingOutput::Name() const {
  return IsStandardOutput(path_) ? "standard output" : path_;
}

void PendingOutput::Discard() {
  if (file_ != nullptr && file_ != stdout) std::fclose(file_);
  file_ = nullptr;
  if (!tmp_.empty()) std::remove(tmp_.c_str());
  tmp_.clear();
}

Status PendingOutput::Close() {
  std::FILE* f = std::exchange(file_, nullptr);
  if (f == nullptr) return Status::Ok();
  // stdout is flushed here, not at exit, so that a full disk or a closed pipe is a failure of
  // the run rather than a lost tail of the output.
  Status s;
  if (std::fflush(f) != 0) s = CannotWrite(Name(), errno);
  if (std::ferror(f) && s.ok()) s = CannotWrite(Name(), EIO);
  if (f != stdout && std::fclose(f) != 0 && s.ok()) s = CannotWrite(Name(), errno);
  if (!s.ok()) Discard();
  return s;
}

Status PendingOutput::Commit() {
  LS_RETURN_IF_ERROR(Close());
  if (tmp_.empty()) return Status::Ok();
  const std::string tmp = std::exchange(tmp_, std::string());
  if (std::rename(tmp.c_str(), target_.c_str()) != 0) {
    const int error = errno;
    std::remove(tmp.c_str());
    return CannotWrite(path_, error);
  }
  return Status::Ok();
}

}  // namespace leadscore
