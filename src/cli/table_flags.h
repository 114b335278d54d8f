// The options `train` and `evaluate` share in table mode: which file, which column is the
// label and which value is positive, which columns to leave out, which values mean missing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "learn/table.h"
#include "learn/training_set.h"

namespace CLI {
class App;
}

namespace leadscore::cli {

struct TableFlags {
  // Table mode: one row per lead with a label column.
  std::string table;
  std::string label;
  std::string positive;
  std::vector<std::string> drop;
  std::vector<std::string> missing;
  // History mode: leads, events and outcomes, features as of each lead's reference time.
  std::string leads, events, outcomes;
  std::string db;  // or the store's leads, events and outcomes
  std::string outcome = "won";
  std::string horizon = "90d";
  std::string reference = "created";
  std::string stages_model;  // --reference first:STAGE: the model whose stages define it
  uint64_t seed = 42;
  int threads = 0;  // 0: every core
  // Columns to leave out and to add (learn/feature_config.h).
  std::string features;
  // The rule model in use today: its rule contributions become features (unless
  // rule_features is false), and `evaluate` sets its score beside the learners.
  std::string model;
  std::string as_of;  // table mode: the time the rule model and derived columns score at
  bool rule_features = true;
};

// A table ready for the learners, and what a trees model must carry to compute its features
// again on new leads.
struct TrainingTable {
  learn::LabeledTable table;
  std::string rule_model;     // the --model file's text; "" without one or its features
  bool rule_history = false;  // its features counted events (history mode)
  // With --model: each row's score under it, at the row's reference time (history) or at
  // --as-of (table), whether or not its rules are features.
  std::vector<double> rule_scores;
};

void AddTableOptions(CLI::App& sub, TableFlags& flags);

// --threads as the learners get it: no more than the machine's cores, since more only wait on
// each other (XGBoost's threads spin while they wait: 256 on 2 cores train many times slower
// than 2). A count cut says so on standard error. 0 (every core) stays 0.
int LearnerThreads(int asked);

// The file the rows come from, for reports: the table, the leads file or the store.
inline const std::string& SourceOf(const TableFlags& flags) {
  return !flags.table.empty() ? flags.table : !flags.db.empty() ? flags.db : flags.leads;
}

// Reads the table (or builds it from history); bad rows and failures are printed on stderr.
// nullopt on failure.
std::optional<TrainingTable> LoadTableOrReport(const TableFlags& flags);

}  // namespace leadscore::cli
