#include "learn/training_set.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "ingest/row_rules.h"
#include "learn/column_builder.h"

namespace leadscore::learn {
namespace {

constexpr std::array<int, 3> kWindowDays = {7, 30, 90};
constexpr int kActiveDays = 90;
constexpr size_t kUrlGroups = 12;

// A parsed value's text, trimmed and owned (an event type, an outcome).
std::string TextOf(const Value& v) {
  std::string scratch;
  return std::string(TrimCell(CellText(v, scratch)));
}

std::optional<Timestamp> TimeOf(const Value& v) {
  if (v.is_number()) return TimestampFromSeconds(v.number());  // nullopt past year 9999
  if (v.is_string()) return ParseTimestamp(v.str());
  return std::nullopt;
}

// A row's id-like values and time, read by the row rules of batch scoring (ingest/row_rules.h),
// so that a row `score` skips is skipped here too, with the same words.
class RowRules {
 public:
  // The id in `v`, or empty with `field` and `reason` set (a value that is no id, or one
  // holding U+0000). `what`: "lead_id", "event type", "event_id". As written, blanks
  // included, as `score` takes it (SCORING.md): ` L1 ` and `L1` are two leads here as there,
  // and a prediction finds its lead of the batch.
  std::string_view Id(const Value& v, const char* field, const char* what) {
    std::string& scratch = scratch_[next_++ % scratch_.size()];
    std::string_view id;
    if (!ingest::IdText(v, scratch, id)) {
      field_ = field;
      reason_ = ingest::NoIdReason(v, what) + "; row skipped";
      return {};
    }
    if (ingest::HoldsNul(id)) {
      field_ = field;
      reason_ = ingest::NulReason(field) + "; row skipped";
      return {};
    }
    return id;
  }
  // The time in `v`, or nullopt with `field` and `reason` set.
  std::optional<Timestamp> Time(const Value& v) {
    std::string problem;
    std::optional<Timestamp> ts = ingest::EventTime(v, problem);
    if (!ts) {
      field_ = "ts";
      reason_ = problem + "; row skipped";
    }
    return ts;
  }
  // An event_id when the row has one (none: empty), or nullopt with `field` and `reason` set.
  std::optional<std::string_view> OptionalId(const Value& v, const char* field) {
    std::string& scratch = scratch_[next_++ % scratch_.size()];
    std::string_view id;
    if (!ingest::IdText(v, scratch, id)) return std::string_view();
    if (ingest::HoldsNul(id)) {
      field_ = field;
      reason_ = ingest::NulReason(field) + "; row skipped";
      return std::nullopt;
    }
    return id;
  }
  const std::string& field() const { return field_; }
  const std::string& reason() const { return reason_; }

 private:
  std::array<std::string, 4> scratch_;  // a row's ids stay valid together
  size_t next_ = 0;
  std::string field_;
  std::string reason_;
};

// "/pricing/enterprise?x=1" -> "/pricing"; "https://site/blog/a" -> "/blog".
// A scheme counts only before any '/', '?' or '#' ("/a?next=https://b" is a path), which the
// scorecard's regular expression for a group (scorecard_writer.cc) follows too.
std::string UrlGroup(std::string_view url) {
  if (size_t scheme = url.find("://");
      scheme != std::string_view::npos && scheme < url.find_first_of("/?#")) {
    url.remove_prefix(scheme + 3);
    const size_t slash = url.find('/');
    url = slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
  }
  url = url.substr(0, url.find_first_of("?#"));
  if (url.empty() || url[0] != '/') return "/";
  const size_t next = url.find('/', 1);
  return std::string(url.substr(0, next == std::string_view::npos ? url.size() : next));
}

// What one lead's events add up to at its reference time.
struct LeadActivity {
  std::vector<std::array<uint32_t, kWindowDays.size()>> counts;  // by event type
  std::vector<Timestamp> last;                                   // by event type; 0: none
  std::bitset<kActiveDays> active;                               // days before the reference
  std::unordered_map<uint32_t, uint32_t> url_counts;             // url group -> events in 90 d
};

// Collects rows of a file through a callback, counting bad rows.
class CallbackSink : public ingest::RowSink {
 public:
  using OnRowFn = std::function<void(uint64_t, std::span<const Value>)>;
  // `on_bad_row`, when given, is told of each row skipped (not of a warning).
  CallbackSink(OnRowFn on_row, const std::function<void(const ingest::RowError&)>& on_error,
               std::function<void()> on_bad_row = nullptr)
      : on_row_(std::move(on_row)), on_error_(on_error), on_bad_row_(std::move(on_bad_row)) {}
  void OnRow(uint64_t line, std::span<const Value> values) override { on_row_(line, values); }
  void OnError(ingest::RowError error) override {
    if (on_bad_row_ && error.is_row) on_bad_row_();
    ingest::NoteRowSkipped(error);
    if (on_error_) on_error_(error);
  }
  void OnWarning(ingest::RowError warning) override {
    if (on_error_) on_error_(warning);
  }

