#include "cli/same_file.h"

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "core/print_stderr.h"

namespace leadscore::cli {
namespace {

namespace fs = std::filesystem;

// `text` made absolute, its own symbolic links followed even when they dangle (an output is
// written through a link to its target), then weakly_canonical: the links of the part that
// exists resolved, `.` and `..` removed. weakly_canonical alone leaves a relative path that does
// not exist as it is, so `same.csv` and `/tmp/x/same.csv` would differ.
fs::path Resolve(std::string_view text) {
  std::error_code error;
  fs::path path = fs::absolute(fs::path(text), error);
  if (error) path = fs::path(text);
  // 40 hops, Linux's own limit; a loop of links is left where it stops.
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(path, error)); ++hops) {
    const fs::path target = fs::read_symlink(path, error);
    if (error) break;
    path = target.is_absolute() ? target : path.parent_path() / target;
  }
  fs::path resolved = fs::weakly_canonical(path, error);
  return error ? path.lexically_normal() : resolved;
}

bool NamesAFile(const PathFlag& flag) { return !flag.path.empty() && flag.path != "-"; }

}  // namespace

bool SameFile(std::string_view a, std::string_view b) {
  std::error_code error;
  const fs::file_status status_a = fs::status(fs::path(a), error);
  const fs::file_status status_b = fs::status(fs::path(b), error);
  if (fs::exists(status_a) && fs::exists(status_b)) {
    if (!fs::is_regular_file(status_a) || !fs::is_regular_file(status_b)) return false;
    const bool same = fs::equivalent(fs::path(a), fs::path(b), error);
    return same && !error;
  }
  return Resolve(a) == Resolve(b);
}

bool OutputsAreDistinctOrReport(std::string_view command, std::initializer_list<PathFlag> inputs,
                                std::initializer_list<PathFlag> outputs) {
  auto clash = [&](const PathFlag& output, const PathFlag& other) {
    if (!NamesAFile(other) || !SameFile(output.path, other.path)) return false;
    const std::string spelled = output.path == other.path
                                    ? std::string()
                                    : fmt::format(" (given to {} as {})", output.flag, output.path);
    PrintToStderr("{}: {} and {} name the same file, {}{}; nothing was read or written\n", command,
                  output.flag, other.flag, other.path, spelled);
    return true;
  };
  // Standard input can be read once: two inputs of it would give the second nothing (or the
  // first all of it), found only after the first was read.
  const PathFlag* first_stdin = nullptr;
  for (const PathFlag& input : inputs) {
    if (input.path != "-") continue;
    if (first_stdin != nullptr) {
      PrintToStderr(
          "{}: {} and {} both read standard input (-), which can be read once; give one of them "
          "a file; nothing was read or written\n",
          command, first_stdin->flag, input.flag);
      return false;
    }
    first_stdin = &input;
  }
  for (const PathFlag& output : outputs) {
    if (!NamesAFile(output)) continue;
    for (const PathFlag& earlier : outputs) {
      if (&earlier == &output) break;
      if (clash(output, earlier)) return false;
    }
    for (const PathFlag& input : inputs) {
      if (clash(output, input)) return false;
    }
  }
  return true;
}

}  // namespace leadscore::cli
