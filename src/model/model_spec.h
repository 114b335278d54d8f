// ModelSpec: a model file as data (SCORING.md, "The model file"), checked for shape but with its
// expressions still as text. engine::Compile turns it into something that scores.
//
// A ModelSpec is move-only: list values view strings owned by the spec itself.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/value.h"
#include "model/diagnostic.h"

namespace leadscore::model {

// An expression as written in the file, with where its first character sits so that an error
// at column c of the expression can be reported at the right place in the file.
struct ExprText {
  std::string text;
  SourcePos pos;
  // The file position of each byte of `text` and of its end (ScalarPositions); empty when not
  // known, as for a model built in code.
  std::vector<SourcePos> positions = {};

  // Where byte `offset` of `text` is in the file. Without `positions`: counted from `pos`, as
  // if the expression were written on its first line as it reads.
  SourcePos At(size_t offset) const;
};

enum class DecayKind : uint8_t { kNone, kHalfLife, kExpireAfter };

struct Decay {
  DecayKind kind = DecayKind::kNone;
  double micros = 0;  // the half-life or the expiry age, as written (`0.0000015s` is 1.5)
  // The whole microseconds an age must stay below to be under `micros` (ages are whole
  // microseconds: one is below a length exactly when it is below the length's ceiling).
  int64_t age_limit = 0;
};

// Decay::age_limit for a length of `micros` (> 0): its ceiling, at least 1 (an age of 0 is below
// any length). A product such as 0.1 * 1e6 that lands a hair off a whole number is that number.
int64_t AgeLimit(double micros);

struct Group {
  std::string id;
  std::optional<double> max;  // no max: no cap
  SourcePos pos;
};

struct FitRule {
  std::string id;
  std::optional<ExprText> when;  // absent: always applies
  double points = 0;
  std::string group;  // empty: no group
  SourcePos pos;
};

struct EngagementRule {
  std::string id;
  std::string event;
  std::optional<ExprText> when;
  double points = 0;
  std::optional<double> max;   // cap on |total|; not with once or count
  std::optional<Decay> decay;  // absent: the engagement default
  bool once = false;
  std::optional<int64_t> count;          // a count rule fires at >= count matching events
  std::optional<int64_t> within_micros;  // count window ending at the as-of time: an AgeLimit
  std::string group;
  SourcePos pos;
};

struct FitSection {
  double max = 100;
  std::vector<FitRule> rules;
  std::vector<Group> groups;
};

struct EngagementSection {
  double max = 100;
  Decay decay;  // default for every rule
  std::vector<EngagementRule> rules;
  std::vector<Group> groups;
};

// A grade or a stage: an id and the condition that gives it.
struct Level {
  std::string id;
  ExprText when;
  SourcePos pos;
};

enum class Aggregate : uint8_t { kMax, kMean, kSum, kTopMean };

struct AccountsSpec {
  ExprText key;
  Aggregate aggregate = Aggregate::kMax;
  int top = 3;
};

struct ModelSpec {
  std::string file;  // where it was read from, for diagnostics
  int version = 1;
  std::string name;
  std::vector<std::pair<std::string, ValueType>> fields;  // declared types, in file order
  std::map<std::string, std::vector<Value>, std::less<>> lists;
  FitSection fit;
  EngagementSection engagement;
  ExprText formula{"fit + engagement", {}};
  double score_max = 100;
  std::vector<Level> grades;
  std::vector<Level> stages;  // low to high
  std::optional<AccountsSpec> accounts;
  // Things that load but deserve a word (a key SCORING.md says is ignored); `check` shows them.
  std::vector<Diagnostic> notes;

  // Owns the bytes of string list values; a deque never moves its elements.
  std::unique_ptr<std::deque<std::string>> strings = std::make_unique<std::deque<std::string>>();

  // The declared type of a field, if any.
  std::optional<ValueType> DeclaredType(std::string_view field) const;
};

}  // namespace leadscore::model
