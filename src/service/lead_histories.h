// Every lead's records held in memory as the live service stores them (attributes as one JSON
// object, events as the JSON objects they arrived as), read from any record source: what
// service::LeadScorer replays when training needs the rule model's stage of each lead after
// each of its events (`--reference first:MQL`).
//
// Holds every event in memory: fine for training sets of tens of thousands of leads.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "learn/row_source.h"
#include "service/lead_scorer.h"

namespace leadscore::service {

struct LeadHistories {
  std::unordered_map<std::string, std::string> attributes;  // lead_id -> JSON object
  std::unordered_map<std::string, std::string> cell_texts;  // lead_id -> from CSV (cell_texts.h)
  // lead_id -> its events as the live scorer takes them (cell_texts.h EventText)
  std::unordered_map<std::string, std::vector<std::string>> events;

  // The records of `lead_id` (no attributes and no events for a lead never read). They view
  // this object and `lead_id`.
  LeadRecords Of(const std::string& lead_id) const;
};

// Reads the leads and events of two sources. Rows without a lead_id are left out (the training
// set reports bad rows when it reads the same sources).
Result<LeadHistories> ReadLeadHistories(const learn::SourceOpener& leads,
                                        const learn::SourceOpener& events);

}  // namespace leadscore::service
