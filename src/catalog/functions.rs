//! The CEL functions upcheck adds for rules, and the root context that
//! holds them. Those whose arguments are facts read them as the interpreter
//! holds them: a function declared with `Value` parameters gets a deep copy
//! of each argument on every call, and its `Value` result is copied again
//! into the interpreter's form.

use super::expr::{ENV, SYMMETRIC_EQUALS, SYMMETRIC_IN, SYMMETRIC_NOT_EQUALS, map_entry};
use super::indexed_form::equal;
use super::shared::shared;
use cel::common::types::{CelBool, CelList, CelMap, CelMapKey, CelString, Kind};
use cel::common::value::{BuiltinRef, CowVal, Val};
use cel::{Context, ExecutionError, FunctionContext};
use std::collections::HashMap;
use std::sync::Arc;

/// The root context every evaluation scopes from: standard library plus the
/// functions upcheck adds for rules.
pub fn root_context() -> Context<'static, 'static> {
    let mut ctx = Context::with_env(ENV.clone());
    ctx.add_function("holding", holding())
        .expect("`holding` is not a standard CEL overload");
    ctx.add_function("version_cmp", version_cmp)
        .expect("`version_cmp` is not a standard CEL overload");
    ctx.add_function(
        "upgrade_progress",
        crate::facts::procedure::upgrade_progress,
    )
    .expect("`upgrade_progress` is not a standard CEL overload");
    ctx.add_function("upgrade_order", crate::facts::procedure::upgrade_order)
        .expect("`upgrade_order` is not a standard CEL overload");
    ctx.add_function("group_by", group_by())
        .expect("`group_by` is not a standard CEL overload");
    ctx.add_function(SYMMETRIC_EQUALS, compare(|a, b| equal(a, b)))
        .expect("not a standard CEL overload");
    ctx.add_function(SYMMETRIC_NOT_EQUALS, compare(|a, b| !equal(a, b)))
        .expect("not a standard CEL overload");
    ctx.add_function(SYMMETRIC_IN, symmetric_in())
        .expect("not a standard CEL overload");
    ctx
}

fn compare(test: fn(&dyn Val, &dyn Val) -> bool) -> RawFunction {
    Box::new(move |ftx| {
        let [a, b] = args::<2>(ftx)?;
        Ok(CowVal::owned(CelBool::from(test(a, b))))
    })
}

/// `x in list` comparing each element both ways; `key in map` as the
/// interpreter answers it (a key is never a container, so there is no other
/// way round). Any other `in` fails here, so that the expression is
/// evaluated as written: a failure evaluates the whole expression twice.
fn symmetric_in() -> RawFunction {
    Box::new(|ftx| {
        let [x, container] = args::<2>(ftx)?;
        let found = match container.as_builtin() {
            BuiltinRef::List(list) => list.inner().iter().any(|item| equal(item.as_ref(), x)),
            _ if container.get_type().kind() == Kind::Map => {
                let Some(map) = container.as_container() else {
                    return Err(ExecutionError::function_error(SYMMETRIC_IN, "not a map"));
                };
                map.contains(x)?
            }
            _ => {
                return Err(ExecutionError::function_error(
                    SYMMETRIC_IN,
                    "not a list or map",
                ));
            }
        };
        Ok(CowVal::owned(CelBool::from(found)))
    })
}

/// A function that reads its arguments without converting them.
pub type RawFunction = Box<
    dyn for<'c, 'k> Fn(&mut FunctionContext<'c, 'k>) -> Result<CowVal<'c, 'k>, ExecutionError>
        + Send
        + Sync,
>;

/// The first `N` arguments of a call; fails as a function declared with
/// `N` parameters does when one is missing (more are ignored, likewise).
fn args<'a, 'k, const N: usize>(
    ftx: &'a FunctionContext<'_, 'k>,
) -> Result<[&'a (dyn Val + 'k); N], ExecutionError> {
    let mut out: [&'a (dyn Val + 'k); N] = [&cel::common::types::CelNull; N];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = ftx
            .args
            .get(i)
            .ok_or_else(|| ExecutionError::invalid_argument_count(i + 1, ftx.args.len()))?
            .as_ref();
    }
    Ok(out)
}

/// A string argument, failing as a `Arc<String>` parameter does.
fn string_arg(value: &dyn Val) -> Result<&str, ExecutionError> {
    value
        .downcast_ref::<CelString>()
        .map(CelString::inner)
        .ok_or_else(|| ExecutionError::UnexpectedType {
            got: format!("{value:?}"),
            want: "Arc<String>".to_string(),
        })
}

/// `version_cmp(a, b)`: -1, 0 or 1 as release `a` is below, equal to or
/// above release `b`, comparing their runs of digits as numbers in order
/// (`6.0.1.0.0_60.21.0`, `7.0.2.0.0-86.28.0`, `FUP 2.2.8`); a missing run
/// counts as 0, so `7.0.2` equals `7.0.2.0.0` and is below `7.0.2.0.0_86.28.0`.
fn version_cmp(a: Arc<String>, b: Arc<String>) -> i64 {
    let runs = |s: &str| -> Vec<u64> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|r| !r.is_empty())
            .map(|r| r.parse().unwrap_or(u64::MAX))
            .collect()
    };
    let (a, b) = (runs(&a), runs(&b));
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return if x < y { -1 } else { 1 };
        }
    }
    0
}

