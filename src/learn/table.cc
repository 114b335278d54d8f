// Streaming a table into dictionary-encoded columns (see table.h).
#include "learn/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>

#include "ingest/convert.h"
#include "learn/column_builder.h"
#include "learn/label_values.h"
#include "learn/row_source.h"

namespace leadscore::learn {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

class TableSink : public ingest::RowSink {
 public:
  TableSink(const TableOptions& options, std::string file, size_t label_slot,
            std::vector<ColumnBuilder>& builders, LabeledTable& table)
      : options_(options),
        file_(std::move(file)),
        label_slot_(label_slot),
        builders_(builders),
        table_(table) {}

  void OnRow(uint64_t line, std::span<const Value> values) override {
    const uint64_t row = table_.data_rows++;
    if (label_slot_ == SIZE_MAX) {
      table_.label.push_back(0);
    } else {
      std::string_view label = TrimCell(CellText(values[label_slot_], scratch_));
      if (label.empty()) {
        return Report({file_, line, options_.label, "the label is empty; row skipped"});
      }
      table_.label.push_back(label == options_.positive ? 1 : 0);
      labels_.Add(label);
    }
    table_.row_index.push_back(row);
    size_t b = 0;
    for (size_t slot = 0; slot < values.size(); ++slot) {
      if (slot == label_slot_) continue;
      builders_[b++].AddValue(values[slot], options_.missing, scratch_);
    }
  }

  void OnError(ingest::RowError error) override {
    table_.data_rows += error.is_row;
    ingest::NoteRowSkipped(error);
    Report(std::move(error));
  }
  void OnWarning(ingest::RowError warning) override { Report(std::move(warning)); }
  LabelValues label_values() const { return labels_.Finish(); }

 private:
  void Report(ingest::RowError error) {
    if (options_.on_error) options_.on_error(error);
  }

  const TableOptions& options_;
  std::string file_;
  size_t label_slot_;
  std::vector<ColumnBuilder>& builders_;
  LabeledTable& table_;
  std::string scratch_;
  LabelCounter labels_;
};

}  // namespace

bool Column::missing(size_t row) const {
  return kind == ColumnKind::kNumeric ? std::isnan(values[row]) : codes[row] < 0;
}

uint64_t LabeledTable::positives() const {
  return static_cast<uint64_t>(std::count(label.begin(), label.end(), 1));
}

std::vector<uint8_t> LabeledTable::LabelsOf(std::span<const uint32_t> subset) const {
  std::vector<uint8_t> out;
  out.reserve(subset.size());
  for (uint32_t r : subset) out.push_back(label[r]);
  return out;
}

std::string_view TrimCell(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string_view CellText(const Value& v, std::string& scratch) {
  if (v.is_string()) return v.str();
  if (v.is_number()) return scratch = FormatNumber(v.number());
  if (v.is_bool()) return v.boolean() ? "true" : "false";
  return {};
}

bool IsMissingCell(std::string_view cell, const std::vector<std::string>& placeholders) {
  return cell.empty() || PlaceholderIndex(cell, placeholders) >= 0;
}

int PlaceholderIndex(std::string_view cell, const std::vector<std::string>& placeholders) {
  for (size_t i = 0; i < placeholders.size(); ++i) {
    if (EqualsIgnoreCase(cell, placeholders[i])) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> UnseenPlaceholders(const std::vector<Column>& columns,
                                            const std::vector<std::string>& placeholders) {
  uint64_t seen = 0;
  for (const Column& c : columns) seen |= c.placeholders_seen;
  std::vector<std::string> unseen;
  for (size_t i = 0; i < placeholders.size() && i < 64; ++i) {
    if (!placeholders[i].empty() && !(seen >> i & 1)) unseen.push_back(placeholders[i]);
  }
  return unseen;
}

Result<LabeledTable> LoadTable(const std::string& path, const TableOptions& options) {
  LS_ASSIGN_OR_RETURN(std::unique_ptr<ingest::RecordSource> source,
                      ingest::RecordSource::Open(path));
  // JSON Lines has no header: its columns are every key any line holds.
  std::vector<ingest::RowError> left_out;
  LS_ASSIGN_OR_RETURN(std::vector<std::string> header, ColumnsOf(FileOpener(path), &left_out));
  auto in_header = [&](const std::string& name) {
    return std::find(header.begin(), header.end(), name) != header.end();
  };
  auto known = [&]() {
    std::string list;
    for (const auto& h : header) list += (list.empty() ? "" : ", ") + h;
    return list;
  };
  if (header.empty()) {
    return Error(InvalidArgument(fmt::format("{}: no columns: the file is empty", path)));
  }
  if (!options.unlabeled && !in_header(options.label)) {
    return Error(InvalidArgument(fmt::format(
        "{}: no column `{}` for the label; the columns are: {}", path, options.label, known())));
  }
  for (const std::string& d : options.drop) {
    if (!in_header(d)) {
      return Error(InvalidArgument(fmt::format(
          "{}: `{}` (--drop, or exclude in --features) is not a column; the columns are: {}", path,
          d, known())));
    }
  }

  // Slots: every header column; builders for those that are features.
  size_t label_slot = SIZE_MAX;
  std::vector<ColumnBuilder> builders;
  for (size_t i = 0; i < header.size(); ++i) {
    if (!options.unlabeled && header[i] == options.label) {
      label_slot = i;
      continue;
    }
    builders.emplace_back(header[i]);
  }
  LabeledTable table;
  TableSink sink(options, path, label_slot, builders, table);
  for (ingest::RowError& warning : source->header_warnings()) sink.OnWarning(std::move(warning));
  for (ingest::RowError& warning : left_out) sink.OnWarning(std::move(warning));
  auto parser = ingest::BlockParser::Create(*source, header);
  while (true) {
    LS_ASSIGN_OR_RETURN(std::optional<ingest::Block> block, source->Next());
    if (!block) break;
    parser->Parse(*block, sink);
    source->Recycle(std::move(*block));
  }

  for (ColumnBuilder& b : builders) {
    const bool dropped =
        std::find(options.drop.begin(), options.drop.end(), b.name) != options.drop.end();
    if (!dropped) table.columns.push_back(std::move(b).Finish());
  }

  if (options.unlabeled) return table;
  table.label_values = sink.label_values();
  const uint64_t positives = table.positives();
  if (table.rows() < 20) {
    return Error(
        InvalidArgument(fmt::format("{}: {} usable row{}; training and evaluation need at least 20",
                                    path, table.rows(), table.rows() == 1 ? "" : "s")));
  }
  if (positives == 0) {
    return Error(InvalidArgument(fmt::format(
        "{}: the label `{}` is never `{}` in {} rows (check --positive: it must be written as in "
        "the file); its values, most frequent first: {}",
        path, options.label, options.positive, table.rows(), LabelValuesSeen(table.label_values))));
  }
  if (positives == table.rows()) {
    return Error(InvalidArgument(fmt::format(
        "{}: the label `{}` is `{}` in every row: there is nothing to learn from one class", path,
        options.label, options.positive)));
  }
  if (table.columns.empty()) {
    return Error(InvalidArgument(fmt::format("{}: no feature columns are left", path)));
  }
  return table;
}

}  // namespace leadscore::learn
