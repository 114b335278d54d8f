// Diagnostic: one problem found in a model file, located by file, line and column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace leadscore::model {

// A 1-based position in a model file; line 0 means unknown.
struct SourcePos {
  int line = 0;
  int column = 0;
};

// `at` moved past `text`: a line on for each newline, a column for each character (code point,
// as an editor counts).
SourcePos AdvancedBy(SourcePos at, std::string_view text);

struct Diagnostic {
  std::string file;
  SourcePos pos;
  std::string message;

  // "model.yaml:12:9: unknown function 'lowr'; did you mean 'lower'?"
  std::string ToString() const;
};

// Why `path` could not be read (core/read_file.h), as a diagnostic of that file.
Diagnostic UnreadableFile(const std::string& path, const Status& status);

// Puts `diagnostics` in file order (line, then column), keeping the order of those at one place,
// and drops a repeat of one (the same place and message): a YAML alias (`*name`, `<<: *name`)
// visits its anchor's nodes once for each use, and a problem there is reported once.
void SortDroppingRepeats(std::vector<Diagnostic>& diagnostics);

// All diagnostics, one per line.
std::string FormatDiagnostics(const std::vector<Diagnostic>& diagnostics);

// The closest of `candidates` to `word` by edit distance, or empty when none is close enough to
// be a plausible typo. Used for "did you mean" hints across the model.
std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace leadscore::model
