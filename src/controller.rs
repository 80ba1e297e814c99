//! The page's controller: it turns user actions into protocol commands and worker events into state, for every
//! kind of job (`jobs.rs`: Train, Forget) through the same path. It also recovers: WebGPU that fails to start or
//! fails mid-run gives way to a fresh CPU worker (and the job is redone); a crashed or hung worker is replaced; the
//! user's settings, data and results stay. The flow is drawn in docs/architecture.md §8.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use lethe_protocol::{
    BackendChoice, Command, DataSource, Event, Experiment, Fault, PROTOCOL_VERSION,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::engine::{EngineClient, Signal};
use crate::jobs::JobKind;
use crate::state::{AppState, Attempt, CancelAnswer, CsvFile, EngineStatus, RunState, RunStatus};

/// A run with no news for this long is taken for a hung worker (the worker sends a heartbeat about once a
/// second while it computes). The test switch can shorten it (`page_options`).
const HANG_MS: f64 = 60_000.0;
/// Workers that may crash in a row without ever becoming ready before the page stops restarting them.
const MAX_START_FAILURES: u32 = 3;
/// A cancelled run whose worker has not confirmed within this long is stopped hard (the worker is replaced).
const CANCEL_GRACE_MS: f64 = 1_000.0;

/// What a prepare request commits when it succeeds: the experiment and the CSV the user chose.
type Commit = Option<(Experiment, Option<CsvFile>)>;

#[derive(Default)]
struct Inner {
    next_id: u64,
    /// The prepare request in flight, and what to commit when it succeeds.
    pending: Option<(u64, Commit)>,
    /// Set after WebGPU failed: the CPU is used whatever the settings say.
    force_cpu: bool,
    /// Whether the current (or next) worker is the WebGPU engine; otherwise the CPU-only one, which every page
    /// loads first.
    gpu_worker: bool,
    /// The browser's hardware WebGPU adapter, as the CPU engine found it under Auto.
    adapter: Option<String>,
    /// The adapter the test switch makes the page assume.
    fake_adapter: Option<String>,
    /// Why Auto took the backend of the job in flight (the badge shows it).
    auto_reason: Option<String>,
    /// Redo this job once the new worker is ready.
    rerun: Option<JobKind>,
    /// Workers started so far; a Train job's model lives only in the worker that trained it.
    generation: u64,
    /// The generation of the worker that ran each Train job, by run id (the last one is enough).
    trained_in: Option<(u64, u64)>,
    /// Recoveries of the current run so far (a second failure is reported, not retried).
    recoveries: u32,
    /// Workers that crashed in a row without becoming ready (reset by `ready`).
    start_failures: u32,
    /// The fault to inject (the test switch's), given to the first worker only unless `fault_every`.
    fault: Option<Fault>,
    fault_every: bool,
    /// The least length of an optimiser step in every worker (the test switch's `step_ms`).
    step_ms: Option<f64>,
    /// The protocol version announced to the worker (the test switch can change it).
    protocol: u32,
    last_news_ms: f64,
    /// The hang timeout in force.
    hang_ms: f64,
    /// How long a worker has to confirm a cancel before it is restarted.
    cancel_ms: f64,
    /// When the user cancelled, and when the worker must have confirmed by.
    cancel_clicked: f64,
    cancel_deadline: Option<f64>,
    /// What the current data view was prepared from (see [`data_key`]).
    prepared: Option<String>,
    /// Chart updates held between two redraws (`redraw.rs`).
    held: crate::redraw::Held,
}

/// Identifies the data an experiment asks for: its data settings but the plotted features, its seed, the CSV.
fn data_key(experiment: &Experiment, csv: Option<&CsvFile>) -> String {
    let mut data = experiment.data.clone();
    data.plot_features = [0, 0];
    format!(
        "{}|{}|{}",
        serde_json::to_string(&data).unwrap_or_default(),
        experiment.seed,
        csv.map_or("", |c| c.name.as_str())
    )
}

