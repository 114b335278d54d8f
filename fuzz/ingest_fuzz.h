// The shared harness of the CSV and JSON Lines fuzz targets: RecordSource (header, BOM,
// delimiter, record cutting) and the block parsers, plus the conversions of convert.h on every
// string value. The first input byte picks the block target (1..64 bytes), the rest is the
// file. Besides "never crash", it checks that tiny blocks and one big block give the same rows
// and errors (the cutter and the parser must agree on record boundaries), and for JSON Lines
// that the parser's fast path gives what simdjson alone gives.
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "ingest/convert.h"
#include "ingest/jsonl_parser.h"
#include "ingest/record_source.h"

namespace leadscore::fuzz {

namespace ingest = leadscore::ingest;

struct TextSink : ingest::RowSink {
  std::string text;
  void OnRow(uint64_t line, std::span<const Value> values) override {
    text += std::to_string(line) + ":";
    std::string scratch;
    for (const Value& value : values) {
      text += value.ToString() + "|";
      if (value.is_string()) {
        ingest::InferCsvCell(value.str());
        ingest::ParseDecimal(value.str());
        for (ValueType type : {ValueType::kNumber, ValueType::kBool, ValueType::kTime}) {
          ingest::ConvertTo(value, type, scratch);
        }
      }
    }
    text += "\n";
  }
  void OnError(ingest::RowError error) override {
    text += "E" + std::to_string(error.line) + ":" + error.message + "\n";
  }
};

// Reads `path` whole with blocks of about `target` bytes; returns the rows and errors as text,
// or the failure status. `simdjson_only`: a JSON Lines file's lines all go to simdjson, not
// the parser's fast path.
inline std::string ReadWith(const std::string& path, size_t target, std::vector<std::string> wanted,
                            bool simdjson_only = false) {
  auto source = ingest::RecordSource::Open(path);
  if (!source) return "open failed: " + source.error().ToString();
  for (size_t i = 0; i < (*source)->header().size() && i < 3; ++i) {
    wanted.push_back((*source)->header()[i]);
  }
  std::unique_ptr<ingest::BlockParser> parser;
  if (simdjson_only && (*source)->format() == ingest::Format::kJsonl) {
    auto jsonl = std::make_unique<ingest::JsonlParser>(path, wanted);
    jsonl->set_fast_path(false);
    parser = std::move(jsonl);
  } else {
    parser = ingest::BlockParser::Create(**source, wanted);
  }
  TextSink sink;
  for (const ingest::RowError& warning : (*source)->header_warnings()) {
    sink.text += "W" + ingest::FormatRowError(warning) + "\n";
  }
  uint64_t index = 0;
  for (;;) {
    auto block = (*source)->Next(target);
    if (!block) return sink.text + "next failed: " + block.error().ToString();
    if (!block->has_value()) break;
    if ((*block)->index != index++) abort();
    parser->Parse(**block, sink);
  }
  return sink.text;
}

// The whole fuzz step: write the input (after its first byte) to a temporary file ending in
// `suffix` (".csv", ".jsonl"), read it with tiny blocks and with one big block, and abort
// when the two readings differ.
inline int FuzzOneFile(const uint8_t* data, size_t size, const std::string& suffix,
                       const std::vector<std::string>& wanted) {
  if (size == 0) return 0;
  const size_t target = 1 + data[0] % 64;
  std::string path = "/tmp/ingest_fuzz_XXXXXX" + suffix;
  int fd = mkstemps(path.data(), static_cast<int>(suffix.size()));
  if (fd < 0) return 0;
  const uint8_t* body = data + 1;
  size_t left = size - 1;
  while (left > 0) {
    ssize_t wrote = write(fd, body, left);
    if (wrote <= 0) break;
    body += wrote;
    left -= static_cast<size_t>(wrote);
  }
  close(fd);
  std::string small = ReadWith(path, target, wanted);
  std::string big = ReadWith(path, size_t{4} << 20, wanted);
  // JSON Lines: the fast path for plain lines must read every line as simdjson does.
  std::string slow = suffix == ".jsonl" ? ReadWith(path, size_t{4} << 20, wanted, true) : big;
  unlink(path.c_str());
  if (small != big) {
    fprintf(stderr, "block size changed the result:\n--- target %zu\n%s\n--- 4 MiB\n%s\n", target,
            small.c_str(), big.c_str());
    abort();
  }
  if (slow != big) {
    fprintf(stderr, "the fast path changed the result:\n--- simdjson\n%s\n--- fast\n%s\n",
            slow.c_str(), big.c_str());
    abort();
  }
  return 0;
}

}  // namespace leadscore::fuzz
