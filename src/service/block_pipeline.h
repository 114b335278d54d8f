// RunBlockPipeline: parse a file's blocks on several threads, consume the results in file order.
//
// One thread at a time pulls the next Block from the source; `parse` runs on worker threads;
// `consume` runs on the calling thread, strictly in block order, so the output of a run does
// not depend on the number of threads. An optional `finish` runs after `consume` on one more
// thread, also in block order: a serial stage cut in two, so that its halves overlap (block k
// finishing while block k + 1 is consumed). At most 2 * threads + 3 blocks are in flight.
// Blocks and Parsed values are recycled, so memory is reused rather than faulted in anew for
// every block: `parse` must start by clearing the Parsed it is given (Parsed::Clear()).
//
// A block's Parsed may hold much more than its bytes (every line of a block of bad lines is a
// problem held for `consume`, 200 bytes each against 2 for the line). With `held`, what a
// Parsed holds by that measure: while the blocks in flight (being parsed, parsed, being
// consumed) hold more than `max_held` together, no block is read, so that memory stays near
// one such block rather than all of those in flight. A block being parsed is taken to hold
// what the last one parsed held.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ingest/record_source.h"

namespace leadscore::service {

// Per-worker state (a parser, a sink, their buffers) for RunBlockPipeline's `parse`, built by
// each worker on its first block, on the worker's own thread. Built on the calling thread, two
// workers' small buffers (a row's parsed values, 16 to 80 bytes each) came out of one malloc
// arena side by side, in one cache line, and every row's write by one worker took the line
// from the other core: a run of 1M W1 leads took 7.2 s of user time against 6.4 s now. A
// worker thread's allocations come from an arena of its own (glibc gives each new thread one,
// up to 8 per core).
template <class T>
class PerWorker {
 public:
  PerWorker(int workers, std::function<std::unique_ptr<T>()> make)
      : make_(std::move(make)), items_(static_cast<size_t>(std::max(workers, 1))) {}

  // Worker `worker`'s T; built on first use. Each worker calls it only for its own index.
  T& operator[](int worker) {
    auto& item = items_[static_cast<size_t>(worker)];
    if (!item) item = make_();
    return *item;
  }

 private:
  std::function<std::unique_ptr<T>()> make_;
  std::vector<std::unique_ptr<T>> items_;
};

template <class Parsed>
Status RunBlockPipeline(ingest::RecordSource& source, int threads, size_t block_bytes,
                        const std::function<void(int worker, const ingest::Block&, Parsed&)>& parse,
                        const std::function<void(Parsed&)>& consume,
                        const std::function<void(Parsed&)>& finish = {},
                        const std::function<size_t(const Parsed&)>& held = {},
                        size_t max_held = SIZE_MAX) {
  if (threads <= 1) {
    Parsed parsed;
    while (true) {
      auto block = source.Next(block_bytes);
      if (!block) return block.error();
      if (!*block) return Status::Ok();
      parsed.Clear();
      parse(0, **block, parsed);
      source.Recycle(std::move(**block));
      consume(parsed);
      if (finish) finish(parsed);
    }
  }
  std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, Parsed> ready;
  std::deque<Parsed> to_finish;  // consumed, in block order
  std::vector<Parsed> spare;
  uint64_t next_to_read = 0, next_to_consume = 0, done_with = 0;  // done_with: recycled blocks
  // By `held`, of the blocks in flight until consumed: for one being parsed, what the last
  // block parsed held (the likeliest guess: bad lines come in runs), then what it holds.
  size_t held_now = 0, held_last = 0;
  bool done = false, consumed_all = false;
  Status failure;
  // Two per worker, the one being consumed, and with `finish` two more waiting for it or in it.
  const size_t max_in_flight = static_cast<size_t>(threads) * 2 + (finish ? 3 : 1);

  auto worker = [&](int id) {
    while (true) {
      std::optional<ingest::Block> block;
      Parsed parsed;
      uint64_t index;
      size_t guess;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] {
          // Past max_held some block is in flight, and `consume` reaches it, every block
          // before it being read already: no deadlock.
          return done || (next_to_read - done_with < max_in_flight && held_now <= max_held);
        });
        if (done) return;
        auto next = source.Next(block_bytes);
        if (!next) {
          failure = next.error();
          done = true;
          cv.notify_all();
          return;
        }
        if (!*next) {
          done = true;
          cv.notify_all();
          return;
        }
        block = std::move(**next);
        index = next_to_read++;
        guess = held_last;
        held_now += guess;
        if (!spare.empty()) {
          parsed = std::move(spare.back());
          spare.pop_back();
        }
      }
      parsed.Clear();
      parse(id, *block, parsed);
      const size_t weight = held ? held(parsed) : 0;
      std::lock_guard lock(mu);
      source.Recycle(std::move(*block));
      held_now = held_now - guess + weight;
      held_last = weight;
      ready.emplace(index, std::move(parsed));
      cv.notify_all();
    }
  };
  auto finisher = [&] {
    while (true) {
      Parsed parsed;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !to_finish.empty() || consumed_all; });
        if (to_finish.empty()) return;
        parsed = std::move(to_finish.front());
        to_finish.pop_front();
      }
      finish(parsed);
      std::lock_guard lock(mu);
      spare.push_back(std::move(parsed));
      ++done_with;
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back(worker, i);
  std::thread finishing;
  if (finish) finishing = std::thread(finisher);
  while (true) {
    Parsed parsed;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] {
        return ready.count(next_to_consume) || (done && next_to_consume == next_to_read);
      });
      auto it = ready.find(next_to_consume);
      if (it == ready.end()) break;
      parsed = std::move(it->second);
      ready.erase(it);
      ++next_to_consume;
    }
    const size_t weight = held ? held(parsed) : 0;  // before `consume` may release it
    consume(parsed);
    std::lock_guard lock(mu);
    held_now -= weight;
    if (finish) {
      to_finish.push_back(std::move(parsed));
    } else {
      spare.push_back(std::move(parsed));
      ++done_with;
    }
    cv.notify_all();
  }
  {
    std::lock_guard lock(mu);
    consumed_all = true;
    cv.notify_all();
  }
  if (finishing.joinable()) finishing.join();
  for (auto& t : pool) t.join();
  return failure;
}

}  // namespace leadscore::service
