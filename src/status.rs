//! What the page shows of the engine and of each job, as plain data: the controller's state machine
//! (`controller/machine.rs`) decides every [`Change`], the job table (`jobs.rs`) holds one [`RunState`] per task
//! kind and applies them, the views read them. Nothing here touches the browser.

use lethe_protocol::{BoundaryGrid, EpochRecord, Report};

/// Where the engine stands.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineStatus {
    /// The worker is loading (its wasm is large).
    Loading,
    /// Ready on `backend` (`"cpu"` or `"webgpu"`) for `reason`.
    Ready { backend: String, reason: String },
    /// The engine could not start.
    Failed(String),
}

/// How a job stands.
#[derive(Debug, Clone, PartialEq)]
pub enum RunStatus {
    /// Nothing has run yet.
    Idle,
    /// Computing, or waiting for its engine to load.
    Running,
    /// Finished.
    Done,
    /// Stopped by the user after this many epochs.
    Cancelled(usize),
    /// Failed with this message.
    Failed(String),
}

/// Everything one job shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RunState {
    /// Its id in the protocol (0: none yet).
    pub id: u64,
    /// Its status.
    pub status: RunStatus,
    /// Epochs planned.
    pub epochs_total: usize,
    /// One record per epoch so far.
    pub history: Vec<EpochRecord>,
    /// The latest decision boundary (2-D data).
    pub boundary: Option<BoundaryGrid>,
    /// The report, once done.
    pub report: Option<Report>,
    /// Earlier attempts of this job that failed and were redone (a lost GPU, a crashed engine), kept for the
    /// curves and marked.
    pub attempts: Vec<Attempt>,
    /// What the worker last said it was doing (its heartbeat), while running.
    pub working: Option<String>,
    /// Optimiser steps of the job so far, from the heartbeat (the progress bar moves within an epoch).
    pub steps: u64,
    /// The heartbeat's position among the job's steps (the lab: which method of how many), when it has one.
    pub part: Option<(usize, usize)>,
    /// After a cancel: how the engine answered it.
    pub cancel_answer: Option<CancelAnswer>,
}

/// How the engine answered a cancel.
#[derive(Debug, Clone, PartialEq)]
pub enum CancelAnswer {
    /// The worker confirmed, this many milliseconds after the click.
    Confirmed(f64),
    /// The worker did not confirm within the grace period and was replaced.
    Restarted,
}

/// A failed attempt of a job, kept on the charts.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// What happened, e.g. "GPU lost at epoch 3".
    pub note: String,
    /// Its epochs.
    pub history: Vec<EpochRecord>,
}

impl Default for RunState {
    fn default() -> Self {
        Self {
            id: 0,
            status: RunStatus::Idle,
            epochs_total: 0,
            history: vec![],
            boundary: None,
            report: None,
            attempts: vec![],
            working: None,
            steps: 0,
            part: None,
            cancel_answer: None,
        }
    }
}

/// What the controller does to one job's state.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Back to nothing ("Forget my data").
    Reset,
    /// Running as job `id` (0 while it waits for its engine, with `waiting` saying which), `epochs_total` planned;
    /// earlier attempts stay on the curves when `keep_attempts`.
    Started {
        id: u64,
        epochs_total: usize,
        keep_attempts: bool,
        waiting: Option<String>,
    },
    /// Epoch records (each with the epochs planned when it was sent) and a boundary grid, held for a redraw.
    Progress {
        records: Vec<(usize, EpochRecord)>,
        boundary: Option<BoundaryGrid>,
    },
    /// The heartbeat.
    Working {
        stage: String,
        steps: u64,
        part: Option<(usize, usize)>,
    },
    /// The report.
    Done(Box<Report>),
    /// Cancelled by the user after this many epochs.
    Cancelled(usize),
    /// How the engine answered the cancel.
    CancelAnswer(CancelAnswer),
    /// This attempt failed and the job is redone: its epochs become an attempt with `note`.
    Retried(String),
    /// Failed with this message.
    Failed(String),
}

impl RunState {
    /// Applies a change.
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::Reset => *self = RunState::default(),
            Change::Started {
                id,
                epochs_total,
                keep_attempts,
                waiting,
            } => {
                let attempts = if keep_attempts {
                    std::mem::take(&mut self.attempts)
                } else {
                    vec![]
                };
                *self = RunState {
                    id,
                    status: RunStatus::Running,
                    epochs_total,
                    attempts,
                    working: waiting,
                    ..RunState::default()
                };
            }
            Change::Progress { records, boundary } => {
                for (epochs_total, record) in records {
                    self.epochs_total = epochs_total;
                    self.history.push(record);
                }
                if boundary.is_some() {
                    self.boundary = boundary;
                }
            }
            Change::Working { stage, steps, part } => {
                self.working = Some(stage);
                self.steps = steps;
                self.part = part.or(self.part);
            }
            Change::Done(report) => {
                self.status = RunStatus::Done;
                self.report = Some(*report);
            }
            Change::Cancelled(epochs) => self.status = RunStatus::Cancelled(epochs),
            Change::CancelAnswer(answer) => self.cancel_answer = Some(answer),
            Change::Retried(note) => {
                let history = std::mem::take(&mut self.history);
                self.attempts.push(Attempt { note, history });
            }
            Change::Failed(message) => self.status = RunStatus::Failed(message),
        }
    }

    /// Whether the job is running (or waiting for its engine).
    pub fn running(&self) -> bool {
        self.status == RunStatus::Running
    }
}
