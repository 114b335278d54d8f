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

  std::unordered_map<std::string, int32_t, TextHash, std::equal_to<>> code_of;
  std::vector<std::string> levels;
  std::vector<int32_t> codes;

  // A parsed value: its text trimmed, and missing when empty or one of `placeholders`.
  void AddValue(const Value& v, const std::vector<std::string>& placeholders,
                std::string& scratch) {
    const std::string_view cell = TrimCell(CellText(v, scratch));
    if (!cell.empty() && IsMissingCell(cell, placeholders)) {
      had_placeholder = true;
      return Add({});
    }
    Add(cell);
  }

  void Add(std::string_view cell) {
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
    codes.push_back(cell.empty() ? -1 : CodeOf(cell));
  }

  Column Finish() && {
    Column column;
    column.name = std::move(name);
    column.had_placeholder = had_placeholder;
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
    }
    return column;
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
