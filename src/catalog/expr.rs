//! The CEL layer: one shared environment, conversion of facts into CEL
//! values, compiled conditions and message templates.
//!
//! Building a CEL root context costs tens of microseconds, so the engine
//! builds one and gives every node and item a cheap inner scope.

use super::shared::{Shared, shared};
use cel::common::ast::{EntryExpr, Expr, MapExpr, StructExpr};
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, Kind,
};
use cel::common::value::{Builtin, BuiltinRef, CowVal, Val};
use cel::context::VariableResolver;
use cel::objects::{Key, Map};
use cel::parser::Expression;
use cel::{Context, Env, ExecutionError, Program, Value};

pub use super::expr_error::ExprError;
pub use super::indexed_form::{SYMMETRIC_EQUALS, SYMMETRIC_IN, SYMMETRIC_NOT_EQUALS};
use super::indexed_form::{indexed, uses_optionals};
use super::plain_form::Plain;
use serde_json::Value as Json;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock};

pub(super) static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| {
    let mut env = Env::stdlib();
    // The extensions are part of the CEL spec family and cannot fail to
    // register on a fresh stdlib environment; an error here is a bug.
    env.add_extension(cel::extensions::math)
        .and_then(|()| env.add_extension(cel::extensions::lists))
        .and_then(|()| env.add_extension(cel::extensions::strings))
        .expect("CEL extensions register on a fresh environment");
    Arc::new(env)
});

/// Compiles one CEL expression.
pub fn compile(source: &str) -> Result<Compiled, ExprError> {
    let program = ENV
        .compile(source)
        .map_err(|e| ExprError::Compile(e.to_string()))?;
    let indexed = (!uses_optionals(program.expression())).then(|| indexed(program.expression()));
    let plain = indexed.as_ref().and_then(Plain::of).map(Box::new);
    Ok(Compiled {
        program,
        indexed,
        plain,
    })
}

/// A compiled expression, evaluated with its field selections as indexes.
///
/// The interpreter looks a selection `a.b.c` up as a qualified name: it
/// collects and joins the segments into a new string and tries `a.b.c`,
/// `a.b`, then `a` in every scope, on every evaluation (a fifth of a
/// rule's time). `a["b"]["c"]` finds `a` with no allocation and takes the
/// same entries, so it gives the same value whenever it gives one; where
/// it fails (a missing key, a value that is no map, a qualified function
/// name) the program as written is evaluated instead, so errors, and the
/// values they let through `||`, `&&` and macros, are the interpreter's own.
#[derive(Debug)]
pub struct Compiled {
    program: Program,
    /// `program` with each field selection an index, and the other
    /// rewrites of [`indexed_form`](super::indexed_form); `None` when the
    /// expression uses optional values, whose selections differ.
    indexed: Option<Expression>,
    /// `indexed` read without the interpreter, when it can be (see
    /// [`plain_form`](super::plain_form)).
    plain: Option<Box<Plain>>,
}

impl std::ops::Deref for Compiled {
    type Target = Program;

    fn deref(&self) -> &Program {
        &self.program
    }
}

impl Compiled {
    /// Evaluates the expression, as `Program::execute` does, to a value
    /// that may hold `LentObject`s.
    pub fn execute(&self, ctx: &Context) -> Result<Value, ExecutionError> {
        value_of(&*self.resolve_val(ctx)?)
    }

    /// The value as the interpreter holds it, as `Value::resolve_val`.
    fn resolve_val<'e, 'v>(
        &'e self,
        ctx: &'e Context<'_, 'v>,
    ) -> Result<CowVal<'e, 'v>, ExecutionError> {
        if let Some(value) = self.plain.as_ref().and_then(|p| p.eval(ctx)) {
            return Ok(value);
        }
        if let Some(Ok(value)) = (self.indexed.as_ref()).map(|e| Value::resolve_val(e, ctx)) {
            return Ok(value);
        }
        Value::resolve_val(self.program.expression(), ctx)
    }
}

/// Converts JSON facts into CEL values. Integers stay signed so that rule
/// arithmetic (`a - b`) never trips over CEL's strict uint/int split.
pub fn to_cel(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(Arc::new(s.clone())),
        Json::Array(a) => Value::List(Arc::new(a.iter().map(to_cel).collect())),
        Json::Object(o) => {
            let map: HashMap<String, Value> =
                o.iter().map(|(k, v)| (k.clone(), to_cel(v))).collect();
            Value::from(map)
        }
    }
}

/// A CEL value in the interpreter's own form. Binding a [`Value`] converts
/// it (a deep copy) on every bind; a `Bound` is converted once per node and
/// lent to every rule that reads it through [`Lent`].
pub type Bound = Box<dyn Val>;

