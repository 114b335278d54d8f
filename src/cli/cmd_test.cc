// leadscore test: run a model's test cases like unit tests.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "core/print_stderr.h"
#include "engine/rounding.h"
#include "model/test_cases.h"
#include "service/case_runner.h"

namespace leadscore::cli {
namespace {

namespace fs = std::filesystem;

// MODEL's cases: `<stem>.cases.yaml` beside it, else `cases.yaml` beside it.
std::string DefaultCasesPath(const std::string& model_path) {
  fs::path model(model_path);
  fs::path named = model.parent_path() / (model.stem().string() + ".cases.yaml");
  if (fs::exists(named)) return named.string();
  return (model.parent_path() / "cases.yaml").string();
}

int RunTest(const std::string& model_path, std::string cases_path, bool verbose) {
  auto model = LoadModelOrReport(model_path);
  if (!model) return kExitFailure;
  if (cases_path.empty()) {
    cases_path = DefaultCasesPath(model_path);
    if (!fs::exists(cases_path)) {
      const fs::path model(model_path);
      PrintToStderr(
          "test: no test cases for {}: neither {} nor {} exists; give the cases file\n", model_path,
          (model.parent_path() / (model.stem().string() + ".cases.yaml")).string(), cases_path);
      return kExitFailure;
    }
  }
  auto suite = model::LoadTestSuite(cases_path);
  if (!suite) {
    std::fputs(model::FormatDiagnostics(suite.error()).c_str(), stderr);
    return kExitFailure;
  }
  int passed = 0, failed = 0;
  for (const auto& test_case : suite->cases) {
    auto outcome = service::RunCase(*model, test_case);
    std::string where = fmt::format("{}:{}", cases_path, test_case.pos.line);
    if (outcome.passed) {
      ++passed;
      fmt::print("PASS  {}\n", test_case.name);
      if (!verbose) continue;
    } else {
      ++failed;
      fmt::print("FAIL  {}  ({})\n", test_case.name, where);
      for (const auto& d : outcome.diffs) fmt::print("        {}\n", d);
    }
    std::string reasons;
    for (const auto& [rule, points] : outcome.reasons) {
      reasons +=
          fmt::format("{}{}:{}", reasons.empty() ? "" : "; ", rule, engine::FormatScore(points));
    }
    fmt::print("        actual: score {}, fit {}, engagement {}, grade {}, stage {}\n",
               engine::FormatScore(outcome.score.score), engine::FormatScore(outcome.score.fit),
               engine::FormatScore(outcome.score.engagement),
               outcome.score.grade >= 0 ? model->grades()[outcome.score.grade].id : "(none)",
               outcome.score.stage >= 0 ? model->stages()[outcome.score.stage].id : "(none)");
    fmt::print("        reasons: {}\n", reasons.empty() ? "(none)" : reasons);
  }
  fmt::print("{} passed, {} failed\n", passed, failed);
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace

std::function<int()> SetupTest(CLI::App& sub) {
  struct Args {
    std::string model, cases;
    bool verbose = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("model", args->model, "Model file (YAML)")->required();
  sub.add_option(
      "cases", args->cases,
      "Test cases (YAML). Default: <model>.cases.yaml, else cases.yaml beside the model");
  sub.add_flag("--verbose,-v", args->verbose, "Print the actual outcome of passing cases too");
  sub.footer(
      "Each case gives a lead, its events, as_of and what to expect (score, fit, engagement, "
      "grade, stage, reasons). Exit code 1 when any case fails. See docs/model-file.md.");
  return [args] { return RunTest(args->model, args->cases, args->verbose); };
}

}  // namespace leadscore::cli
