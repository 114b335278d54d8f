#include "service/accounts.h"

#include <algorithm>
#include <unordered_map>

#include "expr/expr.h"

namespace leadscore::service {
namespace {

// An account is its key's text, as the output names it: the number 123 and the string "123"
// (a JSON file that writes a company's id either way) are one account, not two printed alike.
std::string KeyText(const Value& v) { return v.is_string() ? std::string(v.str()) : v.ToString(); }

}  // namespace

std::vector<AccountScore> RollUpAccounts(const Batch& batch, const Ranking& ranking) {
  const expr::Program& key = *batch.model->account_key();
  const model::AccountsSpec& spec = *batch.model->spec().accounts;
  expr::Vm vm;
  std::unordered_map<std::string, size_t> index;
  std::vector<AccountScore> accounts;
  std::vector<std::vector<double>> scores;  // per account, in rank order (best first)
  for (uint32_t row : ranking.order) {
    expr::Env env{{}, batch.leads.attributes(row), {}, batch.as_of.time};
    Value k = vm.Run(key, env);
    if (k.is_null()) continue;
    std::string text = KeyText(k);
    auto [it, inserted] = index.emplace(text, accounts.size());
    if (inserted) {
      // The order is best first, so the first lead seen is the top lead.
      accounts.push_back({std::move(text), 0, 0, row});
      scores.emplace_back();
    }
    accounts[it->second].leads++;
    scores[it->second].push_back(ranking.scores[row].score);
  }
  for (size_t i = 0; i < accounts.size(); ++i) {
    const std::vector<double>& s = scores[i];
    double total = 0;
    switch (spec.aggregate) {
      case model::Aggregate::kMax:
        accounts[i].score = s.front();
        break;
      case model::Aggregate::kSum:
        for (double v : s) total += v;
        accounts[i].score = total;
        break;
      case model::Aggregate::kMean:
        for (double v : s) total += v;
        accounts[i].score = total / static_cast<double>(s.size());
        break;
      case model::Aggregate::kTopMean: {
        size_t n = std::min<size_t>(s.size(), static_cast<size_t>(spec.top));
        for (size_t j = 0; j < n; ++j) total += s[j];
        accounts[i].score = total / static_cast<double>(n);
        break;
      }
    }
  }
  std::sort(accounts.begin(), accounts.end(), [](const AccountScore& a, const AccountScore& b) {
    return a.score != b.score ? a.score > b.score : a.account < b.account;
  });
  return accounts;
}

}  // namespace leadscore::service
