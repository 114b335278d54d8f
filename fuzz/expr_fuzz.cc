// libFuzzer target for expr/: compiles arbitrary text and, when it compiles, runs it on a few
// environments (nulls, numbers, strings, bools, times, absent slots). It must never crash,
// hang or trip a sanitizer; a compile error is a fine outcome.
//
// Build (see fuzz/CMakeLists.txt, or by hand):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc fuzz/expr_fuzz.cc \
//     src/expr/{binder,builtins,compiler,expr,lexer,parser,program,suggest,utf8,vm}.cc \
//     src/core/{status,time,value}.cc $(pkg-config --cflags --libs re2) -lfmt -o expr_fuzz
// Run: ./expr_fuzz -max_total_time=60 fuzz/corpus/expr
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.h"

namespace {

using leadscore::Value;
using leadscore::expr::Binding;
using leadscore::expr::Env;
using leadscore::expr::Scope;
using leadscore::expr::Source;
using leadscore::expr::Type;

constexpr uint32_t kSlots = 6;  // names get slots 0..11; the envs hold 6, so some are absent

// Binds every name to a kAny slot; a few fixed names get declared types so load-time type
// checks are exercised too.
class PermissiveScope : public Scope {
 public:
  PermissiveScope() {
    lists_["free"] = {Value::String("gmail.com"), Value::String("yahoo.com")};
    for (int i = 0; i < 20; ++i) {
      lists_["big"].push_back(Value::String(strings_.emplace_back("d" + std::to_string(i))));
    }
    lists_["nums"] = {Value::Number(1), Value::Number(2.5), Value::Null()};
    lists_["empty"] = {};
  }

  tl::expected<Binding, std::string> Resolve(std::string_view name, bool lead_prefixed) override {
    if (name == "forbidden") return tl::unexpected(std::string("`forbidden` is not available"));
    Binding b;
    b.source = lead_prefixed ? Source::kLead
                             : static_cast<Source>(std::hash<std::string_view>()(name) % 3);
    b.slot = static_cast<uint32_t>(std::hash<std::string_view>()(name) % (2 * kSlots));
    if (name == "num") b.type = Type::kNumber;
    if (name == "str") b.type = Type::kString;
    if (name == "flag") b.type = Type::kBool;
    if (name == "when") b.type = Type::kTime;
    return b;
  }
  const std::vector<Value>* FindList(std::string_view name) override {
    auto it = lists_.find(std::string(name));
    return it == lists_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> ListNames() const override {
    std::vector<std::string> out;
    for (const auto& [name, values] : lists_) out.push_back(name);
    return out;
  }

 private:
  std::map<std::string, std::vector<Value>> lists_;
  std::deque<std::string> strings_;
};

std::vector<std::vector<Value>> MakeEnvValues() {
  std::vector<std::vector<Value>> envs;
  envs.push_back(std::vector<Value>(kSlots));  // all null
  envs.push_back({Value::Number(0), Value::Number(-1.5), Value::Number(1e308), Value::Number(42),
                  Value::Number(-0.0), Value::Number(7)});
  envs.push_back({Value::String(""), Value::String("Ann@Example.COM"), Value::String("SOCIÉTÉ"),
                  Value::String("2024-05-01"), Value::String("\xFF\xC3"),
                  Value::String("  padded  ")});
  envs.push_back({Value::Bool(true), Value::Bool(false), Value::Time(0), Value::Time(INT64_MAX),
                  Value::Time(INT64_MIN), Value::Number(1714557600)});
  return envs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static PermissiveScope scope;
  static const std::vector<std::vector<Value>> env_values = MakeEnvValues();
  static leadscore::expr::Vm vm;

  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto program = leadscore::expr::Compile(text, scope);
  if (!program) {
    const auto& error = program.error();
    if (error.line < 1 || error.column < 1 || error.message.empty()) __builtin_trap();
    return 0;
  }
  (void)leadscore::expr::Disassemble(**program);
  for (size_t i = 0; i < env_values.size(); ++i) {
    Env env;
    env.event = env_values[i];
    env.lead = env_values[(i + 1) % env_values.size()];
    env.computed = env_values[(i + 2) % env_values.size()];
    env.as_of = i == 3 ? INT64_MAX : 1714557600LL * 1000000;
    Value v = vm.Run(**program, env);
    if (v.is_string()) {
      volatile char sink = 0;
      for (char c : v.str()) sink = static_cast<char>(sink ^ c);  // touch the bytes
      (void)sink;
    }
  }
  return 0;
}
