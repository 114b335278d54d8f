#include "service/parsed_events.h"

#include <cstring>

namespace leadscore::service {

std::shared_ptr<const ParsedEvents> ParsedEvents::Compacted() const {
  return Joined(*this, ParsedEvents{});
}

std::shared_ptr<const ParsedEvents> ParsedEvents::Joined(const ParsedEvents& first,
                                                         const ParsedEvents& then) {
  auto out = std::make_shared<ParsedEvents>();
  out->model = first.model;
  out->records = first.records + then.records;
  out->events.reserve(first.events.size() + then.events.size());
  out->events = first.events;
  const auto offset = static_cast<uint32_t>(first.properties.size());
  for (Event e : then.events) {
    e.values += offset;
    out->events.push_back(e);
  }
  out->properties.reserve(first.properties.size() + then.properties.size());
  out->properties = first.properties;
  out->properties.insert(out->properties.end(), then.properties.begin(), then.properties.end());
  out->errors = first.errors;
  for (ingest::RowError e : then.errors) {
    e.line += first.records;
    out->errors.push_back(std::move(e));
  }
  // The strings, copied into one block of this copy's own.
  size_t total = 0;
  for (const Value& v : out->properties) {
    if (v.is_string()) total += v.str().size();
  }
  out->strings_ = std::make_unique<char[]>(total);
  out->string_bytes_ = total;
  char* next = out->strings_.get();
  for (Value& v : out->properties) {
    if (!v.is_string()) continue;
    std::string_view s = v.str();
    if (!s.empty()) std::memcpy(next, s.data(), s.size());
    v = Value::String(std::string_view(next, s.size()));
    next += s.size();
  }
  return out;
}

size_t ParsedEvents::bytes() const {
  size_t n = sizeof(*this) + events.capacity() * sizeof(Event) +
             properties.capacity() * sizeof(Value) + string_bytes_;
  for (const auto& e : errors) n += sizeof(e) + e.file.size() + e.field.size() + e.message.size();
  return n;
}

}  // namespace leadscore::service
