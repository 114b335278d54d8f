#include "service/typed_ids.h"

#include <algorithm>

namespace leadscore::service {

std::string TypedIdKey(std::string_view column) {
  std::string key(1, '\x01');
  key += column;
  return key;
}

TypedIds::TypedIds(std::vector<std::string>& wanted, size_t reserved,
                   const std::vector<size_t>& raw_index) {
  for (size_t i = 0; i < reserved && i < wanted.size(); ++i) {
    const std::string& key = wanted[i];
    if (key != "lead_id" && key != "type" && key != "event_id") continue;
    if (std::find(raw_index.begin(), raw_index.end(), i) == raw_index.end()) continue;
    slots_.emplace_back(i, wanted.size());
    wanted.push_back(TypedIdKey(key));
  }
}

std::span<const Value> TypedIds::For(std::span<const Value> values) {
  bool any = false;
  for (const auto& [id, typed] : slots_) any = any || !values[typed].is_null();
  if (!any) return values;
  row_.assign(values.begin(), values.end());
  for (const auto& [id, typed] : slots_) {
    if (!values[typed].is_null()) row_[id] = values[typed];
  }
  return row_;
}

}  // namespace leadscore::service
