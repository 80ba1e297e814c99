//! One mechanism for every long computation the engine runs for the page: a job has an id (the protocol's
//! `run_id`), a state the views read ([`RunState`]), progress and a heartbeat, Cancel, a watchdog, recovery and a
//! report. A new kind of work adds a [`JobKind`], its command in [`JobKind::command`] and its views; the
//! controller's plumbing (`controller.rs`) stays as it is.

use leptos::prelude::*;
use lethe_protocol::{Command, Experiment, Task};

use crate::state::{AppState, RunState, RunStatus};

/// What a job computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Train the model (the experiment without its `unlearn` and `federated` sections).
    Train,
    /// The Forget step: the unlearning lab on the trained model.
    Forget,
    /// The federated simulation: FedAvg over clients, then one client forgotten four ways.
    Federated,
    /// Variational Bayesian Unlearning: VI, retraining and both VBU variants over the λ sweep.
    Vbu,
}

impl JobKind {
    /// Every kind, in the order the page shows them.
    pub const ALL: [JobKind; 4] = [
        JobKind::Train,
        JobKind::Forget,
        JobKind::Federated,
        JobKind::Vbu,
    ];

    /// The state this kind of job writes and its views read.
    pub fn state(self, app: &AppState) -> RwSignal<RunState> {
        match self {
            JobKind::Train => app.run,
            JobKind::Forget => app.lab,
            JobKind::Federated => app.fed,
            JobKind::Vbu => app.bayes,
        }
    }

    /// The command that starts job `run_id` of this kind on `experiment`. The Forget job names the Train job whose
    /// model it starts from, when that model was trained by the same settings.
    pub fn command(self, run_id: u64, experiment: Experiment, app: &AppState) -> Command {
        // The worker kept the CSV when it prepared it, so no job sends it again.
        match self {
            JobKind::Train => Command::Run {
                run_id,
                experiment: Experiment {
                    task: Task::Train,
                    ..experiment
                },
                base_run_id: None,
                csv_text: None,
            },
            JobKind::Federated | JobKind::Vbu => Command::Run {
                run_id,
                experiment,
                base_run_id: None,
                csv_text: None,
            },
            JobKind::Forget => {
                let base_run_id = app.run.with_untracked(|r| {
                    (r.status == RunStatus::Done
                        && r.report
                            .as_ref()
                            .is_some_and(|rep| rep.experiment.trains_like(&experiment)))
                    .then_some(r.id)
                });
                Command::Run {
                    run_id,
                    experiment,
                    base_run_id,
                    csv_text: None,
                }
            }
        }
    }

    /// The kind of the running job with id `run_id`, if any.
    pub fn running(app: &AppState, run_id: u64) -> Option<JobKind> {
        Self::ALL.into_iter().find(|k| {
            k.state(app)
                .with_untracked(|r| r.id == run_id && r.status == RunStatus::Running)
        })
    }

    /// The kind of the job with id `run_id`, whatever its status.
    pub fn owning(app: &AppState, run_id: u64) -> Option<JobKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.state(app).with_untracked(|r| r.id == run_id && r.id != 0))
    }

    /// The running job, if any (one at a time: the worker computes one thing at a time).
    pub fn active(app: &AppState) -> Option<JobKind> {
        Self::ALL.into_iter().find(|k| {
            k.state(app)
                .with_untracked(|r| r.status == RunStatus::Running)
        })
    }
}
