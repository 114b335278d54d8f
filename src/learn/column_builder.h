// Building one table column while a file streams: numeric (values only) as long as every cell
// parses as a number, a dictionary of levels from the first cell that does not.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/value.h"
#include "ingest/convert.h"
#include "learn/table.h"

namespace leadscore::learn {

// Hashes std::string and std::string_view alike, so that looking a cell up allocates nothing.
struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// One feature column while the file streams. It stays numeric (values only, no dictionary)
// as long as every cell parses as a number; the first cell that does not turns it into a
// dictionary of levels.
class ColumnBuilder {
 public:
  explicit ColumnBuilder(std::string column_name) : name(std::move(column_name)) {}

  std::string name;
  bool numeric = true;
  std::vector<double> values;
  // The text of each distinct number while there are few of them, to name the levels should
  // the column turn categorical ("1.50" stays "1.50"); past that, numbers are spelled out.
  std::unordered_map<double, std::string> text_of_value;
  bool had_placeholder = false;
  uint64_t placeholders_seen = 0;  // Column::placeholders_seen

  std::unordered_map<std::string, int32_t, TextHash, std::equal_to<>> code_of;
  std::vector<std::string> levels;
  std::vector<int32_t> codes;

  // A parsed value: missing when blank or one of `placeholders` (compared trimmed).
  void AddValue(const Value& v, const std::vector<std::string>& placeholders,
                std::string& scratch) {
    const std::string_view text = CellText(v, scratch);
    const std::string_view cell = TrimCell(text);
    if (const int index = cell.empty() ? -1 : PlaceholderIndex(cell, placeholders); index >= 0) {
      had_placeholder = true;
      if (index < 64) placeholders_seen |= uint64_t{1} << index;
      return Add({});
    }
    Add(cell, text);
  }

  // `cell` trimmed; a level is `as_written` (default: `cell`), blanks kept, since `score` reads
  // a string attribute so and a scorecard's rule must match it there (a number it reads past
  // its blanks, as the scorecard declares it a number).
  void Add(std::string_view cell, std::optional<std::string_view> as_written = std::nullopt) {
    if (numeric) {
      if (cell.empty()) {
        values.push_back(std::numeric_limits<double>::quiet_NaN());
        return;
      }
      if (std::optional<double> v = ingest::ParseDecimal(cell)) {
        values.push_back(*v);
        if (text_of_value.size() < kTextsKept) text_of_value.try_emplace(*v, cell);
        return;
      }
      TurnCategorical();
    }
    codes.push_back(cell.empty() ? -1 : CodeOf(as_written.value_or(cell)));
  }

  Column Finish() && {
    Column column;
    column.name = std::move(name);
    column.had_placeholder = had_placeholder;
    column.placeholders_seen = placeholders_seen;
    const bool any_value =
        std::any_of(values.begin(), values.end(), [](double v) { return !std::isnan(v); });
    if (numeric && !any_value) TurnCategorical();  // nothing but missing: no levels at all
    if (numeric) {
      column.kind = ColumnKind::kNumeric;
      column.values = std::move(values);
    } else {
      column.kind = ColumnKind::kCategorical;
      column.codes = std::move(codes);
      column.levels = std::move(levels);
      column.non_numeric = NonNumericValues(column);
    }
    return column;
  }

  // Values that are not numbers, on at most 1 in kNonNumericShare of the rows with a value,
  // are taken for strays in a column of numbers (placeholders, `1,200`, `NaN`) rather than its
  // categories; up to kNonNumericValues of them are named with the --missing that reads them.
  static constexpr size_t kNonNumericValues = 3;
  static constexpr uint64_t kNonNumericShare = 20;

  // The values that made `column` categorical when most of its rows are numbers (see above),
  // with their rows, most rows first; empty otherwise. One look at each level, and one pass
  // over the rows only for a column with numbers among its levels.
  static std::vector<std::pair<std::string, uint64_t>> NonNumericValues(const Column& column) {
    std::vector<int32_t> odd;  // level codes that are not numbers
    for (size_t code = 0; code < column.levels.size(); ++code) {
      if (!ingest::ParseDecimal(column.levels[code])) odd.push_back(static_cast<int32_t>(code));
    }
    if (odd.empty() || odd.size() == column.levels.size()) return {};
    std::vector<uint64_t> rows_of(column.levels.size(), 0);
    uint64_t with_value = 0;
    for (int32_t code : column.codes) {
      if (code < 0) continue;
      ++with_value;
      ++rows_of[static_cast<size_t>(code)];
    }
    uint64_t odd_rows = 0;
    for (int32_t code : odd) odd_rows += rows_of[static_cast<size_t>(code)];
    if (odd_rows * kNonNumericShare > with_value) return {};
    std::vector<std::pair<std::string, uint64_t>> out;
    for (int32_t code : odd) {
      out.emplace_back(column.levels[static_cast<size_t>(code)],
                       rows_of[static_cast<size_t>(code)]);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
  }

 private:
  static constexpr size_t kTextsKept = 1024;

  int32_t CodeOf(std::string_view cell) {
    if (auto it = code_of.find(cell); it != code_of.end()) return it->second;
    const auto code = static_cast<int32_t>(levels.size());
    levels.emplace_back(cell);
    code_of.emplace(levels.back(), code);
    return code;
  }

  void TurnCategorical() {
    numeric = false;
    codes.reserve(values.size());
    for (double v : values) {
      if (std::isnan(v)) {
        codes.push_back(-1);
        continue;
      }
      auto it = text_of_value.find(v);
      codes.push_back(CodeOf(it != text_of_value.end() ? it->second : FormatNumber(v)));
    }
    std::vector<double>().swap(values);
    text_of_value.clear();
  }
};

}  // namespace leadscore::learn
