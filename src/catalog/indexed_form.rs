//! The form in which a rule's expression is evaluated: field selections
//! as indexes, `==`, `!=` and `in` comparing both ways where a lent map
//! may be compared, `!x` as a conditional. Each rewrite gives the value the
//! expression as written gives whenever it gives one; where it fails, the
//! expression as written is evaluated instead (see
//! [`Compiled`](super::expr::Compiled)).

use cel::common::ast::{
    CallExpr, ComprehensionExpr, EntryExpr, Expr, IdedEntryExpr, ListExpr, LiteralValue,
    MapEntryExpr, MapExpr, SelectExpr, operators,
};
use cel::common::types::Kind;
use cel::common::value::Val;
use cel::parser::Expression;

/// `==`, `!=` and `in` as rules are evaluated (see [`indexed`]): the
/// interpreter's own map equals only its own maps, so `{'k': 'v'} == m`
/// would be false for a map `m` lent in place (a `LentObject`), which
/// equals any map. These functions (in `functions`) compare the other way
/// round too when the first way says no; for the interpreter's own values,
/// whose equality is symmetric, the answer is the same. A rule cannot name
/// them.
pub const SYMMETRIC_EQUALS: &str = "@symmetric_equals";
pub const SYMMETRIC_NOT_EQUALS: &str = "@symmetric_not_equals";
pub const SYMMETRIC_IN: &str = "@symmetric_in";

/// Equal one way or the other: see [`SYMMETRIC_EQUALS`].
pub(super) fn equal(a: &dyn Val, b: &dyn Val) -> bool {
    let container = |v: &dyn Val| matches!(v.get_type().kind(), Kind::Map | Kind::List);
    a.equals(b) || ((container(a) || container(b)) && b.equals(a))
}

/// `expr` with every field selection `a.b` (outside `has()`) the index
/// `a["b"]`, and `==`, `!=` and `in` comparing both ways (see
/// [`SYMMETRIC_EQUALS`]) unless they compare with a scalar literal.
pub(super) fn indexed(expr: &Expression) -> Expression {
    let kind = match &expr.expr {
        Expr::Select(select) if !select.test => Expr::Call(CallExpr {
            func_name: operators::INDEX.to_string(),
            target: None,
            args: vec![
                indexed(&select.operand),
                Expression {
                    id: expr.id,
                    expr: Expr::Literal(LiteralValue::String(select.field.clone().into())),
                },
            ],
        }),
        Expr::Select(select) => Expr::Select(SelectExpr {
            operand: Box::new(indexed(&select.operand)),
            ..select.clone()
        }),
        Expr::Call(call) => indexed_call(expr.id, call),
        Expr::Comprehension(c) => Expr::Comprehension(Box::new(ComprehensionExpr {
            iter_range: indexed(&c.iter_range),
            accu_init: indexed(&c.accu_init),
            loop_cond: indexed(&c.loop_cond),
            loop_step: indexed(&c.loop_step),
            result: indexed(&c.result),
            ..(**c).clone()
        })),
        Expr::List(list) => Expr::List(ListExpr {
            elements: list.elements.iter().map(indexed).collect(),
            optional_indices: list.optional_indices.clone(),
        }),
        Expr::Map(map) => Expr::Map(MapExpr {
            entries: (map.entries.iter())
                .map(|entry| IdedEntryExpr {
                    id: entry.id,
                    expr: match &entry.expr {
                        EntryExpr::MapEntry(e) => EntryExpr::MapEntry(MapEntryExpr {
                            key: indexed(&e.key),
                            value: indexed(&e.value),
                            optional: e.optional,
                        }),
                        other @ EntryExpr::StructField(_) => other.clone(),
                    },
                })
                .collect(),
        }),
        other => other.clone(),
    };
    Expression {
        id: expr.id,
        expr: kind,
    }
}

