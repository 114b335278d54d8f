// Binder: Ast -> BoundExpr. Resolves names to slots through the Scope, functions to builtin
// table rows and @lists to their values, compiles regex literals, and checks static types.
//
// Typing rule (SCORING.md): combining values of different types is a CompileError when both
// types are known at load time; kAny (and the literal null) defers the decision to run time,
// where a mismatch yields null. The BoundExpr owns copies of everything it refers to, so the
// Scope's lists need not outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "expr/ast.h"
#include "expr/expr.h"

namespace re2 {
class RE2;
}

namespace leadscore::expr {

struct BoundExpr {
  ExprKind kind = ExprKind::kLiteral;
  Type type = Type::kAny;  // static type of the node's non-null results
  uint32_t offset = 0;     // as in Ast
  Literal literal;         // kLiteral
  Binding binding;         // kName
  std::string name;        // kName: the name as written; kCall: the function; kIn: "@list" or ""
  uint32_t builtin = 0;    // kCall: index into Builtins()
  std::shared_ptr<const re2::RE2> regex;             // kCall of an Extra::kRegex builtin
  std::vector<Literal> list;                         // kIn, kNotIn: the elements
  std::vector<std::unique_ptr<BoundExpr>> children;  // kIn, kNotIn: just the subject
};

// Binds `ast` (parsed from `text`, used for error positions) against `scope`.
tl::expected<std::unique_ptr<BoundExpr>, CompileError> Bind(const Ast& ast, std::string_view text,
                                                            Scope& scope);

}  // namespace leadscore::expr
