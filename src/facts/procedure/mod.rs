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

use crate::catalog::expr::{to_cel, to_json};
use cel::Value;
use std::sync::Arc;

/// CEL `upgrade_progress(nodes, target)`; see [`progress::progress`].
pub fn upgrade_progress(nodes: Value, target: Arc<String>) -> Value {
    to_cel(&progress::progress(&to_json(&nodes), &target))
}

/// CEL `upgrade_order(nodes, target, primary_site)`; `''` for no primary
/// site. See [`order::order`].
pub fn upgrade_order(nodes: Value, target: Arc<String>, primary_site: Arc<String>) -> Value {
    to_cel(&order::order(&to_json(&nodes), &target, &primary_site))
}
