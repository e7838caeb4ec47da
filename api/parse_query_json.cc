#include "api/parse_query_json.h"

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "promql/duration_expr.h"
#include "promql/functions.h"

namespace strata::api {
namespace {

using promql::Expr;
using promql::NodeKind;

// Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest decimal that
// round-trips, never in exponent form.
std::string FormatFloatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];  // enough for the longest fixed form (5e-324: 327 bytes)
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

// Prometheus's parser.ValueType strings, as Go marshals them.
std::string_view ValueTypeName(promql::ValueType t) {
  switch (t) {
    case promql::ValueType::kScalar:
      return "scalar";
    case promql::ValueType::kString:
      return "string";
    case promql::ValueType::kVector:
      return "vector";
    case promql::ValueType::kMatrix:
      return "matrix";
    case promql::ValueType::kNone:
      break;
  }
  return "none";
}

std::string_view CardinalityName(promql::Cardinality c) {
  switch (c) {
    case promql::Cardinality::kOneToOne:
      return "one-to-one";
    case promql::Cardinality::kManyToOne:
      return "many-to-one";
    case promql::Cardinality::kOneToMany:
      return "one-to-many";
    case promql::Cardinality::kManyToMany:
      return "many-to-many";
  }
  return "one-to-one";
}

// The op of a duration expression as Prometheus's ItemType.String() names it.
std::string_view DurationOpName(promql::TokenKind op) {
  switch (op) {
    case promql::TokenKind::kStep:
      return "step";
    case promql::TokenKind::kRange:
      return "range";
    case promql::TokenKind::kMin:
      return "min_of";
    case promql::TokenKind::kMax:
      return "max_of";
    default:
      return promql::OperatorString(op);
  }
}

class TreeWriter {
 public:
  explicit TreeWriter(JsonWriter* w) : w_(w) {}

  // Any node, or null for an absent one (an aggregation without parameter).
  void Node(const Expr* e) {
    if (e == nullptr) {
      w_->Null();
      return;
    }
    switch (e->kind()) {
      case NodeKind::kAggregateExpr:
        return Aggregation(e->As<promql::AggregateExpr>());
      case NodeKind::kBinaryExpr:
        return Binary(e->As<promql::BinaryExpr>());
      case NodeKind::kCall:
        return Call(e->As<promql::Call>());
      case NodeKind::kMatrixSelector:
        return MatrixSelector(e->As<promql::MatrixSelector>());
      case NodeKind::kSubqueryExpr:
        return Subquery(e->As<promql::SubqueryExpr>());
      case NodeKind::kNumberLiteral:
        return NumberLiteral(e->As<promql::NumberLiteral>());
      case NodeKind::kParenExpr:
        return Wrapper("parenExpr", nullptr, *e->As<promql::ParenExpr>().expr);
      case NodeKind::kStringLiteral:
        return StringLiteral(e->As<promql::StringLiteral>());
      case NodeKind::kUnaryExpr: {
        const auto& u = e->As<promql::UnaryExpr>();
        return Wrapper("unaryExpr", &u.op, *u.expr);
      }
      case NodeKind::kVectorSelector:
        return VectorSelector(e->As<promql::VectorSelector>());
      case NodeKind::kDurationExpr:
        return Duration(e->As<promql::DurationExpr>());
      case NodeKind::kStepInvariantExpr:
        break;  // added by the engine, never by the parser
    }
    w_->Null();
  }

 private:
  void Field(std::string_view key, std::string_view value) {
    w_->Key(key);
    w_->String(value);
  }
  // Without it a string literal would convert to bool.
  void Field(std::string_view key, const char* value) { Field(key, std::string_view(value)); }
  void Field(std::string_view key, bool value) {
    w_->Key(key);
    w_->Bool(value);
  }
  void Field(std::string_view key, int64_t value) {
    w_->Key(key);
    w_->Int(value);
  }
  void Millis(std::string_view key, absl::Duration d) {
    Field(key, absl::ToInt64Milliseconds(d));  // truncates, as Go's Duration.Milliseconds
  }
  void NodeField(std::string_view key, const Expr* e) {
    w_->Key(key);
    Node(e);
  }
  void StringList(std::string_view key, const std::vector<std::string>& list) {
    w_->Key(key);
    w_->BeginArray();
    for (const std::string& s : list) w_->String(s);
    w_->EndArray();
  }

  void Aggregation(const promql::AggregateExpr& e) {
    w_->BeginObject();
    NodeField("expr", e.expr.get());
    StringList("grouping", e.grouping);
    Field("op", promql::OperatorString(e.op));
    NodeField("param", e.param.get());
    Field("type", "aggregation");
    Field("without", e.without);
    w_->EndObject();
  }

  void Binary(const promql::BinaryExpr& e) {
    w_->BeginObject();
    Field("bool", e.return_bool);
    NodeField("lhs", e.lhs.get());
    w_->Key("matching");
    if (e.matching.has_value()) {
      Matching(*e.matching);
    } else {
      w_->Null();
    }
    Field("op", promql::OperatorString(e.op));
    NodeField("rhs", e.rhs.get());
    Field("type", "binaryExpr");
    w_->EndObject();
  }

  void Matching(const promql::VectorMatching& m) {
    w_->BeginObject();
    Field("card", CardinalityName(m.card));
    // Prometheus's fill()/fill_left()/fill_right() values; Strata refuses
    // those modifiers, so both sides are always absent.
    w_->Key("fillValues");
    w_->BeginObject();
    w_->Key("lhs");
    w_->Null();
    w_->Key("rhs");
    w_->Null();
    w_->EndObject();
    StringList("include", m.include);
    StringList("labels", m.matching_labels);
    Field("on", m.on);
    w_->EndObject();
  }

