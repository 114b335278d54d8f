#include "ingest/row_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/utf8.h"

namespace leadscore::ingest {

std::string Shown(const Value& v) {
  if (!v.is_string()) return v.ToString();
  // The first 60 bytes, cut before a character rather than in it; a byte that is not UTF-8
  // (a Latin-1 file) shown as \xNN, as a control character is, so that a report is UTF-8.
  constexpr size_t kShownBytes = 60;
  std::string out;
  std::string_view text = v.str();
  for (size_t i = 0, len = 1; i < text.size(); i += len) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    len = 1;
    const bool whole = c < 0x80 || DecodeUtf8(text, i, len) >= 0;
    if (i + len > kShownBytes) {
      out += "...";
      break;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f || !whole) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out.append(text.substr(i, len));
    }
  }
  return out;
}

std::string NulReason(std::string_view field) {
  return fmt::format("{} holds the character U+0000 (NUL), which no id may hold", field);
}

std::string NoIdReason(const Value& v, std::string_view what) {
  if (v.is_null() || (v.is_string() && !v.is_json_text())) return fmt::format("missing {}", what);
  std::string_view kind = "a time";
  if (v.is_json_text()) kind = v.str().starts_with('[') ? "an array" : "an object";
  if (v.is_bool()) kind = v.boolean() ? "true" : "false";
  return fmt::format("{} must be a string or a number, not {}", what, kind);
}

std::string AlreadyReadReason(std::string_view lead_id, uint64_t first_line) {
  return fmt::format("lead_id \"{}\" already read at line {}; row skipped", lead_id, first_line);
}

std::string RefusedBecause(std::vector<RowError>& warnings, std::string_view field,
                           std::string reason) {
  constexpr std::string_view kNulled = "; using null";
  for (auto it = warnings.begin(); it != warnings.end(); ++it) {
    if (it->field == field && it->message.ends_with(kNulled)) {
      reason = it->message.substr(0, it->message.size() - kNulled.size());
      warnings.erase(it);
      break;
    }
  }
  return reason;
}

bool NumberIdText(const Value& v, std::string& scratch, std::string_view& out) {
  if (v.is_number()) {
    scratch = FormatNumber(v.number());
    out = scratch;
    return true;
  }
  return false;
}

std::string MillisecondsHint(const Value& raw) {
  double seconds = 0;
  if (raw.is_number()) {
    seconds = raw.number();
  } else if (raw.is_string()) {
    const std::string_view text = raw.str();
    std::from_chars(text.data(), text.data() + text.size(), seconds);
  }
  if (seconds > kLastSecond && seconds / 1000 <= kLastSecond) {
    return " (Unix seconds past year 9999: milliseconds? write seconds)";
  }
  return "";
}

bool EventTime(const Value& raw_ts, Timestamp& out, std::string& problem) {
  if (raw_ts.is_string() && ParseTimestamp(raw_ts.str(), out)) return true;
  if (raw_ts.is_number()) {
    if (auto ts = TimestampFromSeconds(raw_ts.number())) {
      out = *ts;
      return true;
    }
  }
  if (raw_ts.is_null()) {
    problem = "missing ts";
    return false;
  }
  // The forms a time takes, unless the hint names a likelier cause (milliseconds).
  problem = "cannot parse \"" + Shown(raw_ts) + "\" as a time";
  const std::string hint = MillisecondsHint(raw_ts);
  problem += hint.empty() ? " (ISO-8601 or Unix seconds)" : hint;
  return false;
}

std::optional<Timestamp> EventTime(const Value& raw_ts, std::string& problem) {
  Timestamp ts;
  if (!EventTime(raw_ts, ts, problem)) return std::nullopt;
  return ts;
}

Status RequireColumns(const RecordSource& source, std::initializer_list<const char*> needed) {
  if (source.format() != Format::kCsv || source.header().empty()) return Status::Ok();
  const auto& header = source.header();
  for (const char* column : needed) {
    if (std::find(header.begin(), header.end(), column) != header.end()) continue;
    std::string names, near;
    for (const auto& h : header) {
      names += (names.empty() ? "" : ", ") + h;
      // A name that is the column but for blanks or a byte-order mark around it, which the
      // list above does not show.
      std::string_view trimmed = h;
      for (bool trimming = true; trimming && !trimmed.empty();) {
        trimming = false;
        for (std::string_view pad : {" ", "\t", "\xEF\xBB\xBF"}) {
          if (trimmed.starts_with(pad)) trimmed.remove_prefix(pad.size()), trimming = true;
          if (trimmed.ends_with(pad)) trimmed.remove_suffix(pad.size()), trimming = true;
        }
      }
      if (near.empty() && trimmed == column) {
        near = fmt::format(
            "; its column \"{}\" has {} around the name", Shown(Value::String(h)),
            h.find("\xEF\xBB\xBF") != std::string::npos ? "a byte-order mark" : "spaces or tabs");
      }
    }
    return InvalidArgument(fmt::format("{}:{}: the header has no `{}` column (it has: {}){}",
                                       source.path(), source.header_line(), column, names, near));
  }
  return Status::Ok();
}

}  // namespace leadscore::ingest
