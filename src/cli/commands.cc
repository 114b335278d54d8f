#include "cli/commands.h"

namespace leadscore::cli {

// cmd_crm.cc (declared here rather than in commands.h to keep that header untouched for now).
std::function<int()> SetupCrm(CLI::App& sub);

std::span<const Command> Commands() {
  static const Command kCommands[] = {
      {"check", "Validate a model file and print what it holds", &SetupCheck},
      {"score", "Score leads and events from files (batch)", &SetupScore},
      {"explain", "Explain one lead's score, and what would move it", &SetupExplain},
      {"test", "Run a model's test cases (scoring as code)", &SetupTest},
      {"generate", "Write realistic synthetic leads and events", &SetupGenerate},
      {"crm", "Import HubSpot/Salesforce CSV exports as leads; export scores for them", &SetupCrm},

  };
  return kCommands;
}

}  // namespace leadscore::cli
