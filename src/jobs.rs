//! The job table: one [`RunState`] per task kind, which the controller changes and the views read. Every long
//! computation the engine runs for the page is a job of one of these kinds, with the same id, progress, heartbeat,
//! Cancel, watchdog, recovery and report (`controller/machine`); a new task adds its kind to the protocol's
//! [`TaskKind`] and its views, and the table and the controller take it as they are (docs/architecture.md §8).

use leptos::prelude::*;
use lethe_protocol::TaskKind;

use crate::status::RunState;

/// One job per task kind.
#[derive(Clone, Copy)]
pub struct Jobs([RwSignal<RunState>; 4]);

impl Jobs {
    pub fn new() -> Self {
        Self(std::array::from_fn(|_| RwSignal::new(RunState::default())))
    }

    /// The job of `kind`.
    pub fn get(&self, kind: TaskKind) -> RwSignal<RunState> {
        self.0[kind.index()]
    }

    /// Whether any job is running (tracked): the worker computes one thing at a time.
    pub fn any_running(&self) -> bool {
        self.0.iter().any(|s| s.with(RunState::running))
    }
}