/// A JSON number in the interpreter's form, by [`to_cel`]'s rule: an int
/// when it is one, else a double.
pub fn number(n: &serde_json::Number) -> Box<dyn Val> {
    match n.as_i64() {
        Some(i) => Box::new(CelInt::from(i)),
        None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
    }
}

/// Converts JSON facts into the interpreter's form directly, with the same
/// number rule as [`to_cel`].
pub fn to_bound(json: &Json) -> Bound {
    match json {
        Json::Null => Box::new(CelNull),
        Json::Bool(b) => Box::new(CelBool::from(*b)),
        Json::Number(n) => number(n),
        Json::String(s) => Box::new(CelString::from(s.clone())),
        Json::Array(a) => shared(CelList::from(a.iter().map(to_bound).collect::<Vec<_>>())),
        Json::Object(o) => shared(CelMap::from(
            o.iter()
                .map(|(k, v)| (CelMapKey::from(k.clone()), to_bound(v)))
                .collect::<HashMap<_, _>>(),
        )),
    }
}

/// Variables lent by reference to one scope (set it with
/// `Context::set_variable_resolver`): a rule reads a node's facts without
/// copying them.
pub struct Lent<'a>(pub Vec<(&'a str, &'a dyn Val)>);

impl VariableResolver for Lent<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        self.0
            .iter()
            .find(|(name, _)| *name == variable)
            .map(|(_, value)| CowVal::Borrowed(*value))
    }
}

/// `value` as a [`Value`], as `Value::try_from` converts it, maps that are
/// not the interpreter's own (a `LentObject`) included.
pub fn value_of(value: &dyn Val) -> Result<Value, ExecutionError> {
    match value.as_builtin() {
        BuiltinRef::List(list) => Ok(Value::List(Arc::new(
            (list.inner().iter())
                .map(|item| value_of(item.as_ref()))
                .collect::<Result<_, _>>()?,
        ))),
        BuiltinRef::Map(map) => map_value(
            (map.inner().iter()).map(|(k, v)| (Key::from(k.clone()), CowVal::Borrowed(v.as_ref()))),
        ),
        BuiltinRef::Other if value.get_type().kind() == Kind::Map => {
            let (Some(keys), Some(indexer)) = (value.as_iterable(), value.as_indexer()) else {
                return Value::try_from(value);
            };
            let mut keys = keys.iter();
            let mut entries = Vec::new();
            while let Some(key) = keys.next() {
                let Some(name) = key.downcast_ref::<CelString>() else {
                    return Value::try_from(value);
                };
                entries.push((Key::from(name.inner()), indexer.get(key)?));
            }
            map_value(entries.into_iter())
        }
        _ => Value::try_from(value),
    }
}

fn map_value<'b, 'v: 'b>(
    entries: impl Iterator<Item = (Key, CowVal<'b, 'v>)>,
) -> Result<Value, ExecutionError> {
    let map = (entries.map(|(k, v)| Ok((k, value_of(&*v)?))))
        .collect::<Result<HashMap<_, _>, ExecutionError>>()?;
    Ok(Value::Map(Map { map: Arc::new(map) }))
}

/// Converts a CEL result back to JSON (for evidence and templates).
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::UInt(u) => Json::from(*u),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.to_string()),
        Value::List(l) => Json::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => {
            let mut entries: Vec<(String, Json)> = m
                .map
                .iter()
                .map(|(k, v)| (key_string(&Value::from(k)), to_json(v)))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(entries.into_iter().collect())
        }
        other => Json::String(format!("{other:?}")),
    }
}

fn key_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        other => render(other),
    }
}

/// How a value reads inside a message: strings bare, whole numbers without a
/// fraction, other numbers with at most three decimals.
pub fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => render_float(*f),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::List(l) => l.iter().map(render).collect::<Vec<_>>().join(", "),
        other => to_json(other).to_string(),
    }
}

