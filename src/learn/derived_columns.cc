#include "learn/derived_columns.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>

#include "expr/expr.h"
#include "ingest/convert.h"

namespace leadscore::learn {
namespace {

// Names resolve to lead slots in order of first use; `column_of_slot` says which table column
// (SIZE_MAX while only recording names) feeds each slot.
class ColumnScope : public expr::Scope {
 public:
  // With `table` null, records names only (any name resolves, its type unknown). With
  // `trained` kinds, a name resolves to the kind training gave it, read from the table when it
  // has the column (SIZE_MAX when it does not: null throughout).
  ColumnScope(const LabeledTable* table, const DerivedColumn& derived)
      : table_(table), trained_(&derived.reads) {}

  tl::expected<expr::Binding, std::string> Resolve(std::string_view name, bool) override {
    const std::string key(name);
    if (auto it = slot_of_.find(key); it != slot_of_.end()) return binding_[it->second];
    std::optional<ColumnKind> kind;
    size_t column = SIZE_MAX;
    if (table_) {
      const auto& columns = table_->columns;
      const auto at = std::find_if(columns.begin(), columns.end(),
                                   [&](const Column& c) { return c.name == key; });
      if (at != columns.end() && at->event) {
        return tl::unexpected(fmt::format(
            "`{}` is counted from events; derived columns read the lead's attributes", key));
      }
      if (at != columns.end() && (at->derived || at->from_rules)) {
        return tl::unexpected(fmt::format(
            "`{}` is itself computed; derived columns read the lead's attributes", key));
      }
      if (at != columns.end()) {
        column = at - columns.begin();
        kind = at->kind;
      }
      if (!trained_->empty()) {
        const auto was = std::find_if(trained_->begin(), trained_->end(),
                                      [&](const auto& r) { return r.first == key; });
        if (was == trained_->end()) return tl::unexpected(fmt::format("no column `{}`", key));
        kind = was->second;
      }
      if (!kind) return tl::unexpected(NoColumn(key));
    }
    const auto slot = static_cast<uint32_t>(binding_.size());
    slot_of_.emplace(key, slot);
    const expr::Type type = !kind                           ? expr::Type::kAny
                            : *kind == ColumnKind::kNumeric ? expr::Type::kNumber
                                                            : expr::Type::kString;
    binding_.push_back({expr::Source::kLead, slot, type});
    reads.emplace_back(key, kind.value_or(ColumnKind::kCategorical));
    column_of_slot.push_back(column);
    return binding_.back();
  }
  const std::vector<Value>* FindList(std::string_view) override { return nullptr; }
  std::vector<std::string> ListNames() const override { return {}; }

  std::vector<std::pair<std::string, ColumnKind>> reads;  // by slot
  std::vector<size_t> column_of_slot;

 private:
  std::string NoColumn(const std::string& name) const {
    std::string known;
    size_t listed = 0;
    for (const Column& c : table_->columns) {
      if (c.event || c.derived || c.from_rules) continue;
      if (++listed > 20) {
        known += ", ...";
        break;
      }
      known += (known.empty() ? "" : ", ") + c.name;
    }
    return fmt::format("no column `{}` (columns: {})", name, known);
  }

