// Fuzzes the model loader and compiler: any bytes as a model file must give a model or
// diagnostics, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/compiled_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto compiled = leadscore::engine::CompileModelText(text, "fuzz.yaml");
  (void)compiled;
  return 0;
}