/// Drives the engine worker for the page.
#[derive(Clone)]
pub struct Controller {
    app: AppState,
    engine: EngineClient,
    inner: Rc<RefCell<Inner>>,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl Controller {
    /// A controller for `app`, injecting the test switch's fault into its first worker; call
    /// [`Controller::start`] next.
    pub fn new(app: AppState, options: &crate::page_options::PageOptions) -> Self {
        let inner = Inner {
            fault: options.fault,
            fault_every: options.fault_every,
            step_ms: options.step_ms,
            protocol: options.protocol.unwrap_or(PROTOCOL_VERSION),
            hang_ms: options.hang_ms.unwrap_or(HANG_MS),
            cancel_ms: options.cancel_ms.unwrap_or(CANCEL_GRACE_MS),
            fake_adapter: options.adapter.clone(),
            ..Inner::default()
        };
        Self {
            app,
            engine: EngineClient::default(),
            inner: Rc::new(RefCell::new(inner)),
        }
    }

    /// The backend the next worker will use.
    pub fn backend_choice(&self) -> BackendChoice {
        if self.inner.borrow().force_cpu {
            BackendChoice::Cpu
        } else {
            self.app.experiment.get_untracked().backend
        }
    }

    /// Starts a fresh worker (replacing any other): the WebGPU engine when WebGPU is forced or Auto chose it for
    /// the job in hand, otherwise the CPU-only engine.
    pub fn start(&self) {
        self.app.engine.set(EngineStatus::Loading);
        let choice = self.backend_choice();
        let gpu = {
            let mut inner = self.inner.borrow_mut();
            inner.pending = None;
            inner.prepared = None;
            inner.generation += 1;
            match choice {
                BackendChoice::Cpu => inner.gpu_worker = false,
                BackendChoice::Webgpu => inner.gpu_worker = true,
                BackendChoice::Auto => {} // per job: `launch`
            }
            inner.gpu_worker
        };
        let me = self.clone();
        if let Err(e) = self.engine.start(gpu, move |signal| me.on_signal(signal)) {
            self.app.engine.set(EngineStatus::Failed(e));
        }
    }

    /// "Forget my data": stops a running run and replaces the worker, which drops the models and the copy of the
    /// CSV it kept.
    pub fn forget_engine_state(&self) {
        self.cancel();
        self.inner.borrow_mut().cancel_deadline = None;
        self.app.lab.set(RunState::default());
        self.app.fed.set(RunState::default());
        self.app.bayes.set(RunState::default());
        self.start();
    }

    /// Restarts after the user picked another backend.
    pub fn backend_changed(&self) {
        self.inner.borrow_mut().force_cpu = false;
        self.cancel();
        self.start();
    }

    fn next_id(&self) -> u64 {
        let mut inner = self.inner.borrow_mut();
        inner.next_id += 1;
        inner.next_id
    }

    /// Asks the worker for the current experiment's data view.
    pub fn refresh_data(&self) {
        let experiment = self.app.experiment.get_untracked();
        let csv = self.app.csv.get_untracked();
        if experiment.data.source == DataSource::Csv && csv.is_none() {
            let file = experiment
                .data
                .csv
                .as_ref()
                .map_or("", |c| c.file.as_str())
                .to_string();
            self.app.dataset.set(None);
            self.app.input_error.set(Some(format!(
                "This experiment uses your CSV file \"{file}\". Links never carry data: choose the file again."
            )));
            return;
        }
        if self.inner.borrow().prepared.as_deref()
            == Some(data_key(&experiment, csv.as_ref()).as_str())
        {
            return; // the view on screen is already this data
        }
        self.prepare(experiment, csv, false);
    }

    /// Prepares `experiment` with `csv`; when `commit`, they replace the current settings only if the worker
    /// accepts them (a bad CSV leaves the previous dataset in place).
    pub fn prepare(&self, experiment: Experiment, csv: Option<CsvFile>, commit: bool) {
        if !matches!(self.app.engine.get_untracked(), EngineStatus::Ready { .. }) {
            if commit {
                self.app.input_error.set(Some(
                    "the engine is still loading; try again in a moment".into(),
                ));
            }
            return;
        }
        let request_id = self.next_id();
        let csv_text = csv.as_ref().map(|c| c.text.clone());
        self.inner.borrow_mut().prepared = None;
        self.inner.borrow_mut().pending =
            Some((request_id, commit.then(|| (experiment.clone(), csv))));
        self.engine.send(&Command::Prepare {
            request_id,
            experiment,
            csv_text,
        });
    }

    /// Starts a training run of the current experiment (the user pressed Train).
    pub fn train(&self) {
        self.begin(JobKind::Train);
    }

    /// Runs the unlearning lab on the trained model (the user pressed Forget). When the engine no longer holds
    /// that model (it restarted since Train), the job trains it again first, with the same seed, and the page
    /// says so.
    pub fn forget(&self) {
        let held = {
            let inner = self.inner.borrow();
            let run_id = self.app.run.with_untracked(|r| r.id);
            inner.trained_in == Some((run_id, inner.generation))
        };
        let done = self
            .app
            .run
            .with_untracked(|r| r.status == RunStatus::Done && r.report.is_some());
        if done && !held && !self.app.results_stale.get_untracked() {
            self.app.notify(
                "The engine no longer holds the trained model (it restarted since Train, or the results came from an earlier visit): the lab trains it again first, with the same seed, which gives the same model.",
            );
        }
        self.begin(JobKind::Forget);
    }

    /// Runs the experiment's federated simulation (the user pressed Run, or "Unlearn client k").
    pub fn federate(&self) {
        self.begin(JobKind::Federated);
    }

    /// Runs the experiment's VBU comparison (the user pressed "Train and unlearn").
    pub fn vbu(&self) {
        self.begin(JobKind::Vbu);
    }

    fn begin(&self, kind: JobKind) {
        self.inner.borrow_mut().recoveries = 0;
        // A refused value named in the error is history once the settings in force run.
        self.app.input_error.set(None);
        self.launch(kind, vec![]);
    }

    /// Auto's backend for `kind` on the current experiment and data: WebGPU only on a hardware adapter and for a
    /// model and run large enough to pay (`lethe_protocol::auto_backend`). None unless the backend is Auto.
    fn auto_gpu(&self, experiment: &Experiment) -> Option<lethe_protocol::AutoChoice> {
        if self.backend_choice() != BackendChoice::Auto {
            return None;
        }
        let adapter = self.inner.borrow().adapter.clone();
        let (n, d, k) = self.app.dataset.with_untracked(|v| {
            v.as_ref().map_or((0, 0, 0), |v| {
                (v.n_train, v.feature_names.len(), v.class_names.len())
            })
        });
        Some(lethe_protocol::auto_backend(
            experiment,
            n,
            d,
            k,
            adapter.as_deref(),
        ))
    }

    /// Starts a job, keeping `attempts` (earlier failed attempts of the same job) on the charts. Under Auto, a job
    /// that wants the other engine (the WebGPU one for a large CNN on a hardware adapter, the CPU one otherwise)
    /// first replaces the worker and starts once it is ready.
    fn launch(&self, kind: JobKind, attempts: Vec<Attempt>) {
        let experiment = self.app.experiment.get_untracked();
        if let Some(auto) = self.auto_gpu(&experiment) {
            let switch = {
                let mut inner = self.inner.borrow_mut();
                inner.auto_reason = Some(auto.reason.clone());
                let switch = inner.gpu_worker != auto.gpu;
                if switch {
                    inner.gpu_worker = auto.gpu;
                    inner.rerun = Some(kind);
                    inner.last_news_ms = now_ms();
                }
                switch
            };
            if let EngineStatus::Ready { backend, .. } = self.app.engine.get_untracked()
                && !switch
            {
                self.app.engine.set(EngineStatus::Ready {
                    backend,
                    reason: auto.reason,
                });
            }
            if switch {
                kind.state(&self.app).set(RunState {
                    status: RunStatus::Running,
                    epochs_total: experiment.train.epochs,
                    attempts,
                    working: Some(if auto.gpu {
                        "loading the WebGPU engine".into()
                    } else {
                        "loading the CPU engine".into()
                    }),
                    ..RunState::default()
                });
                self.start();
                return;
            }
        }
        let run_id = self.next_id();
        {
            let mut inner = self.inner.borrow_mut();
            inner.rerun = None;
            inner.cancel_deadline = None;
            inner.last_news_ms = now_ms();
            if kind == JobKind::Train {
                inner.trained_in = Some((run_id, inner.generation));
            }
        }
        let state = kind.state(&self.app);
        state.set(RunState {
            id: run_id,
            status: RunStatus::Running,
            epochs_total: experiment.train.epochs,
            attempts,
            ..RunState::default()
        });
        let command = kind.command(run_id, experiment, &self.app);
        if !self.engine.send(&command) {
            state.update(|r| r.status = RunStatus::Failed("the engine is not running".into()));
        }
    }

    /// Cancels the running job: the page stops listening at once; the worker stops at its next time slice and
    /// confirms.
    pub fn cancel(&self) {
        let Some(kind) = JobKind::active(&self.app) else {
            return;
        };
        let state = kind.state(&self.app);
        let run_id = state.with_untracked(|r| r.id);
        state.update(|r| r.status = RunStatus::Cancelled(r.history.len()));
        // A job waiting for its engine to load is not started once it is.
        self.inner.borrow_mut().rerun = None;
        self.engine.send(&Command::Cancel { run_id });
        let now = now_ms();
        let mut inner = self.inner.borrow_mut();
        inner.cancel_clicked = now;
        inner.cancel_deadline = Some(now + inner.cancel_ms);
    }

    /// Called every second: replaces a worker that ignores a cancel or has hung.
    pub fn watchdog(&self) {
        let now = now_ms();
        let (deadline, last) = {
            let inner = self.inner.borrow();
            (inner.cancel_deadline, inner.last_news_ms)
        };
        if deadline.is_some_and(|d| now > d) {
            self.inner.borrow_mut().cancel_deadline = None;
            // The job cancelled last is the one whose worker did not answer.
            for kind in JobKind::ALL {
                kind.state(&self.app).update(|r| {
                    if matches!(r.status, RunStatus::Cancelled(_)) && r.cancel_answer.is_none() {
                        r.cancel_answer = Some(CancelAnswer::Restarted);
                    }
                });
            }
            self.start(); // the worker is still busy with the cancelled job: stop it hard
        } else if JobKind::active(&self.app).is_some() && now - last > self.inner.borrow().hang_ms {
            let seconds = self.inner.borrow().hang_ms / 1000.0;
            self.on_signal(Signal::Crashed(format!("no answer for {seconds} s")));
        }
    }

    fn on_signal(&self, signal: Signal) {
        self.inner.borrow_mut().last_news_ms = now_ms();
        // Whatever ends or replaces a run applies the chart updates held for it first.
        if !matches!(
            signal,
            Signal::Event(Event::Progress { .. } | Event::Boundary { .. } | Event::Working { .. })
        ) {
            self.redraw(true);
        }
        match signal {
            Signal::Event(event) => self.on_event(event),
            Signal::Crashed(message) => {
                let running = JobKind::active(&self.app);
                let (epoch, stage) = running.map_or((0, None), |k| {
                    k.state(&self.app)
                        .with_untracked(|r| (r.history.len(), r.working.clone()))
                });
                // Where it happened, in words: an epoch of training, or a step of the lab.
                let at = match (running, stage) {
                    (Some(JobKind::Forget), Some(stage)) => format!("while unlearning ({stage})"),
                    _ => format!("at epoch {epoch}"),
                };
                if let Some(kind) = running
                    && self.recover(kind, format!("engine crashed {at}"))
                {
                    self.app.notify(format!(
                        "The engine crashed {at} ({message}). Lethe started a new one on the CPU and ran the {} again; your settings and data are kept.",
                        match kind {
                            JobKind::Train => "experiment",
                            JobKind::Forget => "lab",
                            JobKind::Federated => "federation",
                            JobKind::Vbu => "VBU comparison",
                        }
                    ));
                } else {
                    if let Some(kind) = running {
                        kind.state(&self.app).update(|r| {
                            r.status =
                                RunStatus::Failed(format!("the engine stopped {at}: {message}"))
                        });
                    }
                    let ready =
                        matches!(self.app.engine.get_untracked(), EngineStatus::Ready { .. });
                    let failures = {
                        let mut inner = self.inner.borrow_mut();
                        if !ready {
                            inner.start_failures += 1;
                            // The first crash before ready: the next worker uses the CPU.
                            inner.force_cpu = true;
                        }
                        inner.start_failures
                    };
                    if failures >= MAX_START_FAILURES {
                        let why = format!(
                            "the engine could not start: it crashed {failures} times in a row, the last on the CPU ({message}). Reload the page to try again; your settings and data are kept."
                        );
                        self.app.engine.set(EngineStatus::Failed(why.clone()));
                        self.app.notify(why);
                        return;
                    }
                    self.app.notify(format!(
                        "The engine stopped unexpectedly ({message}). A new one was started; your settings and data are kept."
                    ));
                }
                self.start();
            }
        }
    }

    /// Marks the job's progress as a failed attempt and arranges a rerun on a fresh CPU worker (the caller starts
    /// it). Returns false when this job was already recovered once.
    fn recover(&self, kind: JobKind, note: String) -> bool {
        let mut inner = self.inner.borrow_mut();
        if inner.recoveries >= 1 {
            return false;
        }
        inner.recoveries += 1;
        inner.force_cpu = true;
        inner.rerun = Some(kind);
        drop(inner);
        kind.state(&self.app).update(|r| {
            let history = std::mem::take(&mut r.history);
            r.attempts.push(Attempt { note, history });
        });
        true
    }

    /// Redraws now when `due`, otherwise makes sure a timer will.
    fn redraw_when(&self, due: bool) {
        if due {
            self.redraw(false);
        } else {
            self.schedule_redraw();
        }
    }

    fn schedule_redraw(&self) {
        if std::mem::replace(&mut self.inner.borrow_mut().held.scheduled, true) {
            return;
        }
        let me = self.clone();
        let tick = Closure::once_into_js(move || {
            me.inner.borrow_mut().held.scheduled = false;
            me.redraw(false);
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                tick.unchecked_ref(),
                crate::redraw::CURVES_MS as i32,
            );
        }
    }

    /// Applies the held chart updates that are due (all of them when `all`) to their job's state.
    fn redraw(&self, all: bool) {
        let (due, pending) = {
            let mut inner = self.inner.borrow_mut();
            let due = inner.held.take(now_ms(), all);
            (due, inner.held.pending())
        };
        if let Some(kind) = JobKind::running(&self.app, due.run_id)
            && (!due.records.is_empty() || due.boundary.is_some())
        {
            kind.state(&self.app).update(|r| {
                for (epochs_total, record) in due.records {
                    r.epochs_total = epochs_total;
                    r.history.push(record);
                }
                if let Some(grid) = due.boundary {
                    r.boundary = Some(grid);
                }
            });
        }
        if pending {
            self.schedule_redraw();
        }
    }

    fn on_event(&self, event: Event) {
        let app = self.app;
        match event {
            Event::Loaded { .. } => {
                // Either engine gets the setting as it is: under Auto the CPU engine looks for an adapter, and the
                // WebGPU engine starts WebGPU on the hardware adapter, falling back to the CPU by itself.
                let backend = self.backend_choice();
                // Most faults go to the first worker only; a start-up crash to every worker.
                let (fault, protocol, step_ms) = {
                    let mut inner = self.inner.borrow_mut();
                    let fault = match inner.fault {
                        Some(Fault::StartCrash) => inner.fault,
                        _ if inner.fault_every => inner.fault,
                        _ => inner.fault.take(),
                    };
                    (fault, inner.protocol, inner.step_ms)
                };
                self.engine.send(&Command::Hello {
                    protocol,
                    backend,
                    fault: fault.map(|f| f.to_string()),
                    step_ms,
                });
            }
            Event::Ready {
                backend,
                reason,
                adapter,
                ..
            } => {
                let reason = {
                    let mut inner = self.inner.borrow_mut();
                    inner.start_failures = 0;
                    let auto = self.app.experiment.get_untracked().backend == BackendChoice::Auto
                        && !inner.force_cpu;
                    if inner.gpu_worker {
                        // The WebGPU engine names its adapter when it is a hardware one: Auto can use it after
                        // the user switches from WebGPU to Auto.
                        if adapter.is_some() {
                            inner.adapter = adapter;
                        }
                    } else if auto {
                        // The CPU engine under Auto looks for an adapter (none found clears an old one).
                        inner.adapter = inner.fake_adapter.clone().or(adapter);
                    }
                    // The WebGPU engine started for a job under Auto: say why Auto took it.
                    match &inner.auto_reason {
                        Some(why) if auto && inner.gpu_worker && backend == "webgpu" => why.clone(),
                        _ => reason,
                    }
                };
                app.engine.set(EngineStatus::Ready { backend, reason });
                self.refresh_data();
                let rerun = self.inner.borrow().rerun;
                if let Some(kind) = rerun {
                    let attempts = kind.state(&app).get_untracked().attempts;
                    self.launch(kind, attempts);
                }
            }
            Event::StartFailed { message } => {
                if self.backend_choice() != BackendChoice::Cpu {
                    app.notify(format!("{message}. Lethe switched to the CPU."));
                    self.inner.borrow_mut().force_cpu = true;
                    self.start();
                } else {
                    app.engine.set(EngineStatus::Failed(message));
                }
            }
            Event::Dataset { request_id, view } => {
                let pending = self
                    .inner
                    .borrow_mut()
                    .pending
                    .take_if(|(id, _)| *id == request_id);
                if let Some((_, commit)) = pending {
                    let chosen = commit.is_some();
                    let (experiment, csv) = match commit {
                        Some((experiment, csv)) => (experiment, csv),
                        None => (app.experiment.get_untracked(), app.csv.get_untracked()),
                    };
                    self.inner.borrow_mut().prepared = Some(data_key(&experiment, csv.as_ref()));
                    // Results kept from an earlier visit must have been computed on this very data: a file
                    // replaced under the same name gives another checksum.
                    let mismatch = app.run.with_untracked(|r| {
                        r.report.as_ref().is_some_and(|report| {
                            report.experiment == experiment
                                && report.dataset.checksum != view.checksum
                        })
                    });
                    if app.experiment.get_untracked() != experiment
                        || app.csv.get_untracked() != csv
                    {
                        app.csv.set(csv);
                        app.experiment.set(experiment);
                        if chosen {
                            app.remember_settings();
                        }
                    }
                    app.input_error.set(None);
                    if mismatch {
                        app.run.set(RunState::default());
                        app.notify(format!(
                            "The kept results were computed on other data than \"{}\" now holds (its checksum differs), so they were set aside. Press Train to compute them again.",
                            view.name
                        ));
                    }
                    app.dataset.set(Some(*view));
                }
            }
            Event::Rejected {
                request_id,
                message,
            } if self
                .inner
                .borrow_mut()
                .pending
                .take_if(|(id, _)| *id == request_id)
                .is_some() =>
            {
                app.input_error.set(Some(message));
            }
            Event::Progress {
                run_id,
                epochs_total,
                record,
            } => {
                let due =
                    self.inner
                        .borrow_mut()
                        .held
                        .record(run_id, epochs_total, record, now_ms());
                self.redraw_when(due);
            }
            Event::Working {
                run_id,
                stage,
                steps,
                part,
            } => {
                if let Some(kind) = JobKind::running(&app, run_id) {
                    kind.state(&app).update(|r| {
                        r.working = Some(stage);
                        r.steps = steps;
                        r.part = part.or(r.part);
                    })
                }
            }
            Event::Boundary { run_id, grid, .. } => {
                let due = self
                    .inner
                    .borrow_mut()
                    .held
                    .boundary(run_id, grid, now_ms());
                self.redraw_when(due);
            }
            Event::Done { run_id, report } => {
                if let Some(kind) = JobKind::running(&app, run_id) {
                    kind.state(&app).update(|r| {
                        r.status = RunStatus::Done;
                        r.report = Some(*report);
                    })
                }
            }
            Event::Cancelled { run_id, .. } if self.inner.borrow().cancel_deadline.is_some() => {
                if let Some(kind) = JobKind::owning(&app, run_id) {
                    let waited = {
                        let mut inner = self.inner.borrow_mut();
                        inner.cancel_deadline = None;
                        now_ms() - inner.cancel_clicked
                    };
                    kind.state(&app)
                        .update(|r| r.cancel_answer = Some(CancelAnswer::Confirmed(waited)));
                }
            }
            Event::Failed {
                run_id,
                message,
                gpu,
            } => {
                if let Some(kind) = JobKind::running(&app, run_id) {
                    let epoch = kind.state(&app).with_untracked(|r| r.history.len());
                    if gpu && self.recover(kind, format!("GPU lost at epoch {epoch}")) {
                        app.notify(format!(
                            "The run failed on WebGPU ({message}). Lethe restarted the engine on the CPU and ran it again."
                        ));
                        self.start();
                    } else {
                        kind.state(&app)
                            .update(|r| r.status = RunStatus::Failed(message));
                    }
                }
            }
            _ => {} // news of a run the page no longer follows
        }
    }
}

/// The controller from context.
pub fn use_controller() -> StoredValue<Controller, LocalStorage> {
    expect_context::<StoredValue<Controller, LocalStorage>>()
}
