// The store's leads, events and outcomes as JSON Lines RecordSources, so that batch scoring
// (LoadBatch) reads the store as it reads files: a full rescoring pass is a batch run.
//
// Events come in arrival order (seq), read sequentially from the log; leads in lead_id order,
// each as {"lead_id": ..., <attributes>}. The store must stay open while a source is used;
// a source uses it from one thread at a time, as RecordSource's contract says.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "core/status.h"
#include "engine/compiled_model.h"
#include "ingest/record_source.h"
#include "store/store.h"

namespace leadscore::service {

// The events for `model`: CSV cells written as it reads them, as for leads; with `typed_ids`,
// their ids also as conditions read them, for BatchOptions::typed_ids (EventBodyFor).
std::unique_ptr<ingest::RecordSource> StoredEvents(store::Store& store,
                                                   const engine::CompiledModel* model,
                                                   bool typed_ids = false);

// Appends one stored lead as the leads source gives it: a JSON Lines line with lead_id first,
// its CSV cells written as `model` reads them (service/cell_texts.h; null: no declarations),
// and with `typed_id` the id as read under TypedIdKey("lead_id") where that names another lead
// (otherwise lead conditions read the id's text there).
void AppendLeadLine(std::string& out, const store::LeadRow& lead,
                    const engine::CompiledModel* model, bool typed_id = false);

struct StoredLeadsOptions {
  // A lead with no attributes that this says has events is left out: batch then knows it from
  // its events alone, as a lead known only from events in a file (null attributes, lead_id
  // among them).
  std::function<bool(std::string_view lead_id)> has_events;
  bool typed_id = false;  // AppendLeadLine's
};
// The leads for `model` (AppendLeadLine); the model must outlive the source.
std::unique_ptr<ingest::RecordSource> StoredLeads(store::Store& store,
                                                  const engine::CompiledModel* model,
                                                  StoredLeadsOptions options = {});
// Every lead's outcomes as {"lead_id", "outcome", "ts", "value"?}, in the order recorded.
std::unique_ptr<ingest::RecordSource> StoredOutcomes(store::Store& store);

}  // namespace leadscore::service
