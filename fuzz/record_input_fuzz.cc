// libFuzzer target for what the live service does with an HTTP body: split it into records,
// read them as events (service/event_reader.h, as POST /v1/events does) and as leads
// (service/record_input.h), then score the records of the first lead with LeadScorer as
// GET /v1/leads/{id} would. No input may crash or hang, a record that is accepted must score,
// and a stored event body must read back as the same event.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/compiled_model.h"
#include "service/event_reader.h"
#include "service/lead_scorer.h"
#include "service/record_input.h"

namespace {

constexpr const char* kModel = R"(version: 1
name: fuzz
fields: {company_size: number, country: string, url: string, seen: time}
fit:
  rules:
    - {id: size, points: 20, when: company_size >= 10 and company_size <= 100}
    - {id: fr, points: 10, when: country == "FR"}
engagement:
  rules:
    - {id: page, event: page_view, points: 5, max: 30, decay: {half_life: 30d}}
    - id: pricing
      event: page_view
      points: 10
      when: contains(url, "pricing")
      count: 2
      within: 7d
    - {id: quote, event: quote_request, points: 50, decay: {expire_after: 60d}}
grades:
  - {id: A, when: fit >= 25}
stages:
  - {id: MQL, when: score >= 60}
)";

const std::shared_ptr<const leadscore::engine::CompiledModel>& Model() {
  static auto model = *leadscore::engine::CompileModelText(kModel, "fuzz.yaml");
  return model;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leadscore::service;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  Rejections rejected;
  std::map<std::string, std::vector<std::string>> events;
  std::string attributes;
  std::string first_lead;
  if (auto texts = SplitObjects(body, rejected)) {
    static EventReader reader;
    for (size_t i = 0; i < texts->size(); ++i) {
      if ((*texts)[i].empty()) continue;
      EventInput event;
      if (!reader.Read((*texts)[i], i, event, rejected)) continue;
      EventInput again;
      if (!reader.Read(event.body, i, again, rejected) || again.lead_id != event.lead_id ||
          again.type != event.type || again.ts != event.ts || again.event_id != event.event_id ||
          again.body != event.body) {
        __builtin_trap();  // the stored body does not read back as the event
      }
      if (first_lead.empty()) first_lead = event.lead_id;
      events[event.lead_id].push_back(event.body);
    }
  }
  if (auto objects = SplitBody(body, rejected)) {
    for (size_t i = 0; i < objects->size() && attributes.empty(); ++i) {
      LeadInput lead;
      if (!(*objects)[i].is_null() && ReadLead((*objects)[i], i, lead, rejected)) {
        attributes = lead.attributes.dump();
      }
    }
  }
  if (first_lead.empty()) return 0;
  static LeadScorer scorer(Model());
  LeadRecords records{first_lead, attributes, events[first_lead]};
  scorer.Score(records, leadscore::AsOf{1'800'000'000'000'000}, true);
  scorer.History(records, leadscore::AsOf{1'800'000'000'000'000}, 20);
  return 0;
}
