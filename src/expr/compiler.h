// Compiler: BoundExpr -> Program. A post-order walk emits stack-machine code; `and` / `or` get a
// conditional jump over their right operand, so `false and f(x)` never calls f.
//
// Stateless; the returned Program owns copies of every constant, list and regex it needs.
#pragma once

#include <memory>
#include <string_view>
#include <tl/expected.hpp>

#include "expr/binder.h"
#include "expr/expr.h"
#include "expr/program.h"

namespace leadscore::expr {

// Compiles `root` (bound from `text`, which the Program keeps for disassembly). Fails only when
// the program outgrows its encoding (more than 65,535 string-producing calls, say).
tl::expected<std::shared_ptr<const Program>, CompileError> CompileBound(const BoundExpr& root,
                                                                        std::string_view text);

}  // namespace leadscore::expr
