// parse_floor: what `leadscore score` would cost if it only read and parsed its inputs.
//
// Reads a leads file and an events file exactly as `leadscore score` does (the same
// RecordSource, the same block pipeline on the same number of threads, the same parsers pulling
// the same keys: the reserved ones and every field the model reads), and does nothing with the
// rows but count them and the bytes of their values. No conversion, dedupe, lead lookup, rule,
// ranking or output. scripts/run-bench.sh runs it beside `wc -l` and `leadscore score`, so the
// report shows how much of the read ceiling parsing alone already takes on the machine.
//
// usage: parse_floor --model M --leads L --events E [--threads N]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/compiled_model.h"
#include "ingest/record_source.h"
#include "service/block_pipeline.h"
#include "service/record_convert.h"

namespace leadscore {
namespace {

// What a block's rows amount to; summed in file order, so that no parse can be skipped.
struct Tally {
  uint64_t rows = 0;
  uint64_t errors = 0;
  uint64_t value_bytes = 0;
  void Clear() { *this = Tally{}; }
};

class CountingSink : public ingest::RowSink {
 public:
  void set_output(Tally* out) { out_ = out; }
  void OnRow(uint64_t /*line*/, std::span<const Value> values) override {
    ++out_->rows;
    for (const Value& v : values) {
      if (v.is_string()) out_->value_bytes += v.str().size();
    }
  }
  void OnError(ingest::RowError /*error*/) override { ++out_->errors; }

 private:
  Tally* out_ = nullptr;
};

// Parses `path` with `threads` workers, pulling `wanted`; adds its rows to `total`.
bool ParseFile(const std::string& path, const std::vector<std::string>& wanted, int threads,
               Tally& total) {
  auto source = ingest::RecordSource::Open(path);
  if (!source) {
    std::fprintf(stderr, "parse_floor: %s\n", source.error().message().c_str());
    return false;
  }
  // Built on each worker's thread, as `score` builds them (service::PerWorker).
  service::PerWorker<ingest::BlockParser> parsers(
      threads, [&] { return ingest::BlockParser::Create(**source, wanted); });
  service::PerWorker<CountingSink> sinks(threads, [] { return std::make_unique<CountingSink>(); });
  auto parse = [&](int worker, const ingest::Block& block, Tally& out) {
    sinks[worker].set_output(&out);
    parsers[worker].Parse(block, sinks[worker]);
  };
  auto consume = [&](Tally& tally) {
    total.rows += tally.rows;
    total.errors += tally.errors;
    total.value_bytes += tally.value_bytes;
  };
  Status status =
      service::RunBlockPipeline<Tally>(**source, threads, size_t{4} << 20, parse, consume);
  if (!status.ok()) {
    std::fprintf(stderr, "parse_floor: %s\n", status.message().c_str());
    return false;
  }
  return true;
}

int Main(int argc, char** argv) {
  std::string model_path, leads, events;
  int threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--model") == 0) {
      model_path = argv[i + 1];
    } else if (std::strcmp(argv[i], "--leads") == 0) {
      leads = argv[i + 1];
    } else if (std::strcmp(argv[i], "--events") == 0) {
      events = argv[i + 1];
    } else if (std::strcmp(argv[i], "--threads") == 0) {
      threads = std::max(1, std::atoi(argv[i + 1]));
    }
  }
  if (model_path.empty() || leads.empty() || events.empty()) {
    std::fprintf(stderr, "usage: parse_floor --model M --leads L --events E [--threads N]\n");
    return 2;
  }
  auto model = engine::LoadModel(model_path);
  if (!model) {
    std::fprintf(stderr, "parse_floor: %s does not load (try `leadscore check`)\n",
                 model_path.c_str());
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<size_t> raw_index;
  Tally lead_rows, event_rows;
  if (!ParseFile(leads, service::WantedKeys({"lead_id"}, (*model)->lead_fields(), raw_index),
                 threads, lead_rows) ||
      !ParseFile(events,
                 service::WantedKeys({"lead_id", "type", "ts", "event_id"},
                                     (*model)->event_fields(), raw_index),
                 threads, event_rows)) {
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "leads: %llu rows (%llu bad), events: %llu rows (%llu bad), %llu value bytes, "
      "%.3f s\n",
      static_cast<unsigned long long>(lead_rows.rows),
      static_cast<unsigned long long>(lead_rows.errors),
      static_cast<unsigned long long>(event_rows.rows),
      static_cast<unsigned long long>(event_rows.errors),
      static_cast<unsigned long long>(lead_rows.value_bytes + event_rows.value_bytes), seconds);
  return 0;
}

}  // namespace
}  // namespace leadscore

int main(int argc, char** argv) { return leadscore::Main(argc, argv); }
