#include "core/time.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace leadscore {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at s[pos]; advances pos.
bool Digits(std::string_view s, size_t& pos, int n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

std::optional<Timestamp> ParseIso(std::string_view s) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (!Digits(s, pos, 4, year) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  if (!Digits(s, pos, 2, month) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  if (!Digits(s, pos, 2, day)) return std::nullopt;
  // Year 0000 is outside the years ISO dates write without agreement (and Unix seconds read).
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  int64_t micros = DaysFromCivil(year, month, day) * kMicrosPerDay;
  if (pos == s.size()) return micros;
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
  ++pos;
  int hour = 0, minute = 0, second = 0;
  if (!Digits(s, pos, 2, hour) || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  if (!Digits(s, pos, 2, minute)) return std::nullopt;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!Digits(s, pos, 2, second)) return std::nullopt;
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  int64_t fraction = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int64_t scale = 100000;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      fraction += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  micros +=
      (static_cast<int64_t>(hour) * 3600 + minute * 60 + second) * kMicrosPerSecond + fraction;
  if (pos == s.size()) return micros;  // no zone: UTC
  char z = s[pos];
  if ((z == 'Z' || z == 'z') && pos + 1 == s.size()) return micros;
  if (z != '+' && z != '-') return std::nullopt;
  ++pos;
  int oh = 0, om = 0;
  if (!Digits(s, pos, 2, oh)) return std::nullopt;
  if (pos < s.size() && s[pos] == ':') ++pos;
  if (pos < s.size() && !Digits(s, pos, 2, om)) return std::nullopt;
  if (pos != s.size() || oh > 23 || om > 59) return std::nullopt;
  int64_t offset = (static_cast<int64_t>(oh) * 3600 + om * 60) * kMicrosPerSecond;
  return z == '+' ? micros - offset : micros + offset;
}

// The forms nearly every event file writes, "2025-07-01T00:00:03Z", with a fraction of a
// second ("...03.250Z") or a zone offset ("...02:00:03.250+02:00"), read without ParseIso's
// generality; false for anything else (ParseIso then decides). Consecutive events mostly
// share their date, so the last date read on this thread is remembered: with the date cached
// the time of a W1 event costs a third of ParseIso's. With a fraction and an offset, ParseIso
// took a quarter more CPU for a whole W1 100k run. Every value is the one ParseIso gives.
bool ParseCommonIso(std::string_view s, Timestamp& out) {
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') {
    return false;
  }
  auto digit = [&](size_t i) {
    return static_cast<unsigned>(static_cast<unsigned char>(s[i])) - '0';
  };
  const unsigned h1 = digit(11), h0 = digit(12), m1 = digit(14), m0 = digit(15), s1 = digit(17),
                 s0 = digit(18);
  // Each on its own: OR-ing them would reject digits such as 4 and 9 (4 | 9 == 13), which sent
  // half of W1's times to ParseIso.
  if (h1 > 9 || h0 > 9 || m1 > 9 || m0 > 9 || s1 > 9 || s0 > 9) return false;
  const unsigned hour = h1 * 10 + h0, minute = m1 * 10 + m0, second = s1 * 10 + s0;
  if (hour > 23 || minute > 59 || second > 59) return false;
  // After the seconds: an optional fraction, then 'Z' or an offset "+HH:MM", and nothing else.
  size_t pos = 19;
  int64_t fraction = 0;
  if (s[pos] == '.') {
    const size_t start = ++pos;
    for (int64_t scale = 100000; pos < s.size() && digit(pos) <= 9; ++pos, scale /= 10) {
      fraction += digit(pos) * scale;
    }
    if (pos == start || pos == s.size()) return false;
  }
  int64_t offset = 0;
  if (s[pos] == 'Z') {
    if (pos + 1 != s.size()) return false;
  } else if (s[pos] == '+' || s[pos] == '-') {
    if (pos + 6 != s.size() || s[pos + 3] != ':') return false;
    const unsigned oh1 = digit(pos + 1), oh0 = digit(pos + 2), om1 = digit(pos + 4),
                   om0 = digit(pos + 5);
    if (oh1 > 9 || oh0 > 9 || om1 > 9 || om0 > 9) return false;
    const unsigned oh = oh1 * 10 + oh0, om = om1 * 10 + om0;
    if (oh > 23 || om > 59) return false;
    offset = (static_cast<int64_t>(oh) * 3600 + om * 60) * kMicrosPerSecond;
    if (s[pos] == '+') offset = -offset;
  } else {
    return false;
  }
  // The date's 10 bytes as two integers: compared in two instructions.
  uint64_t head;
  uint16_t tail;
  std::memcpy(&head, s.data(), sizeof head);
  std::memcpy(&tail, s.data() + 8, sizeof tail);
  struct DateCache {
    uint64_t head = 0;  // no date starts with 8 zero bytes
    uint16_t tail = 0;
    int64_t micros = 0;
  };
  thread_local DateCache cache;
  if (head != cache.head || tail != cache.tail) {
    size_t at = 0;
    int year = 0, month = 0, day = 0;
    if (!Digits(s, at, 4, year) || !Digits(s, ++at, 2, month) || !Digits(s, ++at, 2, day) ||
        year < 1 || month < 1 || month > 12 || day < 1 ||
        static_cast<unsigned>(day) > DaysInMonth(year, month)) {
      return false;
    }
    cache = {head, tail, DaysFromCivil(year, month, day) * kMicrosPerDay};
  }
  out = cache.micros +
        (static_cast<int64_t>(hour) * 3600 + minute * 60 + second) * kMicrosPerSecond + fraction +
        offset;
  return true;
}

}  // namespace

