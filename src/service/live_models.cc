#include "service/live_models.h"

#include <fmt/format.h>

#include "model/diagnostic.h"

namespace leadscore::service {

const ActiveModel* ModelSet::Find(const std::string& name) const {
  for (const auto& m : models) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

Result<std::shared_ptr<const engine::CompiledModel>> CompileModelYaml(const std::string& yaml,
                                                                      const std::string& file) {
  auto compiled = engine::CompileModelText(yaml, file);
  if (!compiled) return Error(InvalidArgument(model::FormatDiagnostics(compiled.error())));
  return *compiled;
}

Result<std::shared_ptr<const ModelSet>> LoadModelSet(store::Store& store, uint64_t generation) {
  LS_ASSIGN_OR_RETURN(auto rows, store.ActiveModels());
  auto set = std::make_shared<ModelSet>();
  set->generation = generation;
  for (const auto& row : rows) {
    auto compiled = CompileModelYaml(row.yaml, fmt::format("{} v{}", row.name, row.version));
    if (!compiled) {
      return Error(Internal(fmt::format("stored model {} version {} no longer compiles: {}",
                                        row.name, row.version, compiled.error().message())));
    }
    set->models.push_back({row.name, row.version, row.role, *compiled});
  }
  return std::shared_ptr<const ModelSet>(std::move(set));
}

bool IsModelRole(const std::string& role) {
  return role == "primary" || role == "live" || role == "shadow";
}

}  // namespace leadscore::service
