#include "service/batch_score.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "engine/scorer.h"
#include "service/block_pipeline.h"
#include "service/event_id_set.h"
#include "service/fields_seen.h"
#include "service/numbered_lead_index.h"
#include "service/record_convert.h"
#include "service/typed_ids.h"

namespace leadscore::service {
namespace {

using engine::CompiledModel;
using ingest::RowError;

int ThreadCount(int requested) {
  if (requested > 0) return requested;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(std::min(n, 16u));
}

// Fails when a CSV header lacks a column every row needs; reports what else is wrong with it.
Status CheckHeader(const ingest::RecordSource& source, std::initializer_list<const char*> needed,
                   const BatchOptions& options) {
  if (source.format() != ingest::Format::kCsv || source.header().empty()) return Status::Ok();
  if (options.on_error) {
    for (const RowError& warning : source.header_warnings()) options.on_error(warning);
  }
  return ingest::RequireColumns(source, needed);
}

// ---- Leads ---------------------------------------------------------------------------------

// One good lead row as a parse worker leaves it for the in-order insert step.
struct LeadRecord {
  uint64_t line;
  uint64_t hash;
  std::string_view id;        // in ParsedLeads::arena
  uint32_t values;            // first of its attributes in ParsedLeads::values (unless fit_only)
  double fit = 0;             // its fit, when the batch keeps fits rather than attributes
  uint32_t errors_begin = 0;  // its warnings, then its conversion problems, in
  uint32_t errors_end = 0;    // ParsedLeads::conversion_errors, reported only if the row is kept
  // How many of each it had: those past the block's errors_in_full are only counted.
  uint32_t warnings = 0;
  uint32_t conversions = 0;
};

// Problems a block holds for `consume` (every one, for `score --errors FILE`): past this many
// in the blocks parsed and not consumed yet, the pipeline reads ahead no further (about 200
// bytes each: a block of 4 MiB of bad two-byte lines holds 2M of them).
constexpr size_t kMaxProblemsAhead = 500'000;

// Empties `problems`, and gives back its memory when a block of many problems grew it: the
// Parsed is recycled for other blocks, which rarely hold as many.
void ClearProblems(std::vector<RowError>& problems) {
  if (problems.capacity() > 4096) {
    std::vector<RowError>().swap(problems);
  } else {
    problems.clear();
  }
}

struct ParsedLeads {
  uint64_t bytes = 0;  // of the block
  std::vector<LeadRecord> records;
  std::vector<Value> values;
  std::vector<RowError> conversion_errors;
  // Rejected rows, each reported before record `skipped_before[i]` is inserted.
  std::vector<RowError> skipped;
  std::vector<uint32_t> skipped_before;
  // Past errors_in_full: rejected rows, and other problems with the input, only counted.
  uint64_t more_skipped_rows = 0;
  uint64_t more_input_problems = 0;
  // JSON Lines: the lead fields this block's worker saw a value of for the first time.
  std::vector<uint32_t> fields_seen;
  std::unique_ptr<Arena> arena = std::make_unique<Arena>();

  // Empties it for the next block, keeping its memory.
  void Clear() {
    bytes = 0;
    records.clear();
    values.clear();
    ClearProblems(conversion_errors);
    ClearProblems(skipped);
    skipped_before.clear();
    more_skipped_rows = more_input_problems = 0;
    fields_seen.clear();
    arena->Reset();
  }
  size_t problems_held() const { return conversion_errors.size() + skipped.size(); }
};

// Parses and converts one block of leads. One per worker thread.
class LeadSink : public ingest::RowSink {
 public:
  LeadSink(const CompiledModel& model, const ingest::RecordSource& source,
           std::vector<size_t> raw_index, const Batch& batch, TypedIds typed_ids,
           FieldsSeen fields_seen, uint64_t errors_in_full)
      : errors_in_full_(errors_in_full),
        fields_seen_(std::move(fields_seen)),
        typed_ids_(std::move(typed_ids)),
        file_(source.path()),
        converter_(model.lead_fields(), std::move(raw_index),
                   source.format() == ingest::Format::kCsv, source.path(),
                   model.checked_lead_fields()),
        scorer_(model),
        as_of_(batch.as_of),
        fit_only_(batch.fit_only()) {}

  void set_output(ParsedLeads* out) { out_ = out; }

