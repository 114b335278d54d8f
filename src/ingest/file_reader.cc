// FileReader implementations: PlainReader (read(2) straight into the caller's buffer) and
// GzipReader (read(2) of compressed
// chunks, zlib inflate into the caller's buffer).
//
// Invariants of GzipReader:
//   1. `in_` holds compressed bytes [stream_.next_in, stream_.next_in + stream_.avail_in) not yet
//      given to inflate; it is refilled only when avail_in is 0.
//   2. `in_member_` is true from the first byte of a member to its Z_STREAM_END. Reaching the end
//      of the file while it is true means the file was truncated: kDataLoss.
//   3. After a member ends, the next non-empty input starts a new member (inflateReset), but
//      zero bytes there are padding (as gzip(1) and Python's gzip read them), not a member.
//   4. Damage (a failed data check, a bad block, bytes that are not gzip) fails with
//      kInvalidArgument, not kDataLoss: unlike a cut-short file, whose lines before the cut are
//      good, a damaged stream may have given bad bytes already (a stored block's are only
//      checked at the member's end), so none of the file is to be used.
#include "ingest/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

namespace leadscore::ingest {
namespace {

constexpr size_t kCompressedChunk = 256 << 10;

std::string ErrnoText(int err) { return std::strerror(err); }

// read(2) that retries on EINTR. Returns -1 with errno set on failure.
ssize_t ReadSome(int fd, char* dst, size_t n) {
  for (;;) {
    ssize_t got = ::read(fd, dst, n);
    if (got >= 0 || errno != EINTR) return got;
  }
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

class PlainReader final : public FileReader {
 public:
  // `ended`: the input's end was read already, while sniffing `prefix`.
  PlainReader(std::string path, int fd, uint64_t size, std::string prefix, bool ended)
      : path_(std::move(path)), fd_(fd), size_(size), prefix_(std::move(prefix)), ended_(ended) {}

  Result<size_t> Read(char* dst, size_t n) override {
    if (prefix_pos_ < prefix_.size()) {  // the bytes Open() sniffed
      size_t take = std::min(n, prefix_.size() - prefix_pos_);
      std::memcpy(dst, prefix_.data() + prefix_pos_, take);
      prefix_pos_ += take;
      return take;
    }
    // The end is final: a terminal returns 0 for each Ctrl-D, then waits for more typing.
    if (ended_ || n == 0) return 0;
    ssize_t got = ReadSome(fd_.get(), dst, n);
    if (got < 0) return Error(DataLoss(path_ + ": read failed: " + ErrnoText(errno)));
    ended_ = got == 0;
    return static_cast<size_t>(got);
  }
  uint64_t file_size() const override { return size_; }
  bool compressed() const override { return false; }

 private:
  std::string path_;
  Fd fd_;
  uint64_t size_;
  std::string prefix_;
  size_t prefix_pos_ = 0;
  bool ended_;
};

class GzipReader final : public FileReader {
 public:
  GzipReader(std::string path, int fd, uint64_t size, std::string prefix)
      : path_(std::move(path)), fd_(fd), size_(size), in_(kCompressedChunk) {
    std::memcpy(in_.data(), prefix.data(), prefix.size());
    std::memset(&stream_, 0, sizeof(stream_));
    stream_.next_in = reinterpret_cast<Bytef*>(in_.data());
    stream_.avail_in = static_cast<uInt>(prefix.size());
    init_ok_ = inflateInit2(&stream_, 15 + 16) == Z_OK;  // 15 + 16: gzip wrapper only
  }
  ~GzipReader() override {
    if (init_ok_) inflateEnd(&stream_);
  }

  Result<size_t> Read(char* dst, size_t n) override {
    if (!init_ok_) return Error(Internal(path_ + ": inflateInit2 failed"));
    if (failure_) return Error(*failure_);
    if (n == 0 || done_) return 0;
    stream_.next_out = reinterpret_cast<Bytef*>(dst);
    // zlib counts in uInt; large requests are served in part, which Read allows.
    stream_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    Status status = Inflate();
    const auto produced = static_cast<size_t>(reinterpret_cast<char*>(stream_.next_out) - dst);
    if (status.ok()) return produced;
    // The bytes inflated before the failure are good: they go first, the failure next time.
    failure_ = std::move(status);
    if (produced > 0) return produced;
    return Error(*failure_);
  }
  uint64_t file_size() const override { return size_; }
  bool compressed() const override { return true; }

 private:
  // Inflates into stream_.next_out until avail_out is 0 or the input ends.
  Status Inflate() {
    while (stream_.avail_out > 0) {
      if (stream_.avail_in == 0) {
        ssize_t got = ReadSome(fd_.get(), in_.data(), in_.size());
        if (got < 0) return DataLoss(path_ + ": read failed: " + ErrnoText(errno));
        if (got == 0) {
          if (in_member_) return DataLoss(path_ + ": truncated gzip stream");
          done_ = true;
          break;
        }
        stream_.next_in = reinterpret_cast<Bytef*>(in_.data());
        stream_.avail_in = static_cast<uInt>(got);
      }
      if (!in_member_) {  // invariant 3: a new member starts here
        if (member_count_ > 0) {
          while (stream_.avail_in > 0 && *stream_.next_in == 0) {
            ++stream_.next_in;
            --stream_.avail_in;
          }
          if (stream_.avail_in == 0) continue;  // all padding so far: read on
          if (inflateReset(&stream_) != Z_OK) return Internal(path_ + ": inflateReset failed");
        }
        in_member_ = true;
        ++member_count_;
      }
      int rc = inflate(&stream_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
      } else if (rc == Z_BUF_ERROR) {
        // No progress possible without more input; loop refills (avail_in is 0 here).
        if (stream_.avail_in != 0) return DataLoss(path_ + ": corrupt gzip stream");
      } else if (rc == Z_DATA_ERROR) {  // invariant 4
        std::string why = stream_.msg != nullptr ? stream_.msg : "invalid data";
        if (member_count_ == 1 && stream_.total_out == 0 && why == "incorrect header check") {
          return InvalidArgument(path_ + ": not a gzip file (its name ends in .gz)");
        }
        return InvalidArgument(path_ + ": damaged gzip stream (" + why +
                               "); `gzip -t` checks a file");
      } else if (rc != Z_OK) {
        std::string why = stream_.msg != nullptr ? stream_.msg : "error " + std::to_string(rc);
        return DataLoss(path_ + ": corrupt gzip stream: " + why);
      }
    }
    return Status::Ok();
  }

  std::string path_;
  Fd fd_;
  uint64_t size_;
  std::vector<char> in_;
  z_stream stream_;
  bool init_ok_ = false;
  bool in_member_ = false;
  bool done_ = false;
  std::optional<Status> failure_;  // returned by every Read once the bytes before it are out
  int member_count_ = 0;
};

// True the first time this process opens the pipe (or socket) `st` describes under the name
// `path`. A second reader of a pipe gets only what the first left of it, so a command that
// reads its input twice is refused rather than quietly given part of it. (The name is part of
// the key because a named pipe removed and another made frees and reuses the inode.)
bool FirstOpenOfPipe(const struct stat& st, const std::string& path) {
  static std::mutex mutex;
  static std::set<std::tuple<dev_t, ino_t, std::string>> opened;
  std::lock_guard lock(mutex);
  return opened.emplace(st.st_dev, st.st_ino, path).second;
}

}  // namespace

bool IsGzipName(std::string_view path) {
  constexpr std::string_view kSuffix = ".gz";
  if (path.size() < kSuffix.size()) return false;
  const std::string_view tail = path.substr(path.size() - kSuffix.size());
  return std::equal(tail.begin(), tail.end(), kSuffix.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

Result<std::unique_ptr<FileReader>> FileReader::Open(const std::string& path) {
  // Checked before open(2), which would wait for a writer on a named pipe that has none left.
  struct stat before {};
  const bool pipe =
      ::stat(path.c_str(), &before) == 0 && (S_ISFIFO(before.st_mode) || S_ISSOCK(before.st_mode));
  if (pipe && !FirstOpenOfPipe(before, path)) {
    return Error(InvalidArgument(
        path +
        ": a pipe, which can be read once, and this command reads it twice (or it was "
        "given twice); write it to a file and give the file"));
  }
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return Error(NotFound(path + ": " + ErrnoText(err)));
    return Error(InvalidArgument(path + ": cannot open: " + ErrnoText(err)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Error(InvalidArgument(path + ": not a regular file"));
  }
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  // Sniff the gzip magic; the sniffed bytes are handed back through the reader.
  char magic[2];
  size_t have = 0;
  while (have < sizeof(magic)) {
    ssize_t got = ReadSome(fd, magic + have, sizeof(magic) - have);
    if (got < 0) {
      int err = errno;
      ::close(fd);
      return Error(DataLoss(path + ": read failed: " + ErrnoText(err)));
    }
    if (got == 0) break;
    have += static_cast<size_t>(got);
  }
  std::string prefix(magic, have);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (have == 2 && static_cast<unsigned char>(magic[0]) == 0x1f &&
      static_cast<unsigned char>(magic[1]) == 0x8b) {
    return std::unique_ptr<FileReader>(new GzipReader(path, fd, size, std::move(prefix)));
  }
  if (have > 0 && IsGzipName(path)) {
    // Another compression (bzip2, zstd) or bytes that are no file at all, read line by line,
    // would make one "invalid JSON" report per line.
    ::close(fd);
    return Error(InvalidArgument(path + ": not a gzip file (its name ends in .gz)"));
  }
  const bool ended = have < sizeof(magic);  // read(2) said the input had ended
  return std::unique_ptr<FileReader>(new PlainReader(path, fd, size, std::move(prefix), ended));
}

}  // namespace leadscore::ingest
