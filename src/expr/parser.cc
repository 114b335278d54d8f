// Parser: recursive descent over the token vector; see parser.h for the grammar.
#include "expr/parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <utility>

#include "expr/lexer.h"

namespace leadscore::expr {
namespace {

bool IsComparison(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEq:
    case TokenKind::kNe:
    case TokenKind::kLt:
    case TokenKind::kLe:
    case TokenKind::kGt:
    case TokenKind::kGe:
    case TokenKind::kIn:
    case TokenKind::kBetween:
      return true;
    default:
      return false;
  }
}

ExprKind ComparisonKind(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEq:
      return ExprKind::kEq;
    case TokenKind::kNe:
      return ExprKind::kNe;
    case TokenKind::kLt:
      return ExprKind::kLt;
    case TokenKind::kLe:
      return ExprKind::kLe;
    case TokenKind::kGt:
      return ExprKind::kGt;
    default:
      return ExprKind::kGe;
  }
}

using AstPtr = std::unique_ptr<Ast>;
using ParseResult = tl::expected<AstPtr, CompileError>;

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens)
      : text_(text), tokens_(std::move(tokens)) {}

  ParseResult Run() {
    if (Peek().kind == TokenKind::kEnd) return Fail(Peek(), "empty expression");
    auto root = ParseOr();
    if (!root) return root;
    if (Peek().kind != TokenKind::kEnd) {
      const Token& t = Peek();
      if (t.kind == TokenKind::kRParen) return Fail(t, "unexpected ')' without a matching '('");
      return Fail(t,
                  fmt::format("unexpected {}; expected an operator or the end of the expression{}",
                              Describe(t), KeywordHint(t)));
    }
    return root;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Take() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  tl::unexpected<CompileError> Fail(const Token& at, std::string message) const {
    return tl::unexpected(ErrorAt(text_, at.offset, std::move(message)));
  }
  tl::unexpected<CompileError> Unexpected(const Token& at, std::string_view expected) const {
    if (at.kind == TokenKind::kEnd) {
      return Fail(at, fmt::format("unexpected end of expression; expected {}", expected));
    }
    return Fail(
        at, fmt::format("unexpected {}; expected {}{}", Describe(at), expected, KeywordHint(at)));
  }
  // `AND` and `True` are names, not keywords; say so.
  static std::string KeywordHint(const Token& t) {
    if (t.kind != TokenKind::kName || t.backticked) return "";
    std::string lower = t.text;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != t.text && IsKeyword(lower)) {
      return fmt::format(" (keywords are lower case: '{}')", lower);
    }
    return "";
  }

  AstPtr Node(ExprKind kind, const Token& at, uint32_t start) {
    auto node = std::make_unique<Ast>();
    node->kind = kind;
    node->offset = at.offset;
    node->start = start;
    return node;
  }
  // Attaches children and enforces kMaxDepth.
  ParseResult Finish(AstPtr node, const Token& at) {
    int deepest = 0;
    for (const auto& child : node->children) deepest = std::max(deepest, child->depth);
    node->depth = deepest + 1;
    if (node->depth > kMaxDepth) {
      return Fail(at,
                  fmt::format("expression is nested too deeply (more than {} levels)", kMaxDepth));
    }
    return node;
  }
  ParseResult Binary(ExprKind kind, const Token& op, AstPtr left, AstPtr right) {
    uint32_t start = left->start;
    AstPtr node = Node(kind, op, start);
    node->children.push_back(std::move(left));
    node->children.push_back(std::move(right));
    return Finish(std::move(node), op);
  }

  // One level of left-associative binary operators: `next (op next)*`, where `ops` maps each
  // operator token of this level to its expression kind.
  ParseResult ParseLeftAssociative(ParseResult (Parser::*next)(),
                                   std::initializer_list<std::pair<TokenKind, ExprKind>> ops) {
    auto left = (this->*next)();
    if (!left) return left;
    for (;;) {
      auto match = std::find_if(ops.begin(), ops.end(),
                                [&](const auto& op) { return op.first == Peek().kind; });
      if (match == ops.end()) return left;
      const Token& op = Take();
      auto right = (this->*next)();
      if (!right) return right;
      left = Binary(match->second, op, std::move(*left), std::move(*right));
      if (!left) return left;
    }
  }

  ParseResult ParseOr() {
    return ParseLeftAssociative(&Parser::ParseAnd, {{TokenKind::kOr, ExprKind::kOr}});
  }

  ParseResult ParseAnd() {
    return ParseLeftAssociative(&Parser::ParseNot, {{TokenKind::kAnd, ExprKind::kAnd}});
  }

  ParseResult ParseNot() {
    if (Peek().kind != TokenKind::kNot) return ParseComparison();
    return ParsePrefix(ExprKind::kNot, &Parser::ParseNot);
  }

  // `op operand` for a prefix operator just peeked at; `operand` parses what follows it.
  ParseResult ParsePrefix(ExprKind kind, ParseResult (Parser::*operand_parser)()) {
    const Token& op = Take();
    if (++nesting_ > kMaxNesting) return Fail(op, "expression is nested too deeply");
    auto operand = (this->*operand_parser)();
    --nesting_;
    if (!operand) return operand;
    AstPtr node = Node(kind, op, op.offset);
    node->children.push_back(std::move(*operand));
    return Finish(std::move(node), op);
  }

  ParseResult ParseComparison() {
    auto left = ParseSum();
    if (!left) return left;
    const Token& op = Peek();
    ParseResult result;
    if (op.kind == TokenKind::kNot && Peek(1).kind == TokenKind::kIn) {
      Take();
      Take();
      result = ParseIn(ExprKind::kNotIn, op, std::move(*left));
    } else if (op.kind == TokenKind::kIn) {
      Take();
      result = ParseIn(ExprKind::kIn, op, std::move(*left));
    } else if (op.kind == TokenKind::kBetween) {
      Take();
      result = ParseBetween(op, std::move(*left));
    } else if (IsComparison(op.kind)) {
      Take();
      auto right = ParseSum();
      if (!right) return right;
      result = Binary(ComparisonKind(op.kind), op, std::move(*left), std::move(*right));
    } else {
      return left;
    }
    if (!result) return result;
    const Token& next = Peek();
    if (IsComparison(next.kind) ||
        (next.kind == TokenKind::kNot && Peek(1).kind == TokenKind::kIn)) {
      return Fail(next, fmt::format("comparisons do not chain: {} cannot follow {}; combine "
                                    "them with 'and' (a < b and b < c)",
                                    Describe(next), Describe(op)));
    }
    return result;
  }

  ParseResult ParseBetween(const Token& op, AstPtr subject) {
    auto low = ParseSum();
    if (!low) return low;
    if (Peek().kind != TokenKind::kAnd) {
      return Unexpected(Peek(), fmt::format("'and' to finish 'between' at {}",
                                            WhereIs(text_, op.offset, Peek().offset)));
    }
    Take();
    auto high = ParseSum();
    if (!high) return high;
    AstPtr node = Node(ExprKind::kBetween, op, subject->start);
    node->children.push_back(std::move(subject));
    node->children.push_back(std::move(*low));
    node->children.push_back(std::move(*high));
    return Finish(std::move(node), op);
  }

  ParseResult ParseIn(ExprKind kind, const Token& op, AstPtr subject) {
    auto list = ParseList();
    if (!list) return list;
    AstPtr node = Node(kind, op, subject->start);
    node->children.push_back(std::move(subject));
    node->children.push_back(std::move(*list));
    return Finish(std::move(node), op);
  }

  ParseResult ParseList() {
    const Token& open = Peek();
    if (open.kind == TokenKind::kListRef) {
      Take();
      AstPtr node = Node(ExprKind::kListRef, open, open.offset);
      node->name = open.text;
      return node;
    }
    if (open.kind != TokenKind::kLBracket) {
      return Unexpected(open, "a list after 'in': [a, b, ...] or @name");
    }
    Take();
    AstPtr node = Node(ExprKind::kList, open, open.offset);
    if (Peek().kind == TokenKind::kRBracket) {
      Take();
      return node;
    }
    for (;;) {
      auto item = ParseListItem();
      if (!item) return item;
      node->children.push_back(std::move(*item));
      const Token& sep = Take();
      if (sep.kind == TokenKind::kRBracket) return Finish(std::move(node), open);
      if (sep.kind != TokenKind::kComma) {
        return Unexpected(sep, fmt::format("',' or ']' to close '[' at {}",
                                           WhereIs(text_, open.offset, sep.offset)));
      }
    }
  }

  // A list element: a literal, or '-' before a number or duration.
  ParseResult ParseListItem() {
    const Token& first = Peek();
    bool negative = false;
    if (first.kind == TokenKind::kMinus) {
      negative = true;
      Take();
      if (Peek().kind != TokenKind::kNumber && Peek().kind != TokenKind::kDuration) {
        return Unexpected(Peek(), "a number after '-' in a list");
      }
    }
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kNumber:
      case TokenKind::kDuration:
      case TokenKind::kString:
      case TokenKind::kTrue:
      case TokenKind::kFalse:
      case TokenKind::kNull: {
        Take();
        AstPtr node = MakeLiteral(t, first.offset);
        if (negative) node->literal.number = -node->literal.number;
        return node;
      }
      default:
        if (t.kind == TokenKind::kEnd || t.kind == TokenKind::kComma ||
            t.kind == TokenKind::kRBracket) {
          return Unexpected(t, "a list element");
        }
        return Fail(t, fmt::format("list elements must be literals (numbers, strings, true, "
                                   "false, null, durations), not {}",
                                   Describe(t)));
    }
  }

  AstPtr MakeLiteral(const Token& t, uint32_t start) {
    AstPtr node = Node(ExprKind::kLiteral, t, start);
    switch (t.kind) {
      case TokenKind::kNumber:
      case TokenKind::kDuration:
        node->literal.type = ValueType::kNumber;
        node->literal.number = t.number;
        break;
      case TokenKind::kString:
        node->literal.type = ValueType::kString;
        node->literal.text = t.text;
        break;
      case TokenKind::kTrue:
      case TokenKind::kFalse:
        node->literal.type = ValueType::kBool;
        node->literal.boolean = t.kind == TokenKind::kTrue;
        break;
      default:
        node->literal.type = ValueType::kNull;
        break;
    }
    return node;
  }

  ParseResult ParseSum() {
    return ParseLeftAssociative(&Parser::ParseProduct, {{TokenKind::kPlus, ExprKind::kAdd},
                                                        {TokenKind::kMinus, ExprKind::kSub}});
  }

  ParseResult ParseProduct() {
    return ParseLeftAssociative(&Parser::ParseUnary, {{TokenKind::kStar, ExprKind::kMul},
                                                      {TokenKind::kSlash, ExprKind::kDiv}});
  }

  ParseResult ParseUnary() {
    if (Peek().kind != TokenKind::kMinus) return ParsePrimary();
    return ParsePrefix(ExprKind::kNeg, &Parser::ParseUnary);
  }

  ParseResult ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kNumber:
      case TokenKind::kDuration:
      case TokenKind::kString:
      case TokenKind::kTrue:
      case TokenKind::kFalse:
      case TokenKind::kNull:
        Take();
        return MakeLiteral(t, t.offset);
      case TokenKind::kName:
        Take();
        if (Peek().kind == TokenKind::kLParen && !t.backticked) return ParseCall(t);
        {
          AstPtr node = Node(ExprKind::kName, t, t.offset);
          node->name = t.text;
          node->lead_prefixed = t.lead_prefixed;
          return node;
        }
      case TokenKind::kLParen: {
        Take();
        if (++nesting_ > kMaxNesting) return Fail(t, "expression is nested too deeply");
        auto inner = ParseOr();
        --nesting_;
        if (!inner) return inner;
        if (Peek().kind != TokenKind::kRParen) {
          return Unexpected(Peek(), fmt::format("')' to close '(' at {}",
                                                WhereIs(text_, t.offset, Peek().offset)));
        }
        Take();
        (*inner)->start = t.offset;
        return inner;
      }
      case TokenKind::kLBracket:
      case TokenKind::kListRef:
        return Fail(t, "a list can only follow 'in' or 'not in'");
      default:
        return Unexpected(t, "a value");
    }
  }

  ParseResult ParseCall(const Token& name) {
    const Token& open = Take();  // '('
    if (++nesting_ > kMaxNesting) return Fail(open, "expression is nested too deeply");
    AstPtr node = Node(ExprKind::kCall, name, name.offset);
    node->name = name.lead_prefixed ? "lead." + name.text : name.text;
    if (Peek().kind == TokenKind::kRParen) {
      Take();
    } else {
      for (;;) {
        auto arg = ParseOr();
        if (!arg) return arg;
        node->children.push_back(std::move(*arg));
        const Token& sep = Peek();
        if (sep.kind == TokenKind::kRParen) {
          Take();
          break;
        }
        if (sep.kind != TokenKind::kComma) {
          return Unexpected(sep, fmt::format("',' or ')' to close '{}(' at {}", node->name,
                                             WhereIs(text_, open.offset, sep.offset)));
        }
        Take();
      }
    }
    --nesting_;
    return Finish(std::move(node), name);
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int nesting_ = 0;  // recursion guard for prefix operators, parentheses and calls
};

}  // namespace

tl::expected<std::unique_ptr<Ast>, CompileError> Parse(std::string_view text) {
  auto tokens = Tokenize(text);
  if (!tokens) return tl::unexpected(std::move(tokens).error());
  return Parser(text, std::move(*tokens)).Run();
}

}  // namespace leadscore::expr
