// Where each byte of a YAML scalar's value came from in the file, so that an error inside an
// expression is reported where the user wrote it, whatever the scalar's style: quoted with
// escapes (`"grade == \"A\""`), folded over several lines, or a `|` / `>` block.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"

namespace leadscore::model {

// The file position of each byte of `value`, the scalar whose node starts at byte `start` of
// `source`, on line `start_line` (its opening quote, its `|` or `>`, or its first character;
// only that line and the scalar's are read, so that a model of many rules loads in linear
// time), plus one more entry:
// the position just after its last character. Whitespace in the value, which folding may have
// made of a line break and an indentation, takes the position after the character before it.
// Empty when the value cannot be matched to the file's characters there (an escape this does
// not know): the caller then falls back to counting from the scalar's start.
std::vector<SourcePos> ScalarPositions(std::string_view source, size_t start, int start_line,
                                       std::string_view value);

}  // namespace leadscore::model
