// Writing batch results as SCORING.md's "Batch output": CSV or JSON Lines, leads and accounts.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "service/accounts.h"
#include "service/batch_score.h"

namespace leadscore::service {

enum class OutputFormat { kCsv, kJsonl };

// Appends `text` as a CSV field (quoted when it holds a comma, quote, CR or LF).
void AppendCsvField(std::string& out, std::string_view text);
// Appends `text` as a JSON string literal, quotes included.
void AppendJsonString(std::string& out, std::string_view text);

// A predictive model's output beside the rule score: a probability of conversion per lead and
// the largest contributions to it.
struct PredictiveColumns {
  std::vector<double> probability;  // by lead row of the batch; NaN: no prediction
  // By lead row, when explained: (feature, contribution in log-odds), largest first.
  std::vector<std::vector<std::pair<std::string, double>>> reasons;
};

// Writes one row per ranked lead: lead_id,score,fit,engagement,grade,stage[,reasons], then
// with `predictive` probability[,probability_reasons]. Reasons are computed here (with a
// Scorer) when `explain`, so they are never held for all leads at once. Rows are formatted on
// `threads` threads and written in order.
Status WriteLeads(std::FILE* out, const Batch& batch, const Ranking& ranking, OutputFormat format,
                  bool explain, int threads = 1, const PredictiveColumns* predictive = nullptr);

// Writes account,score,leads,top_lead rows.
Status WriteAccounts(std::FILE* out, const Batch& batch, const std::vector<AccountScore>& accounts,
                     OutputFormat format);

}  // namespace leadscore::service