  void OnRow(uint64_t line, std::span<const Value> values) override {
    std::string_view id;
    if (!IdText(values[0], id_scratch_, id)) {
      std::string reason = RefusedBecause(warnings_, "lead_id", NoIdReason(values[0], "lead_id"));
      warnings_.clear();
      return OnError({file_, line, "lead_id", std::move(reason)});
    }
    if (HoldsNul(id)) {
      warnings_.clear();
      return OnError({file_, line, "lead_id", NulReason("lead_id")});
    }
    LeadRecord record{line, HashBytes(id), out_->arena->Copy(id),
                      static_cast<uint32_t>(out_->values.size())};
    std::vector<RowError>& problems = out_->conversion_errors;
    record.errors_begin = static_cast<uint32_t>(problems.size());
    record.warnings = static_cast<uint32_t>(warnings_.size());
    for (RowError& w : warnings_) problems.push_back(std::move(w));
    warnings_.clear();
    auto row = converter_.Convert(typed_ids_.For(values), line, problems);
    fields_seen_.Note(row, out_->fields_seen);
    record.conversions =
        static_cast<uint32_t>(problems.size() - record.errors_begin - record.warnings);
    if (problems.size() > errors_in_full_) {
      problems.resize(std::max<size_t>(errors_in_full_, record.errors_begin));
    }
    record.errors_end = static_cast<uint32_t>(problems.size());
    if (fit_only_) {
      // Here, on a parse worker, rather than on the thread that inserts the leads in order.
      record.fit = scorer_.Fit(row, as_of_);
    } else {
      for (const Value& v : row) {
        out_->values.push_back(v.is_string() ? Value::String(out_->arena->Copy(v.str())) : v);
      }
    }
    out_->records.push_back(record);
  }

  void OnError(RowError error) override {
    if (out_->skipped.size() >= errors_in_full_) {
      ++(error.is_row ? out_->more_skipped_rows : out_->more_input_problems);
      return;
    }
    NoteRowSkipped(error);
    out_->skipped.push_back(std::move(error));
    out_->skipped_before.push_back(static_cast<uint32_t>(out_->records.size()));
  }

  // Reported with the row it comes before, if that row is kept.
  void OnWarning(RowError warning) override { warnings_.push_back(std::move(warning)); }

 private:
  std::vector<RowError> warnings_;
  uint64_t errors_in_full_;
  FieldsSeen fields_seen_;
  TypedIds typed_ids_;
  std::string file_;
  Converter converter_;
  engine::Scorer scorer_;
  AsOf as_of_;
  bool fit_only_;
  std::string id_scratch_;
  ParsedLeads* out_ = nullptr;
};

// How many rows a file holds, judged from its first blocks by their bytes per row, once they
// hold 1 MiB: a short first block (the rows before a line too long to read, say) judges
// wildly. Five bytes a row in a 300 MB leads file sized the tables for 60M leads, 6 GB.
class RowEstimate {
 public:
  RowEstimate(const ingest::RecordSource& source, bool gzip) : source_(source), gzip_(gzip) {}

  // Counts a block in; returns the estimate when there is enough to go by, else 0.
  size_t Add(uint64_t bytes, uint64_t rows) {
    constexpr uint64_t kEnough = uint64_t{1} << 20;
    bytes_ += bytes;
    rows_ += rows;
    if (bytes_ < kEnough || rows_ == 0) return 0;
    const double per_row = static_cast<double>(bytes_) / static_cast<double>(rows_);
    // A gzip file's size is compressed: about 8x for CSV and JSON Lines.
    const double total = static_cast<double>(source_.file_size()) * (gzip_ ? 8.0 : 1.05);
    return static_cast<size_t>(total / per_row);
  }