 private:
  OnRowFn on_row_;
  const std::function<void(const ingest::RowError&)>& on_error_;
  std::function<void()> on_bad_row_;
};

// Builds a training set (each kept row's id and reference to `keys` when given), or with
// `scoring_as_of` a scoring set (every lead, no outcomes), whose lead ids go to `ids`. The leads
// file's columns go to `lead_columns` when given.
Result<LabeledTable> Build(const TrainingSetOptions& options, TrainingSetStats& st,
                           std::optional<Timestamp> scoring_as_of, std::vector<std::string>* ids,
                           RowKeys* keys, std::vector<std::string>* lead_columns = nullptr,
                           bool* ids_are_rows = nullptr) {
  const bool scoring = scoring_as_of.has_value();
  auto report = [&](std::string file, uint64_t line, std::string field, std::string message) {
    if (options.on_error) options.on_error({std::move(file), line, std::move(field), message});
  };

  const SourceOpener leads =
      options.leads_source ? options.leads_source : FileOpener(options.leads);
  const SourceOpener events =
      options.events_source ? options.events_source : FileOpener(options.events);
  const SourceOpener outcomes =
      options.outcomes_source ? options.outcomes_source : FileOpener(options.outcomes);
  const bool have_events = options.events_source || !options.events.empty();

  // 1. Leads: attributes into column builders, created_at as the default reference.
  std::vector<ingest::RowError> header_warnings;
  LS_ASSIGN_OR_RETURN(const std::vector<std::string> header, ColumnsOf(leads, &header_warnings));
  if (lead_columns) *lead_columns = header;
  const auto id_at = std::find(header.begin(), header.end(), options.id_column);
  const bool number_rows = id_at == header.end() && scoring && options.number_rows;
  if (id_at == header.end() && !number_rows) {
    std::string columns;
    for (size_t i = 0; i < header.size() && i < 20; ++i) {
      columns += (i ? ", " : "") + header[i];
    }
    if (header.size() > 20) columns += fmt::format(" and {} more", header.size() - 20);
    return Error(
        InvalidArgument(fmt::format("{}: no `{}` column (it has: {})", options.leads,
                                    options.id_column, columns.empty() ? "no column" : columns)));
  }
  if (ids_are_rows) *ids_are_rows = number_rows;
  const size_t id_slot = number_rows ? SIZE_MAX : id_at - header.begin();
  uint64_t data_row = 0;  // of the row being read, bad rows counted
  const auto created_at = std::find(header.begin(), header.end(), "created_at");
  const size_t created_slot = created_at == header.end() ? SIZE_MAX : created_at - header.begin();
  std::vector<ColumnBuilder> builders;
  std::vector<size_t> builder_of_slot(header.size(), SIZE_MAX);
  std::vector<bool> numeric_slot(header.size(), false);
  // Sets, not searches of the lists per column: a model of 50,000 numeric columns against a
  // header of as many made that seconds of work.
  const std::unordered_set<std::string_view> dropped(options.drop.begin(), options.drop.end());
  const std::unordered_set<std::string_view> numeric_columns(options.numeric.begin(),
                                                             options.numeric.end());
  for (size_t i = 0; i < header.size(); ++i) {
    // lead_id names the lead and is no feature; a column --id names may be one of the model's
    // inputs too (a seller, a product), and stays one.
    const bool id_only = i == id_slot && options.id_column == "lead_id";
    if (id_only || i == created_slot || dropped.contains(header[i])) continue;
    builder_of_slot[i] = builders.size();
    builders.emplace_back(header[i]);
    numeric_slot[i] = numeric_columns.contains(header[i]);
  }
  std::unordered_map<std::string, uint32_t> lead_of;
  std::vector<uint64_t> line_of_lead;  // where each lead was read, for a repeat's report
  std::string scratch;
  std::vector<Timestamp> reference;   // 0: none yet
  std::vector<Timestamp> created;     // 0: unknown
  std::vector<std::string> lead_ids;  // kept only for `keys`
  RowRules rules;
  {
    CallbackSink sink(
        [&](uint64_t line, std::span<const Value> values) {
          // The row rules and words of `score` (SCORING.md, "Batch output").
          const uint64_t row = data_row++;
          const std::string id =
              number_rows ? std::to_string(row)
                          : std::string(rules.Id(values[id_slot], options.id_column.c_str(),
                                                 options.id_column.c_str()));
          if (id.empty()) return report(options.leads, line, rules.field(), rules.reason());
          if (auto [at, fresh] = lead_of.emplace(id, static_cast<uint32_t>(reference.size()));
              !fresh) {
            return report(options.leads, line, options.id_column,
                          fmt::format("{} \"{}\" already read at line {}; row skipped",
                                      options.id_column, id, line_of_lead[at->second]));
          }
          line_of_lead.push_back(line);
          Timestamp born = 0;
          if (created_slot != SIZE_MAX && !values[created_slot].is_null()) {
            if (auto t = TimeOf(values[created_slot])) {
              born = *t;
            } else {
              report(options.leads, line, "created_at", "cannot read as a time");
            }
          }
          created.push_back(born);
          Timestamp ref = born;
          if (scoring) {
            ref = *scoring_as_of;
          } else if (options.reference_of) {
            ref = options.reference_of(id).value_or(0);
          } else if (options.cutoff) {
            ref = *options.cutoff;
          }
          reference.push_back(ref);
          if (ids) ids->push_back(id);
          if (keys) lead_ids.push_back(id);
          for (size_t i = 0; i < values.size(); ++i) {
            if (builder_of_slot[i] == SIZE_MAX) continue;
            ColumnBuilder& builder = builders[builder_of_slot[i]];
            if (numeric_slot[i]) {
              const std::string_view cell = TrimCell(CellText(values[i], scratch));
              if (!cell.empty() && !IsMissingCell(cell, options.missing) &&
                  !ingest::ParseDecimal(cell)) {
                report(options.leads, line, header[i],
                       fmt::format("cannot convert \"{}\" to number; using null", cell));
                builder.Add({});
                continue;
              }
            }
            builder.AddValue(values[i], options.missing, scratch);
          }
        },
        options.on_error, [&] { ++data_row; });
    for (ingest::RowError& warning : header_warnings) sink.OnWarning(std::move(warning));
    LS_RETURN_IF_ERROR(ReadRows(leads, header, sink));
  }
  st.leads = reference.size();
  if (reference.empty()) {
    return Error(InvalidArgument(fmt::format("{}: no leads", options.leads)));
  }

  // 2. Without a created_at, a lead's reference is its first event: a first pass finds it, and
  // the leads known only from events (SCORING.md: a lead with null attributes) on the way. An
  // event counts here as in step 3: a good row, its event_id not read before. Without such a
  // lead, step 3 finds the leads known only from events itself.
  const bool first_pass =
      !scoring && !options.reference_of && !options.cutoff && have_events &&
      std::any_of(reference.begin(), reference.end(), [](Timestamp t) { return t == 0; });
  const std::vector<std::string> event_keys = {"lead_id", "type", "ts", "url", "event_id"};
  // A lead known only from events: numbered after the others, with null attributes.
  auto add_lead = [&](const std::string& id, Timestamp ref) {
    line_of_lead.push_back(0);
    created.push_back(0);
    reference.push_back(ref);
    if (ids) ids->push_back(id);
    if (keys) lead_ids.push_back(id);
    for (ColumnBuilder& builder : builders) builder.Add({});
    ++st.leads_from_events;
  };
  if (first_pass) {
    std::unordered_set<uint64_t> seen_ids;
    CallbackSink sink(
        [&](uint64_t, std::span<const Value> v) {
          const std::string_view id = rules.Id(v[0], "lead_id", "lead_id");
          if (id.empty() || rules.Id(v[1], "type", "event type").empty()) return;
          auto ts = rules.Time(v[2]);
          const std::optional<std::string_view> event_id = rules.OptionalId(v[4], "event_id");
          if (!ts || !event_id) return;
          if (!event_id->empty() &&
              !seen_ids.insert(std::hash<std::string_view>{}(*event_id)).second) {
            return;
          }
          auto [lead, fresh] =
              lead_of.try_emplace(std::string(id), static_cast<uint32_t>(reference.size()));
          if (fresh) add_lead(lead->first, 0);
          if (created[lead->second] != 0) return;
          Timestamp& ref = reference[lead->second];
          if (ref == 0 || *ts < ref) ref = *ts;
        },
        nullptr);
    LS_RETURN_IF_ERROR(ReadRows(events, event_keys, sink, {"lead_id", "type", "ts"}));
  }

  // 3. Events: each one counts only for features of its lead at the lead's reference time.
  std::vector<LeadActivity> activity(reference.size());
  std::unordered_map<std::string, uint32_t> type_of;
  std::vector<std::string> type_names;
  std::unordered_map<std::string, uint32_t> group_of;
  std::vector<std::string> group_names;
  std::vector<uint64_t> group_total;
  for (const std::string& t : options.event_types) {
    if (type_of.emplace(t, static_cast<uint32_t>(type_names.size())).second) {
      type_names.push_back(t);
    }
  }
  for (const std::string& g : options.url_groups) {
    if (group_of.emplace(g, static_cast<uint32_t>(group_names.size())).second) {
      group_names.push_back(g);
      group_total.push_back(0);
    }
  }
  const bool fixed_groups = !options.url_groups.empty();
  // What one event of lead `lead` adds to its features, at or before its reference.
  auto count = [&](uint32_t lead, Timestamp ts, const std::string& type, const Value& url) {
    const Timestamp ref = reference[lead];
    if (ts > ref) {
      ++st.events_after;
      return;
    }
    ++st.events_counted;
    auto [t, fresh] = type_of.try_emplace(type, static_cast<uint32_t>(type_names.size()));
    if (fresh) type_names.push_back(type);
    LeadActivity& a = activity[lead];
    if (a.counts.size() <= t->second) {
      a.counts.resize(type_names.size(), {});
      a.last.resize(type_names.size(), 0);
    }
    const int64_t age_days = (ref - ts) / kMicrosPerDay;
    for (size_t w = 0; w < kWindowDays.size(); ++w) {
      if (ref - ts < kWindowDays[w] * kMicrosPerDay) ++a.counts[t->second][w];
    }
    a.last[t->second] = std::max(a.last[t->second], ts);
    if (age_days >= kActiveDays) return;
    a.active.set(age_days);
    if (!url.is_string()) return;
    const std::string path = UrlGroup(url.str());
    if (path == "/") return;  // the home page: a page view like any other
    std::string group = type + ":" + path;
    if (fixed_groups && !group_of.contains(group)) return;
    auto [g, new_group] =
        group_of.try_emplace(std::move(group), static_cast<uint32_t>(group_names.size()));
    if (new_group) {
      group_names.push_back(g->first);
      group_total.push_back(0);
    }
    ++group_total[g->second];
    ++a.url_counts[g->second];
  };
  if (have_events) {
    // An event_id seen before is the same event sent again: it counts once, as in scoring
    // (8 bytes of hash per id, like the batch reader).
    std::unordered_set<uint64_t> seen_ids;
    // The events of leads not met yet (known only from events, when no first pass found them),
    // by lead in the order they appear: counted once the whole file is read, since such a
    // lead's reference may be its first event, which can come anywhere in the file. 16 bytes
    // an event, their type and URL group as numbers into `texts`: a leads file that holds
    // few of the events' leads leaves most events here.
    constexpr uint32_t kNoUrl = UINT32_MAX;
    struct PendingEvent {
      Timestamp ts;
      uint32_t type;
      uint32_t url_group;  // kNoUrl: none
    };
    std::unordered_map<std::string, uint32_t> pending_of;
    std::vector<std::pair<std::string, std::vector<PendingEvent>>> pending;
    std::unordered_map<std::string, uint32_t> text_of;
    std::vector<std::string> texts;
    auto number = [&](std::string text) {
      auto [at, fresh] = text_of.try_emplace(std::move(text), static_cast<uint32_t>(texts.size()));
      if (fresh) texts.push_back(at->first);
      return at->second;
    };
    CallbackSink sink(
        [&](uint64_t line, std::span<const Value> v) {
          // In the order batch checks them, so that a row is reported for the same field.
          const std::string lead_id(rules.Id(v[0], "lead_id", "lead_id"));
          if (lead_id.empty()) return report(options.events, line, rules.field(), rules.reason());
          if (rules.Id(v[1], "type", "event type").empty()) {
            return report(options.events, line, rules.field(), rules.reason());
          }
          const std::string type = TextOf(v[1]);
          auto ts = rules.Time(v[2]);
          if (!ts) return report(options.events, line, rules.field(), rules.reason());
          const std::optional<std::string_view> event_id = rules.OptionalId(v[4], "event_id");
          if (!event_id) return report(options.events, line, rules.field(), rules.reason());
          if (!event_id->empty() &&
              !seen_ids.insert(std::hash<std::string_view>{}(*event_id)).second) {
            ++st.duplicates;
            return;
          }
          st.data_end = std::max(st.data_end, *ts);
          if (auto lead = lead_of.find(lead_id); lead != lead_of.end()) {
            return count(lead->second, *ts, type, v[3]);
          }
          if (scoring) {
            ++st.events_no_lead;
            return;
          }
          auto [at, fresh] = pending_of.try_emplace(lead_id, static_cast<uint32_t>(pending.size()));
          if (fresh) pending.emplace_back(lead_id, std::vector<PendingEvent>());
          pending[at->second].second.push_back(
              {*ts, number(type), v[3].is_string() ? number(UrlGroup(v[3].str())) : kNoUrl});
        },
        options.on_error);
    LS_RETURN_IF_ERROR(ReadRows(events, event_keys, sink, {"lead_id", "type", "ts"}));
    for (auto& [id, lead_events] : pending) {
      Timestamp ref = std::numeric_limits<Timestamp>::max();
      for (const PendingEvent& e : lead_events) ref = std::min(ref, e.ts);
      if (options.reference_of) {
        ref = options.reference_of(id).value_or(0);
      } else if (options.cutoff) {
        ref = *options.cutoff;
      }
      const uint32_t lead = static_cast<uint32_t>(reference.size());
      lead_of.emplace(id, lead);
      add_lead(id, ref);
      activity.emplace_back();
      for (const PendingEvent& e : lead_events) {
        // A URL group is its own group (UrlGroup("/pricing") is "/pricing").
        count(lead, e.ts, texts[e.type],
              e.url_group == kNoUrl ? Value() : Value::String(texts[e.url_group]));
      }
    }
  }

  // 4. Outcomes: when each lead first reached the positive outcome.
  std::vector<Timestamp> converted(reference.size(), 0);
  uint64_t positive_rows = 0;
  LabelCounter outcomes_seen;  // for an --outcome that no row has
  if (!scoring) {
    CallbackSink sink(
        [&](uint64_t line, std::span<const Value> v) {
          const std::string id(rules.Id(v[0], "lead_id", "lead_id"));
          if (id.empty()) return report(options.outcomes, line, rules.field(), rules.reason());
          const std::string outcome = TextOf(v[1]);
          if (outcome.empty()) {
            return report(options.outcomes, line, "outcome", "missing outcome; row skipped");
          }
          auto ts = rules.Time(v[2]);
          if (!ts) return report(options.outcomes, line, rules.field(), rules.reason());
          st.data_end = std::max(st.data_end, *ts);
          outcomes_seen.Add(outcome);
          if (outcome != options.positive_outcome) return;
          ++positive_rows;
          auto lead = lead_of.find(id);
          if (lead == lead_of.end()) return;
          Timestamp& t = converted[lead->second];
          if (t == 0 || *ts < t) t = *ts;
        },
        options.on_error);
    LS_RETURN_IF_ERROR(
        ReadRows(outcomes, {"lead_id", "outcome", "ts"}, sink, {"lead_id", "outcome", "ts"}));
  }
  if (!scoring && positive_rows == 0) {
    const LabelValues seen = outcomes_seen.Finish();
    return Error(InvalidArgument(fmt::format(
        "{}: no outcome is `{}` (check --outcome: it must be written as in the file){}",
        options.outcomes, options.positive_outcome,
        seen.counts.empty() ? std::string()
                            : "; its outcomes, most frequent first: " + LabelValuesSeen(seen))));
  }

  // 5. Rows: label by the outcome within the horizon; leave out who converted before the
  // reference and whose horizon is not over by the end of the data (unless they converted).
  std::vector<uint32_t> kept;
  LabeledTable table;
  for (uint32_t i = 0; i < reference.size(); ++i) {
    const Timestamp ref = reference[i];
    if (scoring) {
      kept.push_back(i);
      table.label.push_back(0);
      table.row_index.push_back(i);
      continue;
    }
    if (ref == 0) {
      ++st.no_reference;
      continue;
    }
    if (options.cutoff && created[i] > ref) {
      ++st.created_after;
      continue;
    }
    if (converted[i] != 0 && converted[i] <= ref) {
      ++st.converted_before;
      continue;
    }
    const bool positive = converted[i] != 0 && converted[i] <= ref + options.horizon;
    if (!positive && ref + options.horizon > st.data_end) {
      ++st.censored;
      continue;
    }
    kept.push_back(i);
    table.label.push_back(positive ? 1 : 0);
    table.row_index.push_back(i);
    if (keys) {
      keys->ids.push_back(lead_ids[i]);
      keys->references.push_back(ref);
    }
  }
  table.data_rows = reference.size();
  st.used = kept.size();

  for (ColumnBuilder& b : builders) {
    Column all = std::move(b).Finish();
    Column c;
    c.name = all.name;
    c.kind = all.kind;
    c.had_placeholder = all.had_placeholder;
    c.placeholders_seen = all.placeholders_seen;
    c.levels = all.levels;
    for (uint32_t i : kept) {
      if (all.kind == ColumnKind::kNumeric) {
        c.values.push_back(all.values[i]);
      } else {
        c.codes.push_back(all.codes[i]);
      }
    }
    table.columns.push_back(std::move(c));
  }
  auto numeric = [&](std::string name, EventFeature event, auto value_of) {
    Column c{.name = std::move(name), .kind = ColumnKind::kNumeric, .event = std::move(event)};
    for (uint32_t i : kept) c.values.push_back(value_of(i));
    table.columns.push_back(std::move(c));
  };
  using Kind = EventFeature::Kind;
  for (uint32_t t = 0; t < type_names.size(); ++t) {
    for (size_t w = 0; w < kWindowDays.size(); ++w) {
      numeric(fmt::format("{}.{}d", type_names[t], kWindowDays[w]),
              {.kind = Kind::kCount, .type = type_names[t], .window_days = kWindowDays[w]},
              [&](uint32_t i) {
                const auto& counts = activity[i].counts;
                return t < counts.size() ? static_cast<double>(counts[t][w]) : 0.0;
              });
    }
    numeric(type_names[t] + ".days_since_last",
            {.kind = Kind::kDaysSinceLast, .type = type_names[t]}, [&](uint32_t i) {
              const auto& last = activity[i].last;
              return t < last.size() && last[t] != 0
                         ? static_cast<double>(reference[i] - last[t]) / kMicrosPerDay
                         : std::numeric_limits<double>::quiet_NaN();
            });
  }
  numeric("active_days.90d", {.kind = Kind::kActiveDays, .window_days = kActiveDays},
          [&](uint32_t i) { return static_cast<double>(activity[i].active.count()); });
  std::vector<uint32_t> groups(group_names.size());
  for (uint32_t g = 0; g < groups.size(); ++g) groups[g] = g;
  if (!fixed_groups) {
    std::sort(groups.begin(), groups.end(), [&](uint32_t a, uint32_t b) {
      return group_total[a] != group_total[b] ? group_total[a] > group_total[b]
                                              : group_names[a] < group_names[b];
    });
    if (groups.size() > kUrlGroups) groups.resize(kUrlGroups);
  }
  for (uint32_t g : groups) {
    const size_t colon = group_names[g].find(':');
    numeric(group_names[g] + ".90d",
            {.kind = Kind::kCount,
             .type = group_names[g].substr(0, colon),
             .window_days = kActiveDays,
             .url_group = group_names[g].substr(colon + 1)},
            [&](uint32_t i) {
              auto it = activity[i].url_counts.find(g);
              return it == activity[i].url_counts.end() ? 0.0 : static_cast<double>(it->second);
            });
  }

  if (scoring) return table;
  const uint64_t positives = table.positives();
  if (table.rows() < 20) {
    // Where every lead read went, so that the counts add up to the leads read.
    std::vector<std::string> left_out;
    auto count = [&](uint64_t n, std::string what) {
      if (n != 0) left_out.push_back(fmt::format("{} {}", n, what));
    };
    count(st.created_after, "created after their reference (not leads yet)");
    count(st.converted_before, "converted before their reference");
    count(st.censored,
          fmt::format("with the horizon not over by {}", FormatTimestamp(st.data_end)));
    count(st.no_reference, options.reference_of
                               ? "with no reference time (never in the stage)"
                               : "with no reference time (no created_at and no event)");
    return Error(InvalidArgument(fmt::format(
        "{} of the {} leads read are usable for training{}; at least 20 are needed", table.rows(),
        st.leads + st.leads_from_events,
        left_out.empty() ? ""
                         : " (left out: " + fmt::format("{}", fmt::join(left_out, ", ")) + ")")));
  }
  if (positives == 0 || positives == table.rows()) {
    return Error(InvalidArgument(fmt::format(
        "every one of the {} usable leads is {}: there is nothing to learn from one class",
        table.rows(), positives == 0 ? "negative" : "positive")));
  }
  return table;
}

}  // namespace

Result<LabeledTable> BuildTrainingSet(const TrainingSetOptions& options, TrainingSetStats* stats,
                                      RowKeys* keys) {
  TrainingSetStats local;
  return Build(options, stats ? *stats : local, std::nullopt, nullptr, keys);
}

Result<ScoringSet> BuildScoringSet(const TrainingSetOptions& options, Timestamp as_of,
                                   TrainingSetStats* stats) {
  TrainingSetStats local;
  ScoringSet set;
  LS_ASSIGN_OR_RETURN(set.table, Build(options, stats ? *stats : local, as_of, &set.ids, nullptr,
                                       &set.lead_columns, &set.ids_are_rows));
  return set;
}

namespace {

// The middles of the `columns` named `<prefix><middle><suffix>`.
std::vector<std::string> Middles(const std::vector<std::string>& columns, std::string_view prefix,
                                 std::string_view suffix) {
  std::vector<std::string> middles;
  for (const std::string& c : columns) {
    if (c.size() > prefix.size() + suffix.size() && c.starts_with(prefix) && c.ends_with(suffix)) {
      middles.push_back(c.substr(prefix.size(), c.size() - prefix.size() - suffix.size()));
    }
  }
  return middles;
}

}  // namespace

std::vector<std::string> UrlGroupsIn(const std::vector<std::string>& columns) {
  std::vector<std::string> groups = Middles(columns, "", ".90d");
  std::erase_if(groups, [](const std::string& g) { return g.find(":/") == std::string::npos; });
  return groups;
}

std::vector<std::string> EventTypesIn(const std::vector<std::string>& columns) {
  return Middles(columns, "", ".days_since_last");
}

TrainingSetOptions OptionsForModel(const std::vector<std::string>& columns,
                                   std::vector<std::string> missing,
                                   std::vector<std::string> numeric) {
  TrainingSetOptions options;
  options.missing = std::move(missing);
  options.numeric = std::move(numeric);
  options.url_groups = UrlGroupsIn(columns);
  options.event_types = EventTypesIn(columns);
  return options;
}

}  // namespace leadscore::learn
