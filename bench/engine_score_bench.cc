// Micro-benchmarks of the scoring hot path, each beside the floor it is measured against:
// - a compiled condition against the same test written directly in C++;
// - a rule update against a bare add of the same points;
// - the lead index against std::unordered_map.
// Run: cmake -DLEADSCORE_BUILD_BENCH=ON ... && build/bench/engine_score_bench
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/compiled_model.h"
#include "engine/lead_state.h"
#include "engine/scorer.h"
#include "service/lead_table.h"

namespace leadscore {
namespace {

std::shared_ptr<const engine::CompiledModel> Model() {
  auto m = engine::CompileModelText(R"(
engagement:
  decay: {half_life: 30d}
  rules:
    - {id: page_view, event: page_view, points: 2, max: 20}
    - {id: pricing, event: page_view, when: 'contains(url, "/pricing")', points: 10, max: 30}
    - {id: burst, event: page_view, count: 5, within: 7d, points: 10}
)",
                                    "bench.yaml");
  if (!m) std::abort();
  return *m;
}

std::vector<std::string> Urls() {
  std::vector<std::string> urls;
  for (int i = 0; i < 256; ++i) {
    urls.push_back(i % 7 == 0 ? "/pricing/team" : "/blog/post-" + std::to_string(i));
  }
  return urls;
}

void BM_MatchEventCompiled(benchmark::State& state) {
  auto model = Model();
  engine::Scorer scorer(*model);
  auto urls = Urls();
  Value props[1];
  size_t i = 0;
  for (auto _ : state) {
    props[0] = Value::String(urls[i++ & 255]);
    benchmark::DoNotOptimize(scorer.MatchEvent({0, 0, props, 0}));
  }
}
BENCHMARK(BM_MatchEventCompiled);

// The floor: the same three tests written by hand.
void BM_MatchEventHandWritten(benchmark::State& state) {
  auto urls = Urls();
  size_t i = 0;
  for (auto _ : state) {
    std::string_view url = urls[i++ & 255];
    uint64_t mask = 1 | 4 | (url.find("/pricing") != std::string_view::npos ? 2 : 0);
    benchmark::DoNotOptimize(mask);
  }
}
BENCHMARK(BM_MatchEventHandWritten);

void BM_ApplyMatchedRandomLeads(benchmark::State& state) {
  auto model = Model();
  engine::Scorer scorer(*model);
  engine::StateTable states(*model, 0);
  const uint32_t leads = static_cast<uint32_t>(state.range(0));
  for (uint32_t i = 0; i < leads; ++i) states.AddLead();
  std::mt19937 rng(1);
  Timestamp ts = 0;
  for (auto _ : state) {
    scorer.ApplyMatched(states, rng() % leads, 0, ts += 1000, 0b111);
  }
}
BENCHMARK(BM_ApplyMatchedRandomLeads)->Arg(10'000)->Arg(1'000'000);

// The floor: adding the points to a random lead's slot, nothing else.
void BM_AddToRandomSlot(benchmark::State& state) {
  const uint32_t leads = static_cast<uint32_t>(state.range(0));
  std::vector<double> sums(static_cast<size_t>(leads) * 10);
  std::mt19937 rng(1);
  for (auto _ : state) sums[static_cast<size_t>(rng() % leads) * 10] += 2;
  benchmark::DoNotOptimize(sums.data());
}
BENCHMARK(BM_AddToRandomSlot)->Arg(10'000)->Arg(1'000'000);

std::vector<std::string> LeadIds(size_t n) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back("L" + std::to_string(1'000'000 + i));
  return ids;
}

void BM_LeadTableFind(benchmark::State& state) {
  auto ids = LeadIds(static_cast<size_t>(state.range(0)));
  service::LeadTable table(0);
  std::vector<uint64_t> hashes;
  for (const auto& id : ids) {
    hashes.push_back(service::HashBytes(id));
    table.Insert(id, hashes.back());
  }
  std::mt19937 rng(2);
  for (auto _ : state) {
    size_t k = rng() % ids.size();
    benchmark::DoNotOptimize(table.Find(ids[k], hashes[k]));
  }
}
BENCHMARK(BM_LeadTableFind)->Arg(1'000'000);

void BM_UnorderedMapFind(benchmark::State& state) {
  auto ids = LeadIds(static_cast<size_t>(state.range(0)));
  std::unordered_map<std::string_view, uint32_t> map;
  for (uint32_t i = 0; i < ids.size(); ++i) map.emplace(ids[i], i);
  std::mt19937 rng(2);
  for (auto _ : state) benchmark::DoNotOptimize(map.find(ids[rng() % ids.size()]));
}
BENCHMARK(BM_UnorderedMapFind)->Arg(1'000'000);

}  // namespace
}  // namespace leadscore

BENCHMARK_MAIN();
