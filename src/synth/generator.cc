#include "synth/generator.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "synth/activity.h"
#include "synth/calendar.h"
#include "synth/file_writer.h"
#include "synth/lead_factory.h"
#include "synth/lead_plan.h"
#include "synth/random.h"
#include "synth/vocab.h"

namespace leadscore::synth {
namespace {

constexpr uint64_t kDuplicateStream = 2;
constexpr uint32_t kDuplicatePpm = 1'000;  // 0.1% of events are sent twice
constexpr int64_t kDay = 86400;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int Digits(uint64_t v) {
  int n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

// One output line built with raw pointer writes (a FileWriter call per field costs ~2x), so a
// re-sent event can be written twice. Lines are under 400 bytes; kCapacity leaves ample room.
class Line {
 public:
  void Clear() { end_ = data_; }
  void Put(std::string_view text) {
    std::copy(text.begin(), text.end(), end_);
    end_ += text.size();
  }
  void Put(char c) { *end_++ = c; }
  void PutUint(uint64_t v, int min_width = 0) { end_ = WriteUint(end_, v, min_width); }
  void PutIso(int64_t seconds) { end_ = WriteIsoSeconds(end_, seconds); }
  std::string_view view() const { return {data_, static_cast<size_t>(end_ - data_)}; }

 private:
  static constexpr size_t kCapacity = 1024;
  char data_[kCapacity];
  char* end_ = data_;
};

// The names a day's events refer to: that day's e-mail campaign and webinar.
struct DayNames {
  std::string campaign;
  std::string webinar;
};

DayNames NamesFor(const DayInfo& info) {
  DayNames names;
  char date[kIsoSecondsLength];
  WriteIsoSeconds(date, info.epoch_day * kDay);
  const std::string_view ymd(date, 10);
  const int dow = DayOfWeek(info.epoch_day);
  names.campaign = (dow == 4 ? "product-update-" : "newsletter-") + std::string(ymd);
  const auto topics = WebinarTopics();
  names.webinar = "webinar-" + std::string(topics[(info.epoch_day / 14) % topics.size()]) + "-" +
                  std::string(ymd.substr(0, 7));
  return names;
}

class EventWriter {
 public:
  EventWriter(FileWriter& out, EventsFormat format, const LeadFactory& factory, uint64_t seed)
      : out_(out),
        format_(format),
        id_width_(factory.id_width()),
        duplicates_(Rng::ForStream(seed, kDuplicateStream, 0)) {}

  static void WriteHeader(FileWriter& out, EventsFormat format) {
    if (format == EventsFormat::kCsv) out.Append("event_id,lead_id,type,ts,url,campaign,asset\n");
  }

  void Write(const DayEvent& event, int64_t day_start, const DayNames& names,
             GenerateSummary& summary) {
    line_.Clear();
    const int64_t ts = day_start + event.second;
    const uint64_t id = ++summary.events;
    ++summary.event_counts[static_cast<int>(event.type)];
    const std::string_view url =
        event.page != kNoPage ? SiteMap()[event.page].url : std::string_view();
    std::string_view campaign, asset;
    switch (event.type) {
      case EventType::kEmailOpen:
      case EventType::kEmailClick:
      case EventType::kUnsubscribe:
        campaign = names.campaign;
        break;
      case EventType::kWebinarAttended:
        campaign = names.webinar;
        break;
      case EventType::kDownload:
        asset = Whitepapers()[event.detail];
        break;
      default:
        break;
    }
    if (format_ == EventsFormat::kJsonl) {
      line_.Put("{\"event_id\":\"e");
      line_.PutUint(id);
      line_.Put("\",\"lead_id\":\"L");
      line_.PutUint(uint64_t{event.lead} + 1, id_width_);
      line_.Put("\",\"type\":\"");
      line_.Put(EventTypeName(event.type));
      line_.Put("\",\"ts\":\"");
      line_.PutIso(ts);
      line_.Put('"');
      if (!url.empty()) PutJsonField("url", url);
      if (event.type == EventType::kDemoBooked) PutJsonField("url", "/demo");
      if (!campaign.empty()) PutJsonField("campaign", campaign);
      if (!asset.empty()) PutJsonField("asset", asset);
      if (event.type == EventType::kQuoteRequest) {
        PutJsonField("plan", event.detail == 0 ? "business" : "enterprise");
      }
      if (event.utm != 0) {
        std::string_view source = "newsletter", medium = "email", utm_campaign = names.campaign;
        if (event.utm != kEmailUtm) {
          const UtmSource& utm = UtmSources()[event.utm - 1];
          source = utm.source;
          medium = utm.medium;
          utm_campaign = UtmCampaigns()[event.detail];
        }
        line_.Put(",\"utm\":{\"source\":\"");
        line_.Put(source);
        line_.Put("\",\"medium\":\"");
        line_.Put(medium);
        line_.Put("\",\"campaign\":\"");
        line_.Put(utm_campaign);
        line_.Put("\"}");
      }
      line_.Put("}\n");
    } else {
      line_.Put('e');
      line_.PutUint(id);
      line_.Put(",L");
      line_.PutUint(uint64_t{event.lead} + 1, id_width_);
      line_.Put(',');
      line_.Put(EventTypeName(event.type));
      line_.Put(',');
      line_.PutIso(ts);
      line_.Put(',');
      line_.Put(event.type == EventType::kDemoBooked ? std::string_view("/demo") : url);
      line_.Put(',');
      line_.Put(campaign);
      line_.Put(',');
      line_.Put(asset);
      line_.Put('\n');
    }
    out_.Append(line_.view());
    if (duplicates_.Chance(kDuplicatePpm)) {
      out_.Append(line_.view());
      ++summary.duplicate_events;
    }
  }

 private:
  // Values are generator vocabulary: no character needs JSON escaping.
  void PutJsonField(std::string_view key, std::string_view value) {
    line_.Put(",\"");
    line_.Put(key);
    line_.Put("\":\"");
    line_.Put(value);
    line_.Put('"');
  }

  FileWriter& out_;
  EventsFormat format_;
  int id_width_;
  Rng duplicates_;
  Line line_;
};

// Stable counting sort of one day's events by second: ties keep generation (lead) order.
// 30M events sort in ~0.3 s this way against ~4 s with std::stable_sort.
void SortBySecond(const std::vector<DayEvent>& in, std::vector<DayEvent>* out,
                  std::vector<uint32_t>* counts) {
  counts->assign(kDay + 1, 0);
  for (const DayEvent& e : in) ++(*counts)[e.second + 1];
  for (int64_t s = 0; s < kDay; ++s) (*counts)[s + 1] += (*counts)[s];
  out->resize(in.size());
  for (const DayEvent& e : in) (*out)[(*counts)[e.second]++] = e;
}

std::string_view OutcomeName(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kSql:
      return "sql";
    case OutcomeKind::kOpportunity:
      return "opportunity";
    case OutcomeKind::kWon:
      return "won";
    case OutcomeKind::kLost:
      return "lost";
  }
  return "";
}

Status CheckOptions(const GenerateOptions& options) {
  if (options.out_dir.empty()) return InvalidArgument("--out: an output directory is required");
  if (options.leads < 1 || options.leads > 100'000'000) {
    return InvalidArgument("--leads must be between 1 and 100000000, got " +
                           std::to_string(options.leads));
  }
  if (options.months < 1 || options.months > 120) {
    return InvalidArgument("--months must be between 1 and 120, got " +
                           std::to_string(options.months));
  }
  const int64_t as_of = FloorDiv(options.as_of, kMicrosPerSecond);
  // Keep every written date within years 0001..9999 (created_at goes back up to 2 more years).
  if (as_of < DaysFromCivil({20, 1, 1}) * kDay || as_of > DaysFromCivil({9999, 1, 1}) * kDay) {
    return InvalidArgument("--as-of must be between 0020-01-01 and 9999-01-01");
  }
  return Status::Ok();
}

Status MakeDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return InvalidArgument("cannot create directory " + dir + ": a file with that name exists");
  }
  fs::create_directories(dir, ec);
  if (ec) return InvalidArgument("cannot create directory " + dir + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

Result<GenerateSummary> Generate(const GenerateOptions& options, const ProgressFn& progress) {
  LS_RETURN_IF_ERROR(CheckOptions(options));
  LS_RETURN_IF_ERROR(MakeDirectory(options.out_dir));
  auto report = [&](std::string_view phase, uint64_t done, uint64_t total) {
    if (progress) progress(Progress{phase, done, total});
  };

  Window window;
  window.end = FloorDiv(options.as_of, kMicrosPerSecond);
  window.start = AddMonths(window.end, -options.months);
  window.first_day = FloorDiv(window.start, kDay);
  window.num_days = static_cast<int32_t>(FloorDiv(window.end - 1, kDay) - window.first_day + 1);

  GenerateSummary summary;
  const std::filesystem::path dir(options.out_dir);
  summary.leads_path = (dir / "leads.csv").string();
  summary.events_path =
      (dir / (options.events_format == EventsFormat::kCsv ? "events.csv" : "events.jsonl"))
          .string();
  summary.outcomes_path = (dir / "outcomes.csv").string();
  summary.window_start = window.start * kMicrosPerSecond;
  summary.window_end = window.end * kMicrosPerSecond;
  summary.leads = options.leads;
  // Leads/500 more leads are planned that the CRM does not know; the summary counts those that
  // got an event (a quiet one has none, and so appears nowhere).
  const uint64_t total_leads = summary.leads + options.leads / 500;
  std::vector<bool> event_only_seen(total_leads - summary.leads);
  const int id_width = std::max(7, Digits(total_leads));

  // Leads: rows and plans.
  const LeadFactory factory(options.seed, window, id_width);
  std::vector<LeadPlan> plans(total_leads);
  std::vector<OutcomeRow> outcomes;
  // The three files are put in place together once all are written: a failure (a full disk)
  // leaves the directory as it was rather than new leads beside old events.
  std::unique_ptr<FileWriter> leads_csv, events_file, outcomes_csv;
  {
    LS_ASSIGN_OR_RETURN(leads_csv, FileWriter::Open(summary.leads_path));
    LeadFactory::WriteHeader(*leads_csv);
    for (uint64_t i = 0; i < total_leads; ++i) {
      FileWriter* row = i < summary.leads ? leads_csv.get() : nullptr;
      plans[i] = factory.Make(static_cast<uint32_t>(i), row, &outcomes);
      if ((i & 0xffff) == 0) report("leads", i, total_leads);
    }
    LS_RETURN_IF_ERROR(leads_csv->Finish());
    report("leads", total_leads, total_leads);
  }

  // Events, one day at a time.
  {
    LS_ASSIGN_OR_RETURN(events_file, FileWriter::Open(summary.events_path));
    EventWriter::WriteHeader(*events_file, options.events_format);
    EventWriter writer(*events_file, options.events_format, factory, options.seed);
    const Activity activity(window);
    std::vector<DayEvent> generated, sorted;
    std::vector<uint32_t> counts;
    for (int32_t day = 0; day < window.num_days; ++day) {
      generated.clear();
      activity.Generate(day, plans, &generated);
      SortBySecond(generated, &sorted, &counts);
      const DayInfo info = activity.Day(day);
      const DayNames names = NamesFor(info);
      const int64_t day_start = info.epoch_day * kDay;
      for (const DayEvent& event : sorted) {
        writer.Write(event, day_start, names, summary);
        if (event.lead >= summary.leads) event_only_seen[event.lead - summary.leads] = true;
      }
      report("events", static_cast<uint64_t>(day) + 1, static_cast<uint64_t>(window.num_days));
    }
    summary.events_bytes = events_file->bytes_written();
    summary.event_only_leads =
        static_cast<uint64_t>(std::count(event_only_seen.begin(), event_only_seen.end(), true));
    LS_RETURN_IF_ERROR(events_file->Finish());
  }

  // Outcomes, in time order.
  {
    std::sort(outcomes.begin(), outcomes.end(), [](const OutcomeRow& a, const OutcomeRow& b) {
      if (a.ts != b.ts) return a.ts < b.ts;
      if (a.lead != b.lead) return a.lead < b.lead;
      return a.kind < b.kind;
    });
    LS_ASSIGN_OR_RETURN(outcomes_csv, FileWriter::Open(summary.outcomes_path));
    FileWriter* out = outcomes_csv.get();
    out->Append("lead_id,outcome,ts,value\n");
    for (const OutcomeRow& row : outcomes) {
      factory.AppendLeadId(*out, row.lead);
      out->Append(',');
      out->Append(OutcomeName(row.kind));
      out->Append(',');
      out->AppendIsoSeconds(row.ts);
      out->Append(',');
      if (row.kind == OutcomeKind::kWon) out->AppendUint(row.value);
      out->Append('\n');
      if (row.kind == OutcomeKind::kSql) ++summary.converters;
    }
    LS_RETURN_IF_ERROR(out->Finish());
    summary.outcomes = outcomes.size();
    report("outcomes", outcomes.size(), outcomes.size());
  }
  for (FileWriter* file : {leads_csv.get(), events_file.get(), outcomes_csv.get()}) {
    LS_RETURN_IF_ERROR(file->Commit());
  }
  return summary;
}

}  // namespace leadscore::synth
