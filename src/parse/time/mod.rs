//! Parsers of clocks and time stamps: `date`, `hwclock`, `timedatectl`, `ntpq`,
//! `chronyc`, and the times vendor GUIs and log lines print.

pub mod chronyc;
pub mod date;
pub(crate) mod gui_time;
pub mod hwclock;
pub mod log_time;
pub mod ntpq;
pub mod timedatectl;
