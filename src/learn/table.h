// A table of one row per lead with a label column (a CRM export, a public dataset), read into
// typed columns for training and evaluation.
//
// Every cell is dictionary-encoded while the file streams, so memory grows with the number of
// rows and of distinct values, not with the size of the cells. A column is numeric when every
// cell that is not missing parses as a finite decimal; otherwise it is categorical.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/value.h"
#include "ingest/record_source.h"
#include "learn/label_values.h"

namespace leadscore::learn {

enum class ColumnKind : uint8_t { kNumeric, kCategorical };

// A feature counted from events (history mode, training_set.h), so that the scorecard can
// write it as engagement rules of a model file.
struct EventFeature {
  enum class Kind : uint8_t {
    kCount,          // events of `type` (with a url in `url_group` when set) in `window_days`
    kDaysSinceLast,  // days since the latest event of `type`; missing when none
    kActiveDays,     // days with any event in `window_days`: no rule can count it
  };
  Kind kind = Kind::kCount;
  std::string type = {};
  int window_days = 0;
  std::string url_group = {};  // "/pricing": the first path segment of the event's url
};

// A column computed from other columns by an expression of the feature config
// (derived_columns.h), kept so that a scorecard can write its bins as conditions on the
// expression and a trees model can compute it again on new leads.
struct DerivedFrom {
  std::string expr;         // as evaluated: a bool expression is wrapped as if((...), 1, 0)
  std::string source_expr;  // as the feature config wrote it
  // The columns it reads and how they were typed (number or string), which a model file must
  // declare so that the engine reads them as training did.
  std::vector<std::pair<std::string, ColumnKind>> reads = {};
};

struct Column {
  std::string name;
  ColumnKind kind = ColumnKind::kCategorical;
  // Categorical: codes[row] indexes `levels`, -1 when missing.
  std::vector<int32_t> codes = {};
  std::vector<std::string> levels = {};
  // Numeric: values[row], NaN when missing.
  std::vector<double> values = {};
  // Some cell held one of the placeholders read as missing (`Select`): a rule written for
  // missing values must match them too.
  bool had_placeholder = false;
  // Which of the placeholders (bit i: the i-th, of the first 64) some cell held.
  uint64_t placeholders_seen = 0;
  // Categorical only because of these few values (`n/a`, with their rows) among numbers: most
  // likely placeholders for missing that --missing would name (column_builder.h).
  std::vector<std::pair<std::string, uint64_t>> non_numeric = {};
  // Counted from events rather than read from a lead attribute.
  std::optional<EventFeature> event = std::nullopt;
  std::optional<DerivedFrom> derived = std::nullopt;
  // A rule's contribution under the active rule model (rule_features.h). The trees read it;
  // the scorecard does not: its bins would be no condition a model file can test, and it sees
  // the attributes and event counts those rules read.
  bool from_rules = false;

  bool missing(size_t row) const;
};

// Columns and a 0/1 label over the usable rows. `row_index[i]` is the 0-based data row of the
// file (bad rows counted) that usable row i came from, so that a folds file written against
// the file's rows lines up.
struct LabeledTable {
  std::vector<Column> columns;
  std::vector<uint8_t> label;
  std::vector<uint64_t> row_index;
  uint64_t data_rows = 0;         // data rows in the file, good and bad
  LabelValues label_values = {};  // table mode: the label column's values, as written
  uint64_t positives() const;
  size_t rows() const { return label.size(); }
  // The labels of `subset` (usable-row indices), in its order.
  std::vector<uint8_t> LabelsOf(std::span<const uint32_t> subset) const;
};

struct TableOptions {
  std::string label;
  std::string positive;                   // the label value that makes a row positive
  std::vector<std::string> drop = {};     // columns left out of the features
  std::vector<std::string> missing = {};  // placeholder values read as missing (`Select`)
  std::function<void(const ingest::RowError&)> on_error = {};  // bad rows: reported, skipped
  // Leads to score rather than learn from: no label column, every row kept (label 0), none of
  // the checks on classes and row counts.
  bool unlabeled = false;
};

// Reads a CSV or JSON Lines table. Fails with kInvalidArgument, naming what is wrong, when the
// label or a dropped column is not in the header, when the positive value never occurs or is
// the only value, or when fewer than 20 rows are usable. A row whose label cell is empty is
// reported and skipped.
Result<LabeledTable> LoadTable(const std::string& path, const TableOptions& options);

// Whether `cell` is missing: empty, or one of `placeholders` (any case).
bool IsMissingCell(std::string_view cell, const std::vector<std::string>& placeholders);
// The index in `placeholders` of the one `cell` is (any case), or -1.
int PlaceholderIndex(std::string_view cell, const std::vector<std::string>& placeholders);
// The placeholders that no cell of `columns` held (Column::placeholders_seen): misspelt, most
// likely. Only the first 64 are judged.
std::vector<std::string> UnseenPlaceholders(const std::vector<Column>& columns,
                                            const std::vector<std::string>& placeholders);

// The text of a parsed value: CSV cells as written, JSON numbers and booleans spelled out
// (into `scratch`, which the result may view); null is empty.
std::string_view CellText(const Value& v, std::string& scratch);

// `s` without leading and trailing spaces, tabs and carriage returns.
std::string_view TrimCell(std::string_view s);

}  // namespace leadscore::learn
