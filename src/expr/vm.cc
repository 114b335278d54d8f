// Vm: runs a Program. A switch over the opcode in one loop; values live on a reused stack.
//
// Every case follows the null rules of SCORING.md: an operand of the wrong run-time type is
// treated like null (the binder has already rejected mismatches it could see at load time).
#include "expr/vm.h"

#include <cmath>

#include "expr/builtins.h"

namespace leadscore::expr {
namespace {

// Numeric results that are not finite (an overflow past 1.8e308, inf - inf) become null, as a
// division by zero does: no infinity or NaN escapes a program, to be printed as `inf`, which is
// not JSON.
inline Value NumberOrNull(double v) { return std::isfinite(v) ? Value::Number(v) : Value::Null(); }

// time + seconds; null when the result leaves the representable range.
inline Value ShiftTime(Timestamp t, double seconds) {
  double micros = seconds * 1e6;
  if (!(std::fabs(micros) < 9.0e18)) return Value::Null();  // also rejects NaN
  Timestamp out;
  if (__builtin_add_overflow(t, static_cast<int64_t>(std::llround(micros)), &out)) {
    return Value::Null();
  }
  return Value::Time(out);
}

inline Value Add(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return NumberOrNull(a.number() + b.number());
  if (a.is_time() && b.is_number()) return ShiftTime(a.time(), b.number());
  if (a.is_number() && b.is_time()) return ShiftTime(b.time(), a.number());
  return Value::Null();
}

inline Value Sub(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return NumberOrNull(a.number() - b.number());
  if (a.is_time() && b.is_number()) return ShiftTime(a.time(), -b.number());
  if (a.is_time() && b.is_time()) {
    int64_t micros;
    if (__builtin_sub_overflow(a.time(), b.time(), &micros)) {
      return Value::Number((static_cast<double>(a.time()) - static_cast<double>(b.time())) / 1e6);
    }
    return Value::Number(static_cast<double>(micros) / 1e6);
  }
  return Value::Null();
}

inline Value Mul(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return NumberOrNull(a.number() * b.number());
  return Value::Null();
}

inline Value Div(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number() && b.number() != 0) {
    return NumberOrNull(a.number() / b.number());
  }
  return Value::Null();
}

// a `Cmp` b for two values of one type; null for null, mixed types, or ordering bools.
template <class Cmp, bool kOrdering>
inline Value Compare(const Value& a, const Value& b) {
  if (a.type() != b.type()) return Value::Null();
  Cmp cmp;
  switch (a.type()) {
    case ValueType::kNumber:
      return Value::Bool(cmp(a.number(), b.number()));
    case ValueType::kString:
      return Value::Bool(cmp(a.str(), b.str()));  // char_traits<char>: bytewise, unsigned
    case ValueType::kTime:
      return Value::Bool(cmp(a.time(), b.time()));
    case ValueType::kBool:
      if (kOrdering) return Value::Null();
      return Value::Bool(cmp(a.boolean(), b.boolean()));
    case ValueType::kNull:
      break;
  }
  return Value::Null();
}

// Three-valued truth: 0 false, 1 true, 2 unknown (null or not a bool).
inline int Truth(const Value& v) { return v.is_bool() ? (v.boolean() ? 1 : 0) : 2; }

inline Value FromTruth(int t) { return t == 2 ? Value::Null() : Value::Bool(t == 1); }

inline Value And(const Value& a, const Value& b) {
  int x = Truth(a), y = Truth(b);
  if (x == 0 || y == 0) return Value::Bool(false);
  return FromTruth(x == 1 && y == 1 ? 1 : 2);
}

inline Value Or(const Value& a, const Value& b) {
  int x = Truth(a), y = Truth(b);
  if (x == 1 || y == 1) return Value::Bool(true);
  return FromTruth(x == 0 && y == 0 ? 0 : 2);
}

inline Value Not(const Value& v) { return v.is_bool() ? Value::Bool(!v.boolean()) : Value::Null(); }

// SQL `in`: null subject -> null; a match -> true; no match but the list holds a null or
// elements of another type -> null; else false.
inline Value In(const Value& x, const ValueSet& set) {
  if (x.is_null()) return Value::Null();
  bool other_types = !set.items().empty() && set.item_type() != x.type();
  if (!other_types && set.Contains(x)) return Value::Bool(true);
  if (set.has_null() || other_types) return Value::Null();
  return Value::Bool(false);
}

inline Value Between(const Value& x, const Value& lo, const Value& hi) {
  if (x.type() != lo.type() || x.type() != hi.type()) return Value::Null();
  switch (x.type()) {
    case ValueType::kNumber:
      return Value::Bool(lo.number() <= x.number() && x.number() <= hi.number());
    case ValueType::kString:
      return Value::Bool(lo.str() <= x.str() && x.str() <= hi.str());
    case ValueType::kTime:
      return Value::Bool(lo.time() <= x.time() && x.time() <= hi.time());
    default:
      return Value::Null();  // null, or bools, which do not order
  }
}

inline Value Load(std::span<const Value> values, uint32_t slot) {
  return slot < values.size() ? values[slot] : Value::Null();
}

}  // namespace

Vm::Vm() : impl_(std::make_unique<Impl>()) {}
Vm::~Vm() = default;

