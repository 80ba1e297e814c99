//! What an experiment computes: one [`Task`] per experiment, read from the file's optional sections (an `unlearn`
//! section makes an unlearn task, and so on; none makes a training run). Everything downstream (the worker's one
//! `run` command, the engine's dispatch, the report's typed outcome) branches on it once.
//!
//! To add a task: a variant here and in [`TaskKind`], its section in `experiment/file.rs`, its outcome in
//! `report.rs`, its orchestrator in the engine (dispatched in `lethe_engine::run`), and its view on the page
//! (docs/architecture.md, "To add a task").

use serde::{Deserialize, Serialize};

use crate::federated::FederatedConfig;
use crate::unlearn::UnlearnConfig;
use crate::vbu::VbuConfig;

/// What an experiment computes, with its checked configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Task {
    /// Train the model and measure it (no section).
    #[default]
    Train,
    /// Train, then forget a set of points with each method against the retrain band (`unlearn`).
    Unlearn(UnlearnConfig),
    /// Federated learning over simulated clients, then the unlearning of one client (`federated`).
    Federated(FederatedConfig),
    /// Variational Bayesian Unlearning of a Bayesian classifier (`vbu`).
    Vbu(VbuConfig),
}

/// A task without its configuration: the key the file section and the report's `task` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// [`Task::Train`].
    Train,
    /// [`Task::Unlearn`].
    Unlearn,
    /// [`Task::Federated`].
    Federated,
    /// [`Task::Vbu`].
    Vbu,
}

impl TaskKind {
    /// Every kind.
    pub const ALL: [TaskKind; 4] = [Self::Train, Self::Unlearn, Self::Federated, Self::Vbu];

    /// Its place in [`TaskKind::ALL`] (a table keyed by the kind indexes with it).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The snake_case key: the report's `task`, and (except `train`) the experiment's section.
    pub fn key(self) -> &'static str {
        match self {
            Self::Train => "train",
            Self::Unlearn => "unlearn",
            Self::Federated => "federated",
            Self::Vbu => "vbu",
        }
    }
}

impl Task {
    /// Its kind.
    pub fn kind(&self) -> TaskKind {
        match self {
            Task::Train => TaskKind::Train,
            Task::Unlearn(_) => TaskKind::Unlearn,
            Task::Federated(_) => TaskKind::Federated,
            Task::Vbu(_) => TaskKind::Vbu,
        }
    }

    /// The `unlearn` configuration of an unlearn task.
    pub fn unlearn(&self) -> Option<&UnlearnConfig> {
        match self {
            Task::Unlearn(c) => Some(c),
            _ => None,
        }
    }

    /// The `federated` configuration of a federated task.
    pub fn federated(&self) -> Option<&FederatedConfig> {
        match self {
            Task::Federated(c) => Some(c),
            _ => None,
        }
    }

    /// The `vbu` configuration of a VBU task.
    pub fn vbu(&self) -> Option<&VbuConfig> {
        match self {
            Task::Vbu(c) => Some(c),
            _ => None,
        }
    }
}

#[cfg(test)]
mod index_tests {
    use super::TaskKind;

    #[test]
    fn a_kinds_index_is_its_place_in_all() {
        for (i, kind) in TaskKind::ALL.into_iter().enumerate() {
            assert_eq!(kind.index(), i, "{kind:?}");
        }
    }
}
