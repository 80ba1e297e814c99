//! The page's controller, in two parts: the rules (`machine/`: a plain state machine over jobs, the watchdog,
//! recovery, the engine switch and routing, tested natively) and this shell, which feeds it the user's requests,
//! the worker's signals and the clock, and performs the actions it returns with the browser's APIs (the worker
//! client, timers, the job table's signals). Data views (`data.rs`) are prepared outside the job machinery. The flow
//! is drawn in docs/architecture.md §8.

mod data;
pub mod machine;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use lethe_protocol::{Command, Event, PROTOCOL_VERSION, TaskKind};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::state::AppState;
use crate::status::{EngineStatus, RunStatus};
use crate::worker_client::{Signal, WorkerClient};
use data::DataRequests;
use machine::{Action, Input, Machine, Request, Settings};

/// Drives the engine worker for the page.
#[derive(Clone)]
pub struct Controller {
    app: AppState,
    client: WorkerClient,
    machine: Rc<RefCell<Machine>>,
    data: Rc<RefCell<DataRequests>>,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl Controller {
    /// A controller for `app`, with the test switch's settings; call [`Controller::start`] next.
    pub fn new(app: AppState, options: &crate::page_options::PageOptions) -> Self {
        let defaults = Settings::default();
        let settings = Settings {
            fault: options.fault,
            fault_every: options.fault_every,
            step_ms: options.step_ms,
            protocol: options.protocol.unwrap_or(PROTOCOL_VERSION),
            hang_ms: options.hang_ms.unwrap_or(defaults.hang_ms),
            cancel_ms: options.cancel_ms.unwrap_or(defaults.cancel_ms),
            fake_adapter: options.adapter.clone(),
        };
        Self {
            app,
            client: WorkerClient::default(),
            machine: Rc::new(RefCell::new(Machine::new(settings))),
            data: Rc::default(),
        }
    }

    /// Feeds the machine and performs what it decides.
    fn input(&self, input: Input) {
        let chosen = self.app.experiment.with_untracked(|e| e.backend);
        let actions = self.machine.borrow_mut().handle(now_ms(), chosen, input);
        for action in actions {
            self.perform(action);
        }
    }

    fn perform(&self, action: Action) {
        match action {
            Action::StartWorker { gpu } => {
                self.data.borrow_mut().forget();
                let me = self.clone();
                if let Err(e) = self.client.start(gpu, move |signal| me.on_signal(signal)) {
                    self.app.engine.set(EngineStatus::Failed(e));
                }
            }
            Action::Send(command) => {
                if !self.client.send(&command)
                    && let Command::Run { run_id, .. } = *command
                {
                    self.input(Input::Unsent(run_id));
                }
            }
            Action::Engine(status) => self.app.engine.set(status),
            Action::Job(kind, change) => self.app.jobs.get(kind).update(|r| r.apply(change)),
            Action::Notify(text) => self.app.notify(text),
            Action::RefreshData => self.refresh_data(),
            Action::WakeAt(at) => {
                let me = self.clone();
                let tick = Closure::once_into_js(move || me.input(Input::Tick));
                if let Some(w) = web_sys::window() {
                    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                        tick.unchecked_ref(),
                        (at - now_ms()).max(0.0) as i32,
                    );
                }
            }
        }
    }

    fn on_signal(&self, signal: Signal) {
        match signal {
            Signal::Event(
                event @ (Event::Dataset { .. }
                | Event::Rejected { .. }
                | Event::ModelFile { .. }
                | Event::Suggestions { .. }),
            ) => self.on_data(event),
            Signal::Event(event) => self.input(Input::Event(Box::new(event))),
            Signal::Crashed(message) => self.input(Input::Crashed(message)),
        }
    }

    /// Starts a fresh worker (replacing any other).
    pub fn start(&self) {
        self.input(Input::Start);
    }

    /// "Forget my data": stops a running job and replaces the worker, which drops the models and the copy of the
    /// CSV it kept.
    pub fn forget_engine_state(&self) {
        self.input(Input::ForgetEngine);
    }

    /// Restarts after the user picked another backend.
    pub fn backend_changed(&self) {
        self.input(Input::BackendChanged);
    }

    /// Cancels the running job.
    pub fn cancel(&self) {
        self.input(Input::Cancel);
    }

    /// Called every second: replaces a worker that ignores a cancel or has hung.
    pub fn watchdog(&self) {
        self.input(Input::Tick);
    }

    /// Starts a job of `kind` on the current experiment and data (the user pressed its run button). An unlearn
    /// job names the finished Train job whose model it starts from, when that model was trained by the same
    /// settings; the engine trains it again first when it no longer holds it, and the page says so.
    pub fn run(&self, kind: TaskKind) {
        // A refused value named in the error is history once the settings in force run.
        self.app.input_error.set(None);
        let experiment = self.app.experiment.get_untracked();
        let shape = self.app.dataset.with_untracked(|v| {
            v.as_ref().map_or((0, 0, 0), |v| {
                (v.n_train, v.feature_names.len(), v.class_names.len())
            })
        });
        let base = (kind == TaskKind::Unlearn)
            .then(|| {
                self.app.jobs.get(TaskKind::Train).with_untracked(|r| {
                    (r.status == RunStatus::Done
                        && r.report
                            .as_ref()
                            .is_some_and(|rep| rep.experiment.trains_like(&experiment)))
                    .then_some(r.id)
                })
            })
            .flatten();
        self.input(Input::Run(Box::new(Request {
            kind,
            experiment,
            shape,
            base,
        })));
    }
}

/// The controller from context.
pub fn use_controller() -> StoredValue<Controller, LocalStorage> {
    expect_context::<StoredValue<Controller, LocalStorage>>()
}
