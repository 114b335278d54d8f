#include "model/model_spec.h"

#include <algorithm>
#include <cmath>

namespace leadscore::model {

int64_t AgeLimit(double micros) {
  const double whole = std::round(micros);
  const double limit =
      std::fabs(micros - whole) <= 1e-9 * std::max(1.0, micros) ? whole : std::ceil(micros);
  return std::max<int64_t>(1, static_cast<int64_t>(limit));
}

SourcePos ExprText::At(size_t offset) const {
  offset = std::min(offset, text.size());
  if (offset < positions.size()) return positions[offset];
  return AdvancedBy(pos, std::string_view(text).substr(0, offset));
}

std::optional<ValueType> ModelSpec::DeclaredType(std::string_view field) const {
  for (const auto& [name, type] : fields) {
    if (name == field) return type;
  }
  return std::nullopt;
}

}  // namespace leadscore::model
