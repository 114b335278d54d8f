// yaml-cpp throws; this is the one file of actions/ that calls it, so every exception stops here
// and becomes a message with a position.
#include "actions/webhook_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "core/time.h"

namespace leadscore::actions {
namespace {

constexpr std::string_view kKeys[] = {"name",      "url",    "secret",       "stages",
                                      "on",        "model",  "max_attempts", "retry_base",
                                      "retry_max", "timeout"};

struct Pos {
  int line = 0;
  int column = 0;
};

Pos PosOf(const YAML::Node& node) {
  YAML::Mark mark = node.Mark();
  if (mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

class Parser {
 public:
  explicit Parser(const std::string& file) : file_(file) {}

  void Run(const YAML::Node& list);
  Result<std::vector<WebhookConfig>> Finish();

 private:
  void Error(Pos pos, const std::string& message) {
    errors_.push_back({pos, fmt::format("{}:{}:{}: {}", file_, pos.line, pos.column, message)});
  }
  void Error(const YAML::Node& node, const std::string& message) { Error(PosOf(node), message); }

  std::optional<WebhookConfig> ReadHook(const YAML::Node& node);
  std::optional<std::string> Text(const YAML::Node& node, std::string_view what);
  std::optional<std::vector<std::string>> TextList(const YAML::Node& node, std::string_view what);
  std::optional<Duration> ReadDuration(const YAML::Node& node, std::string_view what);

  std::string file_;
  std::vector<WebhookConfig> hooks_;
  std::map<std::string, Pos> names_;
  std::vector<std::pair<Pos, std::string>> errors_;
};

std::optional<std::string> Parser::Text(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) {
    Error(node, fmt::format("{} must be a single value", what));
    return std::nullopt;
  }
  return node.Scalar();
}

// A list of values, or one value standing for a list of one.
std::optional<std::vector<std::string>> Parser::TextList(const YAML::Node& node,
                                                         std::string_view what) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      auto text = Text(item, fmt::format("each of {}", what));
      if (!text) return std::nullopt;
      out.push_back(*text);
    }
  }
  if (out.empty()) {
    Error(node, fmt::format("{} must be a non-empty list", what));
    return std::nullopt;
  }
  return out;
}

std::optional<Duration> Parser::ReadDuration(const YAML::Node& node, std::string_view what) {
  auto text = Text(node, what);
  if (!text) return std::nullopt;
  auto micros = ParseDuration(*text);
  if (!micros) {
    Error(node, fmt::format("{}: `{}` is not a duration; write a positive number and a unit s, m, "
                            "h, d or w (`1s`, `0.5s`, `1h`)",
                            what, *text));
    return std::nullopt;
  }
  return Duration(*micros);
}

