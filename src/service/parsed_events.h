// ParsedEvents: a lead's events as LeadScorer reads them for one model (types resolved,
// declared properties converted, duplicates and other leads' events left out), before any
// as-of cut, so that the same parse serves every as-of time. The live service keeps these
// for the leads it reads (parsed_event_cache.h): a lead read again is not read from the store
// or parsed again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/time.h"
#include "core/value.h"
#include "ingest/record_source.h"

namespace leadscore::engine {
class CompiledModel;
}

namespace leadscore::service {

struct ParsedEvents {
  // An event that counts or has a time: its properties are
  // properties[values, values + the model's event fields).
  struct Event {
    Timestamp ts;
    int type_id;  // -1: no rule counts its type (it still has a time in the history)
    uint32_t values;
  };

  const engine::CompiledModel* model = nullptr;  // whose types and fields these are
  std::vector<Event> events;                     // in arrival order
  std::vector<Value> properties;
  std::vector<ingest::RowError> errors;  // what the parse rejected, file "events"
  size_t records = 0;                    // event records read (errors' lines count them)

  // A copy that owns its strings (this one's may live in a parser's arena).
  std::shared_ptr<const ParsedEvents> Compacted() const;
  // The same of `first`'s records followed by `then`'s (lines and properties renumbered).
  static std::shared_ptr<const ParsedEvents> Joined(const ParsedEvents& first,
                                                    const ParsedEvents& then);
  // Memory held, for a cache's budget.
  size_t bytes() const;

 private:
  std::unique_ptr<char[]> strings_;  // of a Compacted copy
  size_t string_bytes_ = 0;
};

}  // namespace leadscore::service