 private:
  const ingest::RecordSource& source_;
  bool gzip_;
  uint64_t bytes_ = 0;
  uint64_t rows_ = 0;
};

Status ReadLeads(Batch& batch, const BatchOptions& options, int threads) {
  LS_ASSIGN_OR_RETURN(auto source, options.leads_source
                                       ? options.leads_source()
                                       : ingest::RecordSource::Open(options.leads_path));
  LS_RETURN_IF_ERROR(CheckHeader(*source, {"lead_id"}, options));
  const CompiledModel& model = *batch.model;
  std::vector<size_t> raw_index;
  auto wanted =
      WantedKeys({"lead_id"}, model.lead_fields(), raw_index, model.checked_lead_fields());
  const TypedIds typed_ids = options.typed_ids ? TypedIds(wanted, 1, raw_index) : TypedIds();
  const size_t num_fields = model.lead_fields().size();
  // A file's columns the model reads but the file lacks (said, not refused: a model may read
  // an attribute only some sources send). From a CSV header now; from JSON Lines as read.
  // The store's sources are left out: their keys are whatever leads were ingested.
  const bool csv_header = source->format() == ingest::Format::kCsv && !source->header().empty();
  const bool note_seen = !options.leads_source && !csv_header;
  std::vector<uint8_t> seen(num_fields, 0);
  if (csv_header && !options.leads_source) {
    batch.lead_columns = source->header();
    for (const auto& field : model.lead_fields()) {
      if (field.name == "lead_id") continue;
      if (std::find(batch.lead_columns.begin(), batch.lead_columns.end(), field.name) ==
          batch.lead_columns.end()) {
        batch.absent_lead_fields.push_back(field.name);
      }
    }
  }
  PerWorker<ingest::BlockParser> parsers(
      threads, [&] { return ingest::BlockParser::Create(*source, wanted); });
  PerWorker<LeadSink> sinks(threads, [&] {
    return std::make_unique<LeadSink>(model, *source, raw_index, batch, typed_ids,
                                      note_seen ? FieldsSeen(num_fields) : FieldsSeen(),
                                      options.errors_in_full);
  });
  InputStats& stats = batch.lead_stats;
  auto report = [&](const RowError& e) {
    if (options.on_error) options.on_error(e);
  };
  auto report_more = [&](uint64_t count) {
    if (count > 0 && options.on_more_errors) options.on_more_errors(count);
  };
  bool reserved = false;
  RowEstimate rows_in_file(*source, options.leads_path.ends_with(".gz"));
  std::jthread prefault;  // faults the reserved tables in ahead of the rows written to them
  auto parse = [&](int worker, const ingest::Block& block, ParsedLeads& out) {
    out.bytes = block.text().size();
    sinks[worker].set_output(&out);
    parsers[worker].Parse(block, sinks[worker]);
  };
  auto consume = [&](ParsedLeads& parsed) {
    const size_t estimate = reserved ? 0 : rows_in_file.Add(parsed.bytes, parsed.records.size());
    if (estimate > 0) {
      // Size the tables once rather than doubling them (a doubling copies every state row).
      reserved = true;
      batch.leads.Reserve(estimate);
      batch.states.Reserve(estimate);
      if (batch.fit_only()) batch.fit.reserve(estimate);
      auto spare = batch.leads.SpareMemory();
      spare.push_back(batch.states.SpareMemory());
      spare.push_back(SpareCapacity(batch.fit));
      prefault = PrefaultInBackground(std::move(spare));
    }
    size_t next_skipped = 0;
    auto report_skipped_until = [&](size_t record) {
      for (; next_skipped < parsed.skipped.size() && parsed.skipped_before[next_skipped] <= record;
           ++next_skipped) {
        const RowError& error = parsed.skipped[next_skipped];
        stats.rows_read += error.is_row;
        stats.rows_skipped += error.is_row;
        report(error);
      }
    };
    for (size_t i = 0; i < parsed.records.size(); ++i) {
      // A lead's slot in the index is a cache miss, fetched a few leads ahead.
      if (i + 8 < parsed.records.size()) batch.leads.Prefetch(parsed.records[i + 8].hash);
      report_skipped_until(i);
      const LeadRecord& r = parsed.records[i];
      ++stats.rows_read;
      int64_t existing = batch.leads.Find(r.id, r.hash);
      if (existing >= 0) {
        report({source->path(), r.line, "lead_id",
                AlreadyReadReason(r.id, batch.leads.line(existing))});
        ++stats.rows_skipped;
        ++stats.duplicates;
        continue;
      }
      stats.warnings += r.warnings;
      stats.conversion_errors += r.conversions;
      for (uint32_t e = r.errors_begin; e < r.errors_end; ++e) report(parsed.conversion_errors[e]);
      report_more(r.warnings + r.conversions - (r.errors_end - r.errors_begin));
      uint32_t row = batch.leads.Insert(r.id, r.hash);
      batch.leads.set_line(row, r.line);
      batch.states.AddLead();
      if (batch.fit_only()) {
        batch.fit.push_back(r.fit);
      } else {
        for (size_t f = 0; f < num_fields; ++f) {
          const Value& v = parsed.values[r.values + f];
          if (!v.is_null()) batch.leads.SetAttribute(row, f, v);
        }
      }
      ++stats.rows_used;
    }
    report_skipped_until(SIZE_MAX);
    stats.rows_read += parsed.more_skipped_rows;
    stats.rows_skipped += parsed.more_skipped_rows;
    report_more(parsed.more_skipped_rows + parsed.more_input_problems);
    ClearProblems(parsed.conversion_errors);  // reported: not held while the Parsed waits
    ClearProblems(parsed.skipped);
    for (uint32_t f : parsed.fields_seen) seen[f] = 1;
    if (options.on_progress) {
      options.on_progress(source->path(), source->bytes_read(), source->file_size());
    }
  };
  LS_RETURN_IF_ERROR(RunBlockPipeline<ParsedLeads>(*source, threads, options.block_bytes, parse,
                                                   consume, {}, &ParsedLeads::problems_held,
                                                   kMaxProblemsAhead));
  if (note_seen && stats.rows_used > 0) {
    for (size_t f = 0; f < num_fields; ++f) {
      const std::string& name = model.lead_fields()[f].name;
      if (!seen[f] && name != "lead_id") batch.absent_lead_fields.push_back(name);
    }
  }
  return Status::Ok();
}

// ---- Events --------------------------------------------------------------------------------

// One good event row as a parse worker leaves it for the in-order apply step. 64 bytes, one
// cache line: the serial stage's time goes mostly to the first read of each record, written
// by a worker on the other core (88 bytes before, 1.4 lines a record).
struct alignas(64) EventRecord {
  uint64_t line;
  uint64_t lead_hash;        // set by FindLeads where the consuming stage may need it
  const char* lead_id_data;  // in ParsedEvents::arena
  Timestamp ts;
  uint64_t event_key;  // EventIdKeys::Key of its event_id; 0: no event_id
  uint64_t mask;       // rules matched on the event alone
  uint32_t lead_id_size;
  int32_t type_id;  // -1: no rule counts this type
  uint32_t values;  // first of this event's properties in ParsedEvents::values, if kept
  // Parsing leaves the lead's row among the leads read from the leads file (or kNotInFile);
  // the dedupe stage replaces it with the row to apply the event to, or kSkip.
  uint32_t lead;

