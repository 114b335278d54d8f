// Binder: see binder.h. One recursive pass; each node's static type is computed from its
// children's, and an error names the operator or argument that is wrong.
#include "expr/binder.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include "expr/builtins.h"
#include "expr/lexer.h"
#include "expr/suggest.h"

namespace leadscore::expr {
namespace {

using BoundPtr = std::unique_ptr<BoundExpr>;
using BindResult = tl::expected<BoundPtr, CompileError>;

// Known when the load-time type is a real value type (not kAny, not the literal null).
bool Known(Type t) { return t != Type::kAny && t != Type::kNull; }

ValueType ToValueType(Type t) {
  switch (t) {
    case Type::kNumber:
      return ValueType::kNumber;
    case Type::kString:
      return ValueType::kString;
    case Type::kBool:
      return ValueType::kBool;
    case Type::kTime:
      return ValueType::kTime;
    default:
      return ValueType::kNull;
  }
}

// "a string", "a number, string or time".
std::string DescribeMask(TypeMask mask) {
  std::vector<std::string_view> names;
  for (ValueType t : {ValueType::kNumber, ValueType::kString, ValueType::kBool, ValueType::kTime}) {
    if (mask & MaskOf(t)) names.push_back(ValueTypeName(t));
  }
  if (names.size() == 4) return "any value";
  std::string out = "a ";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::string Ordinal(size_t n) { return fmt::format("argument {}", n); }

class Binder {
 public:
  Binder(std::string_view text, Scope& scope) : text_(text), scope_(scope) {}

  BindResult Bind(const Ast& ast) {
    switch (ast.kind) {
      case ExprKind::kLiteral: {
        BoundPtr node = Node(ast);
        node->literal = ast.literal;
        node->type = TypeOf(ast.literal.type);
        return node;
      }
      case ExprKind::kName:
        return BindName(ast);
      case ExprKind::kNeg:
      case ExprKind::kNot:
        return BindUnary(ast);
      case ExprKind::kAnd:
      case ExprKind::kOr:
        return BindLogical(ast);
      case ExprKind::kEq:
      case ExprKind::kNe:
      case ExprKind::kLt:
      case ExprKind::kLe:
      case ExprKind::kGt:
      case ExprKind::kGe:
        return BindComparison(ast);
      case ExprKind::kAdd:
      case ExprKind::kSub:
      case ExprKind::kMul:
      case ExprKind::kDiv:
        return BindArithmetic(ast);
      case ExprKind::kIn:
      case ExprKind::kNotIn:
        return BindIn(ast);
      case ExprKind::kBetween:
        return BindBetween(ast);
      case ExprKind::kCall:
        return BindCall(ast);
      case ExprKind::kList:
      case ExprKind::kListRef:
        break;  // the parser allows lists only under kIn / kNotIn
    }
    return Fail(ast.offset, "a list can only follow 'in' or 'not in'");
  }

 private:
  tl::unexpected<CompileError> Fail(uint32_t offset, std::string message) const {
    return tl::unexpected(ErrorAt(text_, offset, std::move(message)));
  }

  BoundPtr Node(const Ast& ast) const {
    auto node = std::make_unique<BoundExpr>();
    node->kind = ast.kind;
    node->offset = ast.offset;
    return node;
  }

  // Binds every child of `ast` into `node`.
  tl::expected<void, CompileError> BindChildren(const Ast& ast, BoundExpr& node) {
    for (const auto& child : ast.children) {
      auto bound = Bind(*child);
      if (!bound) return tl::unexpected(std::move(bound).error());
      node.children.push_back(std::move(*bound));
    }
    return {};
  }

  BindResult BindName(const Ast& ast) {
    auto binding = scope_.Resolve(ast.name, ast.lead_prefixed);
    if (!binding) return Fail(ast.offset, std::move(binding).error());
    BoundPtr node = Node(ast);
    node->binding = *binding;
    node->type = binding->type;
    node->name = ast.lead_prefixed ? "lead." + ast.name : ast.name;
    return node;
  }

  BindResult BindUnary(const Ast& ast) {
    BoundPtr node = Node(ast);
    if (auto ok = BindChildren(ast, *node); !ok) return tl::unexpected(std::move(ok).error());
    Type t = node->children[0]->type;
    if (ast.kind == ExprKind::kNot) {
      if (Known(t) && t != Type::kBool) {
        return Fail(ast.offset, fmt::format("'not' needs a bool, got {}", TypeName(t)));
      }
      node->type = Type::kBool;
    } else {
      if (Known(t) && t != Type::kNumber) {
        return Fail(ast.offset, fmt::format("cannot negate a {}", TypeName(t)));
      }
      node->type = t == Type::kNull ? Type::kNull : Type::kNumber;
    }
    return node;
  }

  BindResult BindLogical(const Ast& ast) {
    BoundPtr node = Node(ast);
    if (auto ok = BindChildren(ast, *node); !ok) return tl::unexpected(std::move(ok).error());
    for (size_t i = 0; i < 2; ++i) {
      Type t = node->children[i]->type;
      if (Known(t) && t != Type::kBool) {
        return Fail(ast.children[i]->start, fmt::format("'{}' needs bool operands, got {}",
                                                        ExprKindName(ast.kind), TypeName(t)));
      }
    }
    node->type = Type::kBool;
    return node;
  }

  // `a op b` where op compares: both types known and different is an error; bools do not order.
  std::optional<std::string> CheckComparable(ExprKind kind, Type a, Type b) const {
    if (Known(a) && Known(b) && a != b) {
      return fmt::format("cannot compare {} with {}", TypeName(a), TypeName(b));
    }
    bool ordering = kind != ExprKind::kEq && kind != ExprKind::kNe;
    if (ordering && (a == Type::kBool || b == Type::kBool)) {
      return fmt::format("cannot order bool values with '{}'; use == or !=", ExprKindName(kind));
    }
    return std::nullopt;
  }

  BindResult BindComparison(const Ast& ast) {
    BoundPtr node = Node(ast);
    if (auto ok = BindChildren(ast, *node); !ok) return tl::unexpected(std::move(ok).error());
    if (auto error = CheckComparable(ast.kind, node->children[0]->type, node->children[1]->type)) {
      return Fail(ast.offset, std::move(*error));
    }
    node->type = Type::kBool;
    return node;
  }

  BindResult BindBetween(const Ast& ast) {
    BoundPtr node = Node(ast);
    if (auto ok = BindChildren(ast, *node); !ok) return tl::unexpected(std::move(ok).error());
    Type x = node->children[0]->type;
    for (size_t i = 1; i < 3; ++i) {
      if (auto error = CheckComparable(ExprKind::kBetween, x, node->children[i]->type)) {
        return Fail(ast.offset, std::move(*error));
      }
    }
    if (auto error =
            CheckComparable(ExprKind::kBetween, node->children[1]->type, node->children[2]->type)) {
      return Fail(ast.offset, std::move(*error));
    }
    node->type = Type::kBool;
    return node;
  }

  // Result type of arithmetic, or the error. kNull operands make null; kAny defers.
  tl::expected<Type, std::string> ArithmeticType(ExprKind kind, Type a, Type b) const {
    auto fail = [&] {
      return tl::unexpected(fmt::format("cannot apply '{}' to {} and {}", ExprKindName(kind),
                                        TypeName(a), TypeName(b)));
    };
    auto never = [](Type t) { return t == Type::kString || t == Type::kBool; };
    if (never(a) || never(b)) return fail();
    if (a == Type::kNull || b == Type::kNull) return Type::kNull;
    bool a_any = a == Type::kAny, b_any = b == Type::kAny;
    switch (kind) {
      case ExprKind::kAdd:  // number + number, time + number, number + time
        if (a == Type::kTime && b == Type::kTime) return fail();
        if (a_any || b_any)
          return (a == Type::kTime || b == Type::kTime) ? Type::kTime : Type::kAny;
        return (a == Type::kTime || b == Type::kTime) ? Type::kTime : Type::kNumber;
      case ExprKind::kSub:  // number - number, time - number, time - time
        if (a == Type::kNumber && b == Type::kTime) return fail();
        if (a_any && b_any) return Type::kAny;
        if (a_any) return b == Type::kTime ? Type::kNumber : Type::kAny;
        if (b_any) return a == Type::kTime ? Type::kAny : Type::kNumber;
        return (a == Type::kTime && b == Type::kNumber) ? Type::kTime : Type::kNumber;
      default:  // * and /: numbers only
        if (a == Type::kTime || b == Type::kTime) return fail();
        return Type::kNumber;
    }
  }

  BindResult BindArithmetic(const Ast& ast) {
    BoundPtr node = Node(ast);
    if (auto ok = BindChildren(ast, *node); !ok) return tl::unexpected(std::move(ok).error());
    auto type = ArithmeticType(ast.kind, node->children[0]->type, node->children[1]->type);
    if (!type) return Fail(ast.offset, std::move(type).error());
    node->type = *type;
    return node;
  }

  BindResult BindIn(const Ast& ast) {
    BoundPtr node = Node(ast);
    auto subject = Bind(*ast.children[0]);
    if (!subject) return subject;
    node->children.push_back(std::move(*subject));
    const Ast& list = *ast.children[1];
    // Element type: the one known type of the non-null elements.
    Type elements = Type::kNull;
    if (list.kind == ExprKind::kListRef) {
      const std::vector<Value>* values = scope_.FindList(list.name);
      if (values == nullptr) return Fail(list.offset, UnknownList(list.name));
      node->name = "@" + list.name;
      for (const Value& v : *values) {
        Type t = TypeOf(v.type());
        if (Known(t) && elements != Type::kNull && t != elements) {
          return Fail(list.offset, fmt::format("list @{} mixes {} and {} elements", list.name,
                                               TypeName(elements), TypeName(t)));
        }
        if (Known(t)) elements = t;
        node->list.push_back(Literal::FromValue(v));
      }
    } else {
      for (const auto& item : list.children) {
        Type t = TypeOf(item->literal.type);
        if (Known(t) && elements != Type::kNull && t != elements) {
          return Fail(item->offset, fmt::format("a list's elements must have one type: this {} "
                                                "follows {} elements",
                                                TypeName(t), TypeName(elements)));
        }
        if (Known(t)) elements = t;
        node->list.push_back(item->literal);
      }
    }
    Type x = node->children[0]->type;
    if (Known(x) && Known(elements) && x != elements) {
      return Fail(ast.offset, fmt::format("cannot compare {} with the {} elements of the list",
                                          TypeName(x), TypeName(elements)));
    }
    node->type = Type::kBool;
    return node;
  }

  std::string UnknownList(const std::string& name) const {
    std::vector<std::string> names = scope_.ListNames();
    if (auto best = Suggest(name, names)) {
      return fmt::format("unknown list '@{}'; did you mean '@{}'?", name, *best);
    }
    if (names.empty()) return fmt::format("unknown list '@{}'; the model defines no lists", name);
    std::string all;
    for (const std::string& n : names) all += (all.empty() ? "@" : ", @") + n;
    return fmt::format("unknown list '@{}'; lists are: {}", name, all);
  }

  std::string UnknownFunction(const std::string& name) const {
    std::vector<std::string> names = BuiltinNames();
    if (auto best = Suggest(name, names)) {
      return fmt::format("unknown function '{}'; did you mean '{}'?", name, *best);
    }
    return fmt::format("unknown function '{}'; functions are: {}", name, fmt::join(names, ", "));
  }

  BindResult BindCall(const Ast& ast) {
    std::optional<uint32_t> index = FindBuiltin(ast.name);
    if (!index) return Fail(ast.offset, UnknownFunction(ast.name));
    const Builtin& fn = Builtins()[*index];
    size_t argc = ast.children.size();
    if (argc < fn.min_args || (fn.max_args != kVariadic && argc > fn.max_args)) {
      std::string expected;
      if (fn.max_args == kVariadic) {
        expected = fmt::format("at least {} argument{}", fn.min_args, fn.min_args == 1 ? "" : "s");
      } else {
        expected = fmt::format("{} argument{}", fn.min_args, fn.min_args == 1 ? "" : "s");
      }
      return Fail(ast.offset,
                  fmt::format("{}() takes {}, got {} ({})", fn.name, expected, argc, fn.signature));
    }
    if (argc > 255) return Fail(ast.offset, fmt::format("{}() has too many arguments", fn.name));

    BoundPtr node = Node(ast);
    node->builtin = *index;
    node->name = ast.name;
    if (auto ok = BindChildren(ast, *node); !ok) return tl::unexpected(std::move(ok).error());
    for (size_t i = 0; i < argc; ++i) {
      Type t = node->children[i]->type;
      TypeMask mask = ParamMask(fn, i);
      if (Known(t) && !(mask & MaskOf(ToValueType(t)))) {
        return Fail(ast.children[i]->start,
                    fmt::format("{}() expects {} as {}, got {}", fn.name, DescribeMask(mask),
                                Ordinal(i + 1), TypeName(t)));
      }
    }

    // Result type.
    node->type = fn.result;
    if (fn.rule != ResultRule::kFixed) {
      size_t first = fn.rule == ResultRule::kBranches ? 1 : 0;
      Type common = Type::kNull;
      bool any = false;
      size_t common_at = first;
      for (size_t i = first; i < argc; ++i) {
        Type t = node->children[i]->type;
        if (t == Type::kAny) any = true;
        if (!Known(t)) continue;
        if (common != Type::kNull && t != common) {
          return Fail(
              ast.children[i]->start,
              fmt::format("{}() needs arguments of one type: {} is {}, {} is {}", fn.name,
                          Ordinal(common_at + 1), TypeName(common), Ordinal(i + 1), TypeName(t)));
        }
        if (common == Type::kNull) common_at = i;
        common = t;
      }
      node->type = any ? Type::kAny : common;
    }

    if (fn.extra == Extra::kRegex) {
      const Ast& pattern = *ast.children[1];
      if (pattern.kind != ExprKind::kLiteral || pattern.literal.type != ValueType::kString) {
        return Fail(pattern.start,
                    fmt::format("{}() needs a string literal as its pattern", fn.name));
      }
      RE2::Options options;
      options.set_log_errors(false);
      auto regex = std::make_shared<RE2>(pattern.literal.text, options);
      if (!regex->ok()) {
        return Fail(pattern.start, fmt::format("invalid regular expression: {}", regex->error()));
      }
      node->regex = std::move(regex);
    }
    return node;
  }

  std::string_view text_;
  Scope& scope_;
};

}  // namespace

tl::expected<std::unique_ptr<BoundExpr>, CompileError> Bind(const Ast& ast, std::string_view text,
                                                            Scope& scope) {
  return Binder(text, scope).Bind(ast);
}

}  // namespace leadscore::expr
