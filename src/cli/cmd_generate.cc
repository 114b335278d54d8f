// leadscore generate: writes realistic synthetic leads, events and outcomes (src/synth) for
// demos, tests and benchmarks. Parses options, calls synth::Generate, prints a summary.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "core/print_stderr.h"
#include "core/time.h"
#include "synth/generator.h"

namespace leadscore::cli {
namespace {

struct GenerateFlags {
  synth::GenerateOptions options;
  std::string events_format = "jsonl";
  std::string as_of;
};

// "events  42%" on stderr, redrawn in place when the percentage moves; only on a terminal.
class PhaseProgress {
 public:
  PhaseProgress() : enabled_(::isatty(STDERR_FILENO) != 0) {}
  void Update(const synth::Progress& p) {
    if (!enabled_) return;
    const int percent = p.total == 0 ? 100 : static_cast<int>(p.done * 100 / p.total);
    if (percent == last_percent_ && p.phase == phase_) return;
    last_percent_ = percent;
    phase_ = std::string(p.phase);
    PrintToStderr("\rgenerating {:<8} {:3}%", phase_, percent);
    shown_ = true;
  }
  void Finish() {
    if (shown_) std::fputs("\r\033[K", stderr);
  }

 private:
  bool enabled_;
  bool shown_ = false;
  int last_percent_ = -1;
  std::string phase_;
};

int RunGenerate(GenerateFlags& flags) {
  synth::GenerateOptions& options = flags.options;
  if (!flags.as_of.empty()) {
    const auto as_of = ParseTimestamp(flags.as_of);
    if (!as_of) {
      PrintToStderr(
          "--as-of: cannot read \"{}\" as a time; use ISO-8601 (2026-01-01T00:00:00Z, "
          "2026-01-01) or Unix seconds\n",
          flags.as_of);
      return kExitUsage;
    }
    options.as_of = *as_of;
  }
  options.events_format =
      flags.events_format == "csv" ? synth::EventsFormat::kCsv : synth::EventsFormat::kJsonl;

  PhaseProgress progress;
  const auto started = std::chrono::steady_clock::now();
  auto summary =
      synth::Generate(options, [&progress](const synth::Progress& p) { progress.Update(p); });
  progress.Finish();
  if (!summary) {
    PrintToStderr("leadscore generate: {}\n", summary.error().message());
    return ExitCodeFor(summary.error());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const synth::GenerateSummary& s = *summary;
  fmt::print("{}: {} leads\n", s.leads_path, s.leads);
  fmt::print(
      "{}: {} events ({} lines with {} re-sent duplicates, {:.1f} MB), {} lead ids only "
      "in events\n",
      s.events_path, s.events, s.events + s.duplicate_events, s.duplicate_events,
      static_cast<double>(s.events_bytes) / 1e6, s.event_only_leads);
  fmt::print("{}: {} outcomes, {} leads converted\n", s.outcomes_path, s.outcomes, s.converters);
  fmt::print("events from {} to {} (exclusive), seed {}, {:.1f} s\n",
             FormatTimestamp(s.window_start), FormatTimestamp(s.window_end), options.seed, seconds);
  return kExitOk;
}

}  // namespace

std::function<int()> SetupGenerate(CLI::App& sub) {
  auto flags = std::make_shared<GenerateFlags>();
  synth::GenerateOptions& o = flags->options;
  sub.add_option("--out", o.out_dir, "Output directory (created if missing; files overwritten)")
      ->required();
  sub.add_option("--leads", o.leads, "Rows of leads.csv (plus leads/500 ids only in events)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}));
  sub.add_option("--months", o.months, "Calendar months of events before --as-of")
      ->capture_default_str()
      ->check(CLI::Range(1, 120));
  sub.add_option("--seed", o.seed, "Random seed: the same seed writes the same bytes")
      ->capture_default_str()
      ->check(SeedNumber());
  sub.add_option("--events-format", flags->events_format, "events.jsonl or events.csv")
      ->capture_default_str()
      ->check(CLI::IsMember({"jsonl", "csv"}));
  sub.add_option("--as-of", flags->as_of,
                 "End of the generated span, exclusive (ISO-8601 or Unix seconds); "
                 "default 2026-01-01T00:00:00Z")
      ->check(NotEmpty());
  return [flags] { return RunGenerate(*flags); };
}

}  // namespace leadscore::cli
