// libFuzzer target for the JSON Lines reader (see ingest_fuzz.h).
#include "ingest_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return leadscore::fuzz::FuzzOneFile(data, size, ".jsonl",
                                      {"a", "b", "lead_id", "utm.source", "utm", "a.b.c", "a"});
}
