// Calendar arithmetic and fast ISO-8601 text for the generator, in UTC, without the C library's
// time functions (which read the time zone and are slow per call).
//
// Pure functions on integers; thread-safe.
#pragma once

#include <cstdint>

namespace leadscore::synth {

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(const CivilDate& date);
CivilDate CivilFromDays(int64_t days);

// 0 = Sunday ... 6 = Saturday.
int DayOfWeek(int64_t days);

// `seconds` (Unix, UTC) moved by `months` calendar months, keeping the time of day; a day that
// does not exist in the target month becomes its last day (2025-03-31 minus 1 month: 2025-02-28).
int64_t AddMonths(int64_t seconds, int months);

// Writes `YYYY-MM-DDTHH:MM:SSZ` (20 bytes) at `out` and returns the end.
// REQUIRES: 0 <= year of `seconds` <= 9999 and 20 writable bytes at `out`.
char* WriteIsoSeconds(char* out, int64_t seconds);

// Writes `v` in decimal, left-padded with zeros to `min_width`; returns the end. At most
// max(20, min_width) bytes.
char* WriteUint(char* out, uint64_t v, int min_width = 0);

inline constexpr int kIsoSecondsLength = 20;

}  // namespace leadscore::synth