  std::string_view lead_id() const { return {lead_id_data, lead_id_size}; }
};
static_assert(sizeof(EventRecord) == 64);

constexpr uint32_t kSkip = UINT32_MAX;
constexpr uint32_t kNotInFile = UINT32_MAX - 1;

struct ParsedEvents {
  std::vector<EventRecord> records;
  // FindLeads' records to look up by number and through the lead table.
  std::vector<uint32_t> by_number, hashed;
  std::vector<Value> values;  // properties, for rules that also read the lead
  std::vector<RowError> errors;
  uint64_t more_errors = 0;  // past errors_in_full: only counted
  std::unique_ptr<Arena> arena = std::make_unique<Arena>();
  uint64_t bytes = 0;  // of the block
  uint64_t rows_read = 0;
  uint64_t rows_skipped = 0;
  uint64_t conversion_errors = 0;
  uint64_t warnings = 0;

  // Empties it for the next block, keeping its memory.
  void Clear() {
    records.clear();
    by_number.clear();
    hashed.clear();
    values.clear();
    ClearProblems(errors);
    arena->Reset();
    bytes = rows_read = rows_skipped = conversion_errors = warnings = more_errors = 0;
  }
  size_t problems_held() const { return errors.size(); }
};

// Parses and pre-evaluates one block of events. One per worker thread.
class EventSink : public ingest::RowSink {
 public:
  EventSink(const CompiledModel& model, const ingest::RecordSource& source, bool keep_values,
            std::vector<size_t> raw_index, Timestamp as_of, const EventIdKeys& id_keys,
            TypedIds typed_ids, uint64_t errors_in_full)
      : model_(model),
        errors_in_full_(errors_in_full),
        typed_ids_(std::move(typed_ids)),
        id_keys_(id_keys),
        as_of_(as_of),
        scorer_(model),
        file_(source.path()),
        keep_values_(keep_values),
        converter_(model.event_fields(), std::move(raw_index),
                   source.format() == ingest::Format::kCsv, source.path(),
                   model.checked_event_fields()) {}

  void set_output(ParsedEvents* out) { out_ = out; }

  void OnRow(uint64_t line, std::span<const Value> values) override {
    ++out_->rows_read;
    std::string_view lead_id, type, event_id;
    if (!IdText(values[0], lead_scratch_, lead_id)) {
      return Reject(line, "lead_id", NoIdReason(values[0], "lead_id"));
    }
    if (!IdText(values[1], type_scratch_, type)) {
      return Reject(line, "type", NoIdReason(values[1], "event type"));
    }
    std::string problem;
    Timestamp ts;
    if (!EventTime(values[2], ts, problem)) return Reject(line, "ts", std::move(problem));
    const bool has_event_id = IdText(values[3], event_scratch_, event_id);
    if (!has_event_id) event_id = {};
    for (auto [field, id] :
         {std::pair{"lead_id", lead_id}, {"type", type}, {"event_id", event_id}}) {
      if (HoldsNul(id)) return Reject(line, field, NulReason(field));
    }
    if (!warnings_.empty()) ReportWarnings();
    // Filled in place: a record built on the stack and pushed was copied through 16-byte loads
    // of 8-byte stores, which stalled store forwarding (a third of this function's samples).
    EventRecord& record = out_->records.emplace_back();
    record.line = line;
    const std::string_view copy = out_->arena->Copy(lead_id);
    record.lead_id_data = copy.data();
    record.lead_id_size = static_cast<uint32_t>(copy.size());
    record.ts = ts;
    record.type_id = -1;
    record.lead = kNotInFile;
    if (has_event_id) record.event_key = id_keys_.Key(event_id);
    record.type_id = model_.EventTypeId(type);
    if (record.type_id >= 0 || converter_.checks_anything()) {
      // An event of a type no rule counts is converted only to report its declared fields.
      errors_.clear();
      auto props = converter_.Convert(typed_ids_.For(values), line, errors_);
      for (auto& e : errors_) {
        ++out_->conversion_errors;
        Keep(std::move(e));
      }
      if (record.type_id < 0) return;
      engine::EventView view{record.type_id, ts, props, as_of_};
      record.mask = scorer_.MatchEvent(view);
      if (keep_values_) {
        record.values = static_cast<uint32_t>(out_->values.size());
        for (const Value& v : props) {
          out_->values.push_back(v.is_string() ? Value::String(out_->arena->Copy(v.str())) : v);
        }
      }
    }
  }

  void OnError(RowError error) override {
    if (!warnings_.empty()) ReportWarnings();
    out_->rows_read += error.is_row;
    out_->rows_skipped += error.is_row;
    NoteRowSkipped(error);
    Keep(std::move(error));
  }

  // Held until OnRow, which may refuse the row for the value warned about (RefusedBecause).
  void OnWarning(RowError warning) override { warnings_.push_back(std::move(warning)); }

