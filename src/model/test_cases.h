// Test cases for a model ("scoring as code"): a YAML file of leads, events, an as-of time and
// what the model must say about them. `leadscore test` runs them.
//
//   cases:
//     - name: SME in IT with a demo
//       as_of: 2024-06-01
//       lead: {company_size: 50, industry: IT}
//       events:
//         - {type: demo_booked, ts: 2024-05-31}
//       expect: {score: 55, fit: 35, engagement: 20, grade: A, stage: MQL,
//                reasons: {sme: 20, demo: 20}}
//
// `grade: null` / `stage: null` expect none. `reasons` lists contributions that must appear
// with these points (others may appear too, unless `exact_reasons: true`).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

#include "core/value.h"
#include "model/diagnostic.h"

namespace leadscore::model {

using NamedValues = std::vector<std::pair<std::string, Value>>;

struct CaseEvent {
  std::string type;
  std::string ts;
  std::string event_id;
  NamedValues properties;
  SourcePos pos;
};

struct TestCase {
  std::string name;
  SourcePos pos;
  std::string as_of;
  NamedValues lead;
  std::vector<CaseEvent> events;
  std::optional<double> score, fit, engagement;
  bool expect_grade = false, expect_stage = false;
  std::optional<std::string> grade, stage;  // nullopt with expect_*: no grade / no stage
  std::vector<std::pair<std::string, double>> reasons;
  bool exact_reasons = false;
};

struct TestSuite {
  std::string file;
  std::vector<TestCase> cases;
  std::unique_ptr<std::deque<std::string>> strings = std::make_unique<std::deque<std::string>>();
};

// Reads a test-case file; every problem is a Diagnostic with its line.
// `leadscore test` runs a cases file against the model its command line names, so a `model:`
// key is an error there; the conformance files (tests/scoring/*.test) hold their model's text
// under it, read by their runner (kInlineModel).
enum class ModelKey : uint8_t { kRefused, kInlineModel };
tl::expected<TestSuite, std::vector<Diagnostic>> LoadTestSuite(
    const std::string& path, ModelKey model_key = ModelKey::kRefused);

}  // namespace leadscore::model
