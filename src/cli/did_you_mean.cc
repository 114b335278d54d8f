#include "cli/did_you_mean.h"

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "core/print_stderr.h"
#include "model/diagnostic.h"

namespace leadscore::cli {
namespace {

// The innermost subcommand the command line chose (`crm import`), or `app` itself.
const CLI::App& ChosenCommand(const CLI::App& app) {
  const CLI::App* at = &app;
  while (true) {
    const std::vector<const CLI::App*> chosen =
        at->get_subcommands([](const CLI::App* sub) { return sub->parsed(); });
    if (chosen.empty()) return *at;
    at = chosen.front();
  }
}

std::vector<std::string> OptionNames(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

std::vector<std::string> SubcommandNames(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::App* sub : command.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

// The candidate closest to `word` in spelling, else the one candidate that starts with it
// (`--out` for `--output`); empty when neither.
std::string Likely(const std::string& word, const std::vector<std::string>& candidates) {
  std::string hint = model::ClosestMatch(word, candidates);
  if (!hint.empty()) return hint;
  for (const std::string& candidate : candidates) {
    if (!candidate.starts_with(word)) continue;
    if (!hint.empty()) return "";  // two of them: no guess
    hint = candidate;
  }
  return hint;
}

}  // namespace

void SuggestForUnexpected(const CLI::App& app) {
  const CLI::App& command = ChosenCommand(app);
  for (const std::string& word : app.remaining(true)) {
    std::string hint;
    if (word.starts_with("--")) {
      hint = Likely(word.substr(0, word.find('=')), OptionNames(command));
    } else if (!word.starts_with("-")) {
      hint = Likely(word, SubcommandNames(command));
    }
    if (!hint.empty()) PrintToStderr("{}: did you mean `{}`?\n", word, hint);
  }
}

}  // namespace leadscore::cli
