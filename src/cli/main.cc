// leadscore: argv in, files and text out. Each subcommand lives in cmd_<name>.cc.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <system_error>

#include "cli/commands.h"
#include "cli/did_you_mean.h"
#include "cli/exit_code.h"
#include "core/print_stderr.h"

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
    if (code != 0) leadscore::cli::SuggestForUnexpected(app);
    return code == 0 ? 0 : leadscore::cli::kExitUsage;
  }
  if (!run) return leadscore::cli::kExitUsage;
  // An option given an empty value (`--events "$EVENTS"` with the variable unset) would read as
  // the option not given, and the run go on without that input.
  std::function<bool(const CLI::App&)> empty_values = [&](const CLI::App& command) {
    for (const CLI::Option* option : command.get_options()) {
      if (option->get_expected_max() == 0 || option->count() == 0) continue;
      for (const std::string& value : option->results()) {
        if (!value.empty()) continue;
        leadscore::PrintToStderr("{} {}: an empty value; give one, or leave the option out\n",
                                 command.get_name(), option->get_name());
        return true;
      }
    }
    for (const CLI::App* sub : command.get_subcommands()) {
      if (empty_values(*sub)) return true;
    }
    return false;
  };
  if (empty_values(app)) return leadscore::cli::kExitUsage;
  int code;
  try {
    code = run();
  } catch (const std::system_error& e) {  // fmt::print to a file or stdout that failed
    leadscore::PrintToStderr("leadscore: {}\n", e.what());
    return leadscore::cli::kExitFailure;
  }
  // What a command printed may still sit in stdout's buffer: a full disk or a closed pipe
  // shows only now, and a command that lost its output did not succeed.
  if (code == leadscore::cli::kExitOk && (std::fflush(stdout) != 0 || std::ferror(stdout))) {
    leadscore::PrintToStderr("leadscore: cannot write standard output: {}\n", std::strerror(errno));
    return leadscore::cli::kExitFailure;
  }
  return code;
}
