#include "cli/commands.h"

namespace leadscore::cli {

std::span<const Command> Commands() {
  static const Command kCommands[] = {
      {"check", "Validate a model file and print what it holds", &SetupCheck},
      {"score", "Score leads and events from files (batch)", &SetupScore},
      {"explain", "Explain one lead's score, and what would move it", &SetupExplain},
      {"test", "Run a model's test cases (scoring as code)", &SetupTest},
      {"generate", "Write realistic synthetic leads and events", &SetupGenerate},
      {"crm", "Import HubSpot/Salesforce CSV exports as leads; export scores for them", &SetupCrm},
      {"serve", "Run the live scoring service (HTTP API over a SQLite or PostgreSQL store)",
       &SetupServe},
      {"ingest", "Bulk-load lead, event and outcome files into the service's store", &SetupIngest},
      {"token", "Create API tokens for the service", &SetupToken},
      {"train", "Learn a scorecard or gradient-boosted trees from past conversions", &SetupTrain},
      {"evaluate", "Cross-validate the scorecard and the trees side by side", &SetupEvaluate},
      {"predict", "Probability of conversion from a trees model, with its reasons", &SetupPredict},
  };
  return kCommands;
}

}  // namespace leadscore::cli
