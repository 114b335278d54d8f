// The builtin function table and the functions themselves; see builtins.h for the contract.
#include "expr/builtins.h"

#include <re2/re2.h>

#include <cmath>

#include "core/time.h"
#include "expr/utf8.h"

namespace leadscore::expr {
namespace {

Value Lower(const Value* args, int, const CallContext& ctx) {
  ctx.scratch->clear();
  AppendLower(args[0].str(), *ctx.scratch);
  return Value::String(*ctx.scratch);
}

Value Upper(const Value* args, int, const CallContext& ctx) {
  ctx.scratch->clear();
  AppendUpper(args[0].str(), *ctx.scratch);
  return Value::String(*ctx.scratch);
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Views the argument: no copy.
Value Trim(const Value* args, int, const CallContext&) {
  std::string_view s = args[0].str();
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return Value::String(s);
}

Value Len(const Value* args, int, const CallContext&) {
  return Value::Number(static_cast<double>(CountCodePoints(args[0].str())));
}

Value Contains(const Value* args, int, const CallContext&) {
  return Value::Bool(args[0].str().find(args[1].str()) != std::string_view::npos);
}

Value StartsWith(const Value* args, int, const CallContext&) {
  return Value::Bool(args[0].str().starts_with(args[1].str()));
}

Value EndsWith(const Value* args, int, const CallContext&) {
  return Value::Bool(args[0].str().ends_with(args[1].str()));
}

Value Matches(const Value* args, int, const CallContext& ctx) {
  return Value::Bool(RE2::PartialMatch(args[0].str(), *ctx.regex));
}

// Text after the last '@', lower-cased; null without an '@'.
Value Domain(const Value* args, int, const CallContext& ctx) {
  std::string_view s = args[0].str();
  size_t at = s.rfind('@');
  if (at == std::string_view::npos) return Value::Null();
  ctx.scratch->clear();
  AppendLower(s.substr(at + 1), *ctx.scratch);
  return Value::String(*ctx.scratch);
}

Value Exists(const Value* args, int, const CallContext&) { return Value::Bool(!args[0].is_null()); }

Value Coalesce(const Value* args, int argc, const CallContext&) {
  for (int i = 0; i < argc; ++i) {
    if (!args[i].is_null()) return args[i];
  }
  return Value::Null();
}

// a < b for two values of one orderable type.
bool Less(const Value& a, const Value& b) {
  switch (a.type()) {
    case ValueType::kNumber:
      return a.number() < b.number();
    case ValueType::kString:
      return a.str() < b.str();
    case ValueType::kTime:
      return a.time() < b.time();
    default:
      return false;
  }
}

template <bool kMax>
Value Extreme(const Value* args, int argc, const CallContext&) {
  Value best = args[0];
  for (int i = 1; i < argc; ++i) {
    if (args[i].type() != best.type()) return Value::Null();  // mixed run-time types
    if (kMax ? Less(best, args[i]) : Less(args[i], best)) best = args[i];
  }
  if (best.is_number() && std::isnan(best.number())) return Value::Null();
  return best;
}

Value Abs(const Value* args, int, const CallContext&) {
  return Value::Number(std::fabs(args[0].number()));
}

// Fractional days from t to the as-of time: a time, Unix seconds, or a timestamp string.
Value DaysSince(const Value* args, int, const CallContext& ctx) {
  constexpr double kMicrosPerDayF = static_cast<double>(kMicrosPerDay);
  double as_of = static_cast<double>(ctx.env->as_of);
  double t;
  switch (args[0].type()) {
    case ValueType::kTime:
      t = static_cast<double>(args[0].time());
      break;
    case ValueType::kNumber:
      t = args[0].number() * 1e6;
      break;
    case ValueType::kString: {
      std::optional<Timestamp> parsed = ParseTimestamp(args[0].str());
      if (!parsed) return Value::Null();
      t = static_cast<double>(*parsed);
      break;
    }
    default:
      return Value::Null();
  }
  double days = (as_of - t) / kMicrosPerDayF;
  if (!std::isfinite(days)) return Value::Null();
  return Value::Number(days);
}

Value If(const Value* args, int, const CallContext&) {
  return args[0].is_true() ? args[1] : args[2];
}

constexpr TypeMask kOrderedArg = kNumberArg | kStringArg | kTimeArg;
constexpr TypeMask kWhenArg = kNumberArg | kStringArg | kTimeArg;

// clang-format off
constexpr Builtin kBuiltins[] = {
  // name          signature               min max        params                                 result         rule                  strict extra           fn
  {"lower",       "lower(s)",              1, 1,         {kStringArg},                          Type::kString, ResultRule::kFixed,    true,  Extra::kScratch, Lower},
  {"upper",       "upper(s)",              1, 1,         {kStringArg},                          Type::kString, ResultRule::kFixed,    true,  Extra::kScratch, Upper},
  {"trim",        "trim(s)",               1, 1,         {kStringArg},                          Type::kString, ResultRule::kFixed,    true,  Extra::kNone,    Trim},
  {"len",         "len(s)",                1, 1,         {kStringArg},                          Type::kNumber, ResultRule::kFixed,    true,  Extra::kNone,    Len},
  {"contains",    "contains(s, sub)",      2, 2,         {kStringArg, kStringArg},              Type::kBool,   ResultRule::kFixed,    true,  Extra::kNone,    Contains},
  {"starts_with", "starts_with(s, p)",     2, 2,         {kStringArg, kStringArg},              Type::kBool,   ResultRule::kFixed,    true,  Extra::kNone,    StartsWith},
  {"ends_with",   "ends_with(s, p)",       2, 2,         {kStringArg, kStringArg},              Type::kBool,   ResultRule::kFixed,    true,  Extra::kNone,    EndsWith},
  {"matches",     "matches(s, regex)",     2, 2,         {kStringArg, kStringArg},              Type::kBool,   ResultRule::kFixed,    true,  Extra::kRegex,   Matches},
  {"domain",      "domain(email)",         1, 1,         {kStringArg},                          Type::kString, ResultRule::kFixed,    true,  Extra::kScratch, Domain},
  {"exists",      "exists(x)",             1, 1,         {kAnyArg},                             Type::kBool,   ResultRule::kFixed,    false, Extra::kNone,    Exists},
  {"coalesce",    "coalesce(a, b, ...)",   1, kVariadic, {kAnyArg, kAnyArg, kAnyArg},           Type::kAny,    ResultRule::kCommon,   false, Extra::kNone,    Coalesce},
  {"min",         "min(a, b, ...)",        2, kVariadic, {kOrderedArg, kOrderedArg, kOrderedArg}, Type::kAny,  ResultRule::kCommon,   true,  Extra::kNone,    Extreme<false>},
  {"max",         "max(a, b, ...)",        2, kVariadic, {kOrderedArg, kOrderedArg, kOrderedArg}, Type::kAny,  ResultRule::kCommon,   true,  Extra::kNone,    Extreme<true>},
  {"abs",         "abs(x)",                1, 1,         {kNumberArg},                          Type::kNumber, ResultRule::kFixed,    true,  Extra::kNone,    Abs},
  {"days_since",  "days_since(t)",         1, 1,         {kWhenArg},                            Type::kNumber, ResultRule::kFixed,    true,  Extra::kNone,    DaysSince},
  {"if",          "if(c, a, b)",           3, 3,         {kBoolArg, kAnyArg, kAnyArg},          Type::kAny,    ResultRule::kBranches, false, Extra::kNone,    If},
};
// clang-format on

}  // namespace

std::span<const Builtin> Builtins() { return kBuiltins; }

std::optional<uint32_t> FindBuiltin(std::string_view name) {
  for (uint32_t i = 0; i < std::size(kBuiltins); ++i) {
    if (kBuiltins[i].name == name) return i;
  }
  return std::nullopt;
}

std::vector<std::string> BuiltinNames() {
  std::vector<std::string> names;
  for (const Builtin& b : kBuiltins) names.emplace_back(b.name);
  return names;
}

}  // namespace leadscore::expr
