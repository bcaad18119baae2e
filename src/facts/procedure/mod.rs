//! What the Oracle Communications Policy Management 12.1.2 procedure says
//! about a fleet as a whole, for the rules that judge it: the stages under
//! way and the servers and clusters being upgraded (`upgrade_progress`), the
//! order the upgrade log shows (`upgrade_order`), and the alarms each step
//! expects (`alarms[].expected_at`). The rules call the first two as CEL
//! functions over `nodes`; the computation lives here because it joins the
//! upgrade log, the alarm export and every node.json of the fleet.

mod expected_alarms;
mod fleet;
mod order;
mod progress;

pub use expected_alarms::expected_at;
pub use progress::Stage;

use crate::catalog::expr::to_cel;
use cel::common::types::CelString;
use cel::common::value::Val;
use cel::{ExecutionError, FunctionContext, Value};

/// CEL `upgrade_progress(nodes, target)`; see [`progress::progress`].
pub fn upgrade_progress(ftx: &FunctionContext) -> Result<Value, ExecutionError> {
    let [nodes, target] = arguments(ftx)?;
    let nodes = fleet::read_input(nodes);
    Ok(to_cel(&progress::progress(&nodes, text(target)?)))
}

/// CEL `upgrade_order(nodes, target, primary_site)`; `''` for no primary
/// site. See [`order::order`].
pub fn upgrade_order(ftx: &FunctionContext) -> Result<Value, ExecutionError> {
    let [nodes, target, primary_site] = arguments(ftx)?;
    let nodes = fleet::read_input(nodes);
    Ok(to_cel(&order::order(
        &nodes,
        text(target)?,
        text(primary_site)?,
    )))
}

/// The arguments of a call as the interpreter holds them: `nodes` is read
/// where it lies instead of being copied whole into a `Value`.
fn arguments<'f, const N: usize>(
    ftx: &'f FunctionContext,
) -> Result<[&'f dyn Val; N], ExecutionError> {
    let args: Vec<&dyn Val> = ftx.args.iter().map(AsRef::as_ref).collect();
    let count = args.len();
    args.try_into()
        .map_err(|_| ExecutionError::invalid_argument_count(N, count))
}

fn text(value: &dyn Val) -> Result<&str, ExecutionError> {
    match value.downcast_ref::<CelString>() {
        Some(s) => Ok(s.inner()),
        None => Err(ExecutionError::UnexpectedType {
            got: format!("{value:?}"),
            want: "string".to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::expr::to_bound;
    use serde_json::{Value as Json, json};

    #[test]
    fn the_functions_read_what_the_whole_nodes_give() {
        let action = |id: i64, host: &str, name: &str, result: &str| {
            json!({"id": id, "parent": 1, "action": name, "start": "2/9/2015 9:21:54",
                   "start_epoch": 100 + id, "end": null, "end_epoch": null, "scope": "server",
                   "hostname": host, "result": result, "source": {"file": "log", "line": id}})
        };
        let node = |host: &str, role: &str, release: &str| {
            json!({"hostname": host, "role": role, "cluster": format!("{role}-1"), "site": "s1",
                   "running_release": release, "previous_release": "11.5.0", "path": "/x",
                   "upgrade_operation": null, "labels": {"a": "b"}, "ha_role": "active"})
        };
        let nodes = json!([
            {"node": node("cmp-a", "cmp", "12.1.2.0.0_22.1.0"),
             "upgrade_log": {"exported": true, "actions": [
                 action(2, "cmp-a", "Initiate upgrade", "success"),
                 action(3, "mpe-a", "Initiate upgrade", "in-progress")]},
             "alarms": {"exported": true, "alarms": [
                 {"id": "70507", "server": "mra-a", "instance": "", "severity": "minor"}]}},
            {"node": node("mpe-a", "mpe", "12.1.1.0.0_14.1.0"), "clock": {"offset_s": 1}},
            {"node": node("mra-a", "mra", "12.1.1.0.0_14.1.0")},
            7
        ]);
        let bound = to_bound(&nodes);
        let read = fleet::read_input(&*bound);
        assert_eq!(read[1]["node"]["path"], Json::Null, "only what is read");
        let target = "12.1.2";
        let busy = progress::progress(&read, target);
        assert_eq!(busy["servers"]["mpe-a"]["activity"], "upgrade", "{busy}");
        assert_eq!(busy["servers"]["mra-a"]["activity"], "upgrade", "{busy}");
        assert_eq!(
            progress::progress(&read, target),
            progress::progress(&nodes, target)
        );
        assert_eq!(
            order::order(&read, target, "s1"),
            order::order(&nodes, target, "s1")
        );
    }
}
