// Scores -> CRM import CSV (see crm_export.h).
#include "service/crm_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/output_file.h"
#include "engine/rounding.h"
#include "ingest/convert.h"
#include "service/score_writer.h"

namespace leadscore::service {
namespace {

// The keys read from the scores file, in slot order.
constexpr std::array<const char*, 6> kScoreKeys = {"lead_id",    "score", "fit",
                                                   "engagement", "grade", "stage"};
enum Slot : size_t { kLeadId, kScore, kFit, kEngagement, kGrade, kStage };

// The value of a score column as a number: a JSON number, or a CSV cell that is a decimal.
std::optional<double> NumberOf(const Value& v) {
  if (v.is_number()) return v.number();
  if (v.is_string()) return ingest::ParseDecimal(v.str());
  return std::nullopt;
}

class ExportSink : public ingest::RowSink {
 public:
  ExportSink(ingest::Crm crm, std::string file, const ExportOptions& options, ExportStats& stats,
             std::function<void(const ingest::RowError&)>& on_error)
      : crm_(crm), file_(std::move(file)), options_(options), stats_(stats), on_error_(on_error) {}

  std::string& out() { return out_; }

  void OnRow(uint64_t line, std::span<const Value> values) override {
    ++stats_.rows_read;
    std::string_view id;
    if (!TextOf(values[kLeadId], id_scratch_, id)) {
      return Skip({file_, line, "lead_id", "missing lead_id; row skipped"});
    }
    if (!IsCrmRecordId(crm_, id)) {
      return Skip(
          {file_, line, "lead_id",
           fmt::format("\"{}\" is not a {} record id ({}); row skipped", id, ingest::CrmName(crm_),
                       crm_ == ingest::Crm::kHubSpot ? "digits" : "15 or 18 letters and digits")});
    }
    std::optional<double> numbers[3];
    const Slot number_slots[3] = {kScore, kFit, kEngagement};
    for (size_t i = 0; i < 3; ++i) {
      const Value& v = values[number_slots[i]];
      if (v.is_null()) continue;
      numbers[i] = NumberOf(v);
      if (!numbers[i]) {
        return Skip({file_, line, kScoreKeys[number_slots[i]],
                     fmt::format("{} is not a number; row skipped", Quoted(v))});
      }
    }
    if (!numbers[0]) return Skip({file_, line, "score", "missing score; row skipped"});
    // Two rows for one record would send the CRM two conflicting updates: as `score` and
    // `crm import` do, the first counts.
    if (auto [seen, fresh] = first_line_.emplace(std::string(id), line); !fresh) {
      return Skip(
          {file_, line, "lead_id",
           fmt::format("lead_id \"{}\" already read at line {}; row skipped", id, seen->second)});
    }

    AppendCsvField(out_, id);
    // Column order: score, grade, stage, fit, engagement (see CrmExportHeader).
    out_ += ',';
    engine::AppendScore(out_, *numbers[0]);
    AppendText(values[kGrade]);
    AppendText(values[kStage]);
    for (size_t i = 1; i < 3; ++i) {
      out_ += ',';
      if (numbers[i]) engine::AppendScore(out_, *numbers[i]);
    }
    out_ += '\n';
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

 private:
  void AppendText(const Value& v) {
    out_ += ',';
    std::string_view text;
    if (!v.is_null() && TextOf(v, text_scratch_, text)) {
      AppendCsvField(out_, text);
    } else {
      AppendCsvField(out_, options_.empty_as);
    }
  }

  // A raw value as a message shows it.
  static std::string Quoted(const Value& v) {
    return v.is_string() ? fmt::format("\"{}\"", v.str()) : v.ToString();
  }

  static bool TextOf(const Value& v, std::string& scratch, std::string_view& out) {
    if (v.is_string()) {
      out = v.str();
    } else if (v.is_number()) {
      scratch = FormatNumber(v.number());
      out = scratch;
    } else {
      return false;
    }
    return !out.empty();
  }

  void Skip(ingest::RowError error) {
    ++stats_.rows_skipped;
    if (on_error_) on_error_(error);
  }

  ingest::Crm crm_;
  std::string file_;
  const ExportOptions& options_;
  ExportStats& stats_;
  std::function<void(const ingest::RowError&)>& on_error_;
  std::string id_scratch_, text_scratch_;
  std::unordered_map<std::string, uint64_t> first_line_;  // lead_id -> line of its row written
  std::string out_;
};

}  // namespace

std::string CrmExportHeader(ingest::Crm crm) {
  switch (crm) {
    case ingest::Crm::kHubSpot:
      return "Record ID,leadscore_score,leadscore_grade,leadscore_stage,leadscore_fit,"
             "leadscore_engagement";
    case ingest::Crm::kSalesforce:
      return "Id,Leadscore_Score__c,Leadscore_Grade__c,Leadscore_Stage__c,Leadscore_Fit__c,"
             "Leadscore_Engagement__c";
  }
  return "";
}

bool IsCrmRecordId(ingest::Crm crm, std::string_view id) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto is_alnum = [&](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  switch (crm) {
    case ingest::Crm::kHubSpot:
      return !id.empty() && std::all_of(id.begin(), id.end(), is_digit);
    case ingest::Crm::kSalesforce:
      return (id.size() == 15 || id.size() == 18) && std::all_of(id.begin(), id.end(), is_alnum);
  }
  return false;
}

Status ExportCrmScores(const std::string& scores, ingest::Crm crm, const std::string& out_csv,
                       const ExportOptions& options, ExportStats& stats,
                       std::function<void(const ingest::RowError&)> on_error) {
  LS_ASSIGN_OR_RETURN(std::unique_ptr<ingest::RecordSource> source,
                      ingest::RecordSource::Open(scores));
  if (source->format() == ingest::Format::kCsv) {
    const auto& header = source->header();
    // Every column, grade and stage too: one left out would be written to the CRM as empty
    // (or as --empty-as) for every lead, which says the lead has none.
    for (const char* needed : kScoreKeys) {
      if (std::find(header.begin(), header.end(), needed) != header.end()) continue;
      return InvalidArgument(
          fmt::format("{}:{}: the header has no `{}` column; give the output of `leadscore "
                      "score` (lead_id,score,fit,engagement,grade,stage)",
                      scores, source->header_line(), needed));
    }
  }
  auto parser = ingest::BlockParser::Create(
      *source, std::vector<std::string>(kScoreKeys.begin(), kScoreKeys.end()));
  ExportSink sink(crm, scores, options, stats, on_error);
  return WriteFileAtomically(out_csv, [&](std::FILE* out) -> Status {
    std::string& text = sink.out();
    text = CrmExportHeader(crm) + "\n";
    while (true) {
      LS_ASSIGN_OR_RETURN(std::optional<ingest::Block> block, source->Next());
      if (!block) break;
      parser->Parse(*block, sink);
      source->Recycle(std::move(*block));
      if (!text.empty() && std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
        return Status(StatusCode::kUnavailable, "cannot write " + out_csv);
      }
      text.clear();
    }
    if (!text.empty() && std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
      return Status(StatusCode::kUnavailable, "cannot write " + out_csv);
    }
    return Status::Ok();
  });
}

}  // namespace leadscore::service
