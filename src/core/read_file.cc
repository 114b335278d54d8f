#include "core/read_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

namespace leadscore {

Result<std::string> ReadWholeFile(const std::string& path, std::string_view what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error(InvalidArgument(fmt::format("{}: is a directory, not {}", path, what)));
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    const int error = errno;
    std::string message = fmt::format("{}: cannot open {}: {}", path, what, std::strerror(error));
    return Error(error == ENOENT ? NotFound(std::move(message))
                                 : InvalidArgument(std::move(message)));
  }
  std::string bytes;
  char buffer[1 << 16];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0;) {
    if (bytes.size() + n > kMaxWholeFileBytes) {
      return Error(InvalidArgument(
          fmt::format("{}: larger than {} MiB: not {}?", path, kMaxWholeFileBytes >> 20, what)));
    }
    bytes.append(buffer, n);
  }
  if (std::ferror(file.get())) {
    return Error(
        InvalidArgument(fmt::format("{}: cannot read {}: {}", path, what, std::strerror(errno))));
  }
  return bytes;
}

}  // namespace leadscore
