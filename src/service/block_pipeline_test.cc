#include "service/block_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace leadscore::service {
namespace {

// Blocks "0", "1", ... from memory: only Next matters to the pipeline.
class CountingSource final : public ingest::RecordSource {
 public:
  explicit CountingSource(int blocks) : blocks_(blocks) {}
  ingest::Format format() const override { return ingest::Format::kJsonl; }
  const std::string& path() const override { return path_; }
  const std::vector<std::string>& header() const override { return header_; }
  char delimiter() const override { return ','; }
  uint64_t bytes_read() const override { return 0; }
  uint64_t file_size() const override { return 0; }
  Result<std::optional<ingest::Block>> Next(size_t /*target_bytes*/) override {
    if (next_ == blocks_) return std::optional<ingest::Block>();
    ingest::Block block;
    block.index = static_cast<uint64_t>(next_);
    block.bytes = std::to_string(next_++);
    return std::optional<ingest::Block>(std::move(block));
  }

 private:
  int blocks_;
  int next_ = 0;
  std::string path_ = "memory";
  std::vector<std::string> header_;
};

struct Parsed {
  int block = -1;
  size_t problems = 0;
  void Clear() { block = -1, problems = 0; }
};

// Each block is consumed once, in order, whatever the threads; with blocks that each hold more
// problems than `max_held`, past the first ones none is parsed while another waits for
// `consume` or is in it, so that only one block's problems are held at a time.
TEST(BlockPipelineTest, BlocksOfManyProblemsAreHeldOneAtATime) {
  for (const bool heavy : {false, true}) {
    CountingSource source(40);
    std::mutex mu;
    int unconsumed = 0;  // parsed, and not through `consume` yet
    int most_unconsumed = 0;
    std::vector<int> order;
    auto parse = [&](int, const ingest::Block& block, Parsed& out) {
      out.block = std::stoi(std::string(block.text()));
      {
        std::lock_guard lock(mu);
        ++unconsumed;
        // The first blocks are read before any says what a block holds.
        if (out.block >= 2) most_unconsumed = std::max(most_unconsumed, unconsumed);
      }
      out.problems = heavy ? 1000 : 1;
    };
    auto consume = [&](Parsed& parsed) {
      order.push_back(parsed.block);
      std::lock_guard lock(mu);
      --unconsumed;
    };
    const Status status = RunBlockPipeline<Parsed>(
        source, 2, 1, parse, consume, {}, [](const Parsed& p) { return p.problems; }, 500);
    ASSERT_TRUE(status.ok()) << status.message();
    std::vector<int> expected(40);
    for (int i = 0; i < 40; ++i) expected[i] = i;
    EXPECT_EQ(order, expected);
    if (heavy) EXPECT_EQ(most_unconsumed, 1);
  }
}

}  // namespace
}  // namespace leadscore::service