fn render_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        let s = format!("{f:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A boolean condition.
pub fn eval_bool(program: &Compiled, ctx: &Context) -> Result<bool, ExprError> {
    match program.execute(ctx)? {
        Value::Bool(b) => Ok(b),
        other => Err(ExprError::Type {
            expected: "a boolean",
            got: render(&other),
        }),
    }
}

/// The elements of a list-valued expression (`for_each`) as the
/// interpreter holds them, each cheap to bind to `item`: converting them
/// to [`Value`] and back would copy every item twice.
pub fn eval_items<'v>(
    program: &Compiled,
    ctx: &Context<'_, 'v>,
) -> Result<Vec<Box<dyn Val + 'v>>, ExprError> {
    let list = program.resolve_val(ctx)?;
    if !matches!(list.as_builtin(), BuiltinRef::List(_)) {
        return Err(ExprError::Type {
            expected: "a list",
            got: render(&value_of(&*list)?),
        });
    }
    let items = match list {
        CowVal::Owned(list) => match list.into_builtin() {
            Some(Builtin::List(list)) => list.into_inner(),
            _ => unreachable!("a value whose `as_builtin` is a list gives up a list"),
        },
        CowVal::Borrowed(list) => match list.as_builtin() {
            BuiltinRef::List(list) => list.inner().iter().map(|i| i.clone_as_boxed()).collect(),
            _ => unreachable!("checked to be a list above"),
        },
    };
    Ok(items
        .into_iter()
        .map(|item| Box::new(Shared(Arc::from(item))) as Box<dyn Val + 'v>)
        .collect())
}

/// The `source` entry of an item that is a map.
pub fn source_of(item: &dyn Val) -> Option<Value> {
    let source = map_entry(item, "source")?;
    value_of(&*source).ok()
}

/// The entry `key` of `value` when it is a map (the interpreter's own or a
/// `LentObject`).
pub fn map_entry<'b, 'v>(value: &'b (dyn Val + 'v), key: &str) -> Option<CowVal<'b, 'v>> {
    if value.get_type().kind() != Kind::Map {
        return None;
    }
    value.as_indexer()?.get(&CelString::from(key)).ok()
}

pub fn eval(program: &Compiled, ctx: &Context) -> Result<Value, ExprError> {
    Ok(program.execute(ctx)?)
}

/// A message with `{expression}` placeholders, compiled once.
/// `{{` and `}}` stand for literal braces.
#[derive(Debug)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug)]
enum Part {
    Text(String),
    Expr(String, Compiled),
}

impl Template {
    pub fn compile(source: &str) -> Result<Template, ExprError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = source.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|p| p.1) == Some('{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek().map(|p| p.1) == Some('}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let rest = &source[i + 1..];
                    let end = rest.find('}').ok_or(ExprError::Unclosed(i))?;
                    let expr = &rest[..end];
                    let program = compile(expr).map_err(|e| ExprError::Placeholder {
                        expr: expr.to_string(),
                        source: Box::new(e),
                    })?;
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Expr(expr.to_string(), program));
                    // Skip the placeholder, closing brace included.
                    let close = i + 1 + end;
                    while chars.next_if(|&(j, _)| j <= close).is_some() {}
                }
                '}' => return Err(ExprError::Unmatched(i)),
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template { parts })
    }

    /// Fills the placeholders; one that fails to evaluate shows as `<expr?>`
    /// so a message never hides the rest of a finding. A value comes from
    /// a snapshot, so it is clipped and its secrets redacted; the template's
    /// own text is the rule author's and is kept.
    pub fn render(&self, ctx: &Context) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Expr(src, p) => {
                    if let Ok(v) = p.execute(ctx) {
                        out.push_str(&shown_value(&render(&v)));
                    } else {
                        out.push('<');
                        out.push_str(src);
                        out.push_str("?>");
                    }
                }
            }
        }
        out
    }

    /// Programs of the placeholders, for reference checks.
    pub fn programs(&self) -> impl Iterator<Item = &Program> {
        self.parts.iter().filter_map(|p| match p {
            Part::Expr(_, p) => Some(&**p),
            Part::Text(_) => None,
        })
    }
}

/// A value put into a message: each long run of input text in it clipped
/// and the whole bounded (a value may join a rule's own words with quoted
/// lines), then its secrets redacted.
fn shown_value(value: &str) -> String {
    crate::model::redact::redact(&crate::model::quote::clip_quotes(value))
}

/// The fields of the variable `var` that `program` reads, when it reads
/// them only as `var.field` (or `has(var.field)`); `None` when it reads
/// the variable whole, indexes it, or a macro binds the same name.
pub fn fields_read<'p>(program: &'p Program, var: &str) -> Option<BTreeSet<&'p str>> {
    let mut fields = BTreeSet::new();
    collect_fields(program.expression(), var, &mut fields).then_some(fields)
}

