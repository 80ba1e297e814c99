//! The machine's settings: the timeouts and limits of its rules, and what the test switch can change.

use lethe_protocol::{Fault, PROTOCOL_VERSION};

/// A run with no news for this long is taken for a hung worker (the worker sends a heartbeat about once a
/// second while it computes). The test switch can shorten it (`page_options`).
pub const HANG_MS: f64 = 60_000.0;
/// Workers that may crash in a row without ever becoming ready before the page stops restarting them.
pub const MAX_START_FAILURES: u32 = 3;
/// A cancelled run whose worker has not confirmed within this long is stopped hard (the worker is replaced).
pub const CANCEL_GRACE_MS: f64 = 1_000.0;

/// The machine's settings (the test switch's, or the defaults).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The fault to inject, given to the first worker only unless `fault_every` (a start-up crash: to every one).
    pub fault: Option<Fault>,
    pub fault_every: bool,
    /// The least length of an optimiser step in every worker.
    pub step_ms: Option<f64>,
    /// The protocol version announced to the worker.
    pub protocol: u32,
    /// The hang timeout.
    pub hang_ms: f64,
    /// How long a worker has to confirm a cancel before it is restarted.
    pub cancel_ms: f64,
    /// A hardware WebGPU adapter to assume under Auto.
    pub fake_adapter: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            fault: None,
            fault_every: false,
            step_ms: None,
            protocol: PROTOCOL_VERSION,
            hang_ms: HANG_MS,
            cancel_ms: CANCEL_GRACE_MS,
            fake_adapter: None,
        }
    }
}