  void Call(const promql::Call& e) {
    w_->BeginObject();
    w_->Key("args");
    w_->BeginArray();
    for (const auto& a : e.args) Node(a.get());
    w_->EndArray();
    w_->Key("func");
    w_->BeginObject();
    w_->Key("argTypes");
    w_->BeginArray();
    for (promql::ValueType t : e.func->arg_types) w_->String(ValueTypeName(t));
    w_->EndArray();
    Field("name", e.func->name);
    Field("returnType", ValueTypeName(e.func->return_type));
    Field("variadic", static_cast<int64_t>(e.func->variadic));
    w_->EndObject();
    Field("type", "call");
    w_->EndObject();
  }

  // A vector selector, or a matrix selector when `ms` is given: the same
  // fields plus "range"/"rangeExpr", all in sorted key order.
  void Selector(std::string_view type, const promql::VectorSelector& vs,
                const promql::MatrixSelector* ms) {
    w_->BeginObject();
    Field("anchored", false);
    Matchers(vs);
    Field("name", std::string_view(vs.name));
    Millis("offset", vs.original_offset);
    NodeField("offsetExpr", vs.original_offset_expr.get());
    if (ms != nullptr) {
      Millis("range", ms->range);
      NodeField("rangeExpr", ms->range_expr.get());
    }
    Field("smoothed", false);
    StartOrEnd(vs.start_or_end);
    Timestamp(vs.timestamp);
    Field("type", type);
    w_->EndObject();
  }

  void VectorSelector(const promql::VectorSelector& vs) { Selector("vectorSelector", vs, nullptr); }

  void MatrixSelector(const promql::MatrixSelector& ms) {
    if (ms.vector_selector == nullptr) {  // never after parsing
      w_->Null();
      return;
    }
    Selector("matrixSelector", *ms.vector_selector, &ms);
  }

  void StartOrEnd(promql::AtModifier start_or_end) {
    w_->Key("startOrEnd");
    switch (start_or_end) {
      case promql::AtModifier::kStart:
        w_->String("start");
        return;
      case promql::AtModifier::kEnd:
        w_->String("end");
        return;
      case promql::AtModifier::kNone:
        break;
    }
    w_->Null();
  }

  void Timestamp(const std::optional<int64_t>& timestamp) {
    w_->Key("timestamp");
    if (timestamp.has_value()) {
      w_->Int(*timestamp);
    } else {
      w_->Null();
    }
  }

  // Prometheus's parser appends the __name__ matcher of a name written
  // before the braces after the others; Strata keeps it first.
  void Matchers(const promql::VectorSelector& vs) {
    const std::vector<Matcher>& ms = vs.matchers;
    const bool name_first = !vs.name.empty() && !ms.empty() && ms[0].name() == "__name__" &&
                            ms[0].type() == MatchType::kEqual && ms[0].value() == vs.name;
    w_->Key("matchers");
    w_->BeginArray();
    for (size_t i = name_first ? 1 : 0; i < ms.size(); ++i) OneMatcher(ms[i]);
    if (name_first) OneMatcher(ms[0]);
    w_->EndArray();
  }

  void OneMatcher(const Matcher& m) {
    w_->BeginObject();
    Field("name", std::string_view(m.name()));
    Field("type", MatchTypeOperator(m.type()));
    Field("value", std::string_view(m.value()));
    w_->EndObject();
  }

  void Subquery(const promql::SubqueryExpr& e) {
    w_->BeginObject();
    NodeField("expr", e.expr.get());
    Millis("offset", e.original_offset);
    NodeField("offsetExpr", e.original_offset_expr.get());
    Millis("range", e.range);
    NodeField("rangeExpr", e.range_expr.get());
    StartOrEnd(e.start_or_end);
    Millis("step", e.step);
    NodeField("stepExpr", e.step_expr.get());
    Timestamp(e.timestamp);
    Field("type", "subquery");
    w_->EndObject();
  }

  void NumberLiteral(const promql::NumberLiteral& e) {
    w_->BeginObject();
    Field("duration", e.duration);
    Field("type", "numberLiteral");
    Field("val", FormatFloatF(e.val));
    w_->EndObject();
  }

  void StringLiteral(const promql::StringLiteral& e) {
    w_->BeginObject();
    Field("type", "stringLiteral");
    Field("val", std::string_view(e.val));
    w_->EndObject();
  }

  // parenExpr and unaryExpr: {"expr", ["op",] "type"}.
  void Wrapper(std::string_view type, const promql::TokenKind* op, const Expr& inner) {
    w_->BeginObject();
    NodeField("expr", &inner);
    if (op != nullptr) Field("op", promql::OperatorString(*op));
    Field("type", type);
    w_->EndObject();
  }

  void Duration(const promql::DurationExpr& e) {
    w_->BeginObject();
    NodeField("lhs", e.lhs.get());
    Field("op", DurationOpName(e.op));
    NodeField("rhs", e.rhs.get());
    Field("type", "durationExpr");
    Field("wrapped", e.wrapped);
    w_->EndObject();
  }

  JsonWriter* w_;
};

}  // namespace

void WriteParseQueryJson(const promql::Expr& e, JsonWriter* w) { TreeWriter(w).Node(&e); }

}  // namespace strata::api
