// Micro-benchmarks of the scoring hot path, each beside the floor it is measured against:
// - a compiled condition against the same test written directly in C++;
// - a rule update against a bare add of the same points, and W1's stream of updates (two ways of
//   fetching the rows ahead) against a bare add to the same rows;
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

// The batch apply of W1: a stream of events over 1M leads in time order, mostly page views,
// each applied to its lead's state row. Two ways of fetching the rows ahead: one row 8 events
// ahead of each event (as `score` did until 2026-12-06), and the rows of the next 16 events
// together before 16 are applied (as `score` does now). Beside them, the floor: one add to each
// event's row, its row fetched 8 events ahead.
struct StreamEvent {
  uint32_t lead;
  int type_id;
  Timestamp ts;
  uint64_t mask;
};

// bench/w1-model.yaml (its path is compiled in by bench/CMakeLists.txt).
std::shared_ptr<const engine::CompiledModel> W1Model() {
  auto m = engine::LoadModel(LEADSCORE_W1_MODEL);
  if (!m) std::abort();
  return *m;
}

std::vector<StreamEvent> W1Stream(const engine::CompiledModel& model, uint32_t leads, size_t n) {
  std::mt19937_64 rng(3);
  const int page_view = model.EventTypeId("page_view");
  const int email_open = model.EventTypeId("email_open");
  std::vector<StreamEvent> events(n);
  Timestamp ts = 0;
  for (auto& e : events) {
    ts += 500'000;
    e.lead = static_cast<uint32_t>(rng() % leads);
    e.ts = ts;
    if (rng() % 10 < 8) {  // a page view: the view and the burst, a pricing page one in 7
      // Bits of RulesForType(page_view): 0 page_view, 1 pricing, 4 burst.
      e.type_id = page_view;
      e.mask = 0b10001 | (rng() % 7 == 0 ? 0b10 : 0);
    } else {
      e.type_id = email_open;
      e.mask = 1;
    }
  }
  return events;
}

// One table and one stream for the three: the cost of a miss on this VM depends on how the host
// backs the pages (the one-by-one apply of an experimental build took 29 to 99 ns an event from
// one process to the next), so the variants are compared on the same memory, in one process.
struct W1Apply {
  std::shared_ptr<const engine::CompiledModel> model = W1Model();
  engine::StateTable states{*model, 0};
  std::vector<StreamEvent> events;
  W1Apply() {
    const uint32_t leads = 1'000'000;
    states.Reserve(leads);
    for (uint32_t i = 0; i < leads; ++i) states.AddLead();
    events = W1Stream(*model, leads, size_t{1} << 22);
  }
  static W1Apply& Get() {
    static W1Apply* shared = new W1Apply;
    return *shared;
  }
};

void BM_ApplyW1StreamOneByOne(benchmark::State& state) {
  W1Apply& w = W1Apply::Get();
  engine::Scorer scorer(*w.model);
  const size_t mask = w.events.size() - 1;
  size_t i = 0;
  for (auto _ : state) {
    const StreamEvent& e = w.events[i];
    w.states.Prefetch(w.events[(i + 8) & mask].lead);
    scorer.ApplyMatched(w.states, e.lead, e.type_id, e.ts, e.mask);
    i = (i + 1) & mask;
  }
}
BENCHMARK(BM_ApplyW1StreamOneByOne);

// The rows of the next group of events prefetched in a loop of nothing else, then a group applied.
void BM_ApplyW1StreamGrouped(benchmark::State& state) {
  W1Apply& w = W1Apply::Get();
  engine::Scorer scorer(*w.model);
  const size_t group = static_cast<size_t>(state.range(0));
  size_t i = 0;
  for (auto _ : state) {
    for (size_t j = i + group; j < i + 2 * group && j < w.events.size(); ++j) {
      w.states.Prefetch(w.events[j].lead);
    }
    for (size_t j = i; j < i + group; ++j) {
      const StreamEvent& e = w.events[j];
      scorer.ApplyMatched(w.states, e.lead, e.type_id, e.ts, e.mask);
    }
    i += group;
    if (i + group > w.events.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(group));
}
BENCHMARK(BM_ApplyW1StreamGrouped)->Arg(16);

void BM_AddW1Stream(benchmark::State& state) {
  W1Apply& w = W1Apply::Get();
  const size_t mask = w.events.size() - 1;
  size_t i = 0;
  for (auto _ : state) {
    w.states.Prefetch(w.events[(i + 8) & mask].lead);
    w.states.Row(w.events[i].lead)[0].sum += 1;
    i = (i + 1) & mask;
  }
}
BENCHMARK(BM_AddW1Stream);

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
