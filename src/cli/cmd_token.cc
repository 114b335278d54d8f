// leadscore token create: a new API token, printed once; the store keeps only its hash.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_code.h"
#include "core/print_stderr.h"
#include "service/live_service.h"
#include "service/tokens.h"
#include "store/store.h"

namespace leadscore::cli {
namespace {

struct TokenFlags {
  std::string db = "leadscore.db";
  std::string scope;
  std::string name;
};

int RunTokenCreate(const TokenFlags& flags) {
  if (!service::IsScope(flags.scope)) {
    PrintToStderr("--scope: read, write or admin, not \"{}\"\n", flags.scope);
    return kExitUsage;
  }
  auto store = store::Store::Open(flags.db);
  if (!store) {
    PrintToStderr("leadscore token: {}\n", store.error().message());
    return ExitCodeFor(store.error());
  }
  auto token = service::CreateToken(**store, flags.scope, flags.name, service::LiveService::Now());
  if (!token) {
    PrintToStderr("leadscore token: {}\n", token.error().message());
    return ExitCodeFor(token.error());
  }
  fmt::print("{}\n", *token);
  PrintToStderr("{} {} token; it is shown only this once (the store keeps its hash)\n",
                flags.scope == "admin" ? "an" : "a", flags.scope);
  return kExitOk;
}

}  // namespace

std::function<int()> SetupToken(CLI::App& sub) {
  auto flags = std::make_shared<TokenFlags>();
  sub.require_subcommand(1);
  CLI::App* create = sub.add_subcommand("create", "Create a token and print it once");
  create->add_option("--db", flags->db, "The store (SQLite file or postgresql:// URL)")
      ->default_val("leadscore.db");
  create
      ->add_option("--scope", flags->scope,
                   "read (GET routes), write (also send leads, events, outcomes) or admin "
                   "(also models, deletes, exports)")
      ->required();
  create->add_option("--name", flags->name, "A note on who uses it (e.g. segment)");
  return [flags] { return RunTokenCreate(*flags); };
}

}  // namespace leadscore::cli
