// Builtins: the one explicit table of the functions expressions may call (SCORING.md,
// "Expressions": lower ... if). Each row gives the name, arity, accepted argument types, result
// type and the C++ function. The binder checks calls against the table at load time; the Vm
// calls the function through it at run time.
//
// Contract for `strict` builtins (all but exists, coalesce, if): the Vm returns null without
// calling `fn` when an argument is null or its run-time type is not in the parameter's mask,
// so `fn` sees only accepted, non-null types. Functions are stateless and thread-safe; a string
// result views an argument, a constant or `CallContext::scratch`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "expr/expr.h"

namespace re2 {
class RE2;
}

namespace leadscore::expr {

// A set of ValueTypes, one bit per type.
using TypeMask = uint8_t;
constexpr TypeMask MaskOf(ValueType type) {
  return static_cast<TypeMask>(1u << static_cast<int>(type));
}
inline constexpr TypeMask kNumberArg = MaskOf(ValueType::kNumber);
inline constexpr TypeMask kStringArg = MaskOf(ValueType::kString);
inline constexpr TypeMask kBoolArg = MaskOf(ValueType::kBool);
inline constexpr TypeMask kTimeArg = MaskOf(ValueType::kTime);
inline constexpr TypeMask kAnyArg = kNumberArg | kStringArg | kBoolArg | kTimeArg;

// How the result type follows from the arguments' static types.
enum class ResultRule : uint8_t {
  kFixed,     // Builtin::result
  kCommon,    // the type all arguments share (coalesce, min, max)
  kBranches,  // the type arguments 2 and 3 share (if)
};

// What the call site provides beyond its arguments (Instr::aux).
enum class Extra : uint8_t {
  kNone,
  kScratch,  // a scratch string for the result (lower, upper, domain)
  kRegex,    // the compiled second argument, which must be a string literal (matches)
};

struct CallContext {
  const Env* env = nullptr;
  std::string* scratch = nullptr;   // Extra::kScratch
  const re2::RE2* regex = nullptr;  // Extra::kRegex
};

using BuiltinFn = Value (*)(const Value* args, int argc, const CallContext& ctx);

inline constexpr uint8_t kVariadic = 255;

struct Builtin {
  std::string_view name;
  std::string_view signature;  // as documented: "contains(s, sub)"
  uint8_t min_args;
  uint8_t max_args;  // kVariadic: no upper bound
  // Accepted types of arguments 1, 2, 3 (later ones use the last). The binder rejects a call
  // whose argument's static type is known and outside the mask, for every builtin; the Vm
  // checks run-time types only for strict ones (if(5, a, b) is a load-time error, while
  // if(x, a, b) with x holding 5 at run time gives b).
  TypeMask params[3];
  Type result;  // for ResultRule::kFixed
  ResultRule rule;
  bool strict;  // null or wrongly typed argument -> null (see above)
  Extra extra;
  BuiltinFn fn;
};

// The table, in documentation order. Indexes are stable for the life of the process.
std::span<const Builtin> Builtins();

// Index of the builtin called `name` (case-sensitive), or nullopt.
std::optional<uint32_t> FindBuiltin(std::string_view name);

// All builtin names, for "did you mean" and "functions are: ..." messages.
std::vector<std::string> BuiltinNames();

// The mask of argument `index` (0-based) of `builtin`.
inline TypeMask ParamMask(const Builtin& builtin, size_t index) {
  return builtin.params[index < 3 ? index : 2];
}

}  // namespace leadscore::expr
