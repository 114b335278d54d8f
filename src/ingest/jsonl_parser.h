// JsonlParser: the BlockParser for JSON Lines. Each non-blank line of a Block is one JSON
// object, parsed in place: plain lines by a fast path, the rest with simdjson On Demand (the
// Block's spare capacity is the padding).
//
// Rules:
//   - A line holding only spaces, tabs or "\r" is blank and skipped. "\r\n" line ends are fine.
//   - A line that is not valid JSON, whose value is not an object, or that has anything but
//     whitespace after the object is a RowError ("invalid JSON: <simdjson's message>",
//     "not a JSON object"). The whole line is checked, wanted keys or not, including string
//     escapes and UTF-8; nesting deeper than kMaxJsonDepth is reported as invalid too.
//   - Values keep their JSON type: number -> Number (a double), string -> String, true/false ->
//     Bool, null -> Null. A number too small for a double is 0 (1e-400). One too large (1e999,
//     -1e400) is valid JSON but no double: a wanted key's value is then null, reported with
//     sink.OnWarning before the row ("field `amount`: the number 1e999 is out of range; using
//     null"), and in a key not wanted it is not read, so not reported. Either way the row is
//     kept; only a number against JSON's grammar (`1e`, `01`, `+1`, `NaN`) makes it invalid.
//   - Nested objects are flattened with dots: {"utm": {"source": "x"}} gives key "utm.source".
//     The parser descends only into objects that lead to a wanted key. A wanted key whose value
//     is an array or an object gives that value's JSON text as written, as a String marked
//     is_json_text().
//   - A key given twice keeps its last value, as JSON.parse and Python's json read it; so does
//     an object given twice: {"u":{"s":"a"},"u":"x"} has no "u.s". A key spelled with a dot
//     ("u.s") and the same path through an object ({"u":{"s":}}) are one key: the later wins.
// String Values view the Block or the simdjson parser's string buffer; they live until OnRow
// returns. Not thread-safe; one parser per thread.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/value.h"
#include "ingest/record_source.h"

namespace leadscore::ingest {

inline constexpr int kMaxJsonDepth = 128;

// Why `text`, one JSON value (it may span lines), is not a record, in the words a bad line of a
// JSON Lines file gets ("invalid JSON: nested deeper than 128 levels", "not a JSON object").
// For readers that parse with another library (the service's lead and outcome bodies), so that
// a rejected record says what batch would say of it. "invalid JSON" when simdjson finds no fault.
std::string DescribeInvalidJson(std::string_view text);

class JsonlParser final : public BlockParser {
 public:
  JsonlParser(std::string file, std::vector<std::string> wanted_keys);

  void Parse(const Block& block, RowSink& sink) override;

  // For tests and fuzzing: with false, every line goes to simdjson, which the fast path must
  // agree with on every input.
  void set_fast_path(bool on) { fast_path_ = on; }

 private:
  // One wanted key, or a prefix of one ("utm" for "utm.source"), in an open-addressing table.
  struct KeyEntry {
    std::string path;
    int slot = -1;           // wanted slot, or -1 for a pure prefix
    bool descend = false;    // some wanted key starts with path + "."
    std::vector<int> below;  // the slots of those wanted keys (for KeyMet)
  };

  // A top-level key as the previous plain line had it at the same position: event files write
  // their keys in one order line after line, so the bytes of a line's key are first compared
  // with the prediction, closing quote included, and a match needs neither a scan for the
  // quote nor Find's hashing and probing.
  static constexpr size_t kMaxPredicted = 32;     // positions; later keys take Find
  static constexpr size_t kMaxPredictedKey = 15;  // bytes; with its quote, one 16-byte compare
  struct PredictedKey {
    char bytes[16] = {};  // the key, its closing quote, zeros
    uint32_t mask = 0;    // the bit of each byte that must match; 0: nothing predicted
    uint32_t length = 0;
    const KeyEntry* entry = nullptr;
  };

