// The condition language of model files (SCORING.md, "Expressions"): the public face of expr/.
//
// Text goes through lexer -> parser (Ast) -> binder (names to slots, types checked) ->
// compiler (flat Program). A Program is immutable and may be shared by threads; a Vm holds the
// scratch space of one evaluation and belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/value.h"

namespace leadscore::expr {

// Static type of an expression. kAny: known only at run time (an undeclared field).
// kNull: the literal null, compatible with every type.
enum class Type : uint8_t { kAny, kNull, kNumber, kString, kBool, kTime };

std::string_view TypeName(Type type);
Type TypeOf(ValueType type);

// Where a bound name reads its value when a program runs.
enum class Source : uint8_t {
  kEvent,     // Env::event[slot]: an event property (engagement `when`)
  kLead,      // Env::lead[slot]: a lead attribute
  kComputed,  // Env::computed[slot]: fit, engagement, score or grade
};

struct Binding {
  Source source = Source::kLead;
  uint32_t slot = 0;
  Type type = Type::kAny;
};

// Supplied by the caller (the model compiler) to give names and @lists their meaning.
class Scope {
 public:
  virtual ~Scope() = default;
  // `name` is the identifier as written, without backticks; `lead_prefixed` is true for
  // `lead.name` (the prefix is stripped). Returns the binding, or an error message such as
  // "`grade` is not available in grades".
  virtual tl::expected<Binding, std::string> Resolve(std::string_view name, bool lead_prefixed) = 0;
  // The values of `@name`, or nullptr when there is no such list. The values and their string
  // bytes must live as long as the Scope; a compiled Program keeps its own copies.
  virtual const std::vector<Value>* FindList(std::string_view name) = 0;
  // Names of all lists, for "did you mean" suggestions.
  virtual std::vector<std::string> ListNames() const = 0;
};

// Where and why compilation failed. Line and column are 1-based, within the expression text.
struct CompileError {
  int line = 1;
  int column = 1;
  uint32_t offset = 0;  // the byte of the text that line and column name
  std::string message;
};

// The file line and column of a byte offset of an expression's text.
using PlaceInFile = std::function<std::pair<int, int>(size_t offset)>;

// `error`'s message with the positions it names in `text` ("to close '(' at column 7") moved to
// the file that holds the expression: "at column c" when on the error's own line there, else
// "at line l, column c".
std::string MessageInFile(const CompileError& error, std::string_view text,
                          const PlaceInFile& place);

class Program;

// Everything a program reads when it runs. Slots not bound by the program may be absent.
struct Env {
  std::span<const Value> event;
  std::span<const Value> lead;
  std::span<const Value> computed;
  Timestamp as_of = 0;  // for days_since()
};

// Compiles `text` against `scope`. Type errors that are certain at load time (comparing a
// number with a string, an unknown function or list, wrong arity, a bad regex literal) are
// errors here; anything decided by run-time types yields null when run.
tl::expected<std::shared_ptr<const Program>, CompileError> Compile(std::string_view text,
                                                                   Scope& scope);

// The static result type of a compiled program.
Type ResultType(const Program& program);

// Whether running the program reads Env::as_of (it calls days_since): its result may change
// with the as-of time alone.
bool ReadsAsOf(const Program& program);

// A readable listing of the program's instructions, one per line (`leadscore check --verbose`).
std::string Disassemble(const Program& program);

// Runs programs. Owns a value stack and scratch strings, reused across runs: no allocation in
// the steady state. Not thread-safe: one Vm per thread.
class Vm {
 public:
  Vm();
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  // Evaluates `program` in `env`. A string result views the Vm's scratch space or the env, and
  // stays valid until the next Run on this Vm.
  Value Run(const Program& program, const Env& env);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadscore::expr
