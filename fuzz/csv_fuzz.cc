// libFuzzer target for the CSV reader (see ingest_fuzz.h), and for the bound on a quoted
// field's length that the block cut and the parser share (kMaxQuotedBytes).
#include <algorithm>
#include <string_view>

#include "ingest/csv_parser.h"
#include "ingest/csv_source.h"
#include "ingest_fuzz.h"

namespace {

namespace ingest = leadscore::ingest;

// `text` read in blocks cut by FindCsvCut for `target` bytes, quoted fields bounded to `bound`
// bytes: the rows and errors as text.
std::string ReadBounded(std::string_view text, size_t target, size_t bound) {
  ingest::CsvParser parser("f.csv", {"a", "b", "c"}, ',', {"a", "b", "c"});
  parser.set_max_quoted_bytes(bound);
  leadscore::fuzz::TextSink sink;
  uint64_t line = 1;
  while (!text.empty()) {
    size_t cut = ingest::FindCsvCut(text, target, ',', bound);
    if (cut == std::string_view::npos) cut = text.size();  // the end of the input
    std::string bytes(text.substr(0, cut));
    bytes.reserve(bytes.size() + 64);
    parser.Parse(ingest::Block{bytes, line, 0, {}}, sink);
    line += static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
    text.remove_prefix(cut);
  }
  return sink.text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The header's own first columns are wanted too, so that real cells are extracted.
  leadscore::fuzz::FuzzOneFile(data, size, ".csv", {"a", "b", "lead_id", "a"});
  if (size == 0) return 0;
  // kMaxQuotedBytes is 64 MiB, which no input here reaches: the same rule with a bound of a
  // few bytes, so that it falls everywhere. Tiny blocks and one block must read alike.
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t target = 1 + data[0] % 64;
  const size_t bound = 1 + data[0] * 7u % 23;
  const std::string small = ReadBounded(text, target, bound);
  const std::string whole = ReadBounded(text, text.size() + 1, bound);
  if (small != whole) {
    fprintf(stderr,
            "fields bounded to %zu bytes, block size changed the result:\n--- target "
            "%zu\n%s\n--- one block\n%s\n",
            bound, target, small.c_str(), whole.c_str());
    abort();
  }
  return 0;
}
