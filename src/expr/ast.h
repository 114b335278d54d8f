// Ast: the parser's output, an unbound tree of the expression as written.
//
// Nodes own their children and their text (names, string literals). Positions are byte offsets
// into the expression text; lexer.h turns them into 1-based line:column only when reporting an
// error. An ExprKind keeps its name through every stage: ExprKind::kIn here, BoundExpr kIn in the
// binder, Op::kInSet in program.h and `case Op::kInSet:` in vm.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"

namespace leadscore::expr {

enum class ExprKind : uint8_t {
  kLiteral,  // 12, "text", true, null, 7d
  kName,     // company_size, utm.source, `Lead Source`, lead.country
  kList,     // [a, b, c]: children are kLiteral; only as the right side of in / not in
  kListRef,  // @name: only as the right side of in / not in
  kNeg,      // -x
  kNot,      // not x
  kAnd,      // a and b
  kOr,       // a or b
  kEq,       // a == b
  kNe,       // a != b
  kLt,       // a < b
  kLe,       // a <= b
  kGt,       // a > b
  kGe,       // a >= b
  kAdd,      // a + b
  kSub,      // a - b
  kMul,      // a * b
  kDiv,      // a / b
  kIn,       // x in [..] | x in @name: children are [x, list]
  kNotIn,    // x not in [..]
  kBetween,  // x between lo and hi: children are [x, lo, hi]
  kCall,     // f(a, b, ...)
};

// The spelling of an operator kind in messages: "==", "in", "between".
inline std::string_view ExprKindName(ExprKind kind) {
  switch (kind) {
    case ExprKind::kLiteral:
      return "literal";
    case ExprKind::kName:
      return "name";
    case ExprKind::kList:
      return "list";
    case ExprKind::kListRef:
      return "@list";
    case ExprKind::kNeg:
      return "-";
    case ExprKind::kNot:
      return "not";
    case ExprKind::kAnd:
      return "and";
    case ExprKind::kOr:
      return "or";
    case ExprKind::kEq:
      return "==";
    case ExprKind::kNe:
      return "!=";
    case ExprKind::kLt:
      return "<";
    case ExprKind::kLe:
      return "<=";
    case ExprKind::kGt:
      return ">";
    case ExprKind::kGe:
      return ">=";
    case ExprKind::kAdd:
      return "+";
    case ExprKind::kSub:
      return "-";
    case ExprKind::kMul:
      return "*";
    case ExprKind::kDiv:
      return "/";
    case ExprKind::kIn:
      return "in";
    case ExprKind::kNotIn:
      return "not in";
    case ExprKind::kBetween:
      return "between";
    case ExprKind::kCall:
      return "call";
  }
  return "?";
}

// A constant as written (or copied from a named list). Owns its string bytes.
struct Literal {
  ValueType type = ValueType::kNull;
  double number = 0;
  bool boolean = false;
  Timestamp time = 0;  // only from named lists: the language has no time literal
  std::string text;    // kString: the decoded bytes

  static Literal FromValue(const Value& v) {
    Literal out;
    out.type = v.type();
    if (v.is_number()) out.number = v.number();
    if (v.is_bool()) out.boolean = v.boolean();
    if (v.is_time()) out.time = v.time();
    if (v.is_string()) out.text.assign(v.str());
    return out;
  }
  // REQUIRES: *this outlives the returned Value (for strings).
  Value ToValue() const {
    switch (type) {
      case ValueType::kNumber:
        return Value::Number(number);
      case ValueType::kString:
        return Value::String(text);
      case ValueType::kBool:
        return Value::Bool(boolean);
      case ValueType::kTime:
        return Value::Time(time);
      case ValueType::kNull:
        break;
    }
    return Value::Null();
  }
};

struct Ast {
  ExprKind kind = ExprKind::kLiteral;
  uint32_t offset = 0;  // the token that names the node: operator, literal, name, function
  uint32_t start = 0;   // first byte of the node's text, for "argument N" messages
  int depth = 1;        // 1 + the deepest child; the parser caps it so later stages may recurse
  Literal literal;      // kLiteral
  std::string name;     // kName: the field name; kCall: the function; kListRef: the list
  bool lead_prefixed = false;  // kName written as lead.name
  std::vector<std::unique_ptr<Ast>> children;
};

}  // namespace leadscore::expr
