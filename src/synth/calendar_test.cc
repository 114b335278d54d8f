// Tests for the generator's calendar arithmetic and ISO-8601 writer.
#include "synth/calendar.h"

#include <gtest/gtest.h>

#include <string>

namespace leadscore::synth {
namespace {

std::string Iso(int64_t seconds) {
  char buffer[kIsoSecondsLength];
  WriteIsoSeconds(buffer, seconds);
  return std::string(buffer, kIsoSecondsLength);
}

TEST(Calendar, RoundTripsDays) {
  for (int64_t days = -800000; days < 800000; days += 997) {
    EXPECT_EQ(DaysFromCivil(CivilFromDays(days)), days);
  }
  EXPECT_EQ(DaysFromCivil({2026, 1, 1}), 20454);
}

TEST(Calendar, WritesIsoSeconds) {
  EXPECT_EQ(Iso(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Iso(1714557600), "2024-05-01T10:00:00Z");
  EXPECT_EQ(Iso(1767225599), "2025-12-31T23:59:59Z");
}

TEST(Calendar, DayOfWeek) {
  EXPECT_EQ(DayOfWeek(0), 4);                            // Thursday
  EXPECT_EQ(DayOfWeek(DaysFromCivil({2026, 1, 1})), 4);  // Thursday
  EXPECT_EQ(DayOfWeek(DaysFromCivil({2025, 6, 1})), 0);  // Sunday
  EXPECT_EQ(DayOfWeek(-1), 3);
}

TEST(Calendar, AddMonthsClampsToMonthEnd) {
  const int64_t jan1 = DaysFromCivil({2026, 1, 1}) * 86400;
  EXPECT_EQ(Iso(AddMonths(jan1, -6)), "2025-07-01T00:00:00Z");
  EXPECT_EQ(Iso(AddMonths(jan1, -12)), "2025-01-01T00:00:00Z");
  EXPECT_EQ(Iso(AddMonths(DaysFromCivil({2025, 3, 31}) * 86400 + 3600, -1)),
            "2025-02-28T01:00:00Z");
  EXPECT_EQ(Iso(AddMonths(DaysFromCivil({2024, 3, 31}) * 86400, -1)), "2024-02-29T00:00:00Z");
}

}  // namespace
}  // namespace leadscore::synth
