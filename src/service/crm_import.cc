// CRM CSV -> leads JSON Lines (see crm_import.h). One pass, one thread: CRM exports are small
// (a 100k-contact HubSpot export is tens of MB), so the parallel block pipeline of batch_score
// would add code and no time that matters.
#include "service/crm_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/output_file.h"
#include "ingest/convert.h"
#include "service/score_writer.h"

namespace leadscore::service {
namespace {

// Whether `text` is a number as JSON writes one (RFC 8259): -?(0|[1-9][0-9]*)(.[0-9]+)?
// ([eE][+-]?[0-9]+)?. "007", "+5", ".5" and "5." are numbers to a CSV reader but not to JSON.
bool IsJsonNumber(std::string_view text) {
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > from;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

// Turns each parsed row into one JSON line appended to `out_`.
class CrmRowSink : public ingest::RowSink {
 public:
  CrmRowSink(const ingest::ColumnPlan& plan, std::string file, std::string id_header,
             ImportStats& stats, std::function<void(const ingest::RowError&)>& on_error)
      : plan_(plan),
        file_(std::move(file)),
        id_header_(std::move(id_header)),
        stats_(stats),
        on_error_(on_error) {
    // One slot per distinct attribute, so that a row writes each key once.
    std::unordered_map<std::string, size_t> slots;
    for (const ingest::PlannedColumn& c : plan.columns) {
      size_t slot = SIZE_MAX;
      if (c.role == ingest::ColumnRole::kMapped || c.role == ingest::ColumnRole::kKept) {
        slot = slots.emplace(c.attribute, slots.size()).first->second;
      }
      column_slot_.push_back(slot);
    }
    slot_written_.resize(slots.size());
  }

  std::string& out() { return out_; }

  void OnRow(uint64_t line, std::span<const Value> values) override {
    ++stats_.rows_read;
    const Value& id_value = values[plan_.id_column];
    std::string_view id =
        id_value.is_string() ? ingest::TrimBlanks(id_value.str()) : std::string_view();
    if (id.empty()) {
      return Skip({file_, line, id_header_, "no " + id_header_ + "; row skipped"});
    }
    // A line break or a NUL in an id (a quoted cell gone wrong) is refused here, at the line of
    // the export, rather than by every later step at a line of the leads file.
    if (std::any_of(id.begin(), id.end(),
                    [](char c) { return c == '\0' || c == '\n' || c == '\r'; })) {
      return Skip(
          {file_, line, id_header_, "the id holds a line break or a NUL character; row skipped"});
    }
    auto [seen, fresh] = first_line_.emplace(std::string(id), line);
    if (!fresh) {
      return Skip({file_, line, id_header_,
                   fmt::format("{} \"{}\" already read at line {}; row skipped", id_header_, id,
                               seen->second)});
    }
    out_ += "{\"lead_id\":";
    AppendJsonString(out_, id);
    std::fill(slot_written_.begin(), slot_written_.end(), false);
    for (size_t i = 0; i < values.size(); ++i) {
      const size_t slot = column_slot_[i];
      if (slot == SIZE_MAX || slot_written_[slot] || !values[i].is_string()) continue;
      const std::string_view cell = values[i].str();
      if (cell.empty()) continue;
      slot_written_[slot] = true;
      out_ += ',';
      AppendJsonString(out_, plan_.columns[i].attribute);
      out_ += ':';
      const Value typed = ingest::CsvCellForJson(cell);
      if (typed.is_number()) {
        // As written when JSON can hold it so: a 19-digit id keeps its digits (JSON Lines readers
        // keep a long integer's literal), and 1.50 its zero.
        if (IsJsonNumber(cell)) {
          out_ += cell;
        } else {
          out_ += FormatNumber(typed.number());
        }
      } else {
        AppendJsonString(out_, cell);
      }
    }
    out_ += "}\n";
    ++stats_.rows_written;
  }

  void OnError(ingest::RowError error) override {
    if (!error.is_row) {  // the input ended early, after a whole line: no row is lost
      if (on_error_) on_error_(error);
      return;
    }
    ++stats_.rows_read;
    ingest::NoteRowSkipped(error);
    Skip(std::move(error));
  }

  void OnWarning(ingest::RowError warning) override {
    ++stats_.warnings;
    if (on_error_) on_error_(warning);
  }

 private:
  void Skip(ingest::RowError error) {
    ++stats_.rows_skipped;
    if (on_error_) on_error_(error);
  }

  const ingest::ColumnPlan& plan_;
  std::string file_;
  std::string id_header_;
  ImportStats& stats_;
  std::function<void(const ingest::RowError&)>& on_error_;
  std::vector<size_t> column_slot_;  // column -> attribute slot, SIZE_MAX when not written
  std::vector<bool> slot_written_;   // per row: slot already has a value
  std::unordered_map<std::string, uint64_t> first_line_;  // id -> line that gave it
  std::string out_;
};

}  // namespace

Status ConvertCrmCsv(const std::string& in_csv, const ingest::CrmMapping& mapping,
                     const std::string& out_jsonl, ImportStats& stats,
                     std::function<void(const ingest::RowError&)> on_error,
                     std::function<void(uint64_t done, uint64_t total)> on_progress) {
  // A stream (standard input, a pipe) has no name to go by: what it holds must be CSV.
  const std::optional<ingest::Format> named = ingest::FormatFromPath(in_csv);
  if (named ? *named != ingest::Format::kCsv : !ingest::IsStream(in_csv)) {
    return InvalidArgument(in_csv + ": a CRM export is read as CSV; the file name must end in " +
                           ".csv (or .csv.gz)");
  }
  LS_ASSIGN_OR_RETURN(std::unique_ptr<ingest::RecordSource> source,
                      ingest::RecordSource::Open(in_csv));
  if (source->format() != ingest::Format::kCsv) {
    return InvalidArgument(ingest::InputName(in_csv) +
                           ": a CRM export is read as CSV; this one holds JSON Lines");
  }
  const std::vector<std::string>& header = source->header();
  LS_ASSIGN_OR_RETURN(stats.plan, ingest::PlanColumns(mapping, header,
                                                      source->path() + ":" +
                                                          std::to_string(source->header_line())));
  // Columns read in place of others, reported as `score` reports a column named twice.
  if (on_error) {
    for (const ingest::RowError& warning : source->header_warnings()) on_error(warning);
    for (const ingest::RowError& warning :
         ingest::SharedAttributeWarnings(stats.plan, source->path(), source->header_line())) {
      on_error(warning);
    }
  }
  auto parser = ingest::BlockParser::Create(*source, header);
  CrmRowSink sink(stats.plan, source->path(), header[stats.plan.id_column], stats, on_error);
  return WriteFileAtomically(out_jsonl, [&](std::FILE* out) -> Status {
    while (true) {
      LS_ASSIGN_OR_RETURN(std::optional<ingest::Block> block, source->Next());
      if (!block) break;
      parser->Parse(*block, sink);
      source->Recycle(std::move(*block));
      if (on_progress) on_progress(source->bytes_read(), source->file_size());
      std::string& text = sink.out();
      if (!text.empty() && std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
        return Status(StatusCode::kUnavailable, "cannot write " + out_jsonl);
      }
      text.clear();
    }
    return Status::Ok();
  });
}

}  // namespace leadscore::service
