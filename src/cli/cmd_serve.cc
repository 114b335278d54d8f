// leadscore serve: the live scoring service. Opens (and migrates) the store, activates the
// model file if given, starts the HTTP API, the rescorer and the webhook outbox worker, and on
// SIGINT or SIGTERM stops taking connections, finishes the requests and writes under way,
// and exits 0.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <thread>

#include "actions/outbox_worker.h"
#include "actions/transition_actions.h"
#include "actions/webhook_config.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "core/print_stderr.h"
#include "core/read_file.h"
#include "core/yaml_load.h"
#include "core/yaml_problem.h"
#include "server/http_server.h"
#include "service/live_service.h"
#include "store/sql.h"

namespace leadscore::cli {
namespace {

struct ServeFlags {
  std::string db;
  std::string model;
  std::string predictive;
  std::string role;
  std::string listen;
  std::string config;
  std::string sweep;
  bool fast_commit = false;
  int threads = 0;
  size_t cache_mb = 256;
  size_t bodies_mb = 256;
};

// A webhook that names a model or a stage no active model has: most likely a typo (`SQLL`), which
// would leave it silent. Said, not refused: a model may be added later (PUT /v1/model).
void WarnOfUnknownNames(const std::vector<actions::WebhookConfig>& hooks,
                        const service::ModelSet& set) {
  for (const actions::WebhookConfig& hook : hooks) {
    const service::ActiveModel* model = hook.model.empty() ? set.primary() : set.Find(hook.model);
    if (!model) {
      if (!hook.model.empty()) {
        PrintToStderr("serve: warning: webhook {} follows model `{}`, which is not active\n",
                      hook.name, hook.model);
      }
      continue;
    }
    for (const std::string& stage : hook.stages) {
      if (!engine::HasLevel(model->compiled->stages(), stage)) {
        PrintToStderr(
            "serve: warning: webhook {} names stage `{}`, which model `{}` does not have\n",
            hook.name, stage, model->name);
      }
    }
  }
}

// The config file: the flags' values (flags win) and the webhooks.
Status ReadConfig(ServeFlags& flags, std::vector<actions::WebhookConfig>& hooks) {
  if (flags.config.empty()) return Status::Ok();
  // Read here rather than by YAML::LoadFile, which throws an I/O error on a directory.
  LS_ASSIGN_OR_RETURN(const std::string text, ReadWholeFile(flags.config, "a config file"));
  YAML::Node root;
  try {
    root = LoadYaml(text);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(fmt::format("{}:{}:{}: {}", flags.config, e.mark.line + 1,
                                       e.mark.column + 1, YamlProblem(e)));
  }
  if (!root.IsMap() && !root.IsNull()) {
    return InvalidArgument(flags.config + ": the config must be a YAML map");
  }
  // yaml-cpp keeps both; a look-up sees the first, so a second `webhooks:` would go unread.
  if (const std::vector<YAML::Node> repeated = RepeatedKeys(root); !repeated.empty()) {
    const YAML::Mark mark = repeated.front().Mark();
    return InvalidArgument(fmt::format("{}:{}:{}: duplicate key `{}` in the config", flags.config,
                                       mark.line + 1, mark.column + 1, repeated.front().Scalar()));
  }
  for (const auto& item : root) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : std::string();
    auto at = [&](const YAML::Node& node) {
      return fmt::format("{}:{}:{}", flags.config, node.Mark().line + 1, node.Mark().column + 1);
    };
    // A value for a flag the command line left out (the command line wins).
    auto set = [&](std::string& flag) -> Status {
      if (!item.second.IsScalar()) {
        return InvalidArgument(
            fmt::format("{}: `{}` must be a single value", at(item.second), key));
      }
      if (flag.empty()) flag = item.second.Scalar();
      return Status::Ok();
    };
    if (key == "db") {
      LS_RETURN_IF_ERROR(set(flags.db));
    } else if (key == "model") {
      LS_RETURN_IF_ERROR(set(flags.model));
    } else if (key == "predictive") {
      LS_RETURN_IF_ERROR(set(flags.predictive));
    } else if (key == "listen") {
      LS_RETURN_IF_ERROR(set(flags.listen));
    } else if (key == "sweep_interval") {
      const bool from_file = flags.sweep.empty();
      LS_RETURN_IF_ERROR(set(flags.sweep));
      if (from_file && !ParseDuration(flags.sweep)) {
        return InvalidArgument(
            fmt::format("{}: sweep_interval: expected a duration like 60s or 5m, not \"{}\"",
                        at(item.second), flags.sweep));
      }
    } else if (key == "webhooks") {
      LS_ASSIGN_OR_RETURN(hooks, actions::ParseWebhooks(item.second, flags.config));
    } else {
      return InvalidArgument(fmt::format(
          "{}:{}:{}: unknown key `{}` (known: db, model, predictive, listen, sweep_interval, "
          "webhooks)",
          flags.config, item.first.Mark().line + 1, item.first.Mark().column + 1, key));
    }
  }
  return Status::Ok();
}

// The binary asks jemalloc for huge pages (jemalloc_options.cc), which a batch run gains from.
// The service, which allocates and frees per request, answered reads and PostgreSQL ingest a
// little slower with them in two alternating runs of bench/http_load.sh (bench/README.md, "Huge
// pages"), so it keeps 4 KiB pages as before. A kernel without the call keeps its default.
void KeepSmallPages() { ::prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0); }

