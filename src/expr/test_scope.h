// Test helpers for expr/: a map-backed Scope and a Harness that compiles and runs expressions.
//
// Test-only; not part of leadscore_expr. TestScope binds undeclared bare names to fresh kAny
// lead slots (as a model does for undeclared attributes) unless `auto_bind` is false.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "expr/expr.h"

namespace leadscore::expr {

class TestScope : public Scope {
 public:
  // Declares a bare name. Slots are numbered per source in declaration order.
  TestScope& Field(const std::string& name, Type type, Source source = Source::kLead) {
    bare_[name] = Binding{source, next_slot_[static_cast<int>(source)]++, type};
    return *this;
  }
  // Declares `lead.name`.
  TestScope& LeadField(const std::string& name, Type type) {
    lead_[name] = Binding{Source::kLead, next_slot_[static_cast<int>(Source::kLead)]++, type};
    return *this;
  }
  // Declares `@name`; string bytes are copied.
  TestScope& List(const std::string& name, const std::vector<Value>& values) {
    std::vector<Value>& out = lists_[name];
    for (const Value& v : values) {
      if (v.is_string()) {
        out.push_back(Value::String(strings_.emplace_back(v.str())));
      } else {
        out.push_back(v);
      }
    }
    return *this;
  }
  // Makes Resolve(name, false) fail with `message`.
  TestScope& Forbid(const std::string& name, const std::string& message) {
    forbidden_[name] = message;
    return *this;
  }

  tl::expected<Binding, std::string> Resolve(std::string_view name, bool lead_prefixed) override {
    std::string key(name);
    auto& map = lead_prefixed ? lead_ : bare_;
    if (auto it = map.find(key); it != map.end()) return it->second;
    if (!lead_prefixed) {
      if (auto it = forbidden_.find(key); it != forbidden_.end()) {
        return tl::unexpected(it->second);
      }
    }
    if (!auto_bind) return tl::unexpected("unknown field '" + key + "'");
    if (lead_prefixed) {
      LeadField(key, Type::kAny);
    } else {
      Field(key, Type::kAny);
    }
    return map[key];
  }
  const std::vector<Value>* FindList(std::string_view name) override {
    auto it = lists_.find(std::string(name));
    return it == lists_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> ListNames() const override {
    std::vector<std::string> names;
    for (const auto& [name, values] : lists_) names.push_back(name);
    return names;
  }

  const Binding& Get(const std::string& name, bool lead_prefixed = false) {
    return (lead_prefixed ? lead_ : bare_).at(name);
  }

  bool auto_bind = true;

 private:
  std::map<std::string, Binding> bare_;
  std::map<std::string, Binding> lead_;
  std::map<std::string, std::string> forbidden_;
  std::map<std::string, std::vector<Value>> lists_;
  std::deque<std::string> strings_;
  uint32_t next_slot_[3] = {0, 0, 0};
};

// Compiles and runs expressions against values set by name.
class Harness {
 public:
  // Sets the value of a bare name (declaring it kAny when undeclared) or of `lead.name`.
  // REQUIRES: string bytes outlive the Harness (string literals do).
  void Set(const std::string& name, Value v, bool lead_prefixed = false) {
    auto binding = scope.Resolve(name, lead_prefixed);
    ASSERT_TRUE(binding.has_value()) << name;
    std::vector<Value>& values = Slots(binding->source);
    if (values.size() <= binding->slot) values.resize(binding->slot + 1);
    values[binding->slot] = v;
  }

  // The program for `text`; fails the test when it does not compile.
  std::shared_ptr<const Program> Build(std::string_view text) {
    auto program = Compile(text, scope);
    if (!program) {
      ADD_FAILURE() << "compiling `" << text << "`: " << program.error().line << ":"
                    << program.error().column << ": " << program.error().message;
      return nullptr;
    }
    return *program;
  }

  // The result of `text`; valid until the next Eval.
  Value Eval(std::string_view text) {
    auto program = Build(text);
    if (!program) return Value::Null();
    last_ = program;
    return vm.Run(*program, env());
  }

  // The result of `text` rendered with Value::ToString: `null`, `3`, `"text"`, `true`.
  std::string Show(std::string_view text) {
    auto program = Build(text);
    if (!program) return "<compile error>";
    return vm.Run(*program, env()).ToString();
  }

  // The error for `text`; fails the test when it compiles.
  CompileError Error(std::string_view text) {
    auto program = Compile(text, scope);
    if (program) {
      ADD_FAILURE() << "`" << text << "` compiled; expected an error";
      return {};
    }
    return program.error();
  }

  Env env() const {
    Env e;
    e.event = event;
    e.lead = lead;
    e.computed = computed;
    e.as_of = as_of;
    return e;
  }

  TestScope scope;
  Vm vm;
  std::vector<Value> event, lead, computed;
  Timestamp as_of = 0;

 private:
  std::vector<Value>& Slots(Source source) {
    switch (source) {
      case Source::kEvent:
        return event;
      case Source::kLead:
        return lead;
      case Source::kComputed:
        break;
    }
    return computed;
  }
  std::shared_ptr<const Program> last_;
};

}  // namespace leadscore::expr
