// Generate: writes a realistic, deterministic synthetic data set (leads.csv, events.jsonl or
// events.csv, outcomes.csv) for demos, tests and benchmarks.
//
// The events span the `months` calendar months before `as_of` (2026-01-01T00:00:00Z by default),
// in time order across leads. About 10% of leads convert, and they behave differently (more
// pricing, demo and quote events; better fit), so predictive scoring has something to learn.
// A lead's first events may precede its created_at on the day it was created (anonymous visits,
// attributed once the lead fills a form). Memory is O(leads), never O(events): W1 (1M leads,
// 6 months, 30M events, 3.65 GB) takes 15 s and 56 MB on a 2-core EPYC. One seed gives the same
// bytes on every platform. Single-threaded; reentrant.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace leadscore::synth {

enum class EventsFormat { kJsonl, kCsv };

struct GenerateOptions {
  // REQUIRES: not empty. Created (with parents) when missing; files in it are overwritten.
  std::string out_dir;
  // Rows of leads.csv. Default: 2000. REQUIRES: 1 <= leads <= 100,000,000.
  // A further leads/500 leads appear only in events (known to the site, not to the CRM).
  uint64_t leads = 2000;
  // Calendar months of events before as_of. Default: 12. REQUIRES: 1 <= months <= 120.
  int months = 12;
  // Default: 42.
  uint64_t seed = 42;
  // events.jsonl or events.csv. Default: JSON Lines.
  EventsFormat events_format = EventsFormat::kJsonl;
  // The end of the generated span (exclusive), truncated to whole seconds.
  // Default: 2026-01-01T00:00:00Z.
  Timestamp as_of = 1767225600 * kMicrosPerSecond;
};

struct Progress {
  std::string_view phase;  // "leads", "events", "outcomes"
  uint64_t done = 0;
  uint64_t total = 0;
};

// Called from the generating thread a few hundred times per run; must not throw.
using ProgressFn = std::function<void(const Progress&)>;

struct GenerateSummary {
  std::string leads_path, events_path, outcomes_path;
  Timestamp window_start = 0;     // first possible event time
  Timestamp window_end = 0;       // as_of
  uint64_t leads = 0;             // rows in leads.csv
  uint64_t event_only_leads = 0;  // lead ids found only in events
  uint64_t converters = 0;        // leads with an `sql` outcome
  uint64_t events = 0;            // distinct events
  uint64_t duplicate_events = 0;  // extra lines re-sending an event_id already written
  uint64_t outcomes = 0;          // rows in outcomes.csv
  uint64_t events_bytes = 0;
  uint64_t event_counts[8] = {};  // distinct events by EventType
};

// Writes the data set into options.out_dir. Fails with kInvalidArgument for bad options or a
// directory/file that cannot be created (the message names the path and the OS reason), and
// kDataLoss when a write fails (e.g. disk full); files already written are left in place.
Result<GenerateSummary> Generate(const GenerateOptions& options, const ProgressFn& progress = {});

}  // namespace leadscore::synth
