#include "service/bulk_ingest.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>

#include "core/hash_bytes.h"  // xxhash
#include "core/text_lines.h"
#include "ingest/convert.h"
#include "ingest/file_reader.h"
#include "ingest/jsonl_parser.h"
#include "service/cell_texts.h"
#include "service/event_reader.h"
#include "service/id_as_written.h"
#include "service/lead_table.h"
#include "service/record_convert.h"
#include "service/record_input.h"
#include "service/record_json.h"
#include "service/write_queue.h"

namespace leadscore::service {
namespace {

using json = RecordJson;  // keys in the order they came

// One record of the file, with where it starts: as JSON, or for a JSON Lines file of events as
// its text, which EventReader reads as batch scoring does.
struct RawRecord {
  uint64_t line = 0;
  json object;  // null with an empty `text`: the record was bad (reported already)
  // An event line; a lead's line when its lead_id may be written otherwise than the object
  // holds it (MayBeWrittenOtherwise).
  std::string text;
  std::optional<ingest::RowError> warning;  // read anyway (RowSink::OnWarning)
  json cell_texts = nullptr;  // of a CSV row: its cells that read as numbers, as written
  bool bad() const { return object.is_null() && text.empty(); }
};

// The CSV columns that hold ids (IsIdColumn).
std::vector<bool> IdColumns(RecordKind kind, const std::vector<std::string>& header) {
  std::vector<bool> ids(header.size());
  for (size_t i = 0; i < header.size(); ++i) {
    ids[i] = IsIdColumn(kind == RecordKind::kEvents, header[i]);
  }
  return ids;
}

// Collects the rows of a CSV block as JSON objects.
class CsvToJson : public ingest::RowSink {
 public:
  CsvToJson(RecordKind kind, const std::vector<std::string>& header,
            const std::vector<bool>& id_columns, std::vector<RawRecord>& out,
            std::vector<ingest::RowError>& errors)
      : leads_(kind == RecordKind::kLeads),
        header_(header),
        id_columns_(id_columns),
        out_(out),
        errors_(errors) {}
  void OnRow(uint64_t line, std::span<const Value> values) override {
    json object = json::object();
    json texts;
    for (size_t i = 0; i < header_.size() && i < values.size(); ++i) {
      if (values[i].is_null() || (values[i].is_string() && values[i].str().empty())) continue;
      if (id_columns_[i]) {
        object[header_[i]] = std::string(values[i].str());
        if (IdCellHasText(leads_, header_[i], values[i].str())) {
          texts[header_[i]] = std::string(values[i].str());
        }
        continue;
      }
      if (IsNumberCell(values[i].str())) {
        texts[header_[i]] = std::string(values[i].str());
      } else if (texts.is_object()) {
        texts.erase(header_[i]);  // a column named twice: the later cell counts
      }
      Value typed = ingest::CsvCellForJson(values[i].str());
      if (typed.is_number()) {
        double number = typed.number();
        // Whole numbers stay integers in the stored JSON (41, not 41.0), as a client sends them.
        if (std::trunc(number) == number && std::abs(number) < 9007199254740992.0) {
          object[header_[i]] = static_cast<int64_t>(number);
        } else {
          object[header_[i]] = number;
        }
      } else {
        object[header_[i]] = std::string(values[i].str());
      }
    }
    out_.push_back({line, std::move(object), {}, std::move(warning_), std::move(texts)});
    warning_.reset();
  }
  void OnError(ingest::RowError error) override {
    if (!error.is_row) return;  // no record: IngestFile reports it from the block
    out_.push_back({error.line, nullptr, {}, std::nullopt});
    errors_.push_back(std::move(error));
  }
  void OnWarning(ingest::RowError warning) override { warning_ = std::move(warning); }

