#include "cli/table_flags.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/cli_common.h"

namespace leadscore::cli {

void AddTableOptions(CLI::App& sub, TableFlags& flags) {
  sub.add_option("--table", flags.table,
                 "CSV with one row per lead and a label column (a CRM export, a dataset)")
      ->required();
  sub.add_option("--label", flags.label, "The column that says how the lead ended")->required();
  sub.add_option("--positive", flags.positive,
                 "The label value that counts as a conversion, as written in the file "
                 "(e.g. 1, yes, Won)")
      ->required();
  sub.add_option("--drop", flags.drop,
                 "Columns to leave out, comma-separated: ids, and anything recorded after the "
                 "outcome (it leaks it)")
      ->delimiter(',');
  sub.add_option("--missing", flags.missing,
                 "Placeholder values that mean missing, comma-separated, any case "
                 "(e.g. Select,unknown); empty cells always do")
      ->delimiter(',');
  sub.add_option("--seed", flags.seed, "Seed for folds, splits and sampling")->default_val(42);
  sub.add_option("--threads", flags.threads, "Threads for training (default: every core)")
      ->check(CLI::Range(1, 256));
}

std::optional<learn::LabeledTable> LoadTableOrReport(const TableFlags& flags) {
  ErrorReporter errors;
  learn::TableOptions options;
  options.label = flags.label;
  options.positive = flags.positive;
  options.drop = flags.drop;
  options.missing = flags.missing;
  options.on_error = [&](const ingest::RowError& e) { errors.Report(e); };
  auto table = learn::LoadTable(flags.table, options);
  errors.Finish();
  if (!table) {
    fmt::print(stderr, "{}\n", table.error().message());
    return std::nullopt;
  }
  size_t numeric = 0;
  for (const auto& c : table->columns) numeric += c.kind == learn::ColumnKind::kNumeric;
  fmt::print(stderr,
             "{}: {} rows used ({} positive, {:.1f} %), {} skipped; {} feature columns ({} "
             "numeric, {} categorical)\n",
             flags.table, table->rows(), table->positives(),
             100.0 * table->positives() / table->rows(), table->data_rows - table->rows(),
             table->columns.size(), numeric, table->columns.size() - numeric);
  return std::move(*table);
}

}  // namespace leadscore::cli
