//! The controller's rules, as a plain state machine: it takes the user's requests, the worker's signals and the
//! time as [`Input`]s and returns the [`Action`]s to perform (start a worker, send a command, change a job or the
//! engine's status, tell the user). It holds the jobs (one per task kind, at most one running: the worker computes
//! one thing at a time), routes events by run id, keeps the watchdog's deadlines, decides recoveries (a lost GPU or
//! a crashed or hung worker: one rerun on a fresh CPU worker, then the failure is reported; three start-up crashes
//! in a row stop the restarts), switches engines for Auto, and holds chart updates between redraws. The shell
//! (`controller/mod.rs`) performs the actions in the browser; the rules are tested natively (`controller/tests.rs`).

use lethe_protocol::{
    AutoReason, BackendChoice, Command, Event, Experiment, Task, TaskKind, auto_backend,
};

use crate::redraw::{CURVES_MS, Held};
use crate::status::{Change, EngineStatus};

pub use settings::Settings;

/// A job the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// What it computes (a Train job of an experiment with a task trains only).
    pub kind: TaskKind,
    /// The settings it runs.
    pub experiment: Experiment,
    /// The prepared training set's rows, features and classes (Auto's choice of engine).
    pub shape: (usize, usize, usize),
    /// For an unlearn job: the finished Train job whose model it starts from, when that model was trained by the
    /// same settings.
    pub base: Option<u64>,
}

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Start a fresh worker (the page opened).
    Start,
    /// The user picked another backend.
    BackendChanged,
    /// "Forget my data": stop, drop every job's results and the worker's copies.
    ForgetEngine,
    /// The user pressed a run button.
    Run(Box<Request>),
    /// The user pressed Cancel.
    Cancel,
    /// The clock: the watchdog (about every second) and the redraw timer.
    Tick,
    /// The worker said something.
    Event(Box<Event>),
    /// The worker died (an uncaught error, a failed load, an unreadable message).
    Crashed(String),
    /// A run command could not be sent (no worker).
    Unsent(u64),
}

/// What to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Terminate the worker and start a fresh one: the WebGPU engine when `gpu`, the CPU-only one otherwise.
    StartWorker { gpu: bool },
    /// Send a command to the worker.
    Send(Box<Command>),
    /// The engine's status changed.
    Engine(EngineStatus),
    /// A job's state changed.
    Job(TaskKind, Change),
    /// Tell the user.
    Notify(String),
    /// The engine is ready: prepare the data view if it is not prepared.
    RefreshData,
    /// Give the machine a [`Input::Tick`] at this time (held chart updates become due).
    WakeAt(f64),
}

/// Where a job stands, as far as routing and recovery need.
#[derive(Debug, Clone, Default, PartialEq)]
enum Phase {
    #[default]
    Idle,
    Running,
    Done,
    /// Cancelled; whether the worker's answer (or its replacement) is in.
    Cancelled {
        answered: bool,
    },
    Failed,
}

#[derive(Debug, Clone, Default)]
struct Job {
    id: u64,
    phase: Phase,
    /// Epochs received in this attempt.
    epochs: usize,
    /// The last heartbeat's stage.
    stage: Option<String>,
    /// What it runs, kept for a rerun.
    request: Option<Request>,
}

/// The controller's state.
#[derive(Debug)]
pub struct Machine {
    settings: Settings,
    /// One job per task kind, in [`TaskKind::ALL`]'s order.
    jobs: [Job; 4],
    next_id: u64,
    engine: EngineStatus,
    /// Set after WebGPU failed: the CPU is used whatever the settings say.
    force_cpu: bool,
    /// Whether the current (or next) worker is the WebGPU engine.
    gpu_worker: bool,
    /// The browser's hardware WebGPU adapter, as the engine found it under Auto.
    adapter: Option<String>,
    /// Why Auto took the backend of the job in flight.
    auto_reason: Option<AutoReason>,
    /// Run this job once the new worker is ready.
    rerun: Option<TaskKind>,
    /// Workers started so far; a Train job's model lives only in the worker that trained it.
    generation: u64,
    /// The Train job whose model the worker holds: its run id and the worker's generation.
    trained_in: Option<(u64, u64)>,
    /// Recoveries of the current job so far (a second failure is reported, not retried).
    recoveries: u32,
    /// Workers that crashed in a row without becoming ready.
    start_failures: u32,
    last_news: f64,
    cancel_clicked: f64,
    cancel_deadline: Option<f64>,
    held: Held,
    wake_at: Option<f64>,
}

