#include "service/numbered_lead_index.h"

#include <algorithm>
#include <map>

namespace leadscore::service {
namespace {

constexpr size_t kSample = 4096;  // ids that pick the form

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

NumberedLeadIndex NumberedLeadIndex::Build(const LeadTable& leads) {
  const size_t n = leads.size();
  // The form most of the first ids have: a prefix before their trailing digits, and those
  // digits either of one width (zero-padded: `L0000042`) or without leading zeros (`lead-42`).
  // On a tie, no leading zeros, which holds numbers of any width.
  std::map<std::pair<std::string_view, size_t>, size_t> padded;  // (prefix, width): ids
  std::map<std::string_view, size_t> unpadded;                   // prefix: ids
  const size_t sampled = std::min(n, kSample);
  for (uint32_t row = 0; row < sampled; ++row) {
    const std::string_view id = leads.id(row);
    size_t at = id.size();
    while (at > 0 && IsDigit(id[at - 1])) --at;
    const size_t digits = id.size() - at;
    if (digits == 0 || digits > kMaxDigits) continue;
    ++padded[{id.substr(0, at), digits}];
    if (id[at] != '0' || digits == 1) ++unpadded[id.substr(0, at)];
  }
  NumberedLeadIndex index;
  size_t best = 0;
  auto consider = [&](std::string_view prefix, size_t width, size_t count) {
    if (count <= best) return;
    best = count;
    index.prefix_ = std::string(prefix);
    index.width_ = width;
  };
  for (const auto& [prefix, count] : unpadded) consider(prefix, 0, count);
  for (const auto& [form, count] : padded) consider(form.first, form.second, count);
  if (best == 0 || best * 2 < sampled) return {};

  std::vector<uint64_t> numbers(n);  // by row; UINT64_MAX: the id lacks the form
  uint64_t low = UINT64_MAX, high = 0;
  size_t count = 0;
  for (uint32_t row = 0; row < n; ++row) {
    const std::string_view id = leads.id(row);
    numbers[row] = UINT64_MAX;
    if (id.size() <= index.prefix_.size() || !id.starts_with(index.prefix_)) continue;
    auto number = index.NumberOf(id.substr(index.prefix_.size()));
    if (!number) continue;
    numbers[row] = *number;
    low = std::min(low, *number);
    high = std::max(high, *number);
    ++count;
  }
  // Half the leads at least, and an array of at most 4 slots per lead (16 bytes, a third of
  // the table's slot): an outlying number far from the others leaves the table to do it all.
  if (count == 0 || count * 2 < n || high - low >= 4 * count + 1024) return {};
  index.base_ = low;
  index.rows_.assign(static_cast<size_t>(high - low + 1), 0);
  for (uint32_t row = 0; row < n; ++row) {
    if (numbers[row] != UINT64_MAX) index.rows_[numbers[row] - low] = row + 1;
  }
  index.indexed_ = count;
  return index;
}

}  // namespace leadscore::service
