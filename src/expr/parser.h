// Parser: expression text -> Ast (unbound), or a CompileError with line:column.
//
// Grammar, loosest first (SCORING.md, "Expressions"):
//   expr    := and ('or' and)*
//   and     := not ('and' not)*
//   not     := 'not' not | cmp
//   cmp     := sum [ ('=='|'!='|'<'|'<='|'>'|'>=') sum
//                  | ['not'] 'in' list
//                  | 'between' sum 'and' sum ]         -- comparisons do not chain
//   sum     := product (('+'|'-') product)*
//   product := unary (('*'|'/') unary)*
//   unary   := '-' unary | primary
//   primary := literal | name | name '(' [expr (',' expr)*] ')' | '(' expr ')'
//   list    := '[' [item (',' item)*] ']' | '@' name      item := ['-'] literal
// Stateless; the returned tree owns everything it refers to.
#pragma once

#include <memory>
#include <string_view>
#include <tl/expected.hpp>

#include "expr/ast.h"
#include "expr/expr.h"

namespace leadscore::expr {

// Deepest tree the parser builds (operator chains such as `a or b or c ...` included). Later
// stages recurse over the tree, so this bounds their stack use.
inline constexpr int kMaxDepth = 1000;
// Deepest nesting of parentheses, calls, `not` and unary minus; each level costs the parser
// eight stack frames.
inline constexpr int kMaxNesting = 64;

// Parses `text`. On failure the error points at the offending token.
tl::expected<std::unique_ptr<Ast>, CompileError> Parse(std::string_view text);

}  // namespace leadscore::expr