  // The entry of `path`, made when new (`index`: each path's entry, while the keys are added).
  KeyEntry& AddKey(std::string_view path, int slot, bool descend,
                   std::unordered_map<std::string, size_t>& index);
  const KeyEntry* Find(std::string_view path) const;
  // The prediction for the top-level key at `position` whose bytes start at `p` (just after its
  // opening quote), or nullptr when they differ. Reads 16 bytes, inside the Block's padding.
  const PredictedKey* Predicted(const char* p, size_t position) const;
  // Find for the top-level key at `position` of a line, kept as that position's prediction.
  const KeyEntry* FindTopLevel(std::string_view key, size_t position);
  // The fast path for plain lines (see jsonl_parser.cc): the byte after the line's '\n', or
  // nullptr when the line needs simdjson. Only for lines that end in '\n'.
  const char* FastLine(const char* p, uint64_t line_number, RowSink& sink);
  bool FastObject(const char*& p, size_t prefix_length, int depth);
  bool FastValue(const char*& p, const KeyEntry* entry, std::string_view path, int depth,
                 uint32_t owner);
  bool FastNumber(const char*& p, const KeyEntry* entry, Value& result);
  bool FastArray(const char*& p, int depth);
  bool FastString(const char*& p, std::string_view& text);
  // A string value with escapes: `start` is just after its opening quote, `p` at its first
  // backslash; leaves `p` at the closing quote and `text` viewing the decoded string in
  // unescaped_. False for what the fast path leaves to simdjson (see jsonl_parser.cc).
  bool ReadEscaped(const char* start, const char*& p, std::string_view& text);
  // Empties the slots for the next line.
  void ResetValues() {
    std::fill(values_.begin(), values_.end(), Value());
    if (!owner_.empty()) std::fill(owner_.begin(), owner_.end(), 0);
    ++line_serial_;
    object_count_ = 0;
  }
  // Stores `value` in the slot of `entry` (nullptr: a key not wanted), read in the object
  // `owner` (0: the line's own). A key given twice keeps its last value.
  void Keep(const KeyEntry* entry, const Value& value, uint32_t owner) {
    if (entry == nullptr || entry->slot < 0) return;
    values_[entry->slot] = value;
    if (!owner_.empty()) owner_[entry->slot] = owner;
  }
  // The id of an object a wanted key may be read in, numbered in the order objects open, so
  // that the objects inside one are the ids that follow it. 0 is the line's own object.
  uint32_t OpenObject(size_t prefix_length) { return prefix_length == 0 ? 0 : ++object_count_; }
  // Called as a key that leads to wanted keys (`entry`, descend) is met in the object `parent`.
  // When the same key came earlier in that object, the last value of the key replaces the
  // whole earlier one, so what that earlier value's objects gave is forgotten. A different key
  // with the same path (`"utm.x": {"y": 1}` then `"utm": {..}`) is another key, and keeps
  // what it gave. Returns the id the value will have if it is an object (for KeyRead).
  uint32_t KeyMet(const KeyEntry& entry, uint32_t parent) {
    const KeyReadAt& last = key_reads_[&entry - entries_.data()];
    if (last.line == line_serial_ && last.parent == parent) {
      for (int slot : entry.below) {
        if (owner_[slot] >= last.first && owner_[slot] <= last.last) {
          values_[slot] = Value();
          owner_[slot] = 0;
        }
      }
    }
    return object_count_ + 1;
  }
  // Notes the objects the value of `entry` opened, `first` to the last opened so far.
  void KeyRead(const KeyEntry& entry, uint32_t parent, uint32_t first) {
    key_reads_[&entry - entries_.data()] = {line_serial_, parent, first, object_count_};
  }
  void ParseLine(const char* line, size_t length, size_t capacity, uint64_t line_number,
                 RowSink& sink);
  simdjson::error_code WalkObject(simdjson::ondemand::object object, size_t prefix_length,
                                  int depth);
  simdjson::error_code ReadWanted(simdjson::ondemand::value value, const KeyEntry& entry,
                                  std::string_view path, int depth, uint32_t owner);
  simdjson::error_code Skip(simdjson::ondemand::value value, int depth);
  // The JSON text from `start` to the document's current position, without trailing spaces.
  simdjson::error_code TextUpToHere(const char* start, std::string_view& text);
  // Makes null each wanted value of the line still out of a double's range, with a warning.
  void ReportOutOfRange(uint64_t line_number, RowSink& sink);

  std::string file_;
  bool fast_path_ = true;
  size_t slot_count_;
  std::vector<std::pair<int, int>> duplicate_slots_;  // (source slot, copy slot)
  std::vector<KeyEntry> entries_;
  std::vector<int> table_;  // indexes into entries_, -1 empty; size a power of two
  size_t table_mask_ = 0;
  PredictedKey predicted_[kMaxPredicted];  // by position among a line's top-level keys

  simdjson::ondemand::parser parser_;
  simdjson::ondemand::document* document_ = nullptr;  // the line being parsed
  std::string padded_;  // a copy of a Block that lacks spare capacity for the padding
  // The decoded strings of the fast path's line, which starts at line_start_ (ReadEscaped);
  // unescaped_sized_ once they are sized for that line.
  const char* line_start_ = nullptr;
  bool unescaped_sized_ = false;
  std::string unescaped_;
  std::string path_;  // "a.b." while inside nested objects
  std::vector<Value> values_;
  // The wanted values of the line being parsed that were numbers out of a double's range, in
  // the order read; rare, and met only where simdjson has refused a number.
  struct OutOfRange {
    const KeyEntry* entry;
    std::string_view literal;  // in the Block
  };
  std::vector<OutOfRange> out_of_range_;
  // Per slot, the object its value was read in (OpenObject), for KeyMet; empty when no wanted
  // key is nested.
  std::vector<uint32_t> owner_;
  // Per entry that leads to wanted keys, where the line read it last: in which object, and the
  // ids of the objects its value opened (first > last: none).
  struct KeyReadAt {
    uint64_t line = 0;
    uint32_t parent = 0, first = 1, last = 0;
  };
  std::vector<KeyReadAt> key_reads_;
  uint64_t line_serial_ = 0;
  uint32_t object_count_ = 0;
};

}  // namespace leadscore::ingest
