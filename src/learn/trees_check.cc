#include "learn/trees_check.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace leadscore::learn {
namespace {

using nlohmann::json;

// XGBoost writes a split on a categorical feature with the condition NaN, and JSON has no such
// literal. Each NaN, Infinity or -Infinity outside a string becomes a 0 padded with spaces, so
// the parser accepts the file and every byte keeps its position for the messages.
std::string WithoutNonFiniteLiterals(std::string_view bytes) {
  std::string out(bytes);
  bool in_string = false;
  for (size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    for (std::string_view literal : {"NaN", "Infinity"}) {
      if (std::string_view(out).substr(i, literal.size()) == literal) {
        out.replace(i, literal.size(), "0" + std::string(literal.size() - 1, ' '));
        i += literal.size() - 1;
        break;
      }
    }
  }
  return out;
}

// XGBoost writes its parameters as strings ("num_feature": "2").
std::optional<int64_t> IntegerParam(const json& object, const char* name) {
  if (!object.is_object() || !object.contains(name)) return std::nullopt;
  const json& value = object[name];
  if (value.is_number_integer()) return value.get<int64_t>();
  if (!value.is_string()) return std::nullopt;
  const std::string& text = value.get_ref<const std::string&>();
  int64_t n = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

Status Bad(std::string message) { return InvalidArgument(std::move(message)); }

// The integers of array `name` of `tree`, which must hold `size` of them.
Result<std::vector<int64_t>> Integers(const json& tree, size_t t, const char* name, size_t size) {
  if (!tree.contains(name) || !tree[name].is_array()) {
    return Error(Bad(fmt::format("tree {}: no `{}` array", t, name)));
  }
  const json& array = tree[name];
  if (array.size() != size) {
    return Error(Bad(
        fmt::format("tree {}: `{}` holds {} entries for {} nodes", t, name, array.size(), size)));
  }
  std::vector<int64_t> out;
  out.reserve(size);
  for (size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_number_integer()) {
      return Error(Bad(fmt::format("tree {}: `{}` entry {} is not an integer", t, name, i)));
    }
    out.push_back(array[i].get<int64_t>());
  }
  return out;
}

Status CheckTree(const json& tree, size_t t, int64_t num_feature) {
  if (!tree.is_object()) return Bad(fmt::format("tree {}: not a JSON object", t));
  const std::optional<int64_t> num_nodes =
      IntegerParam(tree.value("tree_param", json::object()), "num_nodes");
  if (!num_nodes || *num_nodes < 1) {
    return Bad(fmt::format("tree {}: no node count (tree_param.num_nodes)", t));
  }
  const auto n = static_cast<size_t>(*num_nodes);
  LS_ASSIGN_OR_RETURN(const auto left, Integers(tree, t, "left_children", n));
  LS_ASSIGN_OR_RETURN(const auto right, Integers(tree, t, "right_children", n));
  LS_ASSIGN_OR_RETURN(const auto split, Integers(tree, t, "split_indices", n));
  // The walk reads these per node too; only their length matters here.
  for (const char* name : {"split_conditions", "default_left", "base_weights", "parents"}) {
    if (!tree.contains(name) || !tree[name].is_array() || tree[name].size() != n) {
      return Bad(fmt::format("tree {}: `{}` does not hold one entry per node ({})", t, name, n));
    }
  }
  std::vector<int64_t> split_type(n, 0);
  if (tree.contains("split_type")) {
    LS_ASSIGN_OR_RETURN(split_type, Integers(tree, t, "split_type", n));
  }

  // Walk from the root: each node must be reached once, by one parent.
  std::vector<bool> reached(n, false);
  std::vector<size_t> pending = {0};
  reached[0] = true;
  while (!pending.empty()) {
    const size_t node = pending.back();
    pending.pop_back();
    if (left[node] == -1 && right[node] == -1) continue;
    for (const int64_t child : {left[node], right[node]}) {
      if (child < 0 || static_cast<size_t>(child) >= n) {
        return Bad(fmt::format("tree {}, node {}: child {} out of range", t, node, child));
      }
      if (reached[child]) {
        return Bad(
            fmt::format("tree {}, node {}: child {} reached twice (a cycle?)", t, node, child));
      }
      reached[child] = true;
      pending.push_back(static_cast<size_t>(child));
    }
    if (split[node] < 0 || split[node] >= num_feature) {
      return Bad(fmt::format("tree {}, node {}: split on feature {}, but the model has {}", t, node,
                             split[node], num_feature));
    }
  }

  // A categorical split reads its categories as a segment of one shared array.
  bool any_categorical = false;
  for (size_t i = 0; i < n; ++i) any_categorical |= reached[i] && split_type[i] != 0;
  if (!any_categorical) return Status::Ok();
  if (!tree.contains("categories") || !tree["categories"].is_array()) {
    return Bad(fmt::format("tree {}: categorical splits without a `categories` array", t));
  }
  const size_t categories = tree["categories"].size();
  const size_t segments = tree.contains("categories_nodes") && tree["categories_nodes"].is_array()
                              ? tree["categories_nodes"].size()
                              : 0;
  LS_ASSIGN_OR_RETURN(const auto nodes, Integers(tree, t, "categories_nodes", segments));
  LS_ASSIGN_OR_RETURN(const auto starts, Integers(tree, t, "categories_segments", segments));
  LS_ASSIGN_OR_RETURN(const auto sizes, Integers(tree, t, "categories_sizes", segments));
  for (size_t s = 0; s < segments; ++s) {
    if (nodes[s] < 0 || static_cast<size_t>(nodes[s]) >= n) {
      return Bad(fmt::format("tree {}: categories of node {}, out of range", t, nodes[s]));
    }
    if (starts[s] < 0 || sizes[s] < 0 ||
        static_cast<size_t>(starts[s]) + static_cast<size_t>(sizes[s]) > categories) {
      return Bad(fmt::format("tree {}, node {}: categories {}..{} outside the {} stored", t,
                             nodes[s], starts[s], starts[s] + sizes[s], categories));
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckTreesJson(std::string_view bytes) {
  json model;
  try {
    model = json::parse(WithoutNonFiniteLiterals(bytes));
  } catch (const json::parse_error& e) {
    if (e.byte > bytes.size()) {
      return Bad(fmt::format("the JSON stops at byte {} before it is complete (cut short?)",
                             bytes.size()));
    }
    return Bad(fmt::format("not JSON: syntax error at byte {}", e.byte));
  }
  const json* learner =
      model.is_object() && model.contains("learner") ? &model["learner"] : nullptr;
  if (!learner || !learner->is_object()) return Bad("no `learner` object (not an XGBoost model?)");
  const std::optional<int64_t> num_feature =
      IntegerParam(learner->value("learner_model_param", json::object()), "num_feature");
  if (!num_feature || *num_feature < 1) {
    return Bad("no feature count (learner.learner_model_param.num_feature)");
  }
  const json booster = learner->value("gradient_booster", json::object());
  const json trees = booster.is_object() ? booster.value("model", json::object()) : json();
  if (!trees.is_object() || !trees.contains("trees") || !trees["trees"].is_array()) {
    return Bad("no trees (learner.gradient_booster.model.trees)");
  }
  const json& list = trees["trees"];
  if (trees.contains("tree_info") &&
      (!trees["tree_info"].is_array() || trees["tree_info"].size() != list.size())) {
    return Bad(fmt::format("`tree_info` does not hold one entry per tree ({})", list.size()));
  }
  if (const auto declared =
          IntegerParam(trees.value("gbtree_model_param", json::object()), "num_trees");
      declared && *declared != static_cast<int64_t>(list.size())) {
    return Bad(fmt::format("{} trees stored, {} declared (gbtree_model_param.num_trees)",
                           list.size(), *declared));
  }
  for (size_t t = 0; t < list.size(); ++t) {
    LS_RETURN_IF_ERROR(CheckTree(list[t], t, *num_feature));
  }
  return Status::Ok();
}

}  // namespace leadscore::learn