fn collect_fields<'e>(expr: &'e Expression, var: &str, fields: &mut BTreeSet<&'e str>) -> bool {
    let names = |name: &Expression| matches!(&name.expr, Expr::Ident(n) if n == var);
    match &expr.expr {
        Expr::Select(select) if names(&select.operand) => {
            fields.insert(&select.field);
            true
        }
        Expr::Ident(name) => name != var,
        Expr::Comprehension(c) if c.iter_var == var || c.accu_var == var => false,
        Expr::Comprehension(c) if c.iter_var2.as_deref() == Some(var) => false,
        Expr::Comprehension(c) => [&c.iter_range, &c.accu_init, &c.loop_cond, &c.loop_step]
            .into_iter()
            .chain([&c.result])
            .all(|e| collect_fields(e, var, fields)),
        Expr::Call(call) => (call.target.as_deref().into_iter())
            .chain(&call.args)
            .all(|e| collect_fields(e, var, fields)),
        Expr::Select(select) => collect_fields(&select.operand, var, fields),
        Expr::List(list) => list.elements.iter().all(|e| collect_fields(e, var, fields)),
        Expr::Map(MapExpr { entries }) | Expr::Struct(StructExpr { entries, .. }) => {
            entries.iter().all(|entry| match &entry.expr {
                EntryExpr::MapEntry(e) => {
                    collect_fields(&e.key, var, fields) && collect_fields(&e.value, var, fields)
                }
                EntryExpr::StructField(f) => collect_fields(&f.value, var, fields),
            })
        }
        Expr::Literal(_) | Expr::Unspecified => true,
    }
}

