// Compiler: see compiler.h. Each ExprKind maps to the Op of the same name (kIn -> kInSet);
// the walk tracks the stack depth to size the Vm's stack.
#include "expr/compiler.h"

#include <algorithm>

#include "expr/builtins.h"
#include "expr/lexer.h"

namespace leadscore::expr {
namespace {

Op BinaryOp(ExprKind kind) {
  switch (kind) {
    case ExprKind::kEq:
      return Op::kEq;
    case ExprKind::kNe:
      return Op::kNe;
    case ExprKind::kLt:
      return Op::kLt;
    case ExprKind::kLe:
      return Op::kLe;
    case ExprKind::kGt:
      return Op::kGt;
    case ExprKind::kGe:
      return Op::kGe;
    case ExprKind::kAdd:
      return Op::kAdd;
    case ExprKind::kSub:
      return Op::kSub;
    case ExprKind::kMul:
      return Op::kMul;
    default:
      return Op::kDiv;
  }
}

Op LoadOp(Source source) {
  switch (source) {
    case Source::kEvent:
      return Op::kLoadEvent;
    case Source::kLead:
      return Op::kLoadLead;
    case Source::kComputed:
      break;
  }
  return Op::kLoadComputed;
}

constexpr uint32_t kMaxAux = 0xFFFF;

class Compiler {
 public:
  Compiler(std::string_view text, Program& program) : text_(text), program_(program) {}

  tl::expected<void, CompileError> Compile(const BoundExpr& root) {
    if (auto ok = Emit(root); !ok) return ok;
    program_.Emit({Op::kReturn, 0, 0, 0});
    program_.set_result_type(root.type);
    program_.set_max_stack(max_depth_);
    return {};
  }

 private:
  void Push(uint32_t n = 1) {
    depth_ += n;
    max_depth_ = std::max(max_depth_, depth_);
  }
  void Pop(uint32_t n) { depth_ -= n; }
  tl::unexpected<CompileError> Fail(const BoundExpr& at, std::string message) const {
    return tl::unexpected(ErrorAt(text_, at.offset, std::move(message)));
  }

  tl::expected<void, CompileError> Emit(const BoundExpr& e) {
    for (const auto& child : e.children) {
      if (e.kind == ExprKind::kAnd || e.kind == ExprKind::kOr) break;  // emitted below
      if (auto ok = Emit(*child); !ok) return ok;
    }
    switch (e.kind) {
      case ExprKind::kLiteral:
        program_.Emit({Op::kPushConst, 0, 0, program_.AddConstant(e.literal.ToValue())});
        Push();
        return {};
      case ExprKind::kName: {
        uint32_t name = program_.AddName(e.name);
        program_.Emit({LoadOp(e.binding.source), 0, static_cast<uint16_t>(std::min(name, kMaxAux)),
                       e.binding.slot});
        Push();
        return {};
      }
      case ExprKind::kNeg:
        program_.Emit({Op::kNeg, 0, 0, 0});
        return {};
      case ExprKind::kNot:
        program_.Emit({Op::kNot, 0, 0, 0});
        return {};
      case ExprKind::kAnd:
      case ExprKind::kOr: {
        bool is_and = e.kind == ExprKind::kAnd;
        if (auto ok = Emit(*e.children[0]); !ok) return ok;
        uint32_t jump = program_.Emit({is_and ? Op::kJumpIfFalse : Op::kJumpIfTrue, 0, 0, 0});
        if (auto ok = Emit(*e.children[1]); !ok) return ok;
        program_.Emit({is_and ? Op::kAnd : Op::kOr, 0, 0, 0});
        Pop(1);
        program_.SetJumpTarget(jump, static_cast<uint32_t>(program_.code().size()));
        return {};
      }
      case ExprKind::kEq:
      case ExprKind::kNe:
      case ExprKind::kLt:
      case ExprKind::kLe:
      case ExprKind::kGt:
      case ExprKind::kGe:
      case ExprKind::kAdd:
      case ExprKind::kSub:
      case ExprKind::kMul:
      case ExprKind::kDiv:
        program_.Emit({BinaryOp(e.kind), 0, 0, 0});
        Pop(1);
        return {};
      case ExprKind::kIn:
      case ExprKind::kNotIn: {
        std::vector<Value> items;
        items.reserve(e.list.size());
        for (const Literal& l : e.list) items.push_back(l.ToValue());
        uint32_t set = program_.AddSet(items);
        uint32_t name = e.name.empty() ? kMaxAux : std::min(program_.AddName(e.name), kMaxAux);
        program_.Emit({e.kind == ExprKind::kIn ? Op::kInSet : Op::kNotInSet, 0,
                       static_cast<uint16_t>(name), set});
        return {};
      }
      case ExprKind::kBetween:
        program_.Emit({Op::kBetween, 0, 0, 0});
        Pop(2);
        return {};
      case ExprKind::kCall: {
        const Builtin& fn = Builtins()[e.builtin];
        uint32_t aux = 0;
        if (fn.extra == Extra::kScratch) aux = program_.AddScratch();
        if (fn.extra == Extra::kRegex) aux = program_.AddRegex(e.regex);
        if (aux > kMaxAux) return Fail(e, "expression is too large: too many function calls");
        uint32_t argc = static_cast<uint32_t>(e.children.size());
        program_.Emit(
            {Op::kCall, static_cast<uint8_t>(argc), static_cast<uint16_t>(aux), e.builtin});
        if (argc == 0) {
          Push();
        } else {
          Pop(argc - 1);
        }
        return {};
      }
      case ExprKind::kList:
      case ExprKind::kListRef:
        break;
    }
    return Fail(e, "internal error: unexpected list node");
  }

  std::string_view text_;
  Program& program_;
  uint32_t depth_ = 0;
  uint32_t max_depth_ = 0;
};

}  // namespace

tl::expected<std::shared_ptr<const Program>, CompileError> CompileBound(const BoundExpr& root,
                                                                        std::string_view text) {
  auto program = std::make_shared<Program>(std::string(text));
  if (auto ok = Compiler(text, *program).Compile(root); !ok) {
    return tl::unexpected(std::move(ok).error());
  }
  return program;
}

}  // namespace leadscore::expr
