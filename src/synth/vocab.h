// The words the generator writes: event types, firmographic tables, the site map, campaigns and
// assets, each with weights for ordinary leads and for leads that will convert.
//
// Static, immutable tables; thread-safe. Changing a table changes every generated file (seeds
// reproduce the same bytes only for the same tables).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace leadscore::synth {

enum class EventType : uint8_t {
  kPageView,
  kEmailOpen,
  kEmailClick,
  kDownload,
  kWebinarAttended,
  kDemoBooked,
  kQuoteRequest,
  kUnsubscribe,
};
inline constexpr int kEventTypeCount = 8;

// `page_view`, `email_open`, ...
std::string_view EventTypeName(EventType type);

// A value with its weight among ordinary leads and among leads that will convert.
struct Choice {
  std::string_view text;
  uint32_t weight;
  uint32_t converter_weight;
};

// An integer range [lo, hi] with weights, for company sizes and budgets.
struct Range {
  uint32_t lo;
  uint32_t hi;
  uint32_t weight;
  uint32_t converter_weight;
};

struct Country {
  std::string_view code;  // mostly ISO 3166 alpha-2; a few messy spellings ("France", "fr")
  uint32_t weight;
  uint32_t converter_weight;
  std::string_view tld;  // company e-mail domains end with it
  std::string_view legal_forms[3];
};

// A company name part and the ASCII slug used for its e-mail domain.
struct NamePart {
  std::string_view text;
  std::string_view slug;
};

// Who browses the site: the page weights differ by persona.
enum class Persona : uint8_t { kBrowser, kEvaluator, kJobSeeker };
inline constexpr int kPersonaCount = 3;

struct Page {
  std::string_view url;
  uint32_t weight[kPersonaCount];  // indexed by Persona
  uint32_t email_weight;           // as the link of a marketing e-mail
};

struct UtmSource {
  std::string_view source;
  std::string_view medium;
  uint32_t weight;
};

std::span<const Choice> Industries();
std::span<const Choice> JobTitles();
std::span<const Country> Countries();
std::span<const Range> CompanySizes();
std::span<const Range> Budgets();
std::span<const std::string_view> FirstNames();
std::span<const std::string_view> LastNames();
std::span<const NamePart> CompanyNames();
std::span<const NamePart> CompanyNouns();
// Free-mail providers; the first five are W1's @free_email list.
std::span<const Choice> FreeMailDomains();
std::span<const Page> SiteMap();
std::span<const std::string_view> Whitepapers();
std::span<const std::string_view> WebinarTopics();
std::span<const UtmSource> UtmSources();
std::span<const std::string_view> UtmCampaigns();
// Relative activity by UTC hour, 0..23 (European business hours, a US afternoon tail).
std::span<const uint32_t> HourWeights();

}  // namespace leadscore::synth
