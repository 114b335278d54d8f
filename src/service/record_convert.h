// Record conversion: the steps between a parsed row of raw Values and what the engine reads,
// shared by batch scoring (batch_score.cc) and live scoring (lead_scorer.cc) so that both give
// the same values for the same records (SCORING.md, "Records": declared fields converted, a
// value that does not convert reported and null, undeclared values typed by their source).
//
// Free functions are pure. A Converter keeps scratch space: one per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "core/value.h"
#include "engine/compiled_model.h"
#include "ingest/record_source.h"
#include "ingest/row_rules.h"

namespace leadscore::service {

// The row rules for ids and times (ingest/row_rules.h), which service code names unqualified.
using ingest::AlreadyReadReason;
using ingest::EventTime;
using ingest::HoldsNul;
using ingest::IdText;
using ingest::MillisecondsHint;
using ingest::NoIdReason;
using ingest::NulReason;
using ingest::NumberIdText;
using ingest::RefusedBecause;
using ingest::Shown;

// The keys a parser should extract: `reserved` first, then each model field once (a field may
// name a reserved key, like `lead_id`), then each of `checked` not among them. `raw_index[i]`
// gets the position of field i in that list, i.e. in the parsed row, followed by those of
// `checked`.
std::vector<std::string> WantedKeys(std::vector<std::string> reserved,
                                    const std::vector<engine::FieldSlot>& fields,
                                    std::vector<size_t>& raw_index,
                                    const std::vector<engine::FieldSlot>& checked = {});

// Turns raw values into the model's types: declared fields converted, undeclared CSV cells
// inferred (numbers when the whole cell is a finite decimal), undeclared JSON values kept.
// Each value that does not convert is reported and becomes null. The values of `checked`
// fields (declared, and not read: CompiledModel::checked_lead_fields) are converted only to
// report those that do not.
// Not thread-safe; `fields` and `checked` must outlive the Converter.
class Converter {
 public:
  // `raw_index`: where each field, then each checked field, sits in the raw row (see
  // WantedKeys). `csv`: the raw values are CSV cells. `file`: named in the reported errors.
  Converter(const std::vector<engine::FieldSlot>& fields, std::vector<size_t> raw_index, bool csv,
            std::string file, const std::vector<engine::FieldSlot>& checked = NoFields());

  // Whether Convert has anything to report on, were the row's fields not read.
  bool checks_anything() const { return checks_anything_; }

  // Converts the raw value of every field and returns the row by field slot. The returned
  // Values, and strings made by a conversion, live until the next call; other strings view
  // `raw`'s bytes. Each failed conversion is appended to `errors` (file, `line`, field name,
  // "cannot convert ... ; using null").
  std::span<const Value> Convert(std::span<const Value> raw, uint64_t line,
                                 std::vector<ingest::RowError>& errors);

 private:
  static const std::vector<engine::FieldSlot>& NoFields();
  // Converts `raw` to `field`'s declared type (null when it does not convert, reported).
  Value ConvertDeclared(const Value& raw, const engine::FieldSlot& field, std::string& scratch,
                        uint64_t line, std::vector<ingest::RowError>& errors) const;

  const std::vector<engine::FieldSlot>& fields_;
  const std::vector<engine::FieldSlot>& checked_;
  bool checks_anything_ = false;
  std::vector<size_t> raw_index_;
  bool csv_;
  std::string file_;
  std::vector<std::string> scratch_;
  std::string checked_scratch_;
  std::vector<Value> out_;
};

}  // namespace leadscore::service
