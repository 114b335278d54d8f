// Time as leadscore sees it: UTC microseconds since the Unix epoch.
//
// Below the faces (CLI, server) no code reads the clock: the as-of time of every computation is
// an argument, so batch runs, backtests, live scoring and tests share one code path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadscore {

// UTC microseconds since 1970-01-01T00:00:00Z.
using Timestamp = int64_t;

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// The time at which a score is computed; only events with ts <= as_of count.
struct AsOf {
  Timestamp time = 0;
};

// Parses the forms SCORING.md accepts for `ts` and declared `time` fields:
// ISO-8601 date-times (`2024-05-01T10:00:00Z`, `2024-05-01T12:00:00+02:00`, fractional seconds,
// a space instead of `T`, no zone meaning UTC), a bare date (`2024-05-01`, midnight UTC), and
// Unix seconds (`1714557600`, `1714557600.5`), each with blanks (spaces, tabs) around it or not.
// Returns nullopt for anything else.
std::optional<Timestamp> ParseTimestamp(std::string_view text);
// The same, for the hot path of reading events: false for anything the above gives nullopt for.
// (An optional returned through a call cost a store-forwarding stall per event.)
bool ParseTimestamp(std::string_view text, Timestamp& out);

// The Unix seconds of 0001-01-01T00:00:00Z and of 9999-12-31T23:59:59Z: the years ISO dates
// write, and those Unix seconds may name too.
inline constexpr double kFirstSecond = -62135596800.0;
inline constexpr double kLastSecond = 253402300799.0;

// Converts Unix seconds to a Timestamp; nullopt when not finite or outside the years 0001-9999
// (a time in milliseconds, 1764547200000, is year 57,886 in seconds: an error, not a time).
std::optional<Timestamp> TimestampFromSeconds(double seconds);

// `2024-05-01T10:00:00Z`, with `.ffffff` only when the time has a fraction of a second.
std::string FormatTimestamp(Timestamp ts);

// The longest duration anything accepts: 1e12 seconds, about 31,700 years.
inline constexpr double kMaxDurationSeconds = 1e12;

// Parses a duration: a positive integer or decimal with a unit s, m, h, d or w (`30d`, `1.5h`).
// Returns its length in microseconds as written (`0.0000015s` is 1.5, at any length); nullopt
// when malformed or not positive.
std::optional<double> ParseDurationMicros(std::string_view text);

// ParseDurationMicros rounded to whole microseconds; nullopt also when that is 0 or the length
// is over kMaxDurationSeconds.
std::optional<int64_t> ParseDuration(std::string_view text);

}  // namespace leadscore