Value Vm::Run(const Program& program, const Env& env) {
  Impl& impl = *impl_;
  if (impl.stack.size() < program.max_stack()) impl.stack.resize(program.max_stack());
  if (impl.scratch.size() < program.num_scratch()) impl.scratch.resize(program.num_scratch());
  Value* sp = impl.stack.data();  // the next free slot
  const Instr* const code = program.code().data();
  const Instr* ip = code;
  for (;;) {
    const Instr& in = *ip++;
    switch (in.op) {
      // Synopsis: push constant[arg]
      case Op::kPushConst:
        *sp++ = program.constant(in.arg);
        break;
      // Synopsis: push env.event[arg], null when the slot is absent
      case Op::kLoadEvent:
        *sp++ = Load(env.event, in.arg);
        break;
      // Synopsis: push env.lead[arg], null when the slot is absent
      case Op::kLoadLead:
        *sp++ = Load(env.lead, in.arg);
        break;
      // Synopsis: push env.computed[arg], null when the slot is absent
      case Op::kLoadComputed:
        *sp++ = Load(env.computed, in.arg);
        break;
      // Synopsis: x -> -x (numbers; else null)
      case Op::kNeg:
        sp[-1] = sp[-1].is_number() ? Value::Number(-sp[-1].number()) : Value::Null();
        break;
      // Synopsis: x -> not x (bools; else null)
      case Op::kNot:
        sp[-1] = Not(sp[-1]);
        break;
      // Synopsis: a b -> a + b (numbers, time + seconds)
      case Op::kAdd:
        --sp;
        sp[-1] = Add(sp[-1], sp[0]);
        break;
      // Synopsis: a b -> a - b (numbers, time - seconds, time - time in seconds)
      case Op::kSub:
        --sp;
        sp[-1] = Sub(sp[-1], sp[0]);
        break;
      // Synopsis: a b -> a * b (numbers)
      case Op::kMul:
        --sp;
        sp[-1] = Mul(sp[-1], sp[0]);
        break;
      // Synopsis: a b -> a / b (numbers; by zero: null)
      case Op::kDiv:
        --sp;
        sp[-1] = Div(sp[-1], sp[0]);
        break;
      // Synopsis: a b -> a == b (same types; else null)
      case Op::kEq:
        --sp;
        sp[-1] = Compare<std::equal_to<>, false>(sp[-1], sp[0]);
        break;
      // Synopsis: a b -> a != b
      case Op::kNe:
        --sp;
        sp[-1] = Compare<std::not_equal_to<>, false>(sp[-1], sp[0]);
        break;
      // Synopsis: a b -> a < b (numbers, strings, times)
      case Op::kLt:
        --sp;
        sp[-1] = Compare<std::less<>, true>(sp[-1], sp[0]);
        break;
      // Synopsis: a b -> a <= b
      case Op::kLe:
        --sp;
        sp[-1] = Compare<std::less_equal<>, true>(sp[-1], sp[0]);
        break;
      // Synopsis: a b -> a > b
      case Op::kGt:
        --sp;
        sp[-1] = Compare<std::greater<>, true>(sp[-1], sp[0]);
        break;
      // Synopsis: a b -> a >= b
      case Op::kGe:
        --sp;
        sp[-1] = Compare<std::greater_equal<>, true>(sp[-1], sp[0]);
        break;
      // Synopsis: if top is false, jump to arg keeping it (and's short cut)
      case Op::kJumpIfFalse:
        if (sp[-1].is_bool() && !sp[-1].boolean()) ip = code + in.arg;
        break;
      // Synopsis: a b -> a and b (three-valued)
      case Op::kAnd:
        --sp;
        sp[-1] = And(sp[-1], sp[0]);
        break;
      // Synopsis: if top is true, jump to arg keeping it (or's short cut)
      case Op::kJumpIfTrue:
        if (sp[-1].is_true()) ip = code + in.arg;
        break;
      // Synopsis: a b -> a or b (three-valued)
      case Op::kOr:
        --sp;
        sp[-1] = Or(sp[-1], sp[0]);
        break;
      // Synopsis: x -> x in set[arg] (SQL semantics)
      case Op::kInSet:
        sp[-1] = In(sp[-1], program.set(in.arg));
        break;
      // Synopsis: x -> not (x in set[arg])
      case Op::kNotInSet:
        sp[-1] = Not(In(sp[-1], program.set(in.arg)));
        break;
      // Synopsis: x lo hi -> lo <= x and x <= hi
      case Op::kBetween:
        sp -= 2;
        sp[-1] = Between(sp[-1], sp[0], sp[1]);
        break;
      // Synopsis: argc values -> builtin[arg](...); aux: scratch or regex index
      case Op::kCall: {
        const Builtin& fn = Builtins()[in.arg];
        sp -= in.argc;
        Value result;
        bool accepted = true;
        if (fn.strict) {
          for (int i = 0; i < in.argc; ++i) {
            if (!(ParamMask(fn, i) & MaskOf(sp[i].type()))) {  // null is in no mask
              accepted = false;
              break;
            }
          }
        }
        if (accepted) {
          CallContext ctx;
          ctx.env = &env;
          if (fn.extra == Extra::kScratch) ctx.scratch = &impl.scratch[in.aux];
          if (fn.extra == Extra::kRegex) ctx.regex = &program.regex(in.aux);
          result = fn.fn(sp, in.argc, ctx);
        }
        *sp++ = result;
        break;
      }
      // Synopsis: the top of the stack is the result
      case Op::kReturn:
        return sp[-1];
    }
  }
}

}  // namespace leadscore::expr
