// LeadPlan: how one synthetic lead will behave over the generated window, decided once when the
// lead is made (lead_factory.h) and played out day by day (activity.h).
//
// Plain values; the generator keeps one LeadPlan per lead (32 bytes each) and nothing else per
// lead, which is what lets it write 30M events without holding them in memory.
#pragma once

#include <cstdint>

#include "synth/vocab.h"

namespace leadscore::synth {

// The generated time span: the `months` calendar months before the as-of time.
struct Window {
  int64_t start = 0;      // Unix seconds, inclusive
  int64_t end = 0;        // Unix seconds, exclusive: the as-of time
  int64_t first_day = 0;  // days since 1970-01-01 of `start`
  int32_t num_days = 0;   // calendar days (UTC) that [start, end) touches
};

enum LeadFlag : uint8_t {
  kEmailable = 1,     // has an e-mail address and receives campaigns
  kUnsubscribed = 2,  // has unsubscribed: no more campaigns
  kConverter = 4,     // reaches `sql` on convert_day
};

struct LeadPlan {
  uint64_t rng_state = 0;    // the lead's own random stream, advanced day by day
  int32_t start_day = 0;     // first window day with possible activity
  int32_t convert_day = -1;  // window day of the buying decision; -1: none
  uint32_t session_ppm = 0;  // chance of a browsing session on an average day
  uint32_t open_ppm = 0;     // chance of opening the campaign e-mail on a send day
  uint32_t webinar_ppm = 0;  // chance of attending on a webinar day
  Persona persona = Persona::kBrowser;
  uint8_t flags = 0;
};

enum class OutcomeKind : uint8_t { kSql, kOpportunity, kWon, kLost };

struct OutcomeRow {
  int64_t ts;     // Unix seconds
  uint32_t lead;  // lead index
  OutcomeKind kind;
  uint32_t value;  // deal value for kWon, else 0
};

}  // namespace leadscore::synth
