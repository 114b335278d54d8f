#include "core/yaml_load.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "core/utf8.h"

namespace leadscore {
namespace {

// A node's place in the text and its kind: the same for every alias of one anchor, so a node
// reached again through an alias is not walked again (a chain of aliases of aliases would
// otherwise take exponential time).
using NodeId = std::pair<int, int>;  // position, type

bool IsMergeKey(const YAML::Node& key) {
  return key.IsScalar() && key.Scalar() == "<<" && key.Tag() != "!";  // "<<" quoted is a key
}

void Expand(YAML::Node node, std::set<NodeId>& walked) {
  if (!node.IsMap() && !node.IsSequence()) return;
  const YAML::Mark at = node.Mark();
  if (!walked.insert({at.pos, static_cast<int>(node.Type())}).second) {
    return;
  }
  std::vector<YAML::Node> sources;  // the maps of `<<`, first one first
  YAML::Node merge_key;             // null until found: a Node tests as defined even then
  bool merges = false;
  for (auto entry : node) {
    if (node.IsSequence()) {
      Expand(entry, walked);
      continue;
    }
    Expand(entry.second, walked);  // a source's own `<<` first
    if (!IsMergeKey(entry.first)) continue;
    merge_key = entry.first;
    merges = true;
    const YAML::Node& value = entry.second;
    if (value.IsMap()) {
      sources.push_back(value);
    } else if (value.IsSequence()) {
      for (const YAML::Node& source : value) {
        if (!source.IsMap()) {
          throw YAML::ParserException(source.Mark(),
                                      "a list after `<<` (a merge key) may hold only maps");
        }
        sources.push_back(source);
      }
    } else {
      throw YAML::ParserException(
          value.Mark(),
          "`<<` (a merge key) takes a map, such as an alias `*defaults`, or a list "
          "of maps");
    }
  }
  if (!merges) return;
  node.remove(merge_key);
  // A key the map writes itself wins, then the first source that has it.
  std::set<std::string> written;
  for (const auto& entry : node) written.insert(entry.first.Scalar());
  for (const YAML::Node& source : sources) {
    for (const auto& entry : source) {
      if (written.insert(entry.first.Scalar()).second) {
        node.force_insert(entry.first, entry.second);
      }
    }
  }
}

// A place in `text` as yaml-cpp marks it (0-based line and column).
YAML::Mark MarkAt(std::string_view text, size_t offset) {
  YAML::Mark mark;
  mark.pos = static_cast<int>(offset);
  const size_t line_start = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  mark.line = static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
  mark.column =
      static_cast<int>(line_start == std::string_view::npos ? offset : offset - line_start - 1);
  return mark;
}

// A file in another encoding than UTF-8 would read as YAML of the wrong text (a Latin-1 "é"
// never equals the data's UTF-8 one) or not at all (UTF-16): refused, with the way to convert.
// So is a control character, which YAML does not allow: yaml-cpp reports a NUL on another line
// than its own, as an "unknown escape character".
void RequireYamlText(std::string_view text) {
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF") ||
      text.starts_with(std::string_view("\0\0\xFE\xFF", 4))) {
    throw YAML::ParserException(YAML::Mark(),
                                "the file is UTF-16 or UTF-32 (it starts with such a byte-order "
                                "mark); YAML files are UTF-8: convert it, e.g. iconv -f UTF-16 -t "
                                "UTF-8");
  }
  if (const size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos) {
    throw YAML::ParserException(MarkAt(text, bad),
                                "bytes that are not UTF-8 (is the file Latin-1 or Windows-1252? "
                                "convert it: iconv -f latin1 -t utf-8)");
  }
  auto is_control = [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7F;
  };
  if (auto it = std::find_if(text.begin(), text.end(), is_control); it != text.end()) {
    throw YAML::ParserException(
        MarkAt(text, static_cast<size_t>(it - text.begin())),
        *it == '\0' ? std::string("a NUL byte, which YAML does not allow (is the file UTF-16 "
                                  "without a byte-order mark, or binary?)")
                    : fmt::format("a control character (byte 0x{:02X}), which YAML does not "
                                  "allow (is this a binary file?)",
                                  static_cast<unsigned char>(*it)));
  }
}

// Whether line `line` (0-based) of `text` is indented with a tab, which YAML does not allow:
// yaml-cpp then says only "illegal map value" or the like.
bool IndentedWithTab(std::string_view text, int line) {
  size_t start = 0;
  for (int k = 0; k < line && start != std::string_view::npos; ++k) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  if (start == std::string_view::npos) return false;
  const size_t indent_end = text.find_first_not_of(" \t", start);
  return text.substr(start, indent_end - start).find('\t') != std::string_view::npos;
}

// Whether the quoted scalar that opens at `start` of `text` (a `"` or a `'`) is closed.
bool QuoteCloses(std::string_view text, size_t start) {
  const char quote = text[start];
  for (size_t i = start + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;  // the escaped character, a quote included
    } else if (text[i] == quote) {
      if (quote == '"' || i + 1 == text.size() || text[i + 1] != '\'') return true;
      ++i;  // '' is a quote inside single quotes
    }
  }
  return false;
}

