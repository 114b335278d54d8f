// Derived columns (feature_config.h): computed on every row of a table from its attribute
// columns with the model file's expression language, so that the engine computes the same
// value from a lead when a scorecard writes the column's bins as rules.
//
// Types follow the table: a numeric column reads as a number, a categorical one as a string,
// a missing cell as null. A number result is a numeric column, a string result a categorical
// one, a bool result the number 1 when true and 0 otherwise (null too), null missing.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "learn/feature_config.h"
#include "learn/table.h"

namespace leadscore::learn {

// The column names `derived` reads, in order of first use; fails when the expression does not
// parse (with the column's name and the position in the expression).
Result<std::vector<std::string>> ColumnsRead(const DerivedColumn& derived);

// Adds the `derived` columns to `table`, in order. `as_of` is the time days_since() measures
// from: one per row (each lead's reference time), or a single one for every row. Fails with
// kInvalidArgument naming the derived column: an expression that reads a column the table
// lacks (the columns are listed), an event count or another derived column (derived columns
// read the lead's attributes), a type error, a time-valued result, a name already taken.
Status AddDerivedColumns(LabeledTable& table, std::span<const DerivedColumn> derived,
                         std::span<const Timestamp> as_of);

}  // namespace leadscore::learn