  const LabeledTable* table_;
  const std::vector<std::pair<std::string, ColumnKind>>* trained_;
  std::unordered_map<std::string, uint32_t> slot_of_;
  std::vector<expr::Binding> binding_;
};

// Row `r` of `column` read as `kind`: a number cell of a string column (or the reverse, in data
// typed differently from training's) is converted as the engine converts a declared field.
Value CellAs(const Column& column, size_t r, ColumnKind kind, std::string& scratch) {
  if (column.missing(r)) return Value::Null();
  if (column.kind == ColumnKind::kNumeric) {
    if (kind == ColumnKind::kNumeric) return Value::Number(column.values[r]);
    scratch = FormatNumber(column.values[r]);
    return Value::String(scratch);
  }
  const std::string& level = column.levels[column.codes[r]];
  if (kind == ColumnKind::kCategorical) return Value::String(level);
  const std::optional<double> v = ingest::ParseDecimal(level);
  return v ? Value::Number(*v) : Value::Null();
}

Status CompileFailed(const DerivedColumn& d, const expr::CompileError& e) {
  return InvalidArgument(
      fmt::format("derived column `{}`, expr column {}: {}", d.name, e.column, e.message));
}

Result<Column> Derive(const LabeledTable& table, const DerivedColumn& d,
                      std::span<const Timestamp> as_of) {
  ColumnScope scope(&table, d);
  auto program = expr::Compile(d.expr, scope);
  if (!program) return Error(CompileFailed(d, program.error()));
  std::string text = d.expr;
  const expr::Type type = expr::ResultType(**program);
  if (type == expr::Type::kBool) {
    // A bool is a 0/1 number: the scorecard bins it, the trees split it.
    text = "if((" + d.expr + "), 1, 0)";
    scope = ColumnScope(&table, d);
    program = expr::Compile(text, scope);
    if (!program) return Error(CompileFailed(d, program.error()));
  } else if (type != expr::Type::kNumber && type != expr::Type::kString) {
    return Error(InvalidArgument(fmt::format(
        "derived column `{}` gives {}: a derived column is a number, a string or a bool{}", d.name,
        expr::TypeName(type),
        type == expr::Type::kTime ? " (days_since(t) turns a time into a number)" : "")));
  }

  Column out;
  out.name = d.name;
  out.kind = type == expr::Type::kString ? ColumnKind::kCategorical : ColumnKind::kNumeric;
  out.derived = DerivedFrom{.expr = text, .source_expr = d.expr, .reads = scope.reads};

  std::unordered_map<std::string, int32_t> code_of;
  std::vector<Value> lead(scope.reads.size());
  std::vector<std::string> scratch(lead.size());
  expr::Vm vm;
  const size_t rows = table.rows();
  if (out.kind == ColumnKind::kNumeric) {
    out.values.reserve(rows);
  } else {
    out.codes.reserve(rows);
  }
  for (size_t r = 0; r < rows; ++r) {
    for (size_t s = 0; s < lead.size(); ++s) {
      const size_t c = scope.column_of_slot[s];
      lead[s] = c == SIZE_MAX ? Value::Null()
                              : CellAs(table.columns[c], r, scope.reads[s].second, scratch[s]);
    }
    const Timestamp t = as_of.size() == 1 ? as_of[0] : as_of[r];
    const Value v = vm.Run(**program, {.event = {}, .lead = lead, .computed = {}, .as_of = t});
    if (out.kind == ColumnKind::kNumeric) {
      out.values.push_back(v.is_number() ? v.number() : std::numeric_limits<double>::quiet_NaN());
    } else if (!v.is_string()) {
      out.codes.push_back(-1);
    } else {
      auto [it, fresh] =
          code_of.try_emplace(std::string(v.str()), static_cast<int32_t>(out.levels.size()));
      if (fresh) out.levels.push_back(it->first);
      out.codes.push_back(it->second);
    }
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> ColumnsRead(const DerivedColumn& derived) {
  ColumnScope scope(nullptr, derived);
  auto program = expr::Compile(derived.expr, scope);
  if (!program) return Error(CompileFailed(derived, program.error()));
  std::vector<std::string> names;
  for (auto& [name, kind] : scope.reads) names.push_back(name);
  return names;
}

Status AddDerivedColumns(LabeledTable& table, std::span<const DerivedColumn> derived,
                         std::span<const Timestamp> as_of) {
  if (as_of.size() != 1 && as_of.size() != table.rows()) {
    return Internal("derived columns: one as-of time, or one per row");
  }
  for (const DerivedColumn& d : derived) {
    const bool taken = std::any_of(table.columns.begin(), table.columns.end(),
                                   [&](const Column& c) { return c.name == d.name; });
    if (taken) {
      return InvalidArgument(
          fmt::format("derived column `{}`: the table already has a column of that name", d.name));
    }
    LS_ASSIGN_OR_RETURN(Column column, Derive(table, d, as_of));
    table.columns.push_back(std::move(column));
  }
  return Status::Ok();
}

}  // namespace leadscore::learn
