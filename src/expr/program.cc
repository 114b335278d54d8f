// Program, ValueSet and the disassembler; see program.h.
#include "expr/program.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>

#include "expr/builtins.h"

namespace leadscore::expr {

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kPushConst:
      return "PushConst";
    case Op::kLoadEvent:
      return "LoadEvent";
    case Op::kLoadLead:
      return "LoadLead";
    case Op::kLoadComputed:
      return "LoadComputed";
    case Op::kNeg:
      return "Neg";
    case Op::kNot:
      return "Not";
    case Op::kAdd:
      return "Add";
    case Op::kSub:
      return "Sub";
    case Op::kMul:
      return "Mul";
    case Op::kDiv:
      return "Div";
    case Op::kEq:
      return "Eq";
    case Op::kNe:
      return "Ne";
    case Op::kLt:
      return "Lt";
    case Op::kLe:
      return "Le";
    case Op::kGt:
      return "Gt";
    case Op::kGe:
      return "Ge";
    case Op::kJumpIfFalse:
      return "JumpIfFalse";
    case Op::kAnd:
      return "And";
    case Op::kJumpIfTrue:
      return "JumpIfTrue";
    case Op::kOr:
      return "Or";
    case Op::kInSet:
      return "InSet";
    case Op::kNotInSet:
      return "NotInSet";
    case Op::kBetween:
      return "Between";
    case Op::kCall:
      return "Call";
    case Op::kReturn:
      return "Return";
  }
  return "?";
}

ValueSet::ValueSet(std::span<const Value> items) {
  for (const Value& v : items) {
    if (v.is_null()) {
      has_null_ = true;
      continue;
    }
    item_type_ = v.type();
    items_.push_back(v);
  }
  if (item_type_ == ValueType::kString && items_.size() > kHashThreshold) {
    hashed_ = true;
    strings_.reserve(items_.size());
    for (const Value& v : items_) strings_.insert(v.str());
  }
}

bool ValueSet::Contains(const Value& v) const {
  switch (v.type()) {
    case ValueType::kString: {
      std::string_view s = v.str();
      if (hashed_) return strings_.count(s) != 0;
      for (const Value& item : items_) {
        if (item.str() == s) return true;
      }
      return false;
    }
    case ValueType::kNumber:
      for (const Value& item : items_) {
        if (item.number() == v.number()) return true;
      }
      return false;
    case ValueType::kBool:
      for (const Value& item : items_) {
        if (item.boolean() == v.boolean()) return true;
      }
      return false;
    case ValueType::kTime:
      for (const Value& item : items_) {
        if (item.time() == v.time()) return true;
      }
      return false;
    case ValueType::kNull:
      break;
  }
  return false;
}

Program::Program(std::string source) : source_(std::move(source)) {}

Program::~Program() = default;

Value Program::Own(const Value& v) {
  if (!v.is_string()) return v;
  strings_.emplace_back(v.str());
  return Value::String(strings_.back());
}

uint32_t Program::AddConstant(const Value& v) {
  constants_.push_back(Own(v));
  return static_cast<uint32_t>(constants_.size() - 1);
}

uint32_t Program::AddSet(std::span<const Value> items) {
  std::vector<Value> owned;
  owned.reserve(items.size());
  for (const Value& v : items) owned.push_back(Own(v));
  sets_.emplace_back(owned);
  return static_cast<uint32_t>(sets_.size() - 1);
}

uint32_t Program::AddRegex(std::shared_ptr<const re2::RE2> regex) {
  regexes_.push_back(std::move(regex));
  return static_cast<uint32_t>(regexes_.size() - 1);
}

uint32_t Program::AddName(std::string_view name) {
  names_.emplace_back(name);
  return static_cast<uint32_t>(names_.size() - 1);
}

uint32_t Program::Emit(Instr instr) {
  code_.push_back(instr);
  return static_cast<uint32_t>(code_.size() - 1);
}

Type ResultType(const Program& program) { return program.result_type(); }

bool ReadsAsOf(const Program& program) {
  static const uint32_t days_since = *FindBuiltin("days_since");
  return std::any_of(program.code().begin(), program.code().end(), [](const Instr& instr) {
    return instr.op == Op::kCall && instr.arg == days_since;
  });
}

namespace {

// `"a", "b", "c", ... (12 more)`: at most five elements.
std::string DescribeSet(const ValueSet& set) {
  std::string out;
  size_t shown = 0;
  for (const Value& v : set.items()) {
    if (shown == 5) break;
    out += (shown++ == 0 ? "" : ", ") + v.ToString();
  }
  if (set.has_null()) out += (shown == 0 ? "null" : ", null");
  if (set.items().size() > shown) out += fmt::format(", ... ({} more)", set.items().size() - shown);
  return "[" + out + "]";
}

}  // namespace

std::string Disassemble(const Program& program) {
  std::string out = fmt::format("; {}\n; result: {}, stack: {}\n", program.source(),
                                TypeName(program.result_type()), program.max_stack());
  std::span<const Instr> code = program.code();
  for (size_t pc = 0; pc < code.size(); ++pc) {
    const Instr& in = code[pc];
    std::string operand;
    std::string comment;
    switch (in.op) {
      case Op::kPushConst:
        operand = std::to_string(in.arg);
        comment = program.constant(in.arg).ToString();
        break;
      case Op::kLoadEvent:
      case Op::kLoadLead:
      case Op::kLoadComputed:
        operand = std::to_string(in.arg);
        comment = std::string(program.name(in.aux));
        break;
      case Op::kJumpIfFalse:
      case Op::kJumpIfTrue:
        operand = fmt::format("-> {}", in.arg);
        break;
      case Op::kInSet:
      case Op::kNotInSet: {
        operand = std::to_string(in.arg);
        std::string_view name = program.name(in.aux);
        comment = name.empty() ? DescribeSet(program.set(in.arg))
                               : fmt::format("{} {}", name, DescribeSet(program.set(in.arg)));
        if (program.set(in.arg).items().size() > ValueSet::kHashThreshold &&
            program.set(in.arg).item_type() == ValueType::kString) {
          comment += " (hashed)";
        }
        break;
      }
      case Op::kCall: {
        const Builtin& fn = Builtins()[in.arg];
        operand = fmt::format("{}/{}", fn.name, in.argc);
        if (fn.extra == Extra::kScratch) comment = fmt::format("scratch {}", in.aux);
        if (fn.extra == Extra::kRegex) {
          comment = fmt::format("regex /{}/", program.regex(in.aux).pattern());
        }
        break;
      }
      default:
        break;
    }
    std::string line = fmt::format("{:04}  {:<12} {}", pc, OpName(in.op), operand);
    if (!comment.empty()) {
      line.resize(std::max<size_t>(line.size(), 32), ' ');
      line += " ; " + comment;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace leadscore::expr
