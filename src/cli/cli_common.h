// Helpers shared by the subcommands: loading a model with its diagnostics printed, reading
// --as-of, reporting bad rows and progress on stderr.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/same_file.h"
#include "core/time.h"
#include "engine/compiled_model.h"
#include "ingest/record_source.h"
#include "service/batch_score.h"

namespace CLI {
class Validator;
}  // namespace CLI

namespace leadscore::cli {

// Loads and compiles `path`; on failure prints every diagnostic to stderr and returns null.
std::shared_ptr<const engine::CompiledModel> LoadModelOrReport(const std::string& path);

// Parses --as-of (ISO-8601 or Unix seconds); empty means now. Prints an error on failure.
std::optional<AsOf> ParseAsOfOrReport(const std::string& text);

// Whether the output `path` of option `flag` can be written, checked before a long run rather
// than after it: a regular file (or none yet) by a probe beside it, removed at once; standard
// output, a pipe or a device are not opened twice. Says why on stderr when it cannot.
bool OutputCanBeWrittenOrReport(std::string_view flag, const std::string& path);

// A check for an option whose value may not be empty, such as --as-of, where an empty string
// would otherwise silently mean the default (`--as-of "$UNSET_VARIABLE"`).
const CLI::Validator& NotEmpty();
// A seed: a whole number from 0 to 2^64 - 1 ("-1" would otherwise wrap to the largest).
const CLI::Validator& SeedNumber();

// When one of `inputs` is `-` and standard input is a terminal, says so on stderr before the
// command waits for rows typed there, and how to end them: otherwise a command that was meant
// to get a pipe (`--events -` with the pipe forgotten) would wait in silence.
void NoteTerminalInput(std::string_view command, std::initializer_list<PathFlag> inputs);

// Prints bad rows to stderr: the first `limit`, then only counts them; and every one of them
// to a file when one is given (score --errors).
class ErrorReporter {
 public:
  explicit ErrorReporter(uint64_t limit = 50) : limit_(limit) {}
  ~ErrorReporter();
  // Also writes every problem to `path`, one a line; `-` prints every one to stderr. False
  // (with the reason printed) when the file cannot be created. The file is put in place by
  // Finish, as every output is (service/output_file.h): a run that fails or is killed before
  // it leaves the previous file as it was.
  bool WriteAllTo(const std::string& path);
  // What to add when some problems were not shown and no file has them all.
  void set_hint(std::string hint) { hint_ = std::move(hint); }
  void Report(const ingest::RowError& error);
  // Problems not given in full (service::BatchOptions::on_more_errors): counted with the others.
  void Count(uint64_t more) { count_ += more; }
  // How many problems of each block it needs in full (BatchOptions::errors_in_full): those it
  // prints, or every one when it writes them all.
  uint64_t needed_in_full() const { return all_ != nullptr ? UINT64_MAX : limit_; }
  uint64_t count() const { return count_; }
  // Call once the whole input is read: puts the file of WriteAllTo in place, and prints "...
  // and 120 more" when some were not printed. False when that file could not be written (the
  // reason was printed; the previous file is left as it was).
  bool Finish();

  // A gzip file's damage is found only at the end of its stream (its data check), after the
  // rows it garbled were read and reported as bad. So the problems to print are held from the
  // first one of `names` (the compressed inputs) on, and printed, in order, by Finish; or by
  // DropHeld when the run fails.
  void HoldFrom(std::vector<std::string> names) { hold_from_ = std::move(names); }
  // The run failed with `failure`: prints the held problems but those of the file it names
  // ("events.jsonl.gz: damaged gzip stream ..."), and says how many of those were left out.
  void DropHeld(std::string_view failure);

 private:
  void FailAll();
  void PrintHeld();

  uint64_t limit_;
  uint64_t count_ = 0;
  std::string all_path_;
  std::string hint_;
  std::FILE* all_ = nullptr;  // an unnamed temporary file, until Finish copies it to all_path_
  bool all_written_ = true;   // every problem so far reached all_
  std::vector<std::string> hold_from_;
  // The problems to print once holding began: their file, and the line to print.
  std::vector<std::pair<std::string, std::string>> held_;
  bool holding_ = false;
};

// A progress bar on stderr, shown only when stderr is a terminal and the input is large.
class Progress {
 public:
  void Update(const std::string& path, uint64_t done, uint64_t total);
  void Finish();

 private:
  int enabled_ = -1;  // -1: not decided yet
  bool shown_ = false;
  int last_percent_ = -1;
  std::string path_;
};

// "1 row", "2 rows": `n` and `word`, with an "s" unless n is 1.
std::string Plural(uint64_t n, const char* word);

// Prints "leads.csv: 1000 rows read, 998 used, 2 skipped, 0 duplicates" lines.
void PrintSummary(const service::BatchOptions& options, const service::Batch& batch);

}  // namespace leadscore::cli
