#include "cli/cli_common.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/output_file.h"
#include "core/print_stderr.h"
#include "ingest/record_source.h"
#include "model/diagnostic.h"

namespace leadscore::cli {

std::shared_ptr<const engine::CompiledModel> LoadModelOrReport(const std::string& path) {
  auto model = engine::LoadModel(path);
  if (!model) {
    std::fputs(model::FormatDiagnostics(model.error()).c_str(), stderr);
    PrintToStderr("{}: {} problem{}; the model was not loaded\n", path, model.error().size(),
                  model.error().size() == 1 ? "" : "s");
    return nullptr;
  }
  return *model;
}

bool OutputCanBeWrittenOrReport(std::string_view flag, const std::string& path) {
  if (path.empty() || path == "-") return true;
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode) &&
      !S_ISDIR(existing.st_mode)) {
    return true;
  }
  auto probe = PendingOutput::Open(path);  // dropped: the file it made is removed
  if (!probe) {
    PrintToStderr("{}: {}\n", flag, probe.error().message());
    return false;
  }
  return true;
}

const CLI::Validator& NotEmpty() {
  static const CLI::Validator check(
      [](const std::string& value) {
        return value.empty() ? std::string(
                                   "must not be empty (leave the option out for the "
                                   "default)")
                             : std::string();
      },
      "", "NOT_EMPTY");
  return check;
}

const CLI::Validator& SeedNumber() {
  static const CLI::Validator check(
      [](const std::string& value) {
        uint64_t seed = 0;
        const auto read = std::from_chars(value.data(), value.data() + value.size(), seed);
        return read.ec == std::errc() && read.ptr == value.data() + value.size()
                   ? std::string()
                   : "must be a whole number from 0 to 18446744073709551615, not " + value;
      },
      "", "SEED");
  return check;
}

std::optional<AsOf> ParseAsOfOrReport(const std::string& text) {
  if (text.empty()) {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return AsOf{std::chrono::duration_cast<std::chrono::microseconds>(now).count()};
  }
  auto ts = ParseTimestamp(text);
  if (!ts) {
    PrintToStderr(
        "--as-of: cannot read \"{}\" as a time; use ISO-8601 (2024-05-01T10:00:00Z, "
        "2024-05-01) or Unix seconds\n",
        text);
    return std::nullopt;
  }
  // SCORING.md reads digits alone as Unix seconds; eight of them that form a date were most
  // likely meant as one (`20240101`, 1970-08-23 as seconds).
  if (text.size() == 8 && std::all_of(text.begin(), text.end(), ::isdigit)) {
    const int year = std::stoi(text.substr(0, 4)), month = std::stoi(text.substr(4, 2)),
              day = std::stoi(text.substr(6, 2));
    if (year >= 1900 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31) {
      PrintToStderr(
          "--as-of: warning: {} is read as Unix seconds ({}); for the date, write {}-{}-{}\n", text,
          FormatTimestamp(*ts), text.substr(0, 4), text.substr(4, 2), text.substr(6, 2));
    }
  }
  return AsOf{*ts};
}

void NoteTerminalInput(std::string_view command, std::initializer_list<PathFlag> inputs) {
  for (const PathFlag& input : inputs) {
    if (input.path != "-" || !::isatty(STDIN_FILENO)) continue;
    PrintToStderr(
        "{}: {} - reads standard input, which is this terminal: type the rows (a header line "
        "first, for CSV), then Ctrl-D on a line of its own; or give a file or a pipe\n",
        command, input.flag);
    return;
  }
}

ErrorReporter::~ErrorReporter() {
  if (all_ != nullptr) std::fclose(all_);
}

bool ErrorReporter::WriteAllTo(const std::string& path) {
  if (path == "-") {
    limit_ = UINT64_MAX;
    return true;
  }
  // Fails now, as an --output that cannot be created does, rather than after the run.
  if (!OutputCanBeWrittenOrReport("--errors", path)) return false;
  all_ = std::tmpfile();
  if (all_ == nullptr) {
    PrintToStderr("--errors: cannot make a temporary file: {}\n", std::strerror(errno));
    return false;
  }
  all_path_ = path;
  return true;
}

