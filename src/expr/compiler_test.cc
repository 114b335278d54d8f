// Tests for the compiler: the shape of the emitted code (ops named after their ExprKind, jumps
// for and/or), stack sizing, and that a Program owns its constants.
#include "expr/compiler.h"

#include <gtest/gtest.h>

#include "expr/parser.h"
#include "expr/test_scope.h"

namespace leadscore::expr {
namespace {

std::shared_ptr<const Program> Build(std::string_view text, TestScope& scope) {
  auto ast = Parse(text);
  EXPECT_TRUE(ast.has_value()) << text;
  if (!ast) return nullptr;
  auto bound = Bind(**ast, text, scope);
  EXPECT_TRUE(bound.has_value()) << text << ": " << (bound ? "" : bound.error().message);
  if (!bound) return nullptr;
  auto program = CompileBound(**bound, text);
  EXPECT_TRUE(program.has_value());
  return program ? *program : nullptr;
}

std::vector<Op> Ops(const Program& program) {
  std::vector<Op> ops;
  for (const Instr& in : program.code()) ops.push_back(in.op);
  return ops;
}

TEST(Compiler, EmitsPostOrderStackCode) {
  TestScope scope;
  scope.Field("a", Type::kNumber);
  auto p = Build("a + 2 * 3 > 1", scope);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(Ops(*p), (std::vector<Op>{Op::kLoadLead, Op::kPushConst, Op::kPushConst, Op::kMul,
                                      Op::kAdd, Op::kPushConst, Op::kGt, Op::kReturn}));
  EXPECT_EQ(p->max_stack(), 3u);
  EXPECT_EQ(p->result_type(), Type::kBool);
}

TEST(Compiler, AndOrJumpOverTheirRightOperand) {
  TestScope scope;
  auto p = Build("a and b", scope);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(Ops(*p), (std::vector<Op>{Op::kLoadLead, Op::kJumpIfFalse, Op::kLoadLead, Op::kAnd,
                                      Op::kReturn}));
  EXPECT_EQ(p->code()[1].arg, 4u);  // lands on Return with `false` on the stack
  auto q = Build("a or b", scope);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->code()[1].op, Op::kJumpIfTrue);
  EXPECT_EQ(q->code()[3].op, Op::kOr);
}

TEST(Compiler, InBecomesInSetAndNotInBecomesNotInSet) {
  TestScope scope;
  scope.List("l", {Value::String("x")});
  auto p = Build("a in [1, 2] and b not in @l", scope);
  ASSERT_NE(p, nullptr);
  std::vector<Op> ops = Ops(*p);
  EXPECT_EQ(ops[1], Op::kInSet);
  EXPECT_EQ(ops[4], Op::kNotInSet);
  EXPECT_EQ(p->num_sets(), 2u);
  EXPECT_EQ(p->set(0).items().size(), 2u);
  EXPECT_EQ(p->name(p->code()[4].aux), "@l");
}

TEST(Compiler, BetweenAndCalls) {
  TestScope scope;
  auto p = Build("len(lower(a)) between 1 and coalesce(b, c, 3)", scope);
  ASSERT_NE(p, nullptr);
  std::vector<Op> ops = Ops(*p);
  EXPECT_EQ(ops.back(), Op::kReturn);
  EXPECT_EQ(ops[ops.size() - 2], Op::kBetween);
  const Instr& coalesce = p->code()[ops.size() - 3];
  EXPECT_EQ(coalesce.op, Op::kCall);
  EXPECT_EQ(coalesce.argc, 3);
  EXPECT_EQ(p->num_scratch(), 1u);  // lower() needs one; len() and coalesce() none
  EXPECT_EQ(p->max_stack(), 5u);    // len-result, 1, b, c, 3
}

TEST(Compiler, EachStringCallSiteGetsItsOwnScratch) {
  TestScope scope;
  auto p = Build("lower(a) == upper(b) or domain(c) == lower(d)", scope);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->num_scratch(), 4u);
}

TEST(Compiler, MatchesKeepsItsCompiledRegex) {
  TestScope scope;
  auto p = Build("matches(url, \"^/pricing\")", scope);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->num_regexes(), 1u);
  EXPECT_EQ(p->code()[2].op, Op::kCall);
  EXPECT_EQ(p->code()[2].aux, 0);
}

TEST(Compiler, ProgramOwnsItsConstantsAndSource) {
  TestScope scope;
  std::shared_ptr<const Program> p;
  {
    std::string text =
        "a == \"a long string constant that does not fit in SSO\" or a in "
        "[\"x\", \"y\"]";
    p = Build(text, scope);
    text.assign(text.size(), '#');  // scribble over the source
  }
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->constant(0).str(), "a long string constant that does not fit in SSO");
  EXPECT_EQ(p->set(0).items()[1].str(), "y");
  EXPECT_TRUE(p->source().starts_with("a == \"a long"));
}

TEST(Compiler, LoadsCarryTheirSource) {
  TestScope scope;
  scope.Field("e", Type::kAny, Source::kEvent).Field("c", Type::kAny, Source::kComputed);
  auto p = Build("e == c or lead.x == 1", scope);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->code()[0].op, Op::kLoadEvent);
  EXPECT_EQ(p->code()[1].op, Op::kLoadComputed);
  EXPECT_EQ(p->code()[4].op, Op::kLoadLead);
  EXPECT_EQ(p->name(p->code()[4].aux), "lead.x");
}

}  // namespace
}  // namespace leadscore::expr
