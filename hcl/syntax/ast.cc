// The small helpers declared in ast.h: node kind and operator names, block and body lookups.
#include "hcl/syntax/ast.h"

namespace meshgw::hcl {

std::string_view ExprKindName(ExprKind kind) {
  switch (kind) {
    case ExprKind::kLiteral:
      return "Literal";
    case ExprKind::kTemplate:
      return "Template";
    case ExprKind::kTemplateWrap:
      return "TemplateWrap";
    case ExprKind::kTemplateJoin:
      return "TemplateJoin";
    case ExprKind::kScopeTraversal:
      return "ScopeTraversal";
    case ExprKind::kRelativeTraversal:
      return "RelativeTraversal";
    case ExprKind::kFunctionCall:
      return "FunctionCall";
    case ExprKind::kConditional:
      return "Conditional";
    case ExprKind::kBinaryOp:
      return "BinaryOp";
    case ExprKind::kUnaryOp:
      return "UnaryOp";
    case ExprKind::kParentheses:
      return "Parens";
    case ExprKind::kTuple:
      return "Tuple";
    case ExprKind::kObject:
      return "Object";
    case ExprKind::kObjectKey:
      return "ObjectKey";
    case ExprKind::kFor:
      return "For";
    case ExprKind::kIndex:
      return "Index";
    case ExprKind::kSplat:
      return "Splat";
    case ExprKind::kAnonSymbol:
      return "AnonSymbol";
  }
  return "";
}

std::string_view BinaryOpSymbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return "||";
    case BinaryOp::kAnd:
      return "&&";
    case BinaryOp::kEqual:
      return "==";
    case BinaryOp::kNotEqual:
      return "!=";
    case BinaryOp::kGreater:
      return ">";
    case BinaryOp::kGreaterOrEqual:
      return ">=";
    case BinaryOp::kLess:
      return "<";
    case BinaryOp::kLessOrEqual:
      return "<=";
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSubtract:
      return "-";
    case BinaryOp::kMultiply:
      return "*";
    case BinaryOp::kDivide:
      return "/";
    case BinaryOp::kModulo:
      return "%";
  }
  return "";
}

std::string_view UnaryOpSymbol(UnaryOp op) {
  switch (op) {
    case UnaryOp::kNot:
      return "!";
    case UnaryOp::kNegate:
      return "-";
  }
  return "";
}

Range Block::DefRange() const {
  const Range& last = label_ranges.empty() ? type_range : label_ranges.back();
  return Range::Between(type_range, last);
}

const Attribute* Body::FindAttribute(std::string_view name) const {
  for (const Attribute& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace meshgw::hcl
