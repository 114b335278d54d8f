// Program: a compiled expression. Flat bytecode for a stack machine, plus the constants, `in`
// sets and regexes it refers to by index. No pointers between instructions.
//
// Ownership: a Program owns every byte its Values view (string constants, list strings) in a
// std::deque, whose elements never move, so the views stay valid for the Program's life. It is
// built once by the compiler (the mutating half of the interface) and then shared as
// `shared_ptr<const Program>`: immutable, safe to run from many threads (RE2 is thread-safe).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/value.h"
#include "expr/expr.h"

namespace re2 {
class RE2;
}

namespace leadscore::expr {

// Opcodes. `arg`, `argc` and `aux` are the Instr fields; "push"/"pop" refer to the value stack.
enum class Op : uint8_t {
  kPushConst,     // Synopsis: push constant[arg]
  kLoadEvent,     // Synopsis: push env.event[arg], null when the slot is absent; aux: name
  kLoadLead,      // Synopsis: push env.lead[arg], null when the slot is absent
  kLoadComputed,  // Synopsis: push env.computed[arg], null when the slot is absent
  kNeg,           // Synopsis: x -> -x (numbers; else null)
  kNot,           // Synopsis: x -> not x (bools; else null)
  kAdd,           // Synopsis: a b -> a + b (numbers, time + seconds)
  kSub,           // Synopsis: a b -> a - b (numbers, time - seconds, time - time in seconds)
  kMul,           // Synopsis: a b -> a * b (numbers)
  kDiv,           // Synopsis: a b -> a / b (numbers; by zero: null)
  kEq,            // Synopsis: a b -> a == b (same types; else null)
  kNe,            // Synopsis: a b -> a != b
  kLt,            // Synopsis: a b -> a < b (numbers, strings, times)
  kLe,            // Synopsis: a b -> a <= b
  kGt,            // Synopsis: a b -> a > b
  kGe,            // Synopsis: a b -> a >= b
  kJumpIfFalse,   // Synopsis: if top is false, jump to arg keeping it (and's short cut)
  kAnd,           // Synopsis: a b -> a and b (three-valued)
  kJumpIfTrue,    // Synopsis: if top is true, jump to arg keeping it (or's short cut)
  kOr,            // Synopsis: a b -> a or b (three-valued)
  kInSet,         // Synopsis: x -> x in set[arg] (SQL semantics); aux: @name or 0xFFFF
  kNotInSet,      // Synopsis: x -> not (x in set[arg])
  kBetween,       // Synopsis: x lo hi -> lo <= x and x <= hi
  kCall,          // Synopsis: argc values -> builtin[arg](...); aux: scratch or regex index
  kReturn,        // Synopsis: the top of the stack is the result
};

std::string_view OpName(Op op);

struct Instr {
  Op op = Op::kReturn;
  uint8_t argc = 0;
  uint16_t aux = 0;
  uint32_t arg = 0;
};
static_assert(sizeof(Instr) == 8, "Instr stays one word");

// The compiled right side of `in`: the list's non-null elements, all of one type.
class ValueSet {
 public:
  // Lists of more strings than this are looked up in a hash set. Below it a linear scan of
  // string_views is as fast and needs no hashing.
  static constexpr size_t kHashThreshold = 8;

  // REQUIRES: the non-null `items` share one type; their bytes outlive the set.
  explicit ValueSet(std::span<const Value> items);

  // True when some element equals `v`. REQUIRES: v.type() == item_type().
  bool Contains(const Value& v) const;

  ValueType item_type() const { return item_type_; }  // kNull when there are no elements
  bool has_null() const { return has_null_; }
  std::span<const Value> items() const { return items_; }

 private:
  std::vector<Value> items_;
  ValueType item_type_ = ValueType::kNull;
  bool has_null_ = false;
  bool hashed_ = false;
  std::unordered_set<std::string_view> strings_;
};

class Program {
 public:
  explicit Program(std::string source);
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // --- Reading (the Vm, Disassemble) ---
  std::span<const Instr> code() const { return code_; }
  const Value& constant(uint32_t i) const { return constants_[i]; }
  const ValueSet& set(uint32_t i) const { return sets_[i]; }
  const re2::RE2& regex(uint32_t i) const { return *regexes_[i]; }
  std::string_view source() const { return source_; }
  Type result_type() const { return result_type_; }
  uint32_t max_stack() const { return max_stack_; }
  uint32_t num_scratch() const { return num_scratch_; }
  size_t num_constants() const { return constants_.size(); }
  size_t num_sets() const { return sets_.size(); }
  size_t num_regexes() const { return regexes_.size(); }
  // The name a load or a named-list `in` refers to (Instr::aux), for disassembly; "" if none.
  std::string_view name(uint32_t i) const {
    return i < names_.size() ? std::string_view(names_[i]) : std::string_view();
  }

  // --- Building (the compiler only, before the Program is shared) ---
  // Each returns the new entry's index. String bytes are copied into the Program.
  uint32_t AddConstant(const Value& v);
  uint32_t AddSet(std::span<const Value> items);
  uint32_t AddRegex(std::shared_ptr<const re2::RE2> regex);
  uint32_t AddName(std::string_view name);
  uint32_t AddScratch() { return num_scratch_++; }
  uint32_t Emit(Instr instr);
  void SetJumpTarget(uint32_t at, uint32_t target) { code_[at].arg = target; }
  void set_result_type(Type type) { result_type_ = type; }
  void set_max_stack(uint32_t n) { max_stack_ = n; }

 private:
  Value Own(const Value& v);  // copies a string Value's bytes into strings_

  std::string source_;
  std::vector<Instr> code_;
  std::vector<Value> constants_;
  std::deque<ValueSet> sets_;
  std::vector<std::shared_ptr<const re2::RE2>> regexes_;
  std::vector<std::string> names_;
  std::deque<std::string> strings_;  // a deque: elements never move, so views stay valid
  Type result_type_ = Type::kAny;
  uint32_t max_stack_ = 0;
  uint32_t num_scratch_ = 0;
};

}  // namespace leadscore::expr