/// A call (expression `id`) in the indexed form, its arguments too.
fn indexed_call(id: u64, call: &CallExpr) -> Expr {
    let func_name = match (call.func_name.as_str(), &call.target, call.args.as_slice()) {
        // `!x` as `x ? false : true`: the same value, and an error where
        // `!x` has one (then the expression is evaluated as written), but
        // without the error the interpreter builds for `!` before it knows
        // whether `x` is a boolean.
        (operators::LOGICAL_NOT, None, [operand]) => {
            let literal = |b: bool| Expression {
                id,
                expr: Expr::Literal(LiteralValue::Boolean(b.into())),
            };
            return Expr::Call(CallExpr {
                func_name: operators::CONDITIONAL.to_string(),
                target: None,
                args: vec![indexed(operand), literal(false), literal(true)],
            });
        }
        // A scalar literal is never a container, so either way round
        // compares alike: the interpreter's own operator, without the cost
        // of a function call, gives the answer.
        (operators::EQUALS | operators::NOT_EQUALS | operators::IN, None, [_, _])
            if compares_to_scalar(&call.func_name, &call.args) =>
        {
            call.func_name.as_str()
        }
        (operators::EQUALS, None, [_, _]) => SYMMETRIC_EQUALS,
        (operators::NOT_EQUALS, None, [_, _]) => SYMMETRIC_NOT_EQUALS,
        (operators::IN, None, [_, _]) => SYMMETRIC_IN,
        (other, _, _) => other,
    };
    Expr::Call(CallExpr {
        func_name: func_name.to_string(),
        target: call.target.as_deref().map(|t| Box::new(indexed(t))),
        args: call.args.iter().map(indexed).collect(),
    })
}

/// Whether `==`, `!=` or `in` (`func_name`) compares with a scalar literal:
/// either side of `==` and `!=`, the left side of `in`, or every element
/// of a list literal on its right. Only containers (a lent map equals any
/// map, the interpreter's own map only its own) compare differently one
/// way round than the other.
fn compares_to_scalar(func_name: &str, args: &[Expression]) -> bool {
    let scalar = |e: &Expression| matches!(e.expr, Expr::Literal(_));
    match (func_name, args) {
        (operators::IN, [lhs, rhs]) => {
            scalar(lhs) || matches!(&rhs.expr, Expr::List(list) if list.elements.iter().all(scalar))
        }
        (_, [lhs, rhs]) => scalar(lhs) || scalar(rhs),
        _ => false,
    }
}

/// Whether `expr` makes or reads optional values (`a.?b`, `a[?b]`,
/// `[?x]`, `{?k: v}`, `optional.of(x)`, ...): a selection on an optional
/// value is not the same as an index on it.
pub(super) fn uses_optionals(expr: &Expression) -> bool {
    match &expr.expr {
        Expr::Call(call) => {
            matches!(
                call.func_name.as_str(),
                operators::OPT_INDEX | operators::OPT_SELECT
            ) || call.func_name.starts_with("optional")
                || (call.target.as_deref()).is_some_and(uses_optionals)
                || call.args.iter().any(uses_optionals)
        }
        Expr::Ident(name) => name.starts_with("optional"),
        Expr::Select(select) => uses_optionals(&select.operand),
        Expr::Comprehension(c) => [&c.iter_range, &c.accu_init, &c.loop_cond, &c.loop_step]
            .into_iter()
            .chain([&c.result])
            .any(uses_optionals),
        Expr::List(list) => {
            !list.optional_indices.is_empty() || list.elements.iter().any(uses_optionals)
        }
        Expr::Map(map) => map.entries.iter().any(|entry| match &entry.expr {
            EntryExpr::MapEntry(e) => {
                e.optional || uses_optionals(&e.key) || uses_optionals(&e.value)
            }
            EntryExpr::StructField(_) => true,
        }),
        Expr::Struct(_) => true,
        Expr::Literal(_) | Expr::Unspecified => false,
    }
}
