// Prefault: makes the kernel back memory a table has reserved but not written yet, on a
// thread of its own, so that the thread filling the table does not stop at every new page.
//
// On the VMs we measure on, the first touch of fresh memory is dear (the kernel zeroes each
// page, and the hypervisor backs it): filling the lead table of a 1M-lead run spent three
// quarters of its time in the kernel's page zeroing, on the one thread the leads' serial stage
// runs on, while the other core was mostly idle. MADV_POPULATE_WRITE (Linux 5.14) faults pages
// in as a write would, without changing a byte, so it may run beside the thread that writes
// them. Elsewhere, or on an older kernel, nothing happens.
#pragma once

#include <cstddef>
#include <span>
#include <thread>
#include <vector>

namespace leadscore {

// The bytes of `v`'s capacity past its size: what it has reserved and not yet written.
template <class Vector>
std::span<const std::byte> SpareCapacity(const Vector& v) {
  const auto* begin = reinterpret_cast<const std::byte*>(v.data() + v.size());
  return {begin, (v.capacity() - v.size()) * sizeof(*v.data())};
}

// Faults `regions` in on a new thread, all of them from their start at the same relative pace;
// stops early when the returned thread is asked to stop (its destructor asks and joins).
std::jthread PrefaultInBackground(std::vector<std::span<const std::byte>> regions);

}  // namespace leadscore
