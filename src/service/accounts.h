// Account roll-up (SCORING.md step 8): leads grouped by the model's `accounts.key`, each
// account scored by its aggregate of lead scores.
#pragma once

#include <string>
#include <vector>

#include "service/batch_score.h"

namespace leadscore::service {

struct AccountScore {
  std::string account;  // the key as text
  double score = 0;
  size_t leads = 0;
  uint32_t top_lead = 0;  // row of the best lead (highest score, ties by lead_id)
};

// Groups the ranked leads by account key and aggregates. Leads whose key is
// null belong to no account. Sorted by score descending, then account ascending.
// REQUIRES: batch.model->account_key() != nullptr.
std::vector<AccountScore> RollUpAccounts(const Batch& batch, const Ranking& ranking);

}  // namespace leadscore::service