/// Variables a program reads, for checking them against `requires`.
pub fn variables(program: &Program) -> Vec<String> {
    program
        .references()
        .variables()
        .into_iter()
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(src: &str, facts: Json) -> Result<Value, ExprError> {
        let root = Context::with_env(ENV.clone());
        let mut ctx = root.new_inner_scope();
        ctx.add_variable_from_value("f", to_cel(&facts));
        eval(&compile(src).unwrap(), &ctx)
    }

    #[test]
    fn integers_stay_signed_for_arithmetic() {
        assert_eq!(
            run("f.a - f.b", json!({"a": 5, "b": 7})),
            Ok(Value::Int(-2))
        );
        assert_eq!(run("f.a / 2", json!({"a": 5})), Ok(Value::Int(2)));
    }

    #[test]
    fn templates_render_values_and_escape_braces() {
        let root = Context::with_env(ENV.clone());
        let mut ctx = root.new_inner_scope();
        ctx.add_variable_from_value("item", to_cel(&json!({"remote": "a", "off": 1.5, "n": 3})));
        let t =
            Template::compile("peer {item.remote} off {item.off} ms n={item.n} {{x}} {item.nope}")
                .unwrap();
        assert_eq!(t.render(&ctx), "peer a off 1.5 ms n=3 {x} <item.nope?>");
        assert!(Template::compile("broken {item.").is_err());
        assert!(Template::compile("a } b").is_err());
    }

    /// Evaluated with its selections as indexes and as written: the same
    /// value, or the same error.
    fn both_ways(src: &str, facts: Json) -> Result<Value, ExprError> {
        let root = super::super::functions::root_context();
        let mut ctx = root.new_inner_scope();
        ctx.add_variable_from_value("f", to_cel(&facts));
        let compiled = compile(src).unwrap();
        let as_written = compiled.program.execute(&ctx).map_err(ExprError::from);
        assert_eq!(eval(&compiled, &ctx), as_written, "{src}");
        as_written
    }

    #[test]
    fn selections_as_indexes_give_what_the_interpreter_gives() {
        let facts = json!({"a": {"b": [{"k": 1}, {"k": 2}], "s": "x"}, "n": null});
        assert_eq!(both_ways("f.a.s", facts.clone()), Ok(Value::from("x")));
        assert_eq!(
            both_ways("f.a.b.exists(i, i.k == 2)", facts.clone()),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            both_ways("has(f.a.s) && !has(f.a.t)", facts.clone()),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            both_ways("f.a.b.map(i, i.k).size()", facts.clone()),
            Ok(Value::Int(2))
        );
        assert_eq!(
            both_ways("{'x': f.a}.x.s", facts.clone()),
            Ok(Value::from("x"))
        );
        // Errors are the interpreter's own, and so is what `||` lets through.
        for failing in [
            "f.a.missing",
            "f.n.x",
            "f.a.s.x",
            "f.a.b.k",
            "g.x",
            "has(f.n.x)",
            "1 in 2",
            "f.a.s in f.a.s",
            "f.a.missing in [1]",
        ] {
            assert!(both_ways(failing, facts.clone()).is_err(), "{failing}");
        }
        assert_eq!(
            both_ways("f.a.missing == 1 || true", facts.clone()),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            both_ways(
                "f.a.b[0] == {'k': 1} && f.a.b[0] != {'k': 2}",
                facts.clone()
            ),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            both_ways(
                "{'k': 2} in f.a.b && 'b' in f.a && !('z' in f.a)",
                facts.clone()
            ),
            Ok(Value::Bool(true))
        );
        assert_eq!(both_ways("math.greatest(1, 2)", facts), Ok(Value::Int(2)));
    }

    #[test]
    fn membership_in_a_map_is_evaluated_with_selections_as_indexes() {
        let facts = json!({"a": {"b": 1}, "k": "b"});
        let root = super::super::functions::root_context();
        let mut ctx = root.new_inner_scope();
        ctx.add_variable_from_value("f", to_cel(&facts));
        for (src, expected) in [("f.k in f.a", true), ("'z' in f.a", false)] {
            let indexed = compile(src).unwrap().indexed.unwrap();
            let value = Value::resolve_val(&indexed, &ctx).map(|v| value_of(&*v));
            assert_eq!(value.ok(), Some(Ok(Value::Bool(expected))), "{src}");
            assert_eq!(both_ways(src, facts.clone()), Ok(Value::Bool(expected)));
        }
        assert!(both_ways("[1] in f.a", facts).is_err());
    }

    #[test]
    fn a_negation_evaluated_with_selections_as_indexes_is_the_interpreter_s() {
        let facts = json!({"a": {"t": true, "s": "x"}, "n": null});
        let root = super::super::functions::root_context();
        let mut ctx = root.new_inner_scope();
        ctx.add_variable_from_value("f", to_cel(&facts));
        for (src, expected) in [
            ("!f.a.t", Some(false)),
            ("!!f.a.t", Some(true)),
            ("!(f.n == null) || !f.a.t", Some(false)),
            ("!f.a.missing || true", Some(true)),
            ("!f.a.s", None),
            ("!f.a.missing", None),
        ] {
            let indexed = compile(src).unwrap().indexed.unwrap();
            let value = Value::resolve_val(&indexed, &ctx).map(|v| value_of(&*v));
            assert_eq!(value.ok(), expected.map(|b| Ok(Value::Bool(b))), "{src}");
            let as_written = both_ways(src, facts.clone());
            assert_eq!(as_written.ok(), expected.map(Value::Bool), "{src}");
        }
    }

    #[test]
    fn a_comparison_with_a_scalar_literal_keeps_the_interpreter_s_operator() {
        let symmetric = |src: &str| {
            let indexed = compile(src).unwrap().indexed.unwrap();
            format!("{indexed:?}").contains("@symmetric")
        };
        for direct in [
            "f.a == null",
            "'x' != f.a",
            "f.a in ['x', 2, null]",
            "'k' in f.a",
            "f.a in []",
        ] {
            assert!(!symmetric(direct), "{direct}");
        }
        for both in [
            "f.a == f.b",
            "f.a != {'k': 1}",
            "f.a in [f.b, 'x']",
            "f.a in f.list",
            "[1] == f.a",
        ] {
            assert!(symmetric(both), "{both}");
        }
    }

    #[test]
    fn optional_values_are_evaluated_as_written() {
        for src in [
            "f.?a.b",
            "f[?'a']",
            "[?optional.none()]",
            "{?'k': optional.of(1)}",
        ] {
            assert!(compile(src).unwrap().indexed.is_none(), "{src}");
        }
        assert!(compile("f.a.b").unwrap().indexed.is_some());
    }

    #[test]
    fn floats_render_short() {
        assert_eq!(render(&Value::Float(120.0)), "120");
        assert_eq!(render(&Value::Float(-0.5317)), "-0.532");
    }

    #[test]
    fn the_fields_read_of_a_variable_are_known_only_when_each_is_selected() {
        let fields = |src: &str| {
            let program = compile(src).unwrap();
            fields_read(&program, "params").map(|f| f.into_iter().map(String::from).collect())
        };
        let some = |names: &[&str]| Some(names.iter().map(ToString::to_string).collect::<Vec<_>>());
        assert_eq!(
            fields("node.platform in params.platforms && (has(params.roles) || params.x.y)"),
            some(&["platforms", "roles", "x"])
        );
        assert_eq!(fields("node.platform == 'tpd'"), some(&[]));
        assert_eq!(fields("[1].all(x, x < params.max)"), some(&["max"]));
        assert_eq!(
            fields("{'a': params.a}.a == [params.b][0]"),
            some(&["a", "b"])
        );
        assert_eq!(fields("params['platforms'] == []"), None);
        assert_eq!(fields("size(params) > 0"), None);
        assert_eq!(fields("[1].exists(params, params > 0)"), None);
        assert_eq!(fields("params == {}"), None);
    }
}
