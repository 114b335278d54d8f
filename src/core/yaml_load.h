// Reading a YAML document as every file of leadscore is read: with merge keys
// (`<<: *defaults`), which yaml-cpp reads as a plain key named "<<".
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace leadscore {

namespace yaml_merge_keys_detail {

// A node's place in the text and its kind: the same for every alias of one anchor, so a node
// reached again through an alias is not walked again (a chain of aliases of aliases would
// otherwise take exponential time).
using NodeId = std::tuple<int, int, int>;

inline bool IsMergeKey(const YAML::Node& key) {
  return key.IsScalar() && key.Scalar() == "<<" && key.Tag() != "!";  // "<<" quoted is a key
}

inline void Expand(YAML::Node node, std::set<NodeId>& walked) {
  if (!node.IsMap() && !node.IsSequence()) return;
  const YAML::Mark at = node.Mark();
  if (!walked.insert({at.pos, at.column, static_cast<int>(node.Type())}).second) {
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
          throw YAML::ParserException(source.Mark(), "a list after `<<` (a merge key) holds maps");
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

}  // namespace yaml_merge_keys_detail

// Replaces every `<<` key in the document with the keys of the map (or the maps, the first
// winning) it names, those the map does not write itself, as YAML 1.1 defines merge keys.
// Throws YAML::ParserException at a `<<` that does not name a map or a list of maps.
inline void ExpandMergeKeys(YAML::Node root) {
  std::set<yaml_merge_keys_detail::NodeId> walked;
  yaml_merge_keys_detail::Expand(root, walked);
}

// YAML::Load, then ExpandMergeKeys. Throws YAML::Exception as they do.
inline YAML::Node LoadYaml(const std::string& text) {
  YAML::Node root = YAML::Load(text);
  ExpandMergeKeys(root);
  return root;
}

}  // namespace leadscore
