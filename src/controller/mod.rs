//! The page's controller: it turns user actions into protocol commands and worker events into state, for every
//! kind of job (`jobs.rs`: Train, Forget) through the same path. It also recovers: WebGPU that fails to start or
//! fails mid-run gives way to a fresh CPU worker (and the job is redone); a crashed or hung worker is replaced; the
//! user's settings, data and results stay. The flow is drawn in docs/architecture.md §8.

mod events;
mod signals;

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
                inner.auto_reason = Some(crate::words::auto_reason(&auto.reason));
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
                    reason: crate::words::auto_reason(&auto.reason),
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
}

/// The controller from context.
pub fn use_controller() -> StoredValue<Controller, LocalStorage> {
    expect_context::<StoredValue<Controller, LocalStorage>>()
}
