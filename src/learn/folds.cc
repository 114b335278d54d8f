#include "learn/folds.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <random>

#include "ingest/convert.h"
#include "ingest/record_source.h"

namespace leadscore::learn {
namespace {

// std::shuffle's output depends on the standard library; this Fisher-Yates over mt19937_64
// does not, so a seed means the same folds everywhere.
template <class T>
void Shuffle(std::vector<T>& items, std::mt19937_64& rng) {
  for (size_t i = items.size(); i > 1; --i) {
    const size_t j = rng() % i;
    std::swap(items[i - 1], items[j]);
  }
}

class FoldsSink : public ingest::RowSink {
 public:
  FoldsSink(std::string file, std::vector<int64_t>& fold_of_row, Status& status)
      : file_(std::move(file)), fold_of_row_(fold_of_row), status_(status) {}

  void OnRow(uint64_t line, std::span<const Value> values) override {
    if (!status_.ok()) return;
    // A whole number, written as one (`3`) or as a decimal that is one (`3.0`: pandas writes a
    // column that held a NaN so), from CSV text or a JSON number.
    auto number = [&](const Value& v, const char* field) -> std::optional<int64_t> {
      std::optional<double> d;
      if (v.is_number()) d = v.number();
      if (v.is_string()) {
        std::string text(v.str());
        char* end = nullptr;
        const long long n = std::strtoll(text.c_str(), &end, 10);
        if (!text.empty() && *end == '\0') return n;
        d = ingest::ParseDecimal(text);
      }
      if (d && std::isfinite(*d) && *d == std::trunc(*d) && std::fabs(*d) < 9.0e15) {
        return static_cast<int64_t>(*d);
      }
      status_ = InvalidArgument(
          fmt::format("{}:{}: field `{}`: expected an integer", file_, line, field));
      return std::nullopt;
    };
    std::optional<int64_t> row = number(values[0], "row");
    if (!row) return;
    std::optional<int64_t> fold = number(values[1], "fold");
    if (!fold) return;
    if (*row < 0 || static_cast<uint64_t>(*row) >= fold_of_row_.size()) {
      status_ = InvalidArgument(fmt::format(
          "{}:{}: field `row`: {} is out of range: the table has {} data rows (0 to {})", file_,
          line, *row, fold_of_row_.size(), fold_of_row_.size() - 1));
      return;
    }
    if (fold_of_row_[*row] != kUnset) {
      status_ = InvalidArgument(
          fmt::format("{}:{}: field `row`: row {} is listed twice", file_, line, *row));
      return;
    }
    fold_of_row_[*row] = *fold;
  }

  void OnError(ingest::RowError error) override {
    if (status_.ok()) status_ = InvalidArgument(ingest::FormatRowError(error));
  }

  static constexpr int64_t kUnset = INT64_MIN;

 private:
  std::string file_;
  std::vector<int64_t>& fold_of_row_;
  Status& status_;
};

}  // namespace

Folds StratifiedFolds(const std::vector<uint8_t>& label, int32_t k, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Folds folds;
  folds.k = k;
  folds.fold.assign(label.size(), 0);
  int32_t next = 0;
  for (uint8_t cls : {1, 0}) {
    std::vector<uint32_t> rows;
    for (uint32_t i = 0; i < label.size(); ++i) {
      if (label[i] == cls) rows.push_back(i);
    }
    Shuffle(rows, rng);
    for (uint32_t r : rows) {
      folds.fold[r] = next;
      next = (next + 1) % k;
    }
  }
  return folds;
}

Folds TimeHoldout(size_t rows, double share) {
  Folds folds;
  folds.k = 2;
  folds.holdout = true;
  const size_t first_test = rows - static_cast<size_t>(rows * share);
  folds.fold.assign(rows, 0);
  std::fill(folds.fold.begin() + first_test, folds.fold.end(), 1);
  return folds;
}

Result<Folds> ReadFoldsFile(const std::string& path, const std::vector<uint64_t>& row_index,
                            uint64_t data_rows) {
  LS_ASSIGN_OR_RETURN(std::unique_ptr<ingest::RecordSource> source,
                      ingest::RecordSource::Open(path));
  const auto& header = source->header();
  for (const char* needed : {"row", "fold"}) {
    if (std::find(header.begin(), header.end(), needed) == header.end()) {
      return Error(InvalidArgument(fmt::format(
          "{}: a folds file needs the columns `row` and `fold`; `{}` is missing", path, needed)));
    }
  }
  std::vector<int64_t> fold_of_row(data_rows, FoldsSink::kUnset);
  Status status;
  FoldsSink sink(path, fold_of_row, status);
  auto parser = ingest::BlockParser::Create(*source, {"row", "fold"});
  while (status.ok()) {
    LS_ASSIGN_OR_RETURN(std::optional<ingest::Block> block, source->Next());
    if (!block) break;
    parser->Parse(*block, sink);
  }
  LS_RETURN_IF_ERROR(status);

  std::map<int64_t, int32_t> renumber;
  for (uint64_t r : row_index) {
    if (fold_of_row[r] == FoldsSink::kUnset) {
      return Error(
          InvalidArgument(fmt::format("{}: data row {} of the table is in no fold", path, r)));
    }
    renumber.emplace(fold_of_row[r], 0);
  }
  if (renumber.size() < 2) {
    return Error(InvalidArgument(
        fmt::format("{}: the usable rows fall in {} fold; cross-validation needs at least 2", path,
                    renumber.size())));
  }
  int32_t next = 0;
  Folds folds;
  for (auto& [original, dense] : renumber) {
    dense = next++;
    folds.ids.push_back(original);
  }
  folds.k = next;
  folds.fold.reserve(row_index.size());
  for (uint64_t r : row_index) folds.fold.push_back(renumber[fold_of_row[r]]);
  return folds;
}

Split StratifiedSplit(const std::vector<uint32_t>& rows, const std::vector<uint8_t>& label,
                      double holdout_share, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Split split;
  for (uint8_t cls : {1, 0}) {
    std::vector<uint32_t> of_class;
    for (uint32_t r : rows) {
      if (label[r] == cls) of_class.push_back(r);
    }
    Shuffle(of_class, rng);
    const size_t held = static_cast<size_t>(of_class.size() * holdout_share + 0.5);
    split.validation.insert(split.validation.end(), of_class.begin(), of_class.begin() + held);
    split.fit.insert(split.fit.end(), of_class.begin() + held, of_class.end());
  }
  std::sort(split.fit.begin(), split.fit.end());
  std::sort(split.validation.begin(), split.validation.end());
  return split;
}

}  // namespace leadscore::learn
