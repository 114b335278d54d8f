// Reading a YAML document as every file of leadscore is read: UTF-8 only, with merge keys
// (`<<: *defaults`), which yaml-cpp reads as a plain key named "<<".
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadscore {

// Replaces every `<<` key in the document with the keys of the map (or the maps, the first
// winning) it names, those the map does not write itself, as YAML 1.1 defines merge keys.
// Throws YAML::ParserException at a `<<` that does not name a map or a list of maps.
void ExpandMergeKeys(YAML::Node root);

// The 1-based line where a second YAML document starts: a `---` marker at the start of a line
// after a first marker or after content (a line that is not blank, a comment or a directive).
std::optional<int> SecondDocumentLine(std::string_view yaml);

// YAML::Load of UTF-8 text, then ExpandMergeKeys. Throws YAML::Exception as they do; for text
// that is not UTF-8 (at its first bad byte, with the iconv command that converts it) or holds a
// control character; for a second document (`---`), which YAML::Load would leave unread; for a
// quoted string that never closes (which yaml-cpp reads to the end of
// the file); and, for a parse error on a line indented with a tab, yaml-cpp's message and what
// is wrong.
YAML::Node LoadYaml(const std::string& text);

// A YAML boolean as leadscore's files write it: true, True, TRUE or yes; false, False, FALSE or
// no. nullopt for anything else (the caller reports it: `1` or `treu` is no boolean).
std::optional<bool> YamlBool(const YAML::Node& node);

// The keys of map `node` that repeat an earlier key of it, in order. yaml-cpp keeps both, and
// a reader that looks keys up sees only one, so a second `score:` would silently go unread.
std::vector<YAML::Node> RepeatedKeys(const YAML::Node& node);

}  // namespace leadscore