// A SQLite store that is not there (or is an empty file) is made anew: said on stderr, since a
// path mistyped, or a store deleted, would otherwise start a server with no leads and no
// tokens in silence. A write-ahead log left beside a missing store is another store's pages:
// refused, as SQLite would replay them into the new file.
bool NoteANewStore(const std::string& db) {
  if (store::IsPostgresUrl(db)) return true;
  std::error_code ec;
  const bool present = std::filesystem::exists(db, ec);
  if (present &&
      (!std::filesystem::is_regular_file(db, ec) || std::filesystem::file_size(db, ec) > 0)) {
    return true;
  }
  const std::string wal = db + "-wal";
  if (std::filesystem::exists(wal, ec) && std::filesystem::file_size(wal, ec) > 0) {
    PrintToStderr(
        "leadscore serve: {} is {}, but its write-ahead log {} is there: the store was removed "
        "without it. Put the store back, or remove {} and {}-shm to start a new one\n",
        db, present ? "empty" : "missing", wal, wal, db);
    return false;
  }
  PrintToStderr("leadscore serve: no store at {}{}: starting a new one\n", db,
                present ? " (an empty file)" : "");
  return true;
}

int RunServe(ServeFlags& flags) {
  KeepSmallPages();
  std::vector<actions::WebhookConfig> hooks;
  if (Status status = ReadConfig(flags, hooks); !status.ok()) {
    PrintToStderr("{}\n", status.message());
    return kExitUsage;
  }
  if (flags.db.empty()) flags.db = "leadscore.db";
  if (flags.listen.empty()) flags.listen = "127.0.0.1:8080";
  auto colon = flags.listen.rfind(':');
  int port = colon == std::string::npos ? -1 : std::atoi(flags.listen.c_str() + colon + 1);
  if (port < 0 || port > 65535) {
    PrintToStderr("--listen: expected HOST:PORT, like 127.0.0.1:8080, not \"{}\"\n", flags.listen);
    return kExitUsage;
  }
  std::string host = flags.listen.substr(0, colon);
  int64_t sweep = 300 * kMicrosPerSecond;
  if (!flags.sweep.empty()) {
    auto parsed = ParseDuration(flags.sweep);
    if (!parsed) {
      PrintToStderr("--sweep-interval: expected a duration like 60s or 5m, not \"{}\"\n",
                    flags.sweep);
      return kExitUsage;
    }
    sweep = *parsed;
  }

  // Signals are taken by one thread with sigwait; every other thread starts with them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The port first: one in use fails the start before the store is opened or written.
  auto bound = server::HttpServer::Bind(host, port);
  if (!bound) {
    PrintToStderr("leadscore serve: {}\n", bound.error().message());
    return kExitFailure;
  }

  if (!NoteANewStore(flags.db)) return kExitFailure;

  std::unique_ptr<actions::Outbox> outbox;  // started once the store is migrated
  service::LiveOptions options;
  options.db = flags.db;
  options.durable = !flags.fast_commit;
  options.model_path = flags.model;
  options.predictive_path = flags.predictive;
  options.model_role = flags.role;
  options.sweep_interval = sweep;
  options.event_cache_bytes = flags.cache_mb << 20;
  options.on_transition = [&hooks](store::Store& store, const store::TransitionRow& t,
                                   const std::string& role) -> Status {
    if (role == "shadow") return Status::Ok();  // scored and stored, fires nothing
    for (auto& row : actions::DeliveriesFor(t, role == "primary", hooks, t.at)) {
      LS_RETURN_IF_ERROR(store.EnqueueDelivery(row));
    }
    return Status::Ok();
  };
  options.after_transitions = [&outbox] {
    if (outbox) outbox->Wake();
  };
  auto live = service::LiveService::Start(options);
  if (!live) {
    PrintToStderr("leadscore serve: {}\n", live.error().message());
    return ExitCodeFor(live.error());
  }
  WarnOfUnknownNames(hooks, *(*live)->models());
  auto worker = actions::Outbox::Start(flags.db, hooks);
  if (!worker) {
    PrintToStderr("leadscore serve: {}\n", worker.error().message());
    return ExitCodeFor(worker.error());
  }
  outbox = std::move(*worker);

  server::ServerOptions server_options;
  server_options.threads = flags.threads;
  server_options.max_bodies_bytes = flags.bodies_mb << 20;
  actions::Outbox* outbox_ptr = outbox.get();
  server_options.extra_metrics = [outbox_ptr] {
    auto c = outbox_ptr->counters();
    return fmt::format(
        "# HELP leadscore_webhook_deliveries_total Webhook deliveries answered 2xx.\n"
        "# TYPE leadscore_webhook_deliveries_total counter\n"
        "leadscore_webhook_deliveries_total {}\n"
        "# HELP leadscore_webhook_failures_total Failed webhook attempts (retries included).\n"
        "# TYPE leadscore_webhook_failures_total counter\n"
        "leadscore_webhook_failures_total {}\n"
        "# HELP leadscore_webhook_gave_up_total Deliveries given up after the last retry.\n"
        "# TYPE leadscore_webhook_gave_up_total counter\n"
        "leadscore_webhook_gave_up_total {}\n",
        c.delivered, c.attempts_failed, c.gave_up);
  };
  server::HttpServer http(**live, server_options);
  auto listening = http.Listen(*bound);
  if (!listening) {
    PrintToStderr("leadscore serve: {}\n", listening.error().message());
    return kExitFailure;
  }
  auto set = (*live)->models();
  std::string model_text = "no model active yet (PUT /v1/model, or --model FILE)";
  if (set && set->primary()) {
    model_text = fmt::format("model {} v{}", set->primary()->name, set->primary()->version);
  }
  PrintToStderr("leadscore: serving http://{}:{} (store {}, {}, {} webhook(s))\n", host, *listening,
                flags.db, model_text, hooks.size());

  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    int received = 0;
    sigwait(&signals, &received);
    if (!finished) {
      PrintToStderr("leadscore: {} received, shutting down\n",
                    received == SIGINT ? "SIGINT" : "SIGTERM");
    }
    http.Stop();
  });
  http.Serve();  // returns once stopped, after the requests under way are answered
  (*live)->Stop();
  outbox->Stop();
  if (!finished.exchange(true)) pthread_kill(watcher.native_handle(), SIGTERM);
  watcher.join();
  PrintToStderr("leadscore: stopped\n");
  return kExitOk;
}

}  // namespace

