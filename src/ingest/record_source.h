// Reading lead and event files: bytes -> blocks of whole records -> rows of Values.
//
// A RecordSource reads one file sequentially (plain or gzip, CSV or JSON Lines, chosen by the
// extension: .csv, .jsonl, .ndjson, each optionally .gz) and cuts it into Blocks that end on a
// record boundary. Blocks are independent, so several BlockParsers (one per thread) can parse
// them in parallel; the caller puts the results back in file order. Memory is bounded by the
// block size, never by the file size.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/value.h"

namespace leadscore::ingest {

enum class Format : uint8_t { kCsv, kJsonl };

// The format a path's extension names, case-insensitively: .csv -> kCsv; .jsonl, .ndjson ->
// kJsonl; each optionally followed by .gz. nullopt for anything else. (Compression is decided
// by the file's first bytes, not by the name.)
std::optional<Format> FormatFromPath(std::string_view path);

// A rejected input row: data in a report, not a failed operation.
struct RowError {
  std::string file;
  uint64_t line = 0;    // physical, 1-based; a CSV record spanning lines: where it starts
  std::string field;    // empty when the whole row is bad
  std::string message;  // e.g. "expected 6 cells, found 5"
  // False for an input that ended early just after a whole line (a gzip stream cut at a line
  // boundary): every row read was whole, so the error stands for no row and counts as neither
  // read nor skipped; it is still a problem with the input (`--strict` fails on it).
  bool is_row = true;
};

// Appends "; row skipped" to the message of an error that stands for a row.
inline void NoteRowSkipped(RowError& error) {
  if (error.is_row) error.message += "; row skipped";
}

// "leads.csv:12: field `ts`: cannot parse \"yesterday\" as a time"
std::string FormatRowError(const RowError& error);

// True for `-` (standard input) and a pipe, socket or device (`<(zcat f.gz)`): a stream, whose
// name need not say what it holds.
bool IsStream(const std::string& path);

// How reports name the input given as `path`: `stdin` for `-`, else the path.
inline std::string InputName(const std::string& path) { return path == "-" ? "stdin" : path; }

// A run of whole records cut from a file.
struct Block {
  // Whole records, whose capacity leaves room for simdjson's padding. Read them through text()
  // and readable().
  std::string bytes;
  uint64_t first_line = 0;  // physical line number of the first byte
  uint64_t index = 0;       // 0, 1, 2, ... in file order
  // Set on the last Block when the input ended early (a truncated or corrupt gzip stream, a
  // read error): every whole line before it is in `bytes`, an incomplete last line is not.
  // Also set, on a Block of no bytes, for a record too long to read (kMaxRecordBytes), which
  // was skipped. BlockParser::Parse reports it after the block's rows, like a bad row.
  std::optional<RowError> read_error;

  std::string_view text() const { return bytes; }
  // Bytes that can be read from text().data(): the records and the padding past them.
  size_t readable() const { return bytes.capacity(); }
};

class RecordSource {
 public:
  // Opens `path`. Fails with kInvalidArgument for an unknown extension, kNotFound for a missing
  // file. `-` is standard input, named `stdin` in reports; it, and a pipe whose name has no
  // known extension (`<(zcat events.jsonl.gz)`), is JSON Lines when its first byte past blanks
  // is `{`, else CSV. A pipe can be opened once (FileReader::Open). For CSV the header is read here
  // (a UTF-8 BOM is dropped, and a file that starts with a UTF-16 or UTF-32 one refused; the
  // delimiter is `,` unless the header holds no comma but does hold `;` or a tab).
  static Result<std::unique_ptr<RecordSource>> Open(const std::string& path);
  virtual ~RecordSource() = default;

  virtual Format format() const = 0;
  virtual const std::string& path() const = 0;
  // CSV only: the header's column names, in order. Empty for JSON Lines.
  virtual const std::vector<std::string>& header() const = 0;
  virtual char delimiter() const = 0;
  // CSV only: what is wrong with the header that does not stop the file being read: a name
  // given to more than one column, of which the last is read (as Python's csv.DictReader reads
  // it). One warning per such name, at the header's line, in header order. Columns with no
  // name are not reported: nothing can name them.
  virtual std::vector<RowError> header_warnings() const { return {}; }
  // CSV only: the physical line the header was read from: 1 unless blank lines come first, and
  // 1 for an empty file, where a missing column is reported. 0 for JSON Lines.
  virtual uint64_t header_line() const { return 0; }

  // The next block of about `target_bytes` (more when one record is longer), or nullopt at the
  // end. An input that ends early (a truncated or corrupt gzip stream, a read error) ends with a
  // Block whose read_error says so, after every whole line read before it; fails on errors
  // that leave nothing to read (the file cannot be read at all).
  virtual Result<std::optional<Block>> Next(size_t target_bytes = 4 << 20) = 0;

  // Bounds the bytes of one record (kMaxRecordBytes in block_source.h unless set): a longer
  // one is skipped and reported on a Block of its own. Sources that hold their records already
  // ignore it.
  virtual void set_max_record_bytes(size_t /*bytes*/) {}

  // Hands back a block the caller is done with, so that a later Next() reuses its memory
  // instead of asking the kernel for fresh pages. Optional.
  virtual void Recycle(Block&& block) {}

  // Bytes of the (decompressed) input consumed so far, for progress reports.
  virtual uint64_t bytes_read() const = 0;
  // Size of the file on disk (compressed size for .gz).
  virtual uint64_t file_size() const = 0;
};

// Receives the rows of a block in order.
class RowSink {
 public:
  virtual ~RowSink() = default;
  // `values[i]` is the value of wanted key i for this row (null when absent or an empty CSV
  // cell). CSV cells are strings, exactly as written (quotes removed); JSON values keep their
  // JSON type (numbers, strings, bools, null; arrays as their JSON text; nested objects are
  // flattened, `{"utm": {"source": "x"}}` gives key `utm.source`). The Values view the block
  // or the parser's scratch space and live until OnRow returns.
  virtual void OnRow(uint64_t line, std::span<const Value> values) = 0;
  virtual void OnError(RowError error) = 0;
  // A problem with the row that comes next to OnRow: it is read anyway, as other readers of
  // the format read it, but its reader should be told. Ignored unless a sink reports it.
  // When the warning names a `field` whose value the parser made null (a JSON number out of a
  // double's range), its message ends in "; using null".
  virtual void OnWarning(RowError /*warning*/) {}
};

// Parses blocks from one RecordSource. One BlockParser per thread; Parse may be called from
// any thread as long as calls on one parser do not overlap.
class BlockParser {
 public:
  // `wanted_keys`: the keys to extract, in slot order. For CSV, keys absent from the header
  // are always null.
  static std::unique_ptr<BlockParser> Create(const RecordSource& source,
                                             std::vector<std::string> wanted_keys);
  virtual ~BlockParser() = default;

  // Calls sink.OnRow for each good record and sink.OnError for each bad one (a CSV row with the
  // wrong number of cells, an unterminated quote, a JSON line that does not parse or is not an
  // object), in file order, then block.read_error if it has one. Blank lines are skipped.
  virtual void Parse(const Block& block, RowSink& sink) = 0;
};

}  // namespace leadscore::ingest
