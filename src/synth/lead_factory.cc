#include "synth/lead_factory.h"

#include <algorithm>
#include <string>

namespace leadscore::synth {
namespace {

constexpr uint64_t kLeadStream = 1;
constexpr int64_t kDay = 86400;

// Events a lead makes over a full window, by activity class: a heavy tail, mean ~30 overall.
struct Intensity {
  uint32_t mean_events;
  uint32_t weight;
  uint32_t converter_weight;
};
constexpr Intensity kIntensities[] = {
    {3, 240, 0}, {12, 340, 100}, {27, 270, 350}, {62, 120, 400}, {175, 30, 150},
};

template <class T>
Discrete WeightsOf(std::span<const T> items, bool converter) {
  std::vector<uint32_t> weights;
  weights.reserve(items.size());
  for (const T& item : items) weights.push_back(converter ? item.converter_weight : item.weight);
  return Discrete(weights);
}

template <class T>
const T& Uniform(Rng& rng, std::span<const T> items) {
  return items[rng.Below(items.size())];
}

bool IsJunior(std::string_view title) { return title == "Student" || title == "Intern"; }

uint32_t Ppm(uint64_t expected_hundredths, uint64_t opportunities, uint32_t cap) {
  if (opportunities == 0) return 0;
  return static_cast<uint32_t>(
      std::min<uint64_t>(cap, expected_hundredths * (kPpm / 100) / opportunities));
}

}  // namespace

LeadFactory::LeadFactory(uint64_t seed, const Window& window, int id_width)
    : seed_(seed), window_(window), id_width_(id_width) {
  for (int c = 0; c < 2; ++c) {
    industries_[c] = WeightsOf(Industries(), c);
    titles_[c] = WeightsOf(JobTitles(), c);
    countries_[c] = WeightsOf(Countries(), c);
    sizes_[c] = WeightsOf(CompanySizes(), c);
    budgets_[c] = WeightsOf(Budgets(), c);
    free_mail_[c] = WeightsOf(FreeMailDomains(), c);
    intensity_[c] = WeightsOf(std::span<const Intensity>(kIntensities), c);
  }
}

void LeadFactory::WriteHeader(FileWriter& csv) {
  csv.Append("lead_id,email,company,company_size,industry,country,job_title,budget,created_at\n");
}

void LeadFactory::AppendLeadId(FileWriter& out, uint32_t index) const {
  out.Append('L');
  out.AppendUint(uint64_t{index} + 1, id_width_);
}

LeadPlan LeadFactory::Make(uint32_t index, FileWriter* csv,
                           std::vector<OutcomeRow>* outcomes) const {
  Rng rng = Rng::ForStream(seed_, kLeadStream, index);
  LeadPlan plan;
  const bool known = csv != nullptr;
  bool converter = known && rng.Chance(108'000);

  // When the lead entered the CRM: 40% before the window, the rest spread over it.
  const int64_t span_seconds = window_.end - window_.start;
  int64_t created;
  if (rng.Chance(400'000)) {
    created = window_.start - rng.Between(kDay, 730 * kDay);
  } else {
    created = window_.start + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(span_seconds)));
  }
  const int64_t created_day = created >= window_.start ? created / kDay : window_.first_day;
  plan.start_day = static_cast<int32_t>(created_day - window_.first_day);
  if (converter) {
    const int32_t lo = plan.start_day + 3;
    const int32_t hi = created >= window_.start
                           ? std::min(window_.num_days - 4, plan.start_day + 120)
                           : window_.num_days - 4;
    if (lo <= hi) {
      plan.convert_day = static_cast<int32_t>(rng.Between(lo, hi));
    } else {
      converter = false;
    }
  }
  const int c = converter ? 1 : 0;

  // Firmographics.
  const Country& country = Countries()[countries_[c].Pick(rng)];
  const std::string_view title = JobTitles()[titles_[c].Pick(rng)].text;
  const std::string_view industry = Industries()[industries_[c].Pick(rng)].text;
  const size_t size_bucket = sizes_[c].Pick(rng);
  const Range& size_range = CompanySizes()[size_bucket];
  const uint32_t size_span = size_range.hi - size_range.lo;
  const uint64_t r = rng.Below(size_span + 1);
  const uint32_t company_size =
      size_range.lo + static_cast<uint32_t>(size_span == 0 ? 0 : r * r / size_span);
  const Range& budget_range = Budgets()[budgets_[c].Pick(rng)];
  const uint32_t budget =
      budget_range.lo +
      static_cast<uint32_t>(rng.Below((budget_range.hi - budget_range.lo) / 500 + 1)) * 500;
  const NamePart& name = Uniform(rng, CompanyNames());
  const NamePart& noun = Uniform(rng, CompanyNouns());
  const std::string_view legal = country.legal_forms[rng.Below(3)];
  const bool has_legal = rng.Chance(600'000);
  const bool legal_comma = (legal == "Inc." || legal == "Ltd" || legal == "Ltd." ||
                            legal == "LLC" || legal == "Corp.") &&
                           rng.Chance(350'000);
  const bool free_mail = rng.Chance(converter ? 100'000 : 270'000);
  const Choice& free_domain = FreeMailDomains()[free_mail_[c].Pick(rng)];
  const std::string_view first = Uniform(rng, FirstNames());
  const std::string_view last = Uniform(rng, LastNames());
  const uint64_t email_shape = rng.Below(4);
  const uint64_t email_digits = rng.Chance(500'000) ? rng.Between(1, 99) : 0;
  const uint64_t email_mess = rng.Below(kPpm);  // [0, 2%): capitalized; [2%, 2.4%): "(at)"
  const bool has_email = !rng.Chance(converter ? 5'000 : 20'000);
  const bool has_company = !rng.Chance(free_mail ? 250'000 : 30'000);
  const bool has_size = !rng.Chance(80'000);
  const bool has_industry = !rng.Chance(50'000);
  const bool has_country = !rng.Chance(30'000);
  const bool has_title = !rng.Chance(50'000);
  const bool has_budget = !rng.Chance(converter ? 250'000 : 450'000);

  // Behaviour.
  if (converter) {
    plan.persona = Persona::kEvaluator;
  } else if (has_title && IsJunior(title) && rng.Chance(400'000)) {
    plan.persona = Persona::kJobSeeker;
  } else {
    const uint64_t p = rng.Below(kPpm);
    plan.persona = p < 50'000    ? Persona::kJobSeeker
                   : p < 130'000 ? Persona::kEvaluator
                                 : Persona::kBrowser;
  }
  const Intensity& intensity = kIntensities[intensity_[c].Pick(rng)];
  const uint64_t span_days = static_cast<uint64_t>(window_.num_days - plan.start_day);
  // Expected events over the lead's span, in hundredths: a lead present for the whole window
  // gets its class mean; 10/7 corrects for the average lead being present 70% of the window.
  const uint64_t events_hundredths = uint64_t{intensity.mean_events} * rng.Between(50, 150) *
                                     span_days * 10 / (uint64_t(window_.num_days) * 7);
  plan.session_ppm = Ppm(events_hundredths * 85 / 100 / 3, span_days, 900'000);
  const bool emailable = known && has_email;
  if (emailable) {
    plan.flags |= kEmailable;
    plan.open_ppm = Ppm(events_hundredths * 12 / 100, span_days * 2 / 7 + 1, 800'000);
  }
  plan.webinar_ppm =
      Ppm(events_hundredths * (converter ? 3 : 1) / 100, span_days / 14 + 1, 500'000);
  if (converter) plan.flags |= kConverter;

  // Outcomes: sql a few days after the decision, then perhaps an opportunity, then won or lost;
  // whatever falls after the as-of time has not happened yet.
  if (converter) {
    auto at = [&](int64_t day) {
      return (window_.first_day + day) * kDay + rng.Between(9 * 3600, 18 * 3600 - 1);
    };
    const int64_t sql = at(plan.convert_day + rng.Between(1, 3));
    const bool opportunity = rng.Chance(650'000);
    const int64_t opp = sql + rng.Between(3, 20) * kDay + static_cast<int64_t>(rng.Below(8 * 3600));
    const bool won = rng.Chance(350'000);
    const int64_t closed =
        opp + rng.Between(10, 60) * kDay + static_cast<int64_t>(rng.Below(8 * 3600));
    const uint32_t factor = size_bucket >= 6 ? 3 : size_bucket >= 4 ? 2 : 1;
    const uint32_t value = static_cast<uint32_t>(rng.Between(30, 300)) * 100 * factor;
    if (sql < window_.end) outcomes->push_back({sql, index, OutcomeKind::kSql, 0});
    if (opportunity && opp < window_.end) {
      outcomes->push_back({opp, index, OutcomeKind::kOpportunity, 0});
      if (closed < window_.end) {
        outcomes->push_back(
            {closed, index, won ? OutcomeKind::kWon : OutcomeKind::kLost, won ? value : 0});
      }
    }
  }
  plan.rng_state = rng.state();
  if (!known) return plan;

  // The row. Empty cells are nulls; a few values are messy the way CRM exports are.
  FileWriter& out = *csv;
  AppendLeadId(out, index);
  out.Append(',');
  if (has_email) {
    std::string local;
    switch (email_shape) {
      case 0:
        local.append(first).append(".").append(last);
        break;
      case 1:
        local.append(first.substr(0, 1)).append(last);
        break;
      case 2:
        local.append(first).append(last);
        break;
      default:
        local.append(first).append("_").append(last);
        break;
    }
    std::string domain;
    if (free_mail) {
      if (email_digits != 0) local += std::to_string(email_digits);
      domain = std::string(free_domain.text);
    } else {
      domain.append(name.slug).append(noun.slug).append(".").append(country.tld);
    }
    if (email_mess < 20'000) {
      local[0] = static_cast<char>(local[0] - 'a' + 'A');
      domain[0] = static_cast<char>(domain[0] - 'a' + 'A');
    }
    out.Append(local);
    out.Append(email_mess >= 20'000 && email_mess < 24'000 ? "(at)" : "@");
    out.Append(domain);
  }
  out.Append(',');
  if (has_company) {
    std::string company(name.text);
    if (!noun.text.empty()) company.append(" ").append(noun.text);
    if (has_legal) company.append(legal_comma ? ", " : " ").append(legal);
    out.AppendCsvField(company);
  }
  out.Append(',');
  if (has_size) out.AppendUint(company_size);
  out.Append(',');
  if (has_industry) out.AppendCsvField(industry);
  out.Append(',');
  if (has_country) out.AppendCsvField(country.code);
  out.Append(',');
  if (has_title) out.AppendCsvField(title);
  out.Append(',');
  if (has_budget) out.AppendUint(budget);
  out.Append(',');
  out.AppendIsoSeconds(created);
  out.Append('\n');
  return plan;
}

}  // namespace leadscore::synth
