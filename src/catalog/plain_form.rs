//! Rule expressions evaluated straight off the values a scope lends: reads,
//! literals, comparisons, arithmetic, logic and the `exists`, `all` and
//! `filter` macros, without the interpreter.
//!
//! Most of the catalog's expressions are of this kind
//! (`item.state != 'running'`, `has(plan.x) && plan.x == true`,
//! `size(staged_isos) > 1`). The interpreter evaluates them through its
//! name resolution, its operator dispatch, errors it builds before it knows
//! it needs them and a copy of each loop item; read here, they call the same
//! value methods it calls (`get`, `equals`, `compare`, `contains`, `size`,
//! `add`…), so a value found here is the one it finds. A function call or a
//! `map` is handed to the interpreter as a part. Anything that gives no
//! value on the way (an error, a value that is not a boolean where one is
//! needed) sends the whole expression to the interpreter, whose values and
//! errors are then the ones reported.

use super::indexed_form::{SYMMETRIC_EQUALS, SYMMETRIC_IN, SYMMETRIC_NOT_EQUALS, equal};
use cel::common::ast::{ComprehensionExpr, Expr, LiteralValue, operators};
use cel::common::types::{CelBool, CelList, Kind};
use cel::common::value::{BuiltinRef, CowVal, Val};
use cel::context::VariableResolver;
use cel::parser::Expression;
use cel::{Context, ExecutionError, Value};
use std::cmp::Ordering;

/// An expression of the indexed form (see
/// [`indexed_form`](super::indexed_form)), its parts read here or handed
/// to the interpreter.
#[derive(Debug)]
pub(super) enum Plain {
    Literal(LiteralValue),
    /// A list of literals, made once: the right side of `x in ['a', 'b']`.
    List(Box<dyn Val>),
    Variable(String),
    /// `value[key]`, a field selection too in the indexed form.
    Index(Box<[Plain; 2]>),
    /// `has(value.field)`.
    Has(Box<Plain>, LiteralValue),
    Size(Box<Plain>),
    And(Box<Plain>, Box<Plain>),
    Or(Box<Plain>, Box<Plain>),
    /// `c ? a : b`, and `!x` as the indexed form writes it.
    Conditional(Box<[Plain; 3]>),
    Compare(Comparison, Box<[Plain; 2]>),
    Arithmetic(Arithmetic, Box<[Plain; 2]>),
    /// `range.exists(var, test)`, `range.all(var, test)` and
    /// `range.filter(var, test)`, as their macros expand.
    Loop(Loop, Box<Comprehension>),
    /// A part evaluated by the interpreter: the same evaluation it makes
    /// of that part within the whole.
    Interpreted(Box<Expression>),
}

