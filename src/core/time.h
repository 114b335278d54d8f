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
// Unix seconds (`1714557600`, `1714557600.5`). Returns nullopt for anything else.
std::optional<Timestamp> ParseTimestamp(std::string_view text);
// The same, for the hot path of reading events: false for anything the above gives nullopt for.
// (An optional returned through a call cost a store-forwarding stall per event.)
bool ParseTimestamp(std::string_view text, Timestamp& out);

// Converts Unix seconds to a Timestamp; nullopt when not finite or out of range.
std::optional<Timestamp> TimestampFromSeconds(double seconds);

// `2024-05-01T10:00:00Z`, with `.ffffff` only when the time has a fraction of a second.
std::string FormatTimestamp(Timestamp ts);

// Parses a model duration: a positive integer or decimal with a unit s, m, h, d or w
// (`30d`, `1.5h`). Returns the length in microseconds, nullopt when malformed.
std::optional<int64_t> ParseDuration(std::string_view text);

}  // namespace leadscore
