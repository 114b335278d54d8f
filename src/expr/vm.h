// Vm internals: the state one Vm reuses across runs (the class itself is declared in expr.h).
//
// Invariant: after a Run, `stack` holds at least program.max_stack() values and `scratch` at
// least program.num_scratch() strings, and neither shrinks; strings keep their capacity. So once
// a Vm has run a program on its largest inputs, later runs allocate nothing.
#pragma once

#include <string>
#include <vector>

#include "core/value.h"
#include "expr/expr.h"
#include "expr/program.h"

namespace leadscore::expr {

struct Vm::Impl {
  std::vector<Value> stack;
  std::vector<std::string> scratch;  // one per string-producing call site (Instr::aux)
};

}  // namespace leadscore::expr
