#include "service/score_writer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <thread>

#include "engine/rounding.h"
#include "engine/scorer.h"

namespace leadscore::service {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

Status Flush(std::FILE* out, std::string& buffer) {
  if (!buffer.empty() && std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) {
    return Status(StatusCode::kUnavailable, std::string("write failed: ") + std::strerror(errno));
  }
  buffer.clear();
  return Status::Ok();
}

// A JSON number of the CSV's digits without their trailing zeros ("30.5", "100"): the same
// value, and the same text near 1e15, where the shortest form of the rounded double would not
// be (999999999999999.88 prints 999999999999999.9).
void AppendNumber(std::string& out, double v) {
  engine::AppendScore(out, v);
  if (out.find('.', out.size() - 3) == std::string::npos) return;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
}

}  // namespace

void AppendCsvField(std::string& out, std::string_view text) {
  bool plain = true;
  for (char c : text) plain &= c != ',' && c != '"' && c != '\r' && c != '\n';
  if (plain) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

namespace {

// Formats the rows ranking.order[begin, end) into `buf`.
// The predictive columns of lead `row`: ",p[,reasons]" in CSV, ",\"probability\":p..." in
// JSON; an empty cell or null when the lead has no prediction.
void AppendPredictive(std::string& buf, const PredictiveColumns& predictive, uint32_t row,
                      OutputFormat format) {
  const double p = predictive.probability[row];
  const bool explained = !predictive.reasons.empty();
  static const std::vector<std::pair<std::string, double>> kNone;
  const auto& why = explained ? predictive.reasons[row] : kNone;
  if (format == OutputFormat::kCsv) {
    buf += ',';
    if (!std::isnan(p)) fmt::format_to(std::back_inserter(buf), "{:.4f}", p);
    if (explained) {
      std::string text;
      for (const auto& [feature, value] : why) {
        if (!text.empty()) text += ';';
        fmt::format_to(std::back_inserter(text), "{}:{:+.2f}", feature, value);
      }
      buf += ',';
      AppendCsvField(buf, text);
    }
    return;
  }
  buf += ",\"probability\":";
  if (std::isnan(p)) {
    buf += "null";
  } else {
    fmt::format_to(std::back_inserter(buf), "{:.4f}", p);
  }
  if (!explained) return;
  buf += ",\"probability_reasons\":[";
  for (size_t i = 0; i < why.size(); ++i) {
    if (i > 0) buf += ',';
    buf += "{\"feature\":";
    AppendJsonString(buf, why[i].first);
    fmt::format_to(std::back_inserter(buf), ",\"value\":{:.4f}}}", why[i].second);
  }
  buf += ']';
}

// Formats the rows ranking.order[begin, end) into `buf`.
void FormatLeads(const Batch& batch, const Ranking& ranking, size_t begin, size_t end,
                 OutputFormat format, bool explain, const PredictiveColumns* predictive,
                 std::string& buf) {
  const engine::CompiledModel& model = *batch.model;
  engine::Scorer scorer(model);
  engine::Score detailed;
  std::string reasons;
  // Grade and stage ids as CSV fields, escaped once rather than on every row.
  std::vector<std::string> grade_fields, stage_fields;
  for (const auto& g : model.grades()) AppendCsvField(grade_fields.emplace_back(), g.id);
  for (const auto& st : model.stages()) AppendCsvField(stage_fields.emplace_back(), st.id);
  for (size_t i = begin; i < end; ++i) {
    // Rows come in score order, so each one's score and id are cache misses: fetched ahead.
    if (i + 16 < end) {
      __builtin_prefetch(&ranking.scores[ranking.order[i + 16]]);
      batch.leads.PrefetchIdView(ranking.order[i + 16]);
    }
    if (i + 8 < end) batch.leads.PrefetchIdBytes(ranking.order[i + 8]);
    const uint32_t row = ranking.order[i];
    const RankedScore& s = ranking.scores[row];
    std::string_view grade = s.grade >= 0 ? std::string_view(model.grades()[s.grade].id) : "";
    std::string_view stage = s.stage >= 0 ? std::string_view(model.stages()[s.stage].id) : "";
    if (explain) {
      scorer.Evaluate(batch.states, row, batch.leads.attributes(row), batch.as_of, true, detailed);
    }
    if (format == OutputFormat::kCsv) {
      AppendCsvField(buf, batch.leads.id(row));
      buf += ',';
      engine::AppendScore(buf, s.score);
      buf += ',';
      engine::AppendScore(buf, s.fit);
      buf += ',';
      engine::AppendScore(buf, s.engagement);
      buf += ',';
      if (s.grade >= 0) buf += grade_fields[s.grade];
      buf += ',';
      if (s.stage >= 0) buf += stage_fields[s.stage];
      if (explain) {
        reasons.clear();
        for (const auto& r : detailed.reasons) {
          if (!reasons.empty()) reasons += ';';
          reasons += r.rule;
          reasons += ':';
          engine::AppendScore(reasons, r.points);
        }
        buf += ',';
        AppendCsvField(buf, reasons);
      }
      if (predictive) AppendPredictive(buf, *predictive, row, format);
      buf += '\n';
    } else {
      buf += "{\"lead_id\":";
      AppendJsonString(buf, batch.leads.id(row));
      buf += ",\"score\":";
      AppendNumber(buf, s.score);
      buf += ",\"fit\":";
      AppendNumber(buf, s.fit);
      buf += ",\"engagement\":";
      AppendNumber(buf, s.engagement);
      buf += ",\"grade\":";
      if (s.grade >= 0) {
        AppendJsonString(buf, grade);
      } else {
        buf += "null";
      }
      buf += ",\"stage\":";
      if (s.stage >= 0) {
        AppendJsonString(buf, stage);
      } else {
        buf += "null";
      }
      if (explain) {
        buf += ",\"reasons\":[";
        bool first = true;
        for (const auto& r : detailed.reasons) {
          if (!first) buf += ',';
          first = false;
          buf += "{\"rule\":";
          AppendJsonString(buf, r.rule);
          buf += ",\"points\":";
          AppendNumber(buf, r.points);
          buf += '}';
        }
        buf += ']';
      }
      if (predictive) AppendPredictive(buf, *predictive, row, format);
      buf += "}\n";
    }
  }
}

}  // namespace

Status WriteLeads(std::FILE* out, const Batch& batch, const Ranking& ranking, OutputFormat format,
                  bool explain, int threads, const PredictiveColumns* predictive) {
  std::string header;
  if (format == OutputFormat::kCsv) {
    header = "lead_id,score,fit,engagement,grade,stage";
    if (explain) header += ",reasons";
    if (predictive) header += ",probability";
    if (predictive && !predictive->reasons.empty()) header += ",probability_reasons";
    header += '\n';
  }
  LS_RETURN_IF_ERROR(Flush(out, header));
  // Chunks are formatted on all threads, a wave at a time, and written in order: formatting
  // is most of the cost (1M rows: 0.5 s on one core).
  const size_t n = ranking.order.size();
  const size_t chunk = 32768;
  const size_t workers = static_cast<size_t>(std::max(1, threads));
  std::vector<std::string> buffers(workers);
  for (size_t wave = 0; wave < n; wave += chunk * workers) {
    std::vector<std::thread> pool;
    for (size_t w = 0; w < workers; ++w) {
      size_t begin = std::min(n, wave + w * chunk), end = std::min(n, begin + chunk);
      buffers[w].clear();
      if (begin == end) continue;
      auto job = [&, w, begin, end] {
        FormatLeads(batch, ranking, begin, end, format, explain, predictive, buffers[w]);
      };
      if (w + 1 == workers) {
        job();
      } else {
        pool.emplace_back(job);
      }
    }
    for (auto& t : pool) t.join();
    for (auto& b : buffers) LS_RETURN_IF_ERROR(Flush(out, b));
  }
  return Status::Ok();
}

Status WriteAccounts(std::FILE* out, const Batch& batch, const std::vector<AccountScore>& accounts,
                     OutputFormat format) {
  std::string buf;
  if (format == OutputFormat::kCsv) buf += "account,score,leads,top_lead\n";
  for (const AccountScore& a : accounts) {
    if (format == OutputFormat::kCsv) {
      AppendCsvField(buf, a.account);
      buf += ',';
      engine::AppendScore(buf, a.score);
      fmt::format_to(std::back_inserter(buf), ",{},", a.leads);
      AppendCsvField(buf, batch.leads.id(a.top_lead));
      buf += '\n';
    } else {
      buf += "{\"account\":";
      AppendJsonString(buf, a.account);
      buf += ",\"score\":";
      AppendNumber(buf, a.score);
      fmt::format_to(std::back_inserter(buf), ",\"leads\":{},\"top_lead\":", a.leads);
      AppendJsonString(buf, batch.leads.id(a.top_lead));
      buf += "}\n";
    }
    if (buf.size() >= kFlushBytes) LS_RETURN_IF_ERROR(Flush(out, buf));
  }
  return Flush(out, buf);
}

}  // namespace leadscore::service