void ErrorReporter::Report(const ingest::RowError& error) {
  if (count_++ < limit_) {
    // Not when every problem goes to stderr (--errors -): those may be millions.
    holding_ = holding_ || (limit_ != UINT64_MAX && std::find(hold_from_.begin(), hold_from_.end(),
                                                              error.file) != hold_from_.end());
    if (holding_) {
      held_.emplace_back(error.file, ingest::FormatRowError(error));
    } else {
      PrintToStderr("{}\n", ingest::FormatRowError(error));
    }
  }
  if (all_ != nullptr && all_written_) {
    // Not fmt::print, which throws when the write fails (a full disk).
    const std::string line = ingest::FormatRowError(error) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), all_) != line.size()) FailAll();
  }
}

void ErrorReporter::FailAll() {
  PrintToStderr("--errors: cannot write {}: {}\n", all_path_, std::strerror(errno));
  all_written_ = false;
}

void ErrorReporter::PrintHeld() {
  for (const auto& [file, line] : held_) PrintToStderr("{}\n", line);
  held_.clear();
}

void ErrorReporter::DropHeld(std::string_view failure) {
  uint64_t dropped = 0;
  std::string damaged;
  for (const auto& [file, line] : held_) {
    if (failure.starts_with(file + ": ")) {
      ++dropped;
      damaged = file;
    } else {
      PrintToStderr("{}\n", line);
    }
  }
  held_.clear();
  if (dropped > 0) {
    PrintToStderr(
        "({} not shown: read from {} before its damage was found, they may be the "
        "damage itself)\n",
        Plural(dropped, "problem"), damaged);
  }
}

bool ErrorReporter::Finish() {
  PrintHeld();
  if (all_ != nullptr && all_written_ && std::fflush(all_) != 0) FailAll();
  if (all_ != nullptr && all_written_) {
    std::rewind(all_);
    Status written = WriteFileAtomically(all_path_, [&](std::FILE* out) {
      char buffer[1 << 16];
      for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, all_)) > 0;) {
        if (std::fwrite(buffer, 1, n, out) != n) {
          return Status(StatusCode::kDataLoss, "write failed");  // named with errno's reason
        }
      }
      return std::ferror(all_) ? Status(StatusCode::kDataLoss, "cannot read back the problems")
                               : Status::Ok();
    });
    if (!written.ok()) {
      PrintToStderr("--errors: {}\n", written.message());
      all_written_ = false;
    }
  }
  if (count_ > limit_) {
    std::string where;
    if (all_ != nullptr && all_written_) {
      where = " here (every one is in " + all_path_ + ")";
    } else if (!hint_.empty()) {
      where = " (" + hint_ + ")";
    }
    PrintToStderr("... and {} more problems not shown{}\n", count_ - limit_, where);
  }
  return all_written_;
}

void Progress::Update(const std::string& path, uint64_t done, uint64_t total) {
  if (enabled_ == -1) enabled_ = ::isatty(STDERR_FILENO);
  if (!enabled_ || total < (64u << 20)) return;
  int percent = total ? static_cast<int>(std::min<uint64_t>(100, done * 100 / total)) : 0;
  if (percent == last_percent_ && path == path_) return;
  last_percent_ = percent;
  path_ = path;
  int width = 30;
  int filled = percent * width / 100;
  std::string name = std::filesystem::path(path).filename().string();
  PrintToStderr("\rreading {:<24.24} [{:=<{}}{:<{}}] {:3}%", name, "", filled, "", width - filled,
                percent);
  shown_ = true;
}

void Progress::Finish() {
  if (shown_) std::fputs("\r\033[K", stderr);
  shown_ = false;
}

namespace {

void PrintStats(const std::string& path, const service::InputStats& s, bool events) {
  std::string line = fmt::format("{}: {} read, {} used, {} skipped, {}", ingest::InputName(path),
                                 Plural(s.rows_read, "row"), s.rows_used, s.rows_skipped,
                                 Plural(s.duplicates, "duplicate"));
  if (events && s.after_as_of) line += fmt::format(", {} after --as-of", s.after_as_of);
  if (s.conversion_errors) {
    line += fmt::format(", {} not converted", Plural(s.conversion_errors, "value"));
  }
  if (s.warnings) line += fmt::format(", {} read with a warning", Plural(s.warnings, "row"));
  PrintToStderr("{}\n", line);
}

}  // namespace

std::string Plural(uint64_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

void PrintSummary(const service::BatchOptions& options, const service::Batch& batch) {
  if (!options.leads_path.empty()) PrintStats(options.leads_path, batch.lead_stats, false);
  if (!options.events_path.empty()) PrintStats(options.events_path, batch.event_stats, true);
}

}  // namespace leadscore::cli
