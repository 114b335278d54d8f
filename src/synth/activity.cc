#include "synth/activity.h"

#include <algorithm>

#include "synth/calendar.h"

namespace leadscore::synth {
namespace {

constexpr int64_t kDay = 86400;
constexpr int32_t kRampDays = 21;  // converters research intensely for three weeks

}  // namespace

struct Activity::Context {
  uint32_t lead;
  bool ramp;
  Persona persona;
  uint32_t min_second;  // window bounds within this day
  uint32_t max_second;  // exclusive
  std::vector<DayEvent>* out;

  void Emit(uint32_t second, EventType type, uint16_t page = kNoPage, uint8_t utm = 0,
            uint16_t detail = 0) {
    if (second < min_second || second >= max_second) return;
    out->push_back(DayEvent{second, lead, type, utm, page, detail});
  }
};

Activity::Activity(const Window& window) : window_(window) {
  const auto site = SiteMap();
  for (int p = 0; p < kPersonaCount; ++p) {
    std::vector<uint32_t> weights;
    for (const Page& page : site) weights.push_back(page.weight[p]);
    pages_[p] = Discrete(weights);
  }
  std::vector<uint32_t> email;
  for (size_t i = 0; i < site.size(); ++i) {
    email.push_back(site[i].email_weight);
    if (site[i].url == "/pricing") pricing_page_ = static_cast<uint16_t>(i);
  }
  email_pages_ = Discrete(email);
  hours_ = Discrete(HourWeights());
  std::vector<uint32_t> sources;
  for (const UtmSource& source : UtmSources()) sources.push_back(source.weight);
  utm_sources_ = Discrete(sources);
}

DayInfo Activity::Day(int32_t day) const {
  DayInfo info;
  info.epoch_day = window_.first_day + day;
  const int dow = DayOfWeek(info.epoch_day);
  info.campaign = dow == 2 || dow == 4;
  info.webinar = dow == 3 && (info.epoch_day / 7) % 2 == 0;
  // Five weekdays at 126% and a weekend at 35% average to 100%.
  info.weekday_percent = (dow == 0 || dow == 6) ? 35 : 126;
  return info;
}

void Activity::Session(Context& ctx, Rng& rng, uint32_t second, uint16_t first_page, uint8_t utm,
                       uint16_t utm_campaign, bool trigger) const {
  const Persona persona = ctx.persona;
  const bool evaluator = persona == Persona::kEvaluator;
  int pages = 1;
  while (pages < 30 && rng.Chance(evaluator ? 720'000 : 620'000)) ++pages;
  uint32_t s = second;
  for (int k = 0; k < pages; ++k) {
    const uint16_t page = k == 0 && first_page != kNoPage
                              ? first_page
                              : static_cast<uint16_t>(pages_[static_cast<int>(persona)].Pick(rng));
    ctx.Emit(s, EventType::kPageView, page, k == 0 ? utm : 0, k == 0 ? utm_campaign : 0);
    s += 8 + static_cast<uint32_t>(rng.Below(232));
  }
  if (trigger) {
    // The buying decision: back to pricing, then a demo, a quote, or both.
    ctx.Emit(s, EventType::kPageView, pricing_page_);
    s += 20 + static_cast<uint32_t>(rng.Below(200));
    const bool both = rng.Chance(250'000);
    const bool demo = both || rng.Chance(550'000);
    if (demo) {
      ctx.Emit(s, EventType::kDemoBooked);
      s += 30 + static_cast<uint32_t>(rng.Below(300));
    }
    if (both || !demo) {
      ctx.Emit(s, EventType::kQuoteRequest, kNoPage, 0, static_cast<uint16_t>(rng.Below(2)));
    }
    return;
  }
  const uint32_t download_ppm = evaluator ? 60'000 : persona == Persona::kBrowser ? 35'000 : 5'000;
  if (rng.Chance(download_ppm)) {
    ctx.Emit(s, EventType::kDownload, kNoPage, 0,
             static_cast<uint16_t>(rng.Below(Whitepapers().size())));
    s += 10 + static_cast<uint32_t>(rng.Below(120));
  }
  const uint32_t demo_ppm = ctx.ramp                       ? 90'000
                            : evaluator                    ? 8'000
                            : persona == Persona::kBrowser ? 1'500
                                                           : 0;
  if (rng.Chance(demo_ppm)) {
    ctx.Emit(s, EventType::kDemoBooked);
    s += 30 + static_cast<uint32_t>(rng.Below(300));
  }
  const uint32_t quote_ppm = ctx.ramp                       ? 60'000
                             : evaluator                    ? 4'000
                             : persona == Persona::kBrowser ? 800
                                                            : 0;
  if (rng.Chance(quote_ppm)) {
    ctx.Emit(s, EventType::kQuoteRequest, kNoPage, 0, static_cast<uint16_t>(rng.Below(2)));
  }
}

void Activity::Generate(int32_t day, std::span<LeadPlan> leads, std::vector<DayEvent>* out) const {
  const DayInfo info = Day(day);
  const int64_t day_start = info.epoch_day * kDay;
  Context ctx{};
  ctx.out = out;
  ctx.min_second = static_cast<uint32_t>(std::clamp<int64_t>(window_.start - day_start, 0, kDay));
  ctx.max_second = static_cast<uint32_t>(std::clamp<int64_t>(window_.end - day_start, 0, kDay));
  for (size_t i = 0; i < leads.size(); ++i) {
    LeadPlan& plan = leads[i];
    if (day < plan.start_day) continue;
    Rng rng(plan.rng_state);
    const bool converter = (plan.flags & kConverter) != 0;
    ctx.lead = static_cast<uint32_t>(i);
    ctx.ramp = converter && day <= plan.convert_day && day > plan.convert_day - kRampDays;
    ctx.persona = ctx.ramp ? Persona::kEvaluator : plan.persona;

    if (info.campaign && (plan.flags & (kEmailable | kUnsubscribed)) == kEmailable &&
        rng.Chance(plan.open_ppm)) {
      uint32_t s = 9 * 3600 + static_cast<uint32_t>(rng.Below(9 * 3600));
      ctx.Emit(s, EventType::kEmailOpen);
      if (rng.Chance(ctx.ramp ? 300'000 : 150'000)) {
        s += 5 + static_cast<uint32_t>(rng.Below(600));
        const auto page = static_cast<uint16_t>(email_pages_.Pick(rng));
        ctx.Emit(s, EventType::kEmailClick, page);
        Session(ctx, rng, s + 1 + static_cast<uint32_t>(rng.Below(5)), page, kEmailUtm, 0, false);
      } else if (rng.Chance(6'000)) {
        ctx.Emit(s + 5 + static_cast<uint32_t>(rng.Below(300)), EventType::kUnsubscribe);
        plan.flags |= kUnsubscribed;
      }
    }

    uint64_t session_ppm = uint64_t{plan.session_ppm} * info.weekday_percent / 100;
    if (ctx.ramp) session_ppm *= 3;
    if (converter && day > plan.convert_day) session_ppm /= 2;
    const bool trigger = converter && day == plan.convert_day;
    if (rng.Chance(static_cast<uint32_t>(std::min<uint64_t>(session_ppm, 950'000))) || trigger) {
      const uint32_t s =
          static_cast<uint32_t>(hours_.Pick(rng)) * 3600 + static_cast<uint32_t>(rng.Below(3600));
      uint8_t utm = 0;
      uint16_t utm_campaign = 0;
      if (rng.Chance(100'000)) {
        utm = static_cast<uint8_t>(1 + utm_sources_.Pick(rng));
        utm_campaign = static_cast<uint16_t>(rng.Below(UtmCampaigns().size()));
      }
      Session(ctx, rng, s, kNoPage, utm, utm_campaign, trigger);
    }

    if (info.webinar && plan.webinar_ppm != 0 && rng.Chance(plan.webinar_ppm)) {
      ctx.Emit(15 * 3600 + static_cast<uint32_t>(rng.Below(1200)), EventType::kWebinarAttended);
    }
    plan.rng_state = rng.state();
  }
}

}  // namespace leadscore::synth