/// Whether `mount` is `path` or one of its parent directories.
pub fn mount_covers(mount: &str, path: &str) -> bool {
    let mount = mount.trim_end_matches('/');
    path == mount
        || mount.is_empty()
        || path
            .strip_prefix(mount)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// `holding(filesystems, path)`: the list holding the one filesystem whose
/// mount point is the longest prefix of `path` (empty when none is), so a
/// rule can ask "which filesystem holds /var/TKLC" of any df output.
pub fn holding() -> RawFunction {
    Box::new(|ftx| {
        let [filesystems, path] = args::<2>(ftx)?;
        let path = string_arg(path)?;
        let BuiltinRef::List(list) = filesystems.as_builtin() else {
            return Ok(CowVal::owned(CelList::from(Vec::new())));
        };
        let best = list
            .inner()
            .iter()
            .filter_map(|fs| {
                let mount = string_at(fs.as_ref(), ["mount"])?;
                mount_covers(&mount, path).then_some((mount.len(), fs))
            })
            // the last of equally long mounts, as `Iterator::max_by_key` gives
            .max_by_key(|(len, _)| *len)
            .map(|(_, fs)| fs.clone_as_boxed());
        Ok(CowVal::owned(CelList::from(
            best.into_iter().collect::<Vec<_>>(),
        )))
    })
}

/// `group_by(list, 'node.cluster')`: the elements of `list` by the string at
/// that dotted path (elements where it is missing or not a string are left
/// out), so a fleet rule looks up a node's cluster once instead of scanning
/// the whole fleet for every node, which is quadratic in the fleet's size.
pub fn group_by() -> RawFunction {
    Box::new(|ftx| {
        let [list, path] = args::<2>(ftx)?;
        let path = string_arg(path)?;
        let mut groups: HashMap<String, Vec<Box<dyn Val + '_>>> = HashMap::new();
        if let BuiltinRef::List(items) = list.as_builtin() {
            for item in items.inner() {
                if let Some(key) = string_at(item.as_ref(), path.split('.')) {
                    groups.entry(key).or_default().push(item.clone_as_boxed());
                }
            }
        }
        let groups: HashMap<CelMapKey, Box<dyn Val>> = groups
            .into_iter()
            .map(|(key, members)| (CelMapKey::from(key), shared(CelList::from(members))))
            .collect();
        Ok(CowVal::Owned(shared(CelMap::from(groups))))
    })
}

/// The string at a path of nested maps.
fn string_at<'p>(value: &dyn Val, path: impl IntoIterator<Item = &'p str>) -> Option<String> {
    let mut at = CowVal::Borrowed(value);
    for part in path {
        let next = map_entry(&*at, part)?.into_owned();
        at = CowVal::Owned(next);
    }
    at.downcast_ref::<CelString>()
        .map(|s| s.inner().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::expr::{ExprError, compile, eval, to_cel, to_json};
    use cel::Value;
    use serde_json::Value as Json;
    use serde_json::json;

    fn run(src: &str, facts: Json) -> Result<Value, ExprError> {
        let root = root_context();
        let mut ctx = root.new_inner_scope();
        ctx.add_variable_from_value("f", to_cel(&facts));
        eval(&compile(src).unwrap(), &ctx)
    }

    #[test]
    fn version_cmp_compares_runs_of_digits() {
        let cmp = |a: &str, b: &str| version_cmp(Arc::new(a.into()), Arc::new(b.into()));
        assert_eq!(cmp("6.0.1.0.0_60.21.0", "6.0.1.0.0_60.21.0"), 0);
        assert_eq!(cmp("6.0.0.0.0_60.14.0", "6.0.1.0.0_60.21.0"), -1);
        assert_eq!(cmp("7.0.3.0.0-86.46.0", "7.0.2"), 1);
        assert_eq!(cmp("7.0.2", "7.0.2.0.0"), 0);
        assert_eq!(cmp("7.0.2", "7.0.2.0.0_86.28.0"), -1);
        assert_eq!(cmp("FUP 2.2.10", "2.2.9"), 1, "numbers, not text");
        assert_eq!(cmp("n/a", "2.2.8"), -1);
    }

    #[test]
    fn holding_picks_the_longest_mount_prefix() {
        let fs = json!([{"mount": "/"}, {"mount": "/var"}, {"mount": "/var/TKLC"}, {"mount": "/var/TKLCx"}]);
        let v = run(
            "holding(f, '/var/TKLC/upgrade').map(x, x.mount)",
            fs.clone(),
        )
        .unwrap();
        assert_eq!(to_json(&v), json!(["/var/TKLC"]));
        let v = run("holding(f, '/opt').map(x, x.mount)", fs).unwrap();
        assert_eq!(to_json(&v), json!(["/"]));
        let v = run("holding(f, '/opt')", json!([{"mount": "/boot"}])).unwrap();
        assert_eq!(to_json(&v), json!([]));
    }

    #[test]
    fn group_by_indexes_by_a_dotted_path() {
        let nodes = json!([
            {"node": {"hostname": "a", "cluster": "c1"}},
            {"node": {"hostname": "b", "cluster": "c2"}},
            {"node": {"hostname": "c", "cluster": "c1"}},
            {"node": {"hostname": "d", "cluster": null}},
            {"node": {"hostname": "e"}},
        ]);
        let v = run("group_by(f, 'node.cluster')", nodes.clone()).unwrap();
        let by = to_json(&v);
        assert_eq!(by["c1"].as_array().unwrap().len(), 2);
        assert_eq!(by["c2"][0]["node"]["hostname"], "b");
        assert_eq!(
            by.as_object().unwrap().len(),
            2,
            "null and missing keys are left out"
        );
        let v = run("group_by(f, 'node.missing.deeper')", nodes).unwrap();
        assert_eq!(to_json(&v), json!({}));
        assert_eq!(
            to_json(&run("group_by(f, 'x')", json!(3)).unwrap()),
            json!({})
        );
    }
}