std::function<int()> SetupServe(CLI::App& sub) {
  auto flags = std::make_shared<ServeFlags>();
  sub.add_option("--db", flags->db,
                 "The store: a SQLite file (created on first start) or a postgresql:// URL. "
                 "Default: ./leadscore.db");
  sub.add_option("--model,-m", flags->model,
                 "A model file to activate (a new version when it changed)");
  sub.add_option("--predictive", flags->predictive,
                 "A trees model (`leadscore train --kind trees`): every lead read through the "
                 "API also carries its probability of conversion and its largest contributions");
  sub.add_option("--role", flags->role, "The model's role: primary, live or shadow")
      ->default_val("primary")
      ->check(CLI::IsMember({"primary", "live", "shadow"}));
  sub.add_option("--listen", flags->listen, "HOST:PORT to listen on. Default: 127.0.0.1:8080");
  sub.add_option("--config,-c", flags->config,
                 "A YAML file with db, model, predictive, listen, sweep_interval and webhooks");
  sub.add_option(
      "--sweep-interval", flags->sweep,
      "How often every lead is re-evaluated for time-driven stage changes. "
      "Each sweep reads the whole event log once (1M leads: seconds of CPU). Default: 5m");
  sub.add_option(
         "--threads", flags->threads,
         "Worker threads for the requests that wait (reads of the store, writes of leads and "
         "outcomes until their commit); events are answered without one. Default: 16 per core")
      ->check(CLI::Range(1, 1024));
  sub.add_option("--cache-mb", flags->cache_mb,
                 "Memory for the parsed events of the leads read last: a lead read again is "
                 "not read from the store or parsed again (0: none); the rescorer keeps a "
                 "quarter of it more for the rows and stored scores of the leads it scored "
                 "last. Default: 256")
      ->check(CLI::Range(size_t{0}, size_t{1} << 20));
  sub.add_option("--bodies-mb", flags->bodies_mb,
                 "Memory for the bodies of requests being received, all connections together: "
                 "a request that would take more waits for a 503 with Retry-After: 1, before "
                 "its body is sent. A body may be 16 MB, or this much if less. Default: 256")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  sub.add_flag("--fast-commit", flags->fast_commit,
               "SQLite: a commit survives a crash of the process but not a power loss "
               "(synchronous=NORMAL)");
  return [flags] { return RunServe(*flags); };
}

}  // namespace leadscore::cli