#[derive(Debug)]
pub(super) struct Comprehension {
    range: Plain,
    var: String,
    test: Plain,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Loop {
    Exists,
    All,
    Filter,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Arithmetic {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Comparison {
    /// The interpreter's `==` and `!=`.
    Equals(bool),
    /// [`SYMMETRIC_EQUALS`] and [`SYMMETRIC_NOT_EQUALS`].
    EqualsEitherWay(bool),
    /// `<`, `<=`, `>`, `>=`: the orderings each holds for.
    Orders([bool; 3]),
    In,
    /// [`SYMMETRIC_IN`].
    InEitherWay,
}

impl Plain {
    /// The plain form of `expr`: its parts that are neither reads,
    /// literals, comparisons, arithmetic, logic nor `exists`, `all` and
    /// `filter` (function calls, `map`, map literals) left to the
    /// interpreter. `None` when the whole of it is.
    pub(super) fn of(expr: &Expression) -> Option<Plain> {
        match Plain::part(expr) {
            Plain::Interpreted(_) => None,
            plain => Some(plain),
        }
    }

    fn part(expr: &Expression) -> Plain {
        let boxed = |e: &Expression| Box::new(Plain::part(e));
        let pair = |a: &Expression, b: &Expression| Box::new([Plain::part(a), Plain::part(b)]);
        let plain = match &expr.expr {
            Expr::Literal(literal) => Some(Plain::Literal(literal.clone())),
            Expr::Ident(name) => Some(Plain::Variable(name.clone())),
            Expr::Select(select) if select.test => Some(Plain::Has(
                boxed(&select.operand),
                LiteralValue::String(select.field.clone().into()),
            )),
            Expr::List(list) if list.optional_indices.is_empty() => literal_list(&list.elements),
            Expr::Call(call) => match (
                call.func_name.as_str(),
                call.target.as_deref(),
                &call.args[..],
            ) {
                (operators::INDEX, None, [value, key]) => Some(Plain::Index(pair(value, key))),
                ("size", None, [value]) | ("size", Some(value), []) => {
                    Some(Plain::Size(boxed(value)))
                }
                (operators::LOGICAL_AND, None, [a, b]) => Some(Plain::And(boxed(a), boxed(b))),
                (operators::LOGICAL_OR, None, [a, b]) => Some(Plain::Or(boxed(a), boxed(b))),
                (operators::CONDITIONAL, None, [c, a, b]) => Some(Plain::Conditional(Box::new([
                    Plain::part(c),
                    Plain::part(a),
                    Plain::part(b),
                ]))),
                (name, None, [a, b]) => match (comparison(name), arithmetic(name)) {
                    (Some(c), _) => Some(Plain::Compare(c, pair(a, b))),
                    (_, Some(op)) => Some(Plain::Arithmetic(op, pair(a, b))),
                    _ => None,
                },
                _ => None,
            },
            Expr::Comprehension(c) => comprehension(c),
            _ => None,
        };
        plain.unwrap_or_else(|| Plain::Interpreted(Box::new(expr.clone())))
    }

    /// The value, as the interpreter would give it, or `None` where it
    /// is left to the interpreter.
    pub(super) fn eval<'e, 'v>(&'e self, ctx: &'e Context<'_, 'v>) -> Option<CowVal<'e, 'v>> {
        Some(match self {
            Plain::Literal(literal) => literal.to_val(),
            Plain::Interpreted(expr) => Value::resolve_val(expr, ctx).ok()?,
            Plain::List(list) => CowVal::Borrowed(list.as_ref()),
            Plain::Variable(name) => ctx.get_variable(name)?,
            Plain::Index(parts) => {
                let [value, key] = &**parts;
                let value = value.eval(ctx)?;
                index(value, &*key.eval(ctx)?)?
            }
            Plain::Has(value, field) => {
                let value = value.eval(ctx)?;
                if is_optional(&*value) {
                    return None;
                }
                match value.as_indexer()?.get(&*field.to_val()) {
                    Ok(_) => boolean(true),
                    Err(ExecutionError::NoSuchKey(_)) => boolean(false),
                    Err(_) => return None,
                }
            }
            Plain::Size(value) => {
                let value = value.eval(ctx)?;
                // The types `size()` has an overload for.
                let kind = value.get_type().kind();
                if !matches!(kind, Kind::List | Kind::Map | Kind::String | Kind::Bytes) {
                    return None;
                }
                CowVal::owned(value.as_sizer()?.size())
            }
            Plain::And(a, b) => boolean(a.test(ctx)? && b.test(ctx)?),
            Plain::Or(a, b) => boolean(a.test(ctx)? || b.test(ctx)?),
            Plain::Conditional(parts) => {
                let [condition, then, otherwise] = &**parts;
                if condition.test(ctx)? {
                    then.eval(ctx)?
                } else {
                    otherwise.eval(ctx)?
                }
            }
            Plain::Compare(comparison, sides) => {
                let [a, b] = &**sides;
                boolean(comparison.holds(&*a.eval(ctx)?, &*b.eval(ctx)?)?)
            }
            Plain::Arithmetic(arithmetic, sides) => {
                let [a, b] = &**sides;
                CowVal::Owned(arithmetic.apply(&*a.eval(ctx)?, &*b.eval(ctx)?)?)
            }
            Plain::Loop(kind, c) => {
                let range = c.range.eval(ctx)?;
                let mut items = range.as_iterable()?.iter();
                let mut kept = Vec::new();
                while let Some(item) = items.next() {
                    let holds = c.test_with(item, ctx)?;
                    match kind {
                        Loop::Exists if holds => return Some(boolean(true)),
                        Loop::All if !holds => return Some(boolean(false)),
                        Loop::Filter if holds => kept.push(item.clone_as_boxed()),
                        _ => {}
                    }
                }
                match kind {
                    Loop::Exists => boolean(false),
                    Loop::All => boolean(true),
                    Loop::Filter => CowVal::owned(CelList::from(kept)),
                }
            }
        })
    }

    /// The value as a boolean, as `&&`, `||` and `?:` need it.
    fn test(&self, ctx: &Context) -> Option<bool> {
        self.eval(ctx)?
            .downcast_ref::<CelBool>()
            .map(|b| *b.inner())
    }
}

impl Comprehension {
    /// The test with the loop's variable set to `item`.
    fn test_with(&self, item: &dyn Val, ctx: &Context) -> Option<bool> {
        // The scope below lends a value that lives only for this call.
        let ctx: &Context = ctx;
        let lent = LoopVariable(&self.var, item);
        let mut scope = ctx.new_inner_scope();
        scope.set_variable_resolver(&lent);
        self.test.test(&scope)
    }
}

/// The loop's variable, lent to the test's scope.
struct LoopVariable<'a>(&'a str, &'a dyn Val);

impl VariableResolver for LoopVariable<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        (variable == self.0).then_some(CowVal::Borrowed(self.1))
    }
}

impl Arithmetic {
    fn apply<'v>(self, a: &(dyn Val + 'v), b: &(dyn Val + 'v)) -> Option<Box<dyn Val + 'v>> {
        let result = match self {
            Arithmetic::Add => a.as_adder()?.add(b),
            Arithmetic::Subtract => a.as_subtractor()?.sub(b),
            Arithmetic::Multiply => a.as_multiplier()?.mul(b),
            Arithmetic::Divide => a.as_divider()?.div(b),
            Arithmetic::Modulo => a.as_modder()?.modulo(b),
        };
        Some(result.ok()?.into_owned())
    }
}

impl Comparison {
    fn holds(self, a: &dyn Val, b: &dyn Val) -> Option<bool> {
        Some(match self {
            Comparison::Equals(equals) => (a == b) == equals,
            Comparison::EqualsEitherWay(equals) => equal(a, b) == equals,
            Comparison::Orders(holds) => match a.as_comparer()?.compare(b).ok()? {
                Ordering::Less => holds[0],
                Ordering::Equal => holds[1],
                Ordering::Greater => holds[2],
            },
            Comparison::In => b.as_container()?.contains(a).ok()?,
            Comparison::InEitherWay => match b.as_builtin() {
                BuiltinRef::List(list) => list.inner().iter().any(|item| equal(item.as_ref(), a)),
                _ if b.get_type().kind() == Kind::Map => b.as_container()?.contains(a).ok()?,
                _ => return None,
            },
        })
    }
}

/// The comparison a two-argument call of the indexed form makes.
fn comparison(name: &str) -> Option<Comparison> {
    Some(match name {
        operators::EQUALS => Comparison::Equals(true),
        operators::NOT_EQUALS => Comparison::Equals(false),
        SYMMETRIC_EQUALS => Comparison::EqualsEitherWay(true),
        SYMMETRIC_NOT_EQUALS => Comparison::EqualsEitherWay(false),
        operators::LESS => Comparison::Orders([true, false, false]),
        operators::LESS_EQUALS => Comparison::Orders([true, true, false]),
        operators::GREATER => Comparison::Orders([false, false, true]),
        operators::GREATER_EQUALS => Comparison::Orders([false, true, true]),
        operators::IN => Comparison::In,
        SYMMETRIC_IN => Comparison::InEitherWay,
        _ => return None,
    })
}

fn arithmetic(name: &str) -> Option<Arithmetic> {
    Some(match name {
        operators::ADD => Arithmetic::Add,
        operators::SUBSTRACT => Arithmetic::Subtract,
        operators::MULTIPLY => Arithmetic::Multiply,
        operators::DIVIDE => Arithmetic::Divide,
        operators::MODULO => Arithmetic::Modulo,
        _ => return None,
    })
}

/// `exists`, `all` and `filter` as their macros expand: the accumulator
/// (`@result`, which no rule can name) starts `false`, `true` or `[]`, and
/// each step is `@result || test`, `@result && test` or
/// `test ? @result + [var] : @result`.
fn comprehension(c: &ComprehensionExpr) -> Option<Plain> {
    let accu = |e: &Expression| matches!(&e.expr, Expr::Ident(n) if *n == c.accu_var);
    if c.iter_var2.is_some() || !accu(&c.result) {
        return None;
    }
    let Expr::Call(step) = &c.loop_step.expr else {
        return None;
    };
    let (kind, test) = match (&c.accu_init.expr, step.func_name.as_str(), &step.args[..]) {
        (Expr::Literal(LiteralValue::Boolean(b)), operators::LOGICAL_OR, [a, test])
            if !*b.inner() && accu(a) =>
        {
            (Loop::Exists, test)
        }
        (Expr::Literal(LiteralValue::Boolean(b)), operators::LOGICAL_AND, [a, test])
            if *b.inner() && accu(a) =>
        {
            (Loop::All, test)
        }
        (Expr::List(init), operators::CONDITIONAL, [test, append, otherwise])
            if init.elements.is_empty() && accu(otherwise) && appends_var(append, c) =>
        {
            (Loop::Filter, test)
        }
        _ => return None,
    };
    Some(Plain::Loop(
        kind,
        Box::new(Comprehension {
            range: Plain::part(&c.iter_range),
            var: c.iter_var.clone(),
            test: Plain::part(test),
        }),
    ))
}

/// Whether `e` is `@result + [var]`.
fn appends_var(e: &Expression, c: &ComprehensionExpr) -> bool {
    let Expr::Call(call) = &e.expr else {
        return false;
    };
    match (call.func_name.as_str(), &call.args[..]) {
        (operators::ADD, [a, b]) => {
            matches!(&a.expr, Expr::Ident(n) if *n == c.accu_var)
                && matches!(&b.expr, Expr::List(l) if l.optional_indices.is_empty()
                    && matches!(&l.elements[..], [x] if matches!(&x.expr, Expr::Ident(n) if *n == c.iter_var)))
        }
        _ => false,
    }
}

/// A list whose elements are all literals, as the interpreter builds it.
fn literal_list(elements: &[Expression]) -> Option<Plain> {
    let items = (elements.iter())
        .map(|e| match &e.expr {
            Expr::Literal(literal) => Some(literal.to_val().into_owned()),
            _ => None,
        })
        .collect::<Option<Vec<Box<dyn Val>>>>()?;
    Some(Plain::List(Box::new(CelList::from(items))))
}

/// `value[key]`, as the interpreter's index operator takes it.
fn index<'e, 'v>(value: CowVal<'e, 'v>, key: &dyn Val) -> Option<CowVal<'e, 'v>> {
    if is_optional(&*value) {
        return None;
    }
    match value {
        CowVal::Borrowed(value) => value.as_indexer()?.get(key).ok(),
        CowVal::Owned(value) => Some(CowVal::Owned(
            value.as_indexer()?.get(key).ok()?.into_owned(),
        )),
    }
}

/// Whether `value` is an optional value, which the interpreter unwraps
/// before it indexes or tests a field: left to it.
fn is_optional(value: &dyn Val) -> bool {
    matches!(value.as_builtin(), BuiltinRef::Optional(_))
}

fn boolean<'e, 'v>(b: bool) -> CowVal<'e, 'v> {
    CowVal::Borrowed(if b { &CelBool::TRUE } else { &CelBool::FALSE })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::expr::{ENV, Lent, compile, to_json, value_of};
    use crate::catalog::functions::root_context;
    use crate::catalog::indexed_form::indexed;
    use crate::catalog::lent_object::lend_json;
    use serde_json::json;

    /// The plain form's value of `source` over lent facts `f`, and the
    /// interpreter's value of the expression as written.
    fn both(source: &str) -> (Option<Value>, Result<Value, ExecutionError>) {
        let facts = json!({
            "n": 3, "x": 2.5, "s": "running", "t": true, "nothing": null,
            "list": [1, 2, 3], "names": ["a", "b"],
            "rows": [{"state": "running", "k": 1}, {"state": "active", "k": 2}],
            "map": {"a": {"b": "deep"}},
        });
        let lent = lend_json(&facts);
        let vars = Lent(vec![("f", &*lent)]);
        let root = root_context();
        let mut ctx = root.new_inner_scope();
        ctx.set_variable_resolver(&vars);
        let program = ENV.compile(source).unwrap();
        let plain = Plain::of(&indexed(program.expression()));
        let fast = plain
            .as_ref()
            .and_then(|p| p.eval(&ctx))
            .map(|v| value_of(&*v).unwrap());
        let slow = Value::resolve_val(program.expression(), &ctx).and_then(|v| value_of(&*v));
        (fast, slow)
    }

    #[test]
    fn a_value_read_plainly_is_the_interpreters() {
        let plain = [
            ("f.n == 3", json!(true)),
            ("f.s != 'running'", json!(false)),
            ("f.n > 2 && f.x <= 2.5", json!(true)),
            ("!f.t || f.nothing == null", json!(true)),
            ("f.s in ['running', 'active']", json!(true)),
            ("f.names[1]", json!("b")),
            ("f.map.a.b", json!("deep")),
            ("f['map']['a']", json!({"b": "deep"})),
            ("has(f.map.a) && !has(f.map.z)", json!(true)),
            ("size(f.list) + f.list.size() - 1", json!(5)),
            ("f.n * 2 / 3 % 2", json!(0)),
            ("f.s + '!'", json!("running!")),
            ("f.t ? f.n : f.missing", json!(3)),
            ("f.rows.exists(r, r.state == 'active')", json!(true)),
            ("f.rows.all(r, r.k > 1)", json!(false)),
            (
                "f.rows.filter(r, r.k > 1)",
                json!([{"state": "active", "k": 2}]),
            ),
            ("f.names.exists(n, n.startsWith('b'))", json!(true)),
            ("f.rows.map(r, r.k).exists(k, k == 2)", json!(true)),
        ];
        for (source, expected) in plain {
            let (fast, slow) = both(source);
            let fast = fast.unwrap_or_else(|| panic!("{source}: left to the interpreter"));
            assert_eq!(to_json(&fast), expected, "{source}");
            assert_eq!(Ok(fast), slow, "{source}");
        }
    }

    #[test]
    fn an_error_is_left_to_the_interpreter() {
        for source in [
            "f.missing == 1",
            "f.s > 1",
            "f.n && true",
            "f.missing == 1 || f.t",
            "!f.n",
            "size(f.n) == 1",
            "f.list[7]",
            "f.rows.exists(r, r.nope)",
            "f.n / 0",
        ] {
            let (fast, slow) = both(source);
            assert_eq!(
                fast, None,
                "{source} gave {fast:?}, the interpreter {slow:?}"
            );
        }
    }

    #[test]
    fn an_expression_of_calls_alone_has_no_plain_form() {
        let program = ENV.compile("f.names.join(', ')").unwrap();
        assert!(Plain::of(&indexed(program.expression())).is_none());
        assert!(compile("f.names.join(', ')").is_ok());
    }

    /// Expressions drawn from a small grammar over the facts of [`both`]:
    /// reads (present, missing, of every type), literals, every operator
    /// the plain form reads, loops and calls, nested three deep.
    struct Expressions(u64);

    impl Expressions {
        fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
            // xorshift64: the same expressions on every run.
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            choices[(self.0 % choices.len() as u64) as usize]
        }

        fn draw(&mut self, depth: u32) -> String {
            let atoms = [
                "f.n",
                "f.x",
                "f.s",
                "f.t",
                "f.nothing",
                "f.missing",
                "f.list",
                "f.names",
                "f.map",
                "f.map.a",
                "f.map.a.b",
                "f.rows",
                "f.rows[0].k",
                "1",
                "0",
                "2.5",
                "'running'",
                "true",
                "null",
                "[1, 2]",
                "['a', 'b']",
                "{'k': 1}",
            ];
            if depth == 0 {
                return self.pick(&atoms).to_string();
            }
            let shape = self.pick(&[
                "atom", "unary", "binary", "binary", "ternary", "loop", "index",
            ]);
            let mut next = || self.draw(depth - 1);
            match shape {
                "unary" => {
                    let form = self.pick(&[
                        "!{}",
                        "size({})",
                        "has(f.map.a)",
                        "has(f.map.z)",
                        "({}).startsWith('r')",
                    ]);
                    form.replace("{}", &self.draw(depth - 1))
                }
                "binary" => {
                    let op = self.pick(&[
                        "==", "!=", "<", "<=", ">", ">=", "&&", "||", "+", "-", "*", "/", "%", "in",
                    ]);
                    format!("({} {op} {})", self.draw(depth - 1), self.draw(depth - 1))
                }
                "ternary" => format!("({} ? {} : {})", next(), next(), next()),
                "loop" => {
                    let lp = self.pick(&["exists", "all", "filter", "map"]);
                    let range = self.pick(&["f.rows", "f.list", "f.names", "f.map", "f.n"]);
                    let test = self.pick(&[
                        "v.k > 1",
                        "v == 2",
                        "v != 'a'",
                        "v.state == 'active'",
                        "size(v) > 0",
                    ]);
                    format!("{range}.{lp}(v, {test})")
                }
                "index" => {
                    let container = self.pick(&["f.list", "f.names", "f.map", "f.rows", "f.s"]);
                    format!("{container}[{}]", self.draw(depth - 1))
                }
                _ => self.pick(&atoms).to_string(),
            }
        }
    }

    #[test]
    fn drawn_expressions_read_plainly_agree_with_the_interpreter() {
        let mut drawn = Expressions(0x9e37_79b9_7f4a_7c15);
        let (mut read, mut total) = (0, 0);
        for _ in 0..4000 {
            let source = drawn.draw(3);
            if ENV.compile(&source).is_err() {
                continue;
            }
            total += 1;
            let (fast, slow) = both(&source);
            let Some(fast) = fast else { continue };
            read += 1;
            let slow = slow.unwrap_or_else(|e| panic!("{source}: read {fast:?}, interpreter {e}"));
            // NaN is not equal to itself: compare such values as printed.
            let same = fast == slow || format!("{fast:?}") == format!("{slow:?}");
            assert!(same, "{source}: read {fast:?}, interpreter {slow:?}");
        }
        // The plain form must have had its say on a good share of them.
        assert!(read * 5 > total, "read {read} of {total}");
    }
}
