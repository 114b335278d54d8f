// libFuzzer target for the CSV reader (see ingest_fuzz.h).
#include "ingest_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The header's own first columns are wanted too, so that real cells are extracted.
  return leadscore::fuzz::FuzzOneFile(data, size, ".csv", {"a", "b", "lead_id", "a"});
}