 private:
  // Held for on_error up to the block's errors_in_full; past that, only counted.
  void Keep(RowError error) {
    if (out_->errors.size() < errors_in_full_) {
      out_->errors.push_back(std::move(error));
    } else {
      ++out_->more_errors;
    }
  }

  void ReportWarnings() {
    for (RowError& w : warnings_) Keep(std::move(w));
    out_->warnings += warnings_.size();
    warnings_.clear();
  }

  // Skips the row, with `reason` as its error unless a warning says why the field is null.
  void Reject(uint64_t line, const char* field, std::string reason) {
    reason = RefusedBecause(warnings_, field, std::move(reason));
    if (!warnings_.empty()) ReportWarnings();
    Keep({file_, line, field, reason + "; row skipped"});
    ++out_->rows_skipped;
  }

  const CompiledModel& model_;
  uint64_t errors_in_full_;
  TypedIds typed_ids_;
  const EventIdKeys& id_keys_;
  Timestamp as_of_;
  engine::Scorer scorer_;
  std::string file_;
  bool keep_values_;
  Converter converter_;
  ParsedEvents* out_ = nullptr;
  std::string lead_scratch_, type_scratch_, event_scratch_;
  std::vector<RowError> errors_;
  std::vector<RowError> warnings_;  // about the row that comes next
};

// Settles each record's row among the leads of the leads file (or kNotInFile): through
// `numbered` when its lead id has that index's form, else through `leads`. Either's memory is
// read a few records ahead. Hashes the ids of the leads the consuming stage will look up or add
// among those known only from events.
void FindLeads(const LeadTable& leads, const NumberedLeadIndex& numbered, ParsedEvents& out) {
  auto& records = out.records;
  auto& by_number = out.by_number;
  auto& hashed = out.hashed;
  by_number.clear();
  hashed.clear();
  for (size_t i = 0; i < records.size(); ++i) {
    EventRecord& r = records[i];
    const int64_t slot = numbered.SlotOf(r.lead_id());
    if (slot >= 0) {
      r.lead = static_cast<uint32_t>(slot);  // for now
      by_number.push_back(static_cast<uint32_t>(i));
    } else {
      r.lead_hash = HashBytes(r.lead_id());
      if (slot == NumberedLeadIndex::kNoLead) {
        r.lead = kNotInFile;
      } else {
        hashed.push_back(static_cast<uint32_t>(i));
      }
    }
  }
  // A lookup by number is a few instructions: its reads are started further ahead.
  constexpr size_t kNumberAhead = 64;
  for (size_t k = 0; k < by_number.size(); ++k) {
    if (k + kNumberAhead < by_number.size()) {
      numbered.Prefetch(records[by_number[k + kNumberAhead]].lead);
    }
    EventRecord& r = records[by_number[k]];
    const int64_t row = numbered.RowAt(r.lead);
    r.lead = row >= 0 ? static_cast<uint32_t>(row) : kNotInFile;
    if (row < 0) r.lead_hash = HashBytes(r.lead_id());
  }
  constexpr size_t kAhead = 16;
  for (size_t k = 0; k < hashed.size(); ++k) {
    if (k + kAhead < hashed.size()) leads.Prefetch(records[hashed[k + kAhead]].lead_hash);
    if (k + kAhead / 2 < hashed.size()) leads.PrefetchId(records[hashed[k + kAhead / 2]].lead_hash);
    EventRecord& r = records[hashed[k]];
    const int64_t row = leads.Find(r.lead_id(), r.lead_hash);
    r.lead = row >= 0 ? static_cast<uint32_t>(row) : kNotInFile;
  }
}

// About how many lines a plain events file holds, from the bytes per line of four windows of
// 64 KB spread over it (the start alone read 13% short lines on W1's 1M events); 0 when it
// cannot tell (a compressed file, a source that is not a file).
size_t EstimateLines(const std::string& path) {
  std::error_code error;  // a pipe is not opened: its reader would take bytes, or its writer
  if (path == "-" || path.ends_with(".gz") || !std::filesystem::is_regular_file(path, error)) {
    return 0;  // "-" is standard input, whatever file of that name the directory holds
  }
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file || std::fseek(file.get(), 0, SEEK_END) != 0) return 0;
  const long size = std::ftell(file.get());
  if (size <= 0) return 0;
  constexpr int kWindows = 4;
  constexpr size_t kWindowBytes = 64 * 1024;
  std::string window;
  size_t bytes = 0, lines = 0;
  for (int w = 0; w < kWindows; ++w) {
    if (std::fseek(file.get(), size / kWindows * w, SEEK_SET) != 0) return 0;
    window.resize(kWindowBytes);
    window.resize(std::fread(window.data(), 1, kWindowBytes, file.get()));
    // Whole lines only: from the first line start (past a line cut by the window's start) to
    // the last newline.
    const size_t first = w == 0 ? 0 : window.find('\n') + 1;
    const size_t last = window.rfind('\n');
    if (first == 0 && w != 0) continue;  // no newline: a line longer than the window
    if (last == std::string::npos || last < first) continue;
    bytes += last + 1 - first;
    lines +=
        static_cast<size_t>(std::count(window.begin() + first, window.begin() + last + 1, '\n'));
  }
  if (lines == 0) return 0;
  // A line of an event holds at least a lead, a type and a time: never fewer than 32 bytes.
  const double per_line = std::max(32.0, static_cast<double>(bytes) / lines);
  return static_cast<size_t>(static_cast<double>(size) / per_line * 1.05);
}

// The keys of the event ids of `path`, from the ids of its first 256 KB (up to 4,096): numbered
// ids when most of them share a numbered form (see EventIdKeys), fingerprints otherwise. Only a
// regular file is sampled: the bytes of a pipe can be read once.
EventIdKeys SampleEventIds(const std::string& path) {
  std::error_code error;  // "-" is standard input, whatever file of that name there is
  if (path == "-" || !std::filesystem::is_regular_file(path, error)) return EventIdKeys();
  auto source = ingest::RecordSource::Open(path);
  if (!source) return EventIdKeys();
  class Sample : public ingest::RowSink {
   public:
    void OnRow(uint64_t /*line*/, std::span<const Value> values) override {
      std::string_view id;
      if (ids.size() < 4096 && IdText(values[0], scratch_, id)) ids.emplace_back(id);
    }
    void OnError(RowError /*error*/) override {}
    std::vector<std::string> ids;

   private:
    std::string scratch_;
  } sample;
  auto parser = ingest::BlockParser::Create(**source, {"event_id"});
  // A sample need not read a long line whole (the run skips it, and reports it).
  (*source)->set_max_record_bytes(size_t{1} << 20);
  auto block = (*source)->Next(256 << 10);
  if (!block || !*block) return EventIdKeys();
  parser->Parse(**block, sample);
  return EventIdKeys::FromSample(sample.ids);
}

// `seen` holds the event ids already read, by their keys in `id_keys`; `presized` when its
// fingerprint table was sized for the whole file, or need not be.
Status ReadEvents(Batch& batch, const BatchOptions& options, int threads, EventIdSet& seen,
                  const EventIdKeys& id_keys, bool presized) {
  LS_ASSIGN_OR_RETURN(auto source, options.events_source
                                       ? options.events_source()
                                       : ingest::RecordSource::Open(options.events_path));
  LS_RETURN_IF_ERROR(CheckHeader(*source, {"lead_id", "type", "ts"}, options));
  const CompiledModel& model = *batch.model;
  std::vector<size_t> raw_index;
  auto wanted = WantedKeys({"lead_id", "type", "ts", "event_id"}, model.event_fields(), raw_index,
                           model.checked_event_fields());
  const TypedIds typed_ids = options.typed_ids ? TypedIds(wanted, 4, raw_index) : TypedIds();
  // Kept to match rules that read lead attributes, and for `explain` (on_applied) to match its
  // events again at later times when a rule's match reads the as-of time (days_since).
  const auto& rules = model.engagement_rules();
  bool keep_values =
      std::any_of(rules.begin(), rules.end(), [](const auto& r) { return r.reads_lead; }) ||
      (options.on_applied &&
       std::any_of(rules.begin(), rules.end(), [](const auto& r) { return r.reads_as_of; }));

  PerWorker<ingest::BlockParser> parsers(
      threads, [&] { return ingest::BlockParser::Create(*source, wanted); });
  PerWorker<EventSink> sinks(threads, [&] {
    return std::make_unique<EventSink>(model, *source, keep_values, raw_index, batch.as_of.time,
                                       id_keys, typed_ids, options.errors_in_full);
  });
  engine::Scorer scorer(model);
  const bool dedupe = !options.events_unique;
  InputStats& stats = batch.event_stats;
  const size_t num_props = model.event_fields().size();
  std::vector<uint32_t> matched;
  bool reserved = presized;
  RowEstimate rows_in_file(*source, options.events_path.ends_with(".gz"));

  // The leads read from the leads file do not change while events are read, so the workers
  // look them up (in parallel, prefetching ahead); the serial stage only dedupes (`consume`) and
  // updates states (`apply`); leads known only from events go to `extra` in `consume`.
  const LeadTable& frozen = batch.leads;
  const NumberedLeadIndex numbered = NumberedLeadIndex::Build(frozen);
  const size_t leads_from_file = frozen.size();
  LeadTable extra(0);
  const std::vector<Value> no_attributes(model.lead_fields().size());
  auto parse = [&](int worker, const ingest::Block& block, ParsedEvents& out) {
    out.bytes = block.text().size();
    sinks[worker].set_output(&out);
    parsers[worker].Parse(block, sinks[worker]);
    FindLeads(frozen, numbered, out);
  };
  auto consume = [&](ParsedEvents& parsed) {
    stats.rows_read += parsed.rows_read;
    stats.rows_skipped += parsed.rows_skipped;
    stats.conversion_errors += parsed.conversion_errors;
    stats.warnings += parsed.warnings;
    for (const RowError& e : parsed.errors) {
      if (options.on_error) options.on_error(e);
    }
    if (parsed.more_errors > 0 && options.on_more_errors) {
      options.on_more_errors(parsed.more_errors);
    }
    ClearProblems(parsed.errors);  // reported: not held while the Parsed waits to be reused
    if (!reserved && dedupe) {
      // Size the dedupe set once, so that it never doubles (a doubling holds both tables at
      // once: 800 MB at 30M events).
      if (const size_t estimate = rows_in_file.Add(parsed.bytes, parsed.records.size())) {
        reserved = true;
        seen.Reserve(estimate);
      }
    }
    // Dedupes and settles each event's lead (the workers found the leads of the leads file
    // already); `apply` then applies the events that count, on its own thread.
    auto& records = parsed.records;
    const size_t n = records.size();
    // The dedupe set's slots are read a group ahead of the inserts (EventIdSet::ReadAhead).
    constexpr size_t kReadAheadGroup = 32;
    uint64_t reads = 0;
    auto read_ahead = [&](size_t begin) {
      for (size_t j = begin; j < std::min(n, begin + kReadAheadGroup); ++j) {
        reads ^= seen.ReadAhead(records[j].event_key);
      }
    };
    if (dedupe) read_ahead(0);
    for (size_t i = 0; i < n; ++i) {
      EventRecord& r = records[i];
      if (dedupe && i % kReadAheadGroup == 0) read_ahead(i + kReadAheadGroup);
      const uint32_t known = r.lead;
      r.lead = kSkip;
      // Dedupe by event_id over all good rows in file order, before the as-of cut.
      if (dedupe && r.event_key != 0 && !seen.Insert(r.event_key)) {
        ++stats.duplicates;
        continue;
      }
      ++stats.rows_used;
      if (!options.only_lead.empty() && r.lead_id() != options.only_lead) continue;
      uint32_t lead;
      if (known != kNotInFile) {
        lead = known;
      } else {
        // A lead known only from events: numbered after the leads file's, merged at the end;
        // `apply` gives it its state row.
        int64_t found = extra.Find(r.lead_id(), r.lead_hash);
        if (found < 0) found = extra.Insert(r.lead_id(), r.lead_hash);
        lead = static_cast<uint32_t>(leads_from_file + found);
      }
      if (r.ts > batch.as_of.time) {
        ++stats.after_as_of;
        continue;
      }
      if (r.type_id >= 0) r.lead = lead;
    }
    EventIdSet::KeepReads(reads);
    if (options.on_progress) {
      options.on_progress(source->path(), source->bytes_read(), source->file_size());
    }
  };
  // The states are far bigger than the caches. Prefetched one by one, 8 events ahead, `perf` put
  // nearly all of the apply's own time on the prefetch instruction itself: each one seemed to
  // wait (for its page walk or a free miss buffer; this VM has no counters to tell) behind the
  // update of the event before it. The rows of the next group of events are prefetched
  // together, in a loop that does nothing else, so that their waits overlap. W1 at 1M leads, five
  // alternating runs: median 3.74 -> 3.57 s; BM_ApplyW1StreamOneByOne / Grouped/16: 34-36 -> 24-26
  // ns an event (bench/README.md).
  engine::StateTable& states = batch.states;
  constexpr size_t kPrefetchGroup = 16;
  auto apply = [&](ParsedEvents& parsed) {
    const auto& records = parsed.records;
    const size_t n = records.size();
    auto prefetch_group = [&](size_t begin) {
      for (size_t j = begin; j < std::min(n, begin + kPrefetchGroup); ++j) {
        if (records[j].lead < states.size()) states.Prefetch(records[j].lead);
      }
    };
    prefetch_group(0);
    for (size_t i = 0; i < n; ++i) {
      const EventRecord& r = records[i];
      if (i % kPrefetchGroup == 0) prefetch_group(i + kPrefetchGroup);
      if (r.lead == kSkip) continue;
      while (states.size() <= r.lead) states.AddLead();
      uint64_t mask = r.mask;
      engine::EventView view{r.type_id, r.ts, {}, batch.as_of.time};
      if (keep_values) {
        view.properties = std::span<const Value>(parsed.values.data() + r.values, num_props);
        auto attributes = r.lead < leads_from_file ? batch.leads.attributes(r.lead)
                                                   : std::span<const Value>(no_attributes);
        mask |= scorer.MatchWithLead(view, attributes);
      }
      scorer.ApplyMatched(states, r.lead, r.type_id, r.ts, mask);
      if (options.on_applied) {
        matched.clear();
        const auto& indexes = model.RulesForType(r.type_id);
        for (size_t k = 0; k < indexes.size(); ++k) {
          if (mask >> k & 1) matched.push_back(indexes[k]);
        }
        options.on_applied(r.lead, r.line, view, matched);
      }
    }
  };
  LS_RETURN_IF_ERROR(RunBlockPipeline<ParsedEvents>(*source, threads, options.block_bytes, parse,
                                                    consume, apply, &ParsedEvents::problems_held,
                                                    kMaxProblemsAhead));
  while (states.size() < leads_from_file + extra.size()) states.AddLead();
  // A lead known only from events has no attributes: every one has the fit of none.
  const double fit_of_none = batch.fit_only() ? scorer.Fit(no_attributes, batch.as_of) : 0;
  for (uint32_t i = 0; i < extra.size(); ++i) {
    uint32_t row = batch.leads.Insert(extra.id(i), HashBytes(extra.id(i)));
    if (row != leads_from_file + i) return Internal("lead rows out of step while merging");
    if (batch.fit_only()) batch.fit.push_back(fit_of_none);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Batch>> LoadBatch(std::shared_ptr<const CompiledModel> model,
                                         const BatchOptions& options) {
  // `explain` (only_lead) reads the attributes of its lead afterwards.
  const bool keep_attributes =
      options.keep_attributes || model->reads_lead_beyond_fit() || !options.only_lead.empty();
  auto batch = std::make_unique<Batch>(std::move(model), options.as_of, keep_attributes);
  int threads = ThreadCount(options.threads);
  // The events' dedupe set is a run's largest table (6 bytes a slot: 249 MB for 30M events),
  // and faulting it in took the serial stage a second on this VM, with the parse
  // workers idle. It is sized on another thread while the leads are read, which leave a
  // core mostly free; unless the ids are numbered, and take a bit each (EventIdKeys).
  EventIdSet seen;
  EventIdKeys id_keys;
  bool presized = false;
  std::jthread presize;
  const bool has_events = !options.events_path.empty() || options.events_source;
  if (has_events && !options.events_unique && !options.events_source) {
    id_keys = SampleEventIds(options.events_path);
    if (id_keys.numbered()) {
      presized = true;  // the fingerprint table grows only if other ids come
    } else if (size_t lines = EstimateLines(options.events_path); lines > 0) {
      presized = true;
      presize = std::jthread([&seen, lines] { seen.Reserve(lines); });
    }
  }
  if (!options.leads_path.empty() || options.leads_source) {
    LS_RETURN_IF_ERROR(ReadLeads(*batch, options, threads));
  }
  if (presize.joinable()) presize.join();
  if (has_events) {
    LS_RETURN_IF_ERROR(ReadEvents(*batch, options, threads, seen, id_keys, presized));
  }
  return batch;
}

namespace {

// The first 8 bytes of `id`, big-endian and zero-padded: comparing two prefixes as integers
// orders ids as a byte-wise string compare does, unless they are equal.
uint64_t IdPrefix(std::string_view id) {
  uint64_t prefix = 0;
  for (size_t i = 0; i < 8; ++i) {
    prefix = prefix << 8 | (i < id.size() ? static_cast<unsigned char>(id[i]) : 0);
  }
  return prefix;
}

struct SortKey {
  double score;
  uint64_t prefix;
  uint32_t row;
};

}  // namespace

engine::Score RankedScore::ToScore() const {
  engine::Score s;
  s.score = score;
  s.fit = fit;
  s.engagement = engagement;
  s.grade = grade;
  s.stage = stage;
  return s;
}

Ranking RankLeads(const Batch& batch, int threads) {
  size_t n = batch.leads.size();
  Ranking ranking;
  ranking.scores.resize(n);
  std::vector<SortKey> keys(n);
  int t = static_cast<int>(std::min<size_t>(ThreadCount(threads), std::max<size_t>(1, n / 4096)));
  auto work = [&](size_t begin, size_t end) {
    engine::Scorer scorer(*batch.model);
    engine::Score s;
    for (size_t i = begin; i < end; ++i) {
      uint32_t row = static_cast<uint32_t>(i);
      scorer.Evaluate(batch.states, row, batch.leads.attributes(row), batch.as_of, false, s,
                      batch.fit_only() ? &batch.fit[row] : nullptr);
      ranking.scores[i] = {s.score, s.fit, s.engagement, s.grade, s.stage};
      keys[i] = {s.score, IdPrefix(batch.leads.id(row)), row};
    }
  };
  std::vector<std::thread> pool;
  for (int k = 1; k < t; ++k) pool.emplace_back(work, n * k / t, n * (k + 1) / t);
  work(0, n / t);
  for (auto& th : pool) th.join();
  // Small keys, and an integer id prefix that settles most ties without a string compare (many
  // leads tie on 0 or 100).
  auto before = [&](const SortKey& a, const SortKey& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return batch.leads.id(a.row) < batch.leads.id(b.row);
  };
  // Two halves sorted at once, then merged into the order: the sort was the end of a run's
  // longest stretch on one core (1M leads: about 0.1 s). The order is total (ids are unique), so
  // it is the same however the keys were split.
  const auto middle = keys.begin() + static_cast<std::ptrdiff_t>(t > 1 ? n / 2 : n);
  std::thread other;
  if (t > 1) other = std::thread([&] { std::sort(middle, keys.end(), before); });
  std::sort(keys.begin(), middle, before);
  if (other.joinable()) other.join();
  ranking.order.resize(n);
  auto out = ranking.order.begin();
  auto a = keys.begin(), b = middle;
  for (; a != middle && b != keys.end(); ++out) *out = before(*b, *a) ? (b++)->row : (a++)->row;
  for (; a != middle; ++out) *out = (a++)->row;
  for (; b != keys.end(); ++out) *out = (b++)->row;
  return ranking;
}

}  // namespace leadscore::service
