// yaml-cpp throws; this is the one file of learn/ that calls it, so every exception stops here
// and becomes a message with a position.
#include "learn/feature_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "core/read_file.h"
#include "core/yaml_load.h"
#include "core/yaml_problem.h"

namespace leadscore::learn {
namespace {

std::string Where(const std::string& path, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return path;
  return fmt::format("{}:{}:{}", path, mark.line + 1, mark.column + 1);
}

Status Bad(const std::string& path, const YAML::Node& node, const std::string& message) {
  return InvalidArgument(fmt::format("{}: {}", Where(path, node), message));
}

Result<std::string> ScalarText(const std::string& path, const YAML::Node& node,
                               std::string_view what) {
  if (!node.IsScalar() || node.as<std::string>().empty()) {
    return Error(Bad(path, node, fmt::format("{} must be a non-empty text", what)));
  }
  return node.as<std::string>();
}

Result<FeatureConfig> Parse(const std::string& path, const YAML::Node& root) {
  FeatureConfig config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) {
    return Error(Bad(path, root, "a feature config is a map with `exclude` and `derived`"));
  }
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (key == "exclude") {
      if (!value.IsSequence()) return Error(Bad(path, value, "`exclude` is a list of columns"));
      for (const YAML::Node& column : value) {
        LS_ASSIGN_OR_RETURN(std::string name, ScalarText(path, column, "a column in `exclude`"));
        config.exclude.push_back(std::move(name));
      }
    } else if (key == "derived") {
      if (!value.IsSequence()) {
        return Error(Bad(path, value, "`derived` is a list of {name, expr} entries"));
      }
      std::set<std::string> names;
      for (const YAML::Node& item : value) {
        if (!item.IsMap()) return Error(Bad(path, item, "a derived column is {name, expr}"));
        DerivedColumn column;
        for (const auto& field : item) {
          const std::string k = field.first.as<std::string>();
          if (k == "name") {
            LS_ASSIGN_OR_RETURN(column.name, ScalarText(path, field.second, "`name`"));
          } else if (k == "expr") {
            LS_ASSIGN_OR_RETURN(column.expr, ScalarText(path, field.second, "`expr`"));
          } else {
            return Error(Bad(path, field.first,
                             fmt::format("unknown key `{}` in a derived column (name, expr)", k)));
          }
        }
        if (column.name.empty() || column.expr.empty()) {
          return Error(Bad(path, item, "a derived column needs both `name` and `expr`"));
        }
        if (!names.insert(column.name).second) {
          return Error(
              Bad(path, item, fmt::format("derived column `{}` is defined twice", column.name)));
        }
        config.derived.push_back(std::move(column));
      }
    } else {
      return Error(
          Bad(path, entry.first,
              fmt::format("unknown key `{}` (a feature config has exclude, derived)", key)));
    }
  }
  return config;
}

}  // namespace

Result<FeatureConfig> LoadFeatureConfig(const std::string& path) {
  // Read here rather than by YAML::LoadFile, which throws an I/O error on a directory.
  LS_ASSIGN_OR_RETURN(const std::string text, ReadWholeFile(path, "a feature config"));
  try {
    return Parse(path, LoadYaml(text));
  } catch (const YAML::Exception& e) {
    return Error(InvalidArgument(
        fmt::format("{}:{}:{}: {}", path, e.mark.line + 1, e.mark.column + 1, YamlProblem(e))));
  }
}

}  // namespace leadscore::learn
