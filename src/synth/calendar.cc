#include "synth/calendar.h"

namespace leadscore::synth {
namespace {

inline int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

inline char* Two(char* out, unsigned v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
  return out + 2;
}

}  // namespace

int64_t DaysFromCivil(const CivilDate& date) {
  int64_t y = date.year - (date.month <= 2);
  const unsigned m = date.month;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + date.day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  CivilDate out;
  out.day = doy - (153 * mp + 2) / 5 + 1;
  out.month = mp < 10 ? mp + 3 : mp - 9;
  out.year = static_cast<int64_t>(yoe) + era * 400 + (out.month <= 2);
  return out;
}

int DayOfWeek(int64_t days) {
  return static_cast<int>(((days + 4) % 7 + 7) % 7);
}  // 1970-01-01: Thu

int64_t AddMonths(int64_t seconds, int months) {
  const int64_t days = FloorDiv(seconds, 86400);
  const int64_t time_of_day = seconds - days * 86400;
  CivilDate date = CivilFromDays(days);
  int64_t month_index = date.year * 12 + (date.month - 1) + months;
  date.year = FloorDiv(month_index, 12);
  date.month = static_cast<unsigned>(month_index - date.year * 12) + 1;
  const unsigned last = DaysInMonth(date.year, date.month);
  if (date.day > last) date.day = last;
  return DaysFromCivil(date) * 86400 + time_of_day;
}

char* WriteUint(char* out, uint64_t v, int min_width) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (int i = n; i < min_width; ++i) *out++ = '0';
  while (n > 0) *out++ = digits[--n];
  return out;
}

char* WriteIsoSeconds(char* out, int64_t seconds) {
  const int64_t days = FloorDiv(seconds, 86400);
  unsigned sod = static_cast<unsigned>(seconds - days * 86400);
  const CivilDate date = CivilFromDays(days);
  const unsigned y = static_cast<unsigned>(date.year);
  out = Two(out, y / 100);
  out = Two(out, y % 100);
  *out++ = '-';
  out = Two(out, date.month);
  *out++ = '-';
  out = Two(out, date.day);
  *out++ = 'T';
  out = Two(out, sod / 3600);
  *out++ = ':';
  out = Two(out, sod / 60 % 60);
  *out++ = ':';
  out = Two(out, sod % 60);
  *out++ = 'Z';
  return out;
}

}  // namespace leadscore::synth
