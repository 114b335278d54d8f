// The models a live service scores with: the active versions in the store, compiled.
//
// A ModelSet is immutable; activating a model builds a new one and swaps it in, so a request
// keeps the set it started with. One model is primary (its values lead a lead's JSON and fire
// actions); `live` models fire actions too; `shadow` models are scored and stored only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/compiled_model.h"
#include "store/store.h"

namespace leadscore::service {

struct ActiveModel {
  std::string name;
  int64_t version = 0;
  std::string role;  // primary | live | shadow
  std::shared_ptr<const engine::CompiledModel> compiled;

  bool fires_actions() const { return role != "shadow"; }
};

struct ModelSet {
  std::vector<ActiveModel> models;  // the primary first
  uint64_t generation = 0;          // grows with every swap

  const ActiveModel* Find(const std::string& name) const;
  const ActiveModel* primary() const { return models.empty() ? nullptr : &models.front(); }
};

// Compiles the store's active models.
Result<std::shared_ptr<const ModelSet>> LoadModelSet(store::Store& store, uint64_t generation);

// Compiles `yaml`; on failure the diagnostics as one message, a line each.
Result<std::shared_ptr<const engine::CompiledModel>> CompileModelYaml(const std::string& yaml,
                                                                      const std::string& file);

bool IsModelRole(const std::string& role);

}  // namespace leadscore::service
