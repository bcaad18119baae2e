//! The CEL layer: one shared environment, conversion of facts into CEL
//! values, compiled conditions and message templates.
//!
//! Building a CEL root context costs tens of microseconds, so the engine
//! builds one and gives every node and item a cheap inner scope.

use super::shared::{Shared, shared};
use cel::common::traits::Indexer;
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString,
};
use cel::common::value::{Builtin, BuiltinRef, CowVal, Val};
use cel::context::VariableResolver;
use cel::{Context, Env, Program, Value};

pub use super::expr_error::ExprError;
use crate::model::compact_json::CompactJson;
use serde_json::Value as Json;
use std::collections::HashMap;
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
pub fn compile(source: &str) -> Result<Program, ExprError> {
    ENV.compile(source)
        .map_err(|e| ExprError::Compile(e.to_string()))
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

/// Converts JSON facts into the interpreter's form directly, with the same
/// number rule as [`to_cel`].
pub fn to_bound(json: &Json) -> Bound {
    match json {
        Json::Null => Box::new(CelNull),
        Json::Bool(b) => Box::new(CelBool::from(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Box::new(CelInt::from(i)),
            None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        Json::String(s) => Box::new(CelString::from(s.clone())),
        Json::Array(a) => shared(CelList::from(a.iter().map(to_bound).collect::<Vec<_>>())),
        Json::Object(o) => shared(CelMap::from(
            o.iter()
                .map(|(k, v)| (CelMapKey::from(k.clone()), to_bound(v)))
                .collect::<HashMap<_, _>>(),
        )),
    }
}

/// Like [`to_bound`] of the JSON a [`CompactJson`] holds, lending its
/// strings instead of copying them: for values that live shorter than the
/// facts they come from.
pub fn lend(json: &CompactJson) -> Box<dyn Val + '_> {
    match json {
        CompactJson::Null => Box::new(CelNull),
        CompactJson::Bool(b) => Box::new(CelBool::from(*b)),
        CompactJson::Number(n) => match n.as_i64() {
            Some(i) => Box::new(CelInt::from(i)),
            None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        CompactJson::String(s) => Box::new(CelString::from(&**s)),
        CompactJson::Array(a) => shared(CelList::from(a.iter().map(lend).collect::<Vec<_>>())),
        CompactJson::Object(o) => shared(CelMap::from(
            o.iter()
                .map(|(k, v)| (CelMapKey::from(&**k), lend(v)))
                .collect::<HashMap<_, _>>(),
        )),
    }
}

/// A map of facts, as [`lend`] converts an object.
pub fn lend_map(
    entries: &std::collections::BTreeMap<String, Arc<CompactJson>>,
) -> Box<dyn Val + '_> {
    shared(CelMap::from(
        entries
            .iter()
            .map(|(k, v)| (CelMapKey::from(k.as_str()), lend(v)))
            .collect::<HashMap<_, _>>(),
    ))
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
pub fn eval_bool(program: &Program, ctx: &Context) -> Result<bool, ExprError> {
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
    program: &Program,
    ctx: &Context<'_, 'v>,
) -> Result<Vec<Box<dyn Val + 'v>>, ExprError> {
    let list = Value::resolve_val(program.expression(), ctx)?;
    if !matches!(list.as_builtin(), BuiltinRef::List(_)) {
        return Err(ExprError::Type {
            expected: "a list",
            got: render(&Value::try_from(&*list)?),
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
    let BuiltinRef::Map(map) = item.as_builtin() else {
        return None;
    };
    let source = map.get(&CelString::from("source")).ok()?;
    Value::try_from(&*source).ok()
}

pub fn eval(program: &Program, ctx: &Context) -> Result<Value, ExprError> {
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
    Expr(String, Program),
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
            Part::Expr(_, p) => Some(p),
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

    #[test]
    fn floats_render_short() {
        assert_eq!(render(&Value::Float(120.0)), "120");
        assert_eq!(render(&Value::Float(-0.5317)), "-0.532");
    }
}