 private:
  std::optional<ingest::RowError> warning_;  // for the row that comes next
  const bool leads_;
  const std::vector<std::string>& header_;
  const std::vector<bool>& id_columns_;
  std::vector<RawRecord>& out_;
  std::vector<ingest::RowError>& errors_;
};

// Splits a JSON Lines block into objects, or with `as_text` into lines.
void JsonLines(const ingest::Block& block, const std::string& file, bool as_text,
               std::vector<RawRecord>& out, std::vector<ingest::RowError>& errors) {
  ForEachRecordLine(block.text(), [&](std::string_view text, size_t offset) {
    const uint64_t line = block.first_line + offset;
    if (as_text) {
      out.push_back({line, nullptr, std::string(text), std::nullopt});
      return;
    }
    std::vector<OutOfRangeNumber> out_of_range;
    json object = ParseRecordJson<json>(text, &out_of_range);
    if (object.is_discarded() || !object.is_object()) {
      errors.push_back({file, line, "", ingest::DescribeInvalidJson(text) + "; row skipped"});
      out.push_back({line, nullptr, {}, std::nullopt});
    } else if (const OutOfRangeNumber* bad_id = IdOutOfRange(object, out_of_range, "lead_id")) {
      // As batch: a lead_id out of range skips the row, rather than leaving it without one.
      errors.push_back({file, line, "lead_id", bad_id->Reason() + "; row skipped"});
      out.push_back({line, nullptr, {}, std::nullopt});
    } else {
      std::optional<ingest::RowError> warning;
      if (!out_of_range.empty()) {
        // Read as batch reads it: the field null, reported with the row.
        const OutOfRangeNumber& first = out_of_range.front();
        std::string more = out_of_range.size() > 1
                               ? fmt::format(" (and {} more numbers)", out_of_range.size() - 1)
                               : "";
        warning = ingest::RowError{file, line, first.key, first.Message() + more};
      }
      auto id = object.find("lead_id");
      std::string kept;
      if (id != object.end() && MayBeWrittenOtherwise(*id)) kept = text;
      out.push_back({line, std::move(object), std::move(kept), std::move(warning)});
    }
  });
  // The input ended early in a line, or a long line was skipped. (Ended after a whole line, it
  // stands for no record: IngestFile reports it from the block.)
  if (block.read_error && block.read_error->is_row) {
    errors.push_back(*block.read_error);
    out.push_back({block.read_error->line, nullptr, {}, std::nullopt});
  }
}

// The lead_id of a record of a leads file as ReadLead reads it; false when it has none (ReadLead
// then rejects the record).
bool LeadIdOf(const RawRecord& r, std::string& id) {
  if (!r.object.is_object()) return false;
  auto found = r.object.find("lead_id");
  if (found == r.object.end() || !JsonIdText(*found, id)) return false;
  if (!r.text.empty() && MayBeWrittenOtherwise(*found)) {
    if (auto written = IdAsWritten(r.text, "lead_id")) id = std::move(*written);
  }
  return true;
}

// The line of the row that first read `id` in this file, or 0 when this is that row (recorded
// then, at `line`).
uint64_t FirstRowOf(LeadTable& first_rows, std::string_view id, uint64_t line) {
  const uint64_t hash = HashBytes(id);
  const int64_t row = first_rows.Find(id, hash);
  if (row >= 0) return first_rows.line(static_cast<uint32_t>(row));
  first_rows.set_line(first_rows.Insert(id, hash), line);
  return 0;
}

// The progress key of a file.
std::string ProgressKey(RecordKind kind, const std::string& path) {
  char* real = realpath(path.c_str(), nullptr);
  std::string full = real ? real : path;
  free(real);
  const char* what = kind == RecordKind::kLeads    ? "leads"
                     : kind == RecordKind::kEvents ? "events"
                                                   : "outcomes";
  return fmt::format("ingest:{}:{}", what, full);
}

// The stamp that tells whether a file is the one an earlier run read: its size, modification
// time and a hash of its bytes, since a file copied over another with `cp -p`, `rsync -t` or
// tar, or an export written with a fixed time, may keep both size and time. Hashing reads the
// file once more, a small part of storing its records. Empty for a stream (standard input, a
// pipe), whose bytes are new on every run, so that a run never resumes one.
Result<std::string> FileStamp(const std::string& path) {
  struct stat st {};
  if (path == "-" || stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::string();
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(FailedPrecondition(path + ": cannot read: " + std::strerror(errno)));
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  std::vector<char> buffer(size_t{1} << 20);
  ssize_t n = 0;
  while ((n = read(fd, buffer.data(), buffer.size())) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) XXH3_64bits_update(&state, buffer.data(), static_cast<size_t>(n));
  }
  const int read_errno = errno;
  close(fd);
  if (n < 0) return Error(DataLoss(path + ": cannot read: " + std::strerror(read_errno)));
  return fmt::format("{}:{}:{:016x}", st.st_size,
                     st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
                     XXH3_64bits_digest(&state));
}

// The input bytes a transaction holds at most (see IngestFile's loop).
constexpr size_t kMaxPendingBytes = size_t{32} << 20;

// A damaged gzip file fails its data check only at the end of its stream (a member's CRC), after
// the batches before it were committed, and its bytes cannot be trusted: its whole stream is
// checked before any of it is stored. A truncated file is not refused here: its whole lines are
// good, and go in as `score` reads them. A stream read once (a pipe) cannot be checked first;
// IngestFile says what was stored of it.
Status CheckCompressedFile(const std::string& path) {
  LS_ASSIGN_OR_RETURN(auto reader, ingest::FileReader::Open(path));
  if (!reader->compressed()) return Status::Ok();
  std::vector<char> scratch(size_t{1} << 20);
  for (;;) {
    auto n = reader->Read(scratch.data(), scratch.size());
    if (!n) return n.error().code() == StatusCode::kInvalidArgument ? n.error() : Status::Ok();
    if (*n == 0) return Status::Ok();
  }
}

}  // namespace

Result<BulkFileStats> IngestFile(store::Store& store, EventLog& log, RecordKind kind,
                                 const std::string& path, const BulkIngestOptions& options,
                                 Timestamp now) {
  LS_ASSIGN_OR_RETURN(auto source, ingest::RecordSource::Open(path));
  const bool csv = source->format() == ingest::Format::kCsv;
  std::unique_ptr<ingest::BlockParser> parser;
  std::vector<bool> id_columns;
  if (csv) {
    parser = ingest::BlockParser::Create(*source, source->header());
    id_columns = IdColumns(kind, source->header());
    if (options.on_error) {
      for (const ingest::RowError& warning : source->header_warnings()) options.on_error(warning);
    }
  }

  const std::string key = ProgressKey(kind, path);
  LS_ASSIGN_OR_RETURN(const std::string stamp, FileStamp(path));
  if (!stamp.empty()) {
    if (Status checked = CheckCompressedFile(path); !checked.ok()) {
      return Error(Status(checked.code(), checked.message() + "; nothing of it was stored"));
    }
  }
  uint64_t done_before = 0;
  LS_ASSIGN_OR_RETURN(auto saved, store.GetMeta(key));
  if (saved && !stamp.empty() && saved->rfind(stamp + ":", 0) == 0) {
    done_before = std::stoull(saved->substr(stamp.size() + 1));
  }

  BulkFileStats stats;
  uint64_t ordinal = 0;  // records seen, this run and before
  std::vector<RawRecord> records;
  std::vector<ingest::RowError> errors;
  std::unordered_set<std::string> known;
  // Each lead_id of a leads file with the line of its first row, over the whole file (the
  // records an earlier run committed too): a later row of the lead is reported and skipped, as
  // batch scoring skips it, wherever the transactions of `options.batch` records split the file.
  LeadTable first_rows(0);
  std::string lead_id;
  std::vector<std::string> created;
  EventReader reader;

  // Writes a batch of records in one transaction with the file's progress.
  auto flush = [&](std::vector<RawRecord>& batch) -> Status {
    WriteRequest request;
    Rejections rejected;
    std::vector<uint64_t> lines;  // of request entries, for reports
    for (size_t i = 0; i < batch.size(); ++i) {
      RawRecord& r = batch[i];
      if (r.bad()) continue;
      size_t before = rejected.size();
      if (kind == RecordKind::kEvents) {
        EventInput e;
        bool ok = r.text.empty() ? ReadEvent(r.object, i, e, rejected)
                                 : reader.Read(std::move(r.text), i, e, rejected);
        if (ok && r.cell_texts.is_object() && !r.cell_texts.empty()) {
          e.cell_texts = r.cell_texts.dump();
        }
        if (ok) request.events.push_back(std::move(e));
      } else if (kind == RecordKind::kLeads) {
        LeadInput l;
        if (ReadLead(r.object, i, l, rejected, LeadShape::kFileLine, r.text)) {
          l.cell_texts = std::move(r.cell_texts);
          request.leads.push_back(std::move(l));
        }
      } else {
        store::OutcomeRow o;
        if (ReadOutcome(r.object, i, std::nullopt, o, rejected, r.text)) {
          request.outcomes.push_back(std::move(o));
        }
      }
      for (size_t k = before; k < rejected.size(); ++k) {
        ++stats.rejected;
        if (options.on_error) {
          options.on_error(
              {path, r.line, rejected[k].field, rejected[k].message + "; row skipped"});
        }
      }
    }
    WriteResult result;
    Committed committed;
    std::string progress = fmt::format("{}:{}", stamp, ordinal);
    Status written = log.Transaction(store, [&]() -> Status {
      LS_RETURN_IF_ERROR(ApplyWrite(store, log, request, now, known, result, committed, created));
      return store.SetMeta(key, progress);
    });
    LS_RETURN_IF_ERROR(written);
    known.insert(created.begin(), created.end());
    for (bool stored : result.event_stored) (stored ? stats.stored : stats.duplicates) += 1;
    stats.stored += request.leads.size() + request.outcomes.size();
    batch.clear();
    return Status::Ok();
  };

  std::vector<RawRecord> pending;
  size_t pending_bytes = 0;  // of the input, about
  while (true) {
    auto next = source->Next();
    if (!next && stats.stored > 0) {
      return Error(
          Status(next.error().code(),
                 fmt::format("{}; the {} records before it were stored (a stream is read once, "
                             "so it cannot be checked first)",
                             next.error().message(), stats.stored)));
    }
    if (!next) return Error(next.error());
    std::optional<ingest::Block>& block = *next;
    if (!block) break;
    records.clear();
    errors.clear();
    if (csv) {
      CsvToJson sink(kind, source->header(), id_columns, records, errors);
      parser->Parse(*block, sink);
    } else {
      JsonLines(*block, path, kind == RecordKind::kEvents, records, errors);
    }
    size_t next_error = 0;
    // A transaction holds `options.batch` records, or fewer when they are large: its records are
    // held in memory until it commits (300 events of 1 MB took 780 MB at a batch of 5000).
    const size_t record_bytes = block->text().size() / std::max<size_t>(records.size(), 1);
    for (RawRecord& r : records) {
      ++ordinal;
      const bool bad = r.bad();
      uint64_t first_row = 0;  // of the record's lead, when an earlier row read it
      if (kind == RecordKind::kLeads && !bad && LeadIdOf(r, lead_id)) {
        first_row = FirstRowOf(first_rows, lead_id, r.line);
      }
      if (ordinal <= done_before) {
        ++stats.resumed;
        if (bad) ++next_error;
        continue;
      }
      ++stats.records;
      if (first_row != 0) {
        // Skipped with its warning, if any: batch reports a warning only with a row it keeps.
        ++stats.duplicates;
        if (options.on_error) {
          options.on_error({path, r.line, "lead_id", AlreadyReadReason(lead_id, first_row)});
        }
        continue;
      }
      if (r.warning) {
        ++stats.warnings;
        if (options.on_error) options.on_error(*r.warning);
      }
      if (bad) {
        ++stats.rejected;
        if (options.on_error && next_error < errors.size()) options.on_error(errors[next_error]);
        ++next_error;
      }
      pending_bytes += std::max(record_bytes, r.text.size());
      pending.push_back(std::move(r));
      if (pending.size() >= options.batch || pending_bytes >= kMaxPendingBytes) {
        LS_RETURN_IF_ERROR(flush(pending));
        pending_bytes = 0;
      }
    }
    if (block->read_error && !block->read_error->is_row && options.on_error) {
      options.on_error(*block->read_error);  // the input ended early, after a whole line
    }
    if (options.on_progress) options.on_progress(path, source->bytes_read(), source->file_size());
    source->Recycle(std::move(*block));
  }
  LS_RETURN_IF_ERROR(flush(pending));
  return stats;
}

}  // namespace leadscore::service