std::optional<Timestamp> TimestampFromSeconds(double seconds) {
  if (!(seconds >= kFirstSecond && seconds < kLastSecond + 1)) return std::nullopt;
  return static_cast<Timestamp>(std::llround(seconds * 1e6));
}

namespace {

// Every form but the one ParseCommonIso reads, with blanks (spaces, tabs) around it too: a
// padded spreadsheet cell reads as a declared number or bool does.
std::optional<Timestamp> ParseOtherForms(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return std::nullopt;
  text = text.substr(first, text.find_last_not_of(" \t") - first + 1);
  // Most times are ISO dates: skip the Unix-seconds scan for them.
  if (text.size() >= 10 && text[4] == '-') return ParseIso(text);
  // Unix seconds: optional sign, digits, optional fraction. An ISO date has '-' after 4 digits.
  size_t i = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  bool all_numeric = i < text.size();
  bool seen_dot = false;
  for (size_t k = i; k < text.size(); ++k) {
    char c = text[k];
    if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else if (c < '0' || c > '9') {
      all_numeric = false;
      break;
    }
  }
  if (all_numeric) {
    double seconds = 0;
    const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
    auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), seconds);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return TimestampFromSeconds(seconds);
  }
  return ParseIso(text);
}

}  // namespace

bool ParseTimestamp(std::string_view text, Timestamp& out) {
  if (ParseCommonIso(text, out)) return true;
  std::optional<Timestamp> ts = ParseOtherForms(text);
  if (ts) out = *ts;
  return ts.has_value();
}

std::optional<Timestamp> ParseTimestamp(std::string_view text) {
  if (Timestamp ts; ParseCommonIso(text, ts)) return ts;
  return ParseOtherForms(text);
}

std::string FormatTimestamp(Timestamp ts) {
  int64_t days = ts / kMicrosPerDay;
  int64_t rem = ts % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  int64_t secs = rem / kMicrosPerSecond;
  int64_t frac = rem % kMicrosPerSecond;
  char buf[64];
  if (frac == 0) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                  static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                  static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
                  static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                  static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60),
                  static_cast<long long>(frac));
  }
  return buf;
}

std::optional<double> ParseDurationMicros(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  double unit;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 7 * 86400;
      break;
    default:
      return std::nullopt;
  }
  // Digits, then a '.' and digits or nothing, as a number in an expression is written: `.5d`
  // and `1.d` are refused there, so they are here too.
  std::string_view number = text.substr(0, text.size() - 1);
  const auto digits = [&](size_t from) {
    size_t end = from;
    while (end < number.size() && number[end] >= '0' && number[end] <= '9') ++end;
    return end - from;
  };
  const size_t whole = digits(0);
  if (whole == 0) return std::nullopt;
  if (whole < number.size() && (number[whole] != '.' || digits(whole + 1) == 0 ||
                                whole + 1 + digits(whole + 1) != number.size())) {
    return std::nullopt;
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size()) return std::nullopt;
  const double micros = value * unit * 1e6;
  if (!(micros > 0) || !std::isfinite(micros)) return std::nullopt;
  return micros;
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  auto micros = ParseDurationMicros(text);
  if (!micros || *micros > kMaxDurationSeconds * 1e6) return std::nullopt;
  const auto whole = static_cast<int64_t>(std::llround(*micros));
  if (whole == 0) return std::nullopt;
  return whole;
}

}  // namespace leadscore
