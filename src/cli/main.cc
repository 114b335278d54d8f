// leadscore: argv in, files and text out. Each subcommand lives in cmd_<name>.cc.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>

#include "cli/commands.h"
#include "cli/exit_code.h"

int main(int argc, char** argv) {
  CLI::App app{"leadscore: transparent, testable lead scoring"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "leadscore 0.1.0");
  std::function<int()> run;
  for (const auto& command : leadscore::cli::Commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.summary);
    auto body = command.setup(*sub);
    sub->callback([&run, body] { run = body; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : leadscore::cli::kExitUsage;
  }
  return run ? run() : leadscore::cli::kExitUsage;
}
