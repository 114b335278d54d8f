#include "model/model_spec.h"

namespace leadscore::model {

std::optional<ValueType> ModelSpec::DeclaredType(std::string_view field) const {
  for (const auto& [name, type] : fields) {
    if (name == field) return type;
  }
  return std::nullopt;
}

}  // namespace leadscore::model
