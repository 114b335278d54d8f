// Runs every tests/scoring/*.test file: a model, cases with expected outcomes, or a model that
// must be rejected with a given message. Each file is one gtest test named after it, so a
// failure names the feature.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

#include "engine/compiled_model.h"
#include "model/loader.h"
#include "model/test_cases.h"
#include "service/case_runner.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;

class ConformanceTest : public testing::TestWithParam<std::string> {};

TEST_P(ConformanceTest, MatchesScoringMd) {
  const std::string path = GetParam();
  YAML::Node root = YAML::LoadFile(path);
  ASSERT_TRUE(root["model"]) << path << ": needs `model: |`";
  std::string model_text = root["model"].Scalar();
  auto compiled = engine::CompileModelText(model_text, path);

  if (root["model_error"]) {
    ASSERT_FALSE(compiled) << path << ": the model should have been rejected";
    std::string all = model::FormatDiagnostics(compiled.error());
    for (const auto& expected : root["model_error"]) {
      EXPECT_NE(all.find(expected.Scalar()), std::string::npos)
          << path << ": expected a diagnostic containing \"" << expected.Scalar() << "\", got:\n"
          << all;
    }
    return;
  }
  ASSERT_TRUE(compiled) << model::FormatDiagnostics(compiled.error());
  auto suite = model::LoadTestSuite(path, model::ModelKey::kInlineModel);
  ASSERT_TRUE(suite) << model::FormatDiagnostics(suite.error());
  ASSERT_FALSE(suite->cases.empty()) << path << " has no cases";
  for (const auto& c : suite->cases) {
    auto outcome = service::RunCase(**compiled, c);
    std::string diffs;
    for (const auto& d : outcome.diffs) diffs += "  " + d + "\n";
    std::string reasons;
    for (const auto& [rule, points] : outcome.reasons) {
      reasons += rule + ":" + std::to_string(points) + " ";
    }
    EXPECT_TRUE(outcome.passed) << path << ":" << c.pos.line << ": " << c.name << "\n"
                                << diffs << "  reasons: " << reasons;
  }
}

std::vector<std::string> TestFiles() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(LEADSCORE_SCORING_DIR)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(Scoring, ConformanceTest, testing::ValuesIn(TestFiles()),
                         [](const testing::TestParamInfo<std::string>& param_info) {
                           std::string name = fs::path(param_info.param).stem().string();
                           std::replace_if(
                               name.begin(), name.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return name;
                         });

}  // namespace
}  // namespace leadscore
