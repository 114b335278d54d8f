// After a command line CLI11 refused: the option or subcommand a mistyped word was likely meant
// to be.
#pragma once

namespace CLI {
class App;
}

namespace leadscore::cli {

// For each argument of the parsed `app` that no option or subcommand took (`--modle`, `scroe`),
// prints "did you mean `--model`?" to stderr when one is close; nothing otherwise.
void SuggestForUnexpected(const CLI::App& app);

}  // namespace leadscore::cli
