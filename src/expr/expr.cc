// The public entry points of expr/ (expr.h): Compile chains parser -> binder -> compiler.
#include "expr/expr.h"

#include "expr/binder.h"
#include "expr/compiler.h"
#include "expr/parser.h"

namespace leadscore::expr {

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kAny:
      return "any";
    case Type::kNull:
      return "null";
    case Type::kNumber:
      return "number";
    case Type::kString:
      return "string";
    case Type::kBool:
      return "bool";
    case Type::kTime:
      return "time";
  }
  return "?";
}

Type TypeOf(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return Type::kNull;
    case ValueType::kNumber:
      return Type::kNumber;
    case ValueType::kString:
      return Type::kString;
    case ValueType::kBool:
      return Type::kBool;
    case ValueType::kTime:
      return Type::kTime;
  }
  return Type::kAny;
}

tl::expected<std::shared_ptr<const Program>, CompileError> Compile(std::string_view text,
                                                                   Scope& scope) {
  auto ast = Parse(text);
  if (!ast) return tl::unexpected(std::move(ast).error());
  auto bound = Bind(**ast, text, scope);
  if (!bound) return tl::unexpected(std::move(bound).error());
  return CompileBound(**bound, text);
}

}  // namespace leadscore::expr