fn slot(kind: TaskKind) -> usize {
    kind.index()
}

/// The job's name in a notice.
fn noun(kind: TaskKind) -> &'static str {
    match kind {
        TaskKind::Train => "experiment",
        TaskKind::Unlearn => "lab",
        TaskKind::Federated => "federation",
        TaskKind::Vbu => "VBU comparison",
    }
}

impl Machine {
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            jobs: Default::default(),
            next_id: 0,
            engine: EngineStatus::Loading,
            force_cpu: false,
            gpu_worker: false,
            adapter: None,
            auto_reason: None,
            rerun: None,
            generation: 0,
            trained_in: None,
            recoveries: 0,
            start_failures: 0,
            last_news: 0.0,
            cancel_clicked: 0.0,
            cancel_deadline: None,
            held: Held::default(),
            wake_at: None,
        }
    }

    /// The backend the next worker uses under the setting `chosen`: the CPU after WebGPU failed.
    pub fn backend(&self, chosen: BackendChoice) -> BackendChoice {
        if self.force_cpu {
            BackendChoice::Cpu
        } else {
            chosen
        }
    }

    /// The running job's kind, if any.
    pub fn active(&self) -> Option<TaskKind> {
        TaskKind::ALL
            .into_iter()
            .find(|k| self.jobs[slot(*k)].phase == Phase::Running)
    }

    /// Whether the worker holds the model of Train job `run_id`.
    pub fn holds_model(&self, run_id: u64) -> bool {
        self.trained_in == Some((run_id, self.generation))
    }

    /// Reacts to `input` at time `now` (milliseconds) under the backend setting `chosen`.
    pub fn handle(&mut self, now: f64, chosen: BackendChoice, input: Input) -> Vec<Action> {
        let mut out = vec![];
        let news = matches!(input, Input::Event(_) | Input::Crashed(_));
        if news {
            self.last_news = now;
        }
        // Whatever ends or replaces a run applies the chart updates held for it first.
        let streaming = matches!(&input, Input::Event(e) if matches!(**e,
            Event::Progress { .. } | Event::Boundary { .. } | Event::Working { .. }))
            || input == Input::Tick;
        if !streaming {
            self.flush(now, true, &mut out);
        }
        match input {
            Input::Start => self.start(now, chosen, &mut out),
            Input::BackendChanged => {
                self.force_cpu = false;
                self.cancel(now, &mut out);
                self.start(now, chosen, &mut out);
            }
            Input::ForgetEngine => {
                self.cancel(now, &mut out);
                self.cancel_deadline = None;
                for kind in TaskKind::ALL {
                    self.jobs[slot(kind)] = Job::default();
                    out.push(Action::Job(kind, Change::Reset));
                }
                self.start(now, chosen, &mut out);
            }
            Input::Run(request) => {
                if self.active().is_some() {
                    return out; // the worker computes one thing at a time; the buttons say so
                }
                self.recoveries = 0;
                if let (TaskKind::Unlearn, Some(base)) = (request.kind, request.base)
                    && !self.holds_model(base)
                {
                    out.push(Action::Notify(
                        "The engine no longer holds the trained model (it restarted since Train, or the results came from an earlier visit): the lab trains it again first, with the same seed, which gives the same model.".into(),
                    ));
                }
                self.launch(now, chosen, *request, false, &mut out);
            }
            Input::Cancel => self.cancel(now, &mut out),
            Input::Tick => self.tick(now, chosen, &mut out),
            Input::Event(event) => self.on_event(now, chosen, *event, &mut out),
            Input::Crashed(message) => self.crashed(now, chosen, message, &mut out),
            Input::Unsent(run_id) => {
                if let Some(kind) = self.running(run_id) {
                    self.fail(kind, "the engine is not running".into(), &mut out);
                }
            }
        }
        out
    }

    /// Starts a fresh worker (replacing any other): the WebGPU engine when WebGPU is forced or Auto chose it for
    /// the job in hand, otherwise the CPU-only engine.
    pub(super) fn start(&mut self, now: f64, chosen: BackendChoice, out: &mut Vec<Action>) {
        self.engine = EngineStatus::Loading;
        out.push(Action::Engine(EngineStatus::Loading));
        self.generation += 1;
        self.last_news = now;
        match self.backend(chosen) {
            BackendChoice::Cpu => self.gpu_worker = false,
            BackendChoice::Webgpu => self.gpu_worker = true,
            BackendChoice::Auto => {} // per job: `launch`
        }
        out.push(Action::StartWorker {
            gpu: self.gpu_worker,
        });
    }

    /// Starts `request`'s job. Under Auto, a job that wants the other engine first replaces the worker and starts
    /// once it is ready.
    pub(super) fn launch(
        &mut self,
        now: f64,
        chosen: BackendChoice,
        request: Request,
        keep_attempts: bool,
        out: &mut Vec<Action>,
    ) {
        let kind = request.kind;
        let epochs_total = request.experiment.train.epochs;
        self.rerun = None;
        if self.backend(chosen) == BackendChoice::Auto {
            let (n, d, k) = request.shape;
            let auto = auto_backend(&request.experiment, n, d, k, self.adapter.as_deref());
            let reason = crate::words::auto_reason(&auto.reason);
            self.auto_reason = Some(auto.reason);
            if self.gpu_worker != auto.gpu {
                self.gpu_worker = auto.gpu;
                self.rerun = Some(kind);
                let job = &mut self.jobs[slot(kind)];
                *job = Job {
                    phase: Phase::Running,
                    request: Some(request),
                    ..Job::default()
                };
                let engine = if auto.gpu { "WebGPU" } else { "CPU" };
                out.push(Action::Job(
                    kind,
                    Change::Started {
                        id: 0,
                        epochs_total,
                        keep_attempts,
                        waiting: Some(format!("loading the {engine} engine")),
                    },
                ));
                self.start(now, chosen, out);
                return;
            }
            if let EngineStatus::Ready { backend, .. } = &self.engine {
                self.engine = EngineStatus::Ready {
                    backend: backend.clone(),
                    reason,
                };
                out.push(Action::Engine(self.engine.clone()));
            }
        }
        self.next_id += 1;
        let run_id = self.next_id;
        self.cancel_deadline = None;
        self.last_news = now;
        if kind == TaskKind::Train {
            self.trained_in = Some((run_id, self.generation));
        }
        let base_run_id = request.base.filter(|_| kind == TaskKind::Unlearn);
        let experiment = match kind {
            TaskKind::Train => Experiment {
                task: Task::Train,
                ..request.experiment.clone()
            },
            _ => request.experiment.clone(),
        };
        self.jobs[slot(kind)] = Job {
            id: run_id,
            phase: Phase::Running,
            request: Some(request),
            ..Job::default()
        };
        out.push(Action::Job(
            kind,
            Change::Started {
                id: run_id,
                epochs_total,
                keep_attempts,
                waiting: None,
            },
        ));
        // The worker kept the CSV when it prepared it, so no job sends it again.
        out.push(Action::Send(Box::new(Command::Run {
            run_id,
            experiment,
            base_run_id,
            csv_text: None,
        })));
    }

    /// The running job with id `run_id`.
    /// The job of `run_id` if it was cancelled and its worker has not answered yet.
    pub(super) fn cancelling(&self, run_id: u64) -> Option<TaskKind> {
        TaskKind::ALL.into_iter().find(|k| {
            let job = &self.jobs[slot(*k)];
            job.id == run_id && job.phase == (Phase::Cancelled { answered: false })
        })
    }

    pub(super) fn running(&self, run_id: u64) -> Option<TaskKind> {
        TaskKind::ALL.into_iter().find(|k| {
            let job = &self.jobs[slot(*k)];
            job.id == run_id && job.phase == Phase::Running
        })
    }

    pub(super) fn fail(&mut self, kind: TaskKind, message: String, out: &mut Vec<Action>) {
        self.jobs[slot(kind)].phase = Phase::Failed;
        out.push(Action::Job(kind, Change::Failed(message)));
    }

    /// Applies the held chart updates that are due (all of them when `all`) to their job, and asks for a wake-up
    /// while some stay held.
    pub(super) fn flush(&mut self, now: f64, all: bool, out: &mut Vec<Action>) {
        let due = self.held.take(now, all);
        if let Some(kind) = self.running(due.run_id)
            && (!due.records.is_empty() || due.boundary.is_some())
        {
            out.push(Action::Job(
                kind,
                Change::Progress {
                    records: due.records,
                    boundary: due.boundary,
                },
            ));
        }
        if self.held.pending() {
            self.wake(now, out);
        }
    }

    /// Asks for a tick after [`CURVES_MS`] unless one is due already.
    pub(super) fn wake(&mut self, now: f64, out: &mut Vec<Action>) {
        if self.wake_at.is_none() {
            let at = now + CURVES_MS;
            self.wake_at = Some(at);
            out.push(Action::WakeAt(at));
        }
    }
}

mod events;
mod recovery;
mod settings;
#[cfg(test)]
mod tests;
