// The leadscore subcommands: one explicit table, one cmd_<name>.cc per entry.
#pragma once

#include <functional>
#include <span>

namespace CLI {
class App;
}

namespace leadscore::cli {

// Adds a subcommand's options to `sub` and returns what runs once argv is parsed; the function
// returns the process exit code (see exit_code.h).
using CommandSetup = std::function<int()> (*)(CLI::App& sub);

struct Command {
  const char* name;
  const char* summary;
  CommandSetup setup;
};

std::function<int()> SetupCheck(CLI::App& sub);
std::function<int()> SetupScore(CLI::App& sub);
std::function<int()> SetupExplain(CLI::App& sub);
std::function<int()> SetupTest(CLI::App& sub);
std::function<int()> SetupGenerate(CLI::App& sub);
std::function<int()> SetupCrm(CLI::App& sub);
std::function<int()> SetupServe(CLI::App& sub);
std::function<int()> SetupIngest(CLI::App& sub);
std::function<int()> SetupToken(CLI::App& sub);
std::function<int()> SetupTrain(CLI::App& sub);
std::function<int()> SetupEvaluate(CLI::App& sub);
std::function<int()> SetupPredict(CLI::App& sub);

// Every subcommand, in the order `leadscore --help` lists them.
std::span<const Command> Commands();

}  // namespace leadscore::cli
