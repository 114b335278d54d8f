// The warning for columns a model reads that the file being scored lacks. Every lead then reads
// them as missing and most get the same score, which looks like a working run; a header in
// another case (`product` for `Product`) is the usual cause. A model may also mean it (a rule
// on an attribute only some sources send), so it is a warning, printed once a run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace leadscore::cli {

// The column of `columns` that `wanted` was most likely meant to be: one equal to it but for
// case, blanks, `_` and `-`, else the closest by edit distance (model::ClosestMatch); empty
// when none is close.
std::string LikelyColumn(const std::string& wanted, const std::vector<std::string>& columns);

// Prints to stderr, when `absent` is not empty: "leads.csv: the model reads columns the file
// does not have, so every lead reads them as missing: `Product` (the file has `product`), ...".
// `model` names the model ("the model", "the trees model (--predictive)"); `columns` are the
// file's (empty when unknown: no suggestion then).
void WarnOfAbsentColumns(std::string_view file, std::string_view model,
                         const std::vector<std::string>& absent,
                         const std::vector<std::string>& columns);

}  // namespace leadscore::cli