std::optional<WebhookConfig> Parser::ReadHook(const YAML::Node& node) {
  if (!node.IsMap()) {
    Error(node, "each webhook must be a map (name, url, secret, ...)");
    return std::nullopt;
  }
  size_t errors_before = errors_.size();
  std::set<std::string> seen;
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    if (!seen.insert(key).second) {
      Error(entry.first, fmt::format("duplicate key `{}` in a webhook", key));
    } else if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) {
      Error(entry.first, fmt::format("unknown key `{}` in a webhook; the keys are {}", key,
                                     fmt::join(kKeys, ", ")));
    }
  }

  WebhookConfig hook;
  if (!node["name"]) {
    Error(node, "a webhook needs a `name`");
  } else if (auto name = Text(node["name"], "name")) {
    bool ok = !name->empty() && std::all_of(name->begin(), name->end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-' || c == '.';
    });
    if (!ok) {
      Error(node["name"],
            fmt::format("webhook name `{}` must be letters, digits, `_`, `-` or `.`", *name));
    } else if (auto [it, inserted] = names_.emplace(*name, PosOf(node["name"])); !inserted) {
      Error(node["name"],
            fmt::format("webhook `{}` is already defined at line {}", *name, it->second.line));
    } else {
      hook.name = *name;
    }
  }
  std::string label = hook.name.empty() ? "a webhook" : fmt::format("webhook `{}`", hook.name);

  if (!node["url"]) {
    Error(node, fmt::format("{} needs a `url`", label));
  } else if (auto url = Text(node["url"], "url")) {
    if (url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0) {
      Error(node["url"], fmt::format("url `{}` must start with http:// or https://", *url));
    } else {
      hook.url = *url;
    }
  }
  if (!node["secret"]) {
    Error(node,
          fmt::format("{} needs a `secret`: receivers check X-Leadscore-Signature with it", label));
  } else if (auto secret = Text(node["secret"], "secret")) {
    if (secret->empty()) Error(node["secret"], "secret must not be empty");
    hook.secret = *secret;
  }
  if (node["stages"]) {
    if (auto stages = TextList(node["stages"], "stages")) hook.stages = *stages;
  }
  if (node["on"]) {
    if (auto on = TextList(node["on"], "on")) {
      hook.on_enter = hook.on_leave = false;
      for (const auto& direction : *on) {
        if (direction == "enter") {
          hook.on_enter = true;
        } else if (direction == "leave") {
          hook.on_leave = true;
        } else {
          Error(node["on"],
                fmt::format("on: `{}` is not a direction; write enter or leave", direction));
        }
      }
    }
  }
  if (node["model"]) {
    if (auto model = Text(node["model"], "model")) hook.model = *model;
  }
  if (node["max_attempts"]) {
    const YAML::Node& n = node["max_attempts"];
    int value = 0;
    const std::string& s = n.IsScalar() ? n.Scalar() : std::string();
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (!n.IsScalar() || ec != std::errc() || ptr != s.data() + s.size() || value < 1 ||
        value > 1000) {
      Error(n, fmt::format("max_attempts must be a whole number from 1 to 1000, got `{}`", s));
    } else {
      hook.max_attempts = value;
    }
  }
  if (node["retry_base"]) {
    if (auto d = ReadDuration(node["retry_base"], "retry_base")) hook.retry_base = *d;
  }
  if (node["retry_max"]) {
    if (auto d = ReadDuration(node["retry_max"], "retry_max")) hook.retry_max = *d;
  }
  if (node["timeout"]) {
    if (auto d = ReadDuration(node["timeout"], "timeout")) hook.timeout = *d;
  }
  if (hook.retry_max < hook.retry_base) {
    Error(node["retry_max"] ? node["retry_max"] : node,
          fmt::format("{}: retry_max must not be shorter than retry_base", label));
  }
  if (errors_.size() != errors_before) return std::nullopt;
  return hook;
}

void Parser::Run(const YAML::Node& list) {
  if (!list || list.IsNull()) return;
  if (!list.IsSequence()) {
    Error(list, "webhooks must be a list of webhooks (- name: ..., url: ...)");
    return;
  }
  for (const auto& item : list) {
    if (auto hook = ReadHook(item)) hooks_.push_back(std::move(*hook));
  }
}

Result<std::vector<WebhookConfig>> Parser::Finish() {
  if (errors_.empty()) return std::move(hooks_);
  std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) {
    return a.first.line < b.first.line ||
           (a.first.line == b.first.line && a.first.column < b.first.column);
  });
  std::string message;
  for (const auto& [pos, text] : errors_) {
    if (!message.empty()) message += '\n';
    message += text;
  }
  return leadscore::Error(InvalidArgument(std::move(message)));
}

}  // namespace

Result<std::vector<WebhookConfig>> ParseWebhooks(const YAML::Node& webhooks,
                                                 const std::string& file) {
  Parser parser(file);
  try {
    parser.Run(webhooks);
  } catch (const YAML::Exception& e) {
    return Error(InvalidArgument(fmt::format("{}:{}:{}: invalid webhooks: {}", file,
                                             e.mark.line + 1, e.mark.column + 1, e.msg)));
  }
  return parser.Finish();
}

}  // namespace leadscore::actions