// yaml-cpp reads a quoted string that never ends to the end of the file (`name: "saas` takes
// every line after it as the name) where YAML makes it an error: refused at its opening quote.
void RequireClosedQuotes(const YAML::Node& node, std::string_view text, std::set<NodeId>& walked) {
  const YAML::Mark at = node.Mark();
  if (node.IsScalar()) {
    const size_t pos = static_cast<size_t>(at.pos);
    if (node.Tag() == "!" && pos < text.size() && (text[pos] == '"' || text[pos] == '\'') &&
        !QuoteCloses(text, pos)) {
      throw YAML::ParserException(
          at, fmt::format("this quoted text never ends: no closing {} before the end of the file",
                          text[pos]));
    }
    return;
  }
  if (!node.IsMap() && !node.IsSequence()) return;
  if (!walked.insert({at.pos, static_cast<int>(node.Type())}).second) return;
  for (auto entry : node) {
    if (node.IsSequence()) {
      RequireClosedQuotes(entry, text, walked);
    } else {
      RequireClosedQuotes(entry.first, text, walked);
      RequireClosedQuotes(entry.second, text, walked);
    }
  }
}

}  // namespace

std::optional<int> SecondDocumentLine(std::string_view yaml) {
  bool seen = false;  // a marker or content
  int number = 0;
  for (size_t at = 0; at < yaml.size();) {
    size_t end = yaml.find('\n', at);
    if (end == std::string_view::npos) end = yaml.size();
    std::string_view line = yaml.substr(at, end - at);
    at = end + 1;
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    const bool marker =
        line.starts_with("---") && (line.size() == 3 || line[3] == ' ' || line[3] == '\t');
    if (marker) {
      if (seen) return number;
      seen = true;
      continue;
    }
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    if (first == 0 && line[0] == '%') continue;  // a directive, before the first marker
    seen = true;
  }
  return std::nullopt;
}

void ExpandMergeKeys(YAML::Node root) {
  std::set<NodeId> walked;
  Expand(root, walked);
}

YAML::Node LoadYaml(const std::string& text) {
  RequireYamlText(text);
  // YAML::Load reads the first document only: what follows a second `---` would go unread.
  // Found in the text: yaml-cpp's LoadAll loops without end, filling memory, on some
  // malformed input.
  if (std::optional<int> line = SecondDocumentLine(text)) {
    YAML::Mark mark;
    mark.line = *line - 1;
    mark.column = 0;
    throw YAML::ParserException(
        mark, "this file holds one YAML document; another starts here (after `---`)");
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    if (!IndentedWithTab(text, e.mark.line)) throw;
    throw YAML::ParserException(e.mark, e.msg +
                                            "; this line is indented with a tab, and YAML "
                                            "indents with spaces only");
  }
  std::set<NodeId> walked;
  RequireClosedQuotes(root, text, walked);
  ExpandMergeKeys(root);
  return root;
}

std::optional<bool> YamlBool(const YAML::Node& node) {
  if (!node.IsScalar()) return std::nullopt;
  const std::string& s = node.Scalar();
  if (s == "true" || s == "True" || s == "TRUE" || s == "yes") return true;
  if (s == "false" || s == "False" || s == "FALSE" || s == "no") return false;
  return std::nullopt;
}

std::vector<YAML::Node> RepeatedKeys(const YAML::Node& node) {
  std::vector<YAML::Node> out;
  if (!node.IsMap()) return out;
  std::set<std::string> seen;
  for (const auto& entry : node) {
    if (entry.first.IsScalar() && !seen.insert(entry.first.Scalar()).second) {
      out.push_back(entry.first);
    }
  }
  return out;
}

}  // namespace leadscore
