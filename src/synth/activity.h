// Activity: plays the LeadPlans out one day at a time, producing that day's events: browsing
// sessions (page views, downloads, demo and quote requests), campaign e-mails (opens, clicks,
// unsubscribes) and webinars, with the buying ramp of converters in the weeks before they decide.
//
// Only one day of events exists at a time (about 170k for W1), so memory stays flat however long
// the window. Deterministic: each lead draws from its own stream, leads are visited in index order.
// Not thread-safe (it mutates the plans' streams and flags).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "synth/lead_plan.h"
#include "synth/random.h"

namespace leadscore::synth {

inline constexpr uint16_t kNoPage = 0xffff;
inline constexpr uint8_t kEmailUtm = 0xff;  // utm of the day's e-mail campaign

struct DayEvent {
  uint32_t second;  // since the day's midnight, UTC
  uint32_t lead;    // lead index
  EventType type;
  uint8_t utm;      // 0: none; kEmailUtm; else 1 + index into UtmSources()
  uint16_t page;    // index into SiteMap(), or kNoPage
  uint16_t detail;  // utm campaign (page views), whitepaper (downloads), plan (quotes)
};

// What happens on a window day for everyone: campaign sends and webinars.
struct DayInfo {
  int64_t epoch_day = 0;
  bool campaign = false;           // a marketing e-mail goes out (Tuesdays and Thursdays)
  bool webinar = false;            // a webinar runs (every other Wednesday)
  uint32_t weekday_percent = 100;  // activity relative to an average day
};

class Activity {
 public:
  explicit Activity(const Window& window);

  DayInfo Day(int32_t day) const;

  // Appends the events of window day `day` for every lead, in lead order (not time order: the
  // caller sorts). Events outside [window.start, window.end) are dropped.
  void Generate(int32_t day, std::span<LeadPlan> leads, std::vector<DayEvent>* out) const;

 private:
  struct Context;
  void Session(Context& ctx, Rng& rng, uint32_t second, uint16_t first_page, uint8_t utm,
               uint16_t utm_campaign, bool trigger) const;

  Window window_;
  Discrete pages_[kPersonaCount];
  Discrete email_pages_;
  Discrete hours_;
  Discrete utm_sources_;
  uint16_t pricing_page_ = 0;
};

}  // namespace leadscore::synth
