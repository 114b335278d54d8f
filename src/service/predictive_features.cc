#include "service/predictive_features.h"

#include <fmt/format.h>

#include "learn/derived_columns.h"
#include "learn/rule_features.h"
#include "model/diagnostic.h"
#include "service/history_rule_features.h"

namespace leadscore::service {

Result<PredictiveFeatures> PredictiveFeatures::For(const learn::TreeEncoding& encoding) {
  PredictiveFeatures out;
  out.encoding_ = &encoding;
  if (encoding.rule_model.empty()) return out;
  auto compiled =
      engine::CompileModelText(encoding.rule_model, "the rule model in the trees model");
  if (!compiled) {
    return Error(
        InvalidArgument(fmt::format("the rule model the trees were trained beside does "
                                    "not compile any more:\n{}",
                                    model::FormatDiagnostics(compiled.error()))));
  }
  out.rules_ = *compiled;
  return out;
}

Status PredictiveFeatures::Complete(learn::LabeledTable& table, std::span<const std::string> ids,
                                    Timestamp as_of, const learn::SourceOpener& leads,
                                    const learn::SourceOpener& events) const {
  const Timestamp at[] = {as_of};
  LS_RETURN_IF_ERROR(learn::AddDerivedColumns(table, encoding_->derived, at));
  if (!rules_) return Status::Ok();
  if (encoding_->rule_history) {
    return AddHistoryRuleFeatures(rules_, table, ids, at, leads, events, /*drop_constant=*/false);
  }
  learn::AddRuleFeatures(*rules_, table, AsOf{as_of}, /*drop_constant=*/false);
  return Status::Ok();
}

}  // namespace leadscore::service
