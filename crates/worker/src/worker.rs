//! The worker's message loop: JSON [`Command`]s in, JSON [`Event`]s out. It keeps each trained model under its run
//! id, so that later commands can unlearn from it.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use lethe_engine::train::Trained;
use lethe_engine::{EngineError, Outcome, Runtime, prepare_data, run_experiment};
use lethe_protocol::{BackendChoice, Command, Event, Experiment, Fault, PROTOCOL_VERSION, Task};
use wasm_bindgen::prelude::*;
use web_sys::MessageEvent;

use crate::choose;
use crate::models::{self, Saved};
use crate::post::{scope, send};
use crate::slice::{TimeSliced, now_ms};

/// Most trained models kept; the oldest goes first.
const KEPT_MODELS: usize = 8;

#[derive(Default)]
struct State {
    runtime: Option<Runtime>,
    /// The fault this worker injects (tests), from `hello`.
    fault: Option<Fault>,
    /// The least length of one optimiser step in milliseconds (tests), from `hello`; 0 for none.
    step_ms: f64,
    cancel: HashMap<u64, Rc<Cell<bool>>>,
    /// Trained models by run id, with the experiment that trained them; the oldest goes past [`KEPT_MODELS`].
    models: BTreeMap<u64, (Experiment, Trained)>,
    /// The user's CSV from the last `prepare` that carried one and succeeded: `train` uses it, so the file crosses
    /// to the worker once, not on every run. Lost with the worker; the page prepares again after a restart.
    csv: Option<Rc<String>>,
    /// The user's weights file (`model.import`) from the last `prepare` that carried one and succeeded, kept as
    /// the CSV is.
    weights: Option<Rc<Vec<u8>>>,
    /// The rows' models of the last finished run, for `save_model`.
    saved: Option<Rc<Saved>>,
}

type Shared = Rc<RefCell<State>>;

/// Installs the message handler and tells the page the worker is listening.
pub fn start() {
    console_error_panic_hook::set_once();
    let state: Shared = Rc::default();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |msg: MessageEvent| {
        let text = msg.data().as_string().unwrap_or_default();
        match serde_json::from_str::<Command>(&text) {
            Ok(command) => dispatch(command, state.clone()),
            Err(e) => {
                web_sys::console::error_1(&format!("lethe worker: unreadable command: {e}").into())
            }
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    send(&Event::Loaded {
        protocol: PROTOCOL_VERSION,
    });
}

fn dispatch(command: Command, state: Shared) {
    match command {
        Command::Hello {
            protocol,
            backend,
            fault,
            step_ms,
        } => {
            state.borrow_mut().step_ms = step_ms
                .filter(|ms| ms.is_finite() && *ms > 0.0)
                .unwrap_or(0.0);
            match fault.as_deref().map(Fault::parse) {
                Some(Ok(Fault::StartCrash)) => {
                    // An uncaught error, as a real crash while starting.
                    panic!("injected fault start-crash: the engine crashes while starting")
                }
                Some(Ok(f)) => state.borrow_mut().fault = Some(f),
                Some(Err(message)) => {
                    send(&Event::StartFailed { message });
                    return;
                }
                None => {}
            }
            if protocol != PROTOCOL_VERSION {
                send(&Event::StartFailed {
                    message: format!(
                        "the engine speaks protocol {PROTOCOL_VERSION} but the page speaks {protocol}: reload the page"
                    ),
                });
                return;
            }
            wasm_bindgen_futures::spawn_local(hello(backend, state));
        }
        Command::Prepare {
            request_id,
            experiment,
            csv_text,
            weights,
        } => {
            let kept = state.borrow().weights.clone();
            let prepared = (|| {
                let bytes = weights.as_deref().map(models::decode).transpose()?;
                let e = experiment.validate()?;
                let (e, imported) =
                    models::resolve(e, bytes.as_deref().or(kept.as_deref().map(Vec::as_slice)))?;
                let data = prepare_data(&e, csv_text.as_deref())?;
                let model = imported.map(|i| lethe_protocol::message::ImportedModel {
                    description: i.describe(data.n_features(), data.n_classes()),
                    model: i.config.clone(),
                });
                Ok::<_, EngineError>((data.view(e.seed), model, bytes))
            })();
            let event = match prepared {
                Ok((view, model, bytes)) => {
                    let mut st = state.borrow_mut();
                    if let Some(text) = csv_text {
                        st.csv = Some(Rc::new(text));
                    }
                    if let Some(bytes) = bytes {
                        st.weights = Some(Rc::new(bytes));
                    }
                    Event::Dataset {
                        request_id,
                        view: Box::new(view),
                        imported: model,
                    }
                }
                Err(e) => Event::Rejected {
                    request_id,
                    message: e.to_string(),
                },
            };
            send(&event);
        }
        Command::Run {
            run_id,
            experiment,
            base_run_id,
            csv_text,
        } => {
            let flag = Rc::new(Cell::new(false));
            state.borrow_mut().cancel.insert(run_id, flag.clone());
            let job = Job {
                base_run_id,
                csv_text,
            };
            wasm_bindgen_futures::spawn_local(run(run_id, experiment, job, flag, state));
        }
        Command::Cancel { run_id } => match state.borrow().cancel.get(&run_id) {
            Some(flag) => flag.set(true), // the run answers `cancelled` at its next time slice
            // The run ended before the cancel arrived: confirm at once, so the page need not restart the worker.
            None => send(&Event::Cancelled { run_id, epoch: 0 }),
        },
        Command::Suggest {
            request_id,
            run_id,
            experiment,
        } => wasm_bindgen_futures::spawn_local(suggest(request_id, run_id, experiment, state)),
        Command::SaveModel {
            request_id,
            run_id,
            row,
        } => {
            let saved = state.borrow().saved.clone().filter(|s| s.run_id == run_id);
            wasm_bindgen_futures::spawn_local(async move {
                let answer = match saved {
                    Some(saved) => models::file(&saved, &row).await,
                    None => Err(EngineError::Import(
                        "the engine no longer holds this run's models (a newer run or a restart replaced them): run it again".into(),
                    )),
                };
                send(&match answer {
                    Ok(base64) => Event::ModelFile {
                        request_id,
                        row,
                        base64,
                    },
                    Err(e) => Event::Rejected {
                        request_id,
                        message: e.to_string(),
                    },
                });
            });
        }
    }
}

/// Ranks the training points on the model job `run_id` trained, for the page's Suggest.
async fn suggest(request_id: u64, run_id: u64, experiment: Experiment, state: Shared) {
    let (runtime, trained, csv) = {
        let st = state.borrow();
        let trained = st
            .models
            .get(&run_id)
            .filter(|(e, _)| e.trains_like(&experiment))
            .map(|(_, t)| t.model.clone());
        (st.runtime.clone(), trained, st.csv.clone())
    };
    let answer = async {
        let runtime = runtime.ok_or_else(|| EngineError::Unlearn("the engine is not started yet".into()))?;
        let model = trained.ok_or_else(|| {
            EngineError::Unlearn(
                "the engine no longer holds the trained model (a reload, a restart or other settings): press Train, then Suggest".into(),
            )
        })?;
        let experiment = experiment.validate()?;
        let data = prepare_data(&experiment, csv.as_deref().map(String::as_str))?;
        let ranked = lethe_engine::forget::suggest::rank(&data, &model, &runtime, experiment.seed).await?;
        Ok::<_, EngineError>(
            ranked
                .into_iter()
                .take(lethe_protocol::message::MAX_SUGGESTED)
                .map(|r| r.suggestion)
                .collect(),
        )
    }
    .await;
    send(&match answer {
        Ok(suggestions) => Event::Suggestions {
            request_id,
            suggestions,
        },
        Err(e) => Event::Rejected {
            request_id,
            message: e.to_string(),
        },
    });
}

async fn hello(choice: BackendChoice, state: Shared) {
    match choose::runtime(choice).await {
        Ok(started) => {
            let backend = started.runtime.name.to_string();
            state.borrow_mut().runtime = Some(started.runtime);
            send(&Event::Ready {
                protocol: PROTOCOL_VERSION,
                lethe_version: lethe_protocol::LETHE_VERSION.into(),
                backend,
                reason: started.reason,
                adapter: started.adapter,
            });
        }
        Err(message) => send(&Event::StartFailed { message }),
    }
}

/// What a job brings besides its experiment; everything else (the cancel flag, the time slices, the answer, keeping
/// the model) is the same for every task.
struct Job {
    /// The training job whose kept model an unlearn task may start from.
    base_run_id: Option<u64>,
    /// The user's CSV; without it a CSV experiment uses the kept file.
    csv_text: Option<String>,
}

async fn run(run_id: u64, experiment: Experiment, job: Job, cancel: Rc<Cell<bool>>, state: Shared) {
    let started = web_time::Instant::now();
    let Some(runtime) = state.borrow().runtime.clone() else {
        send(&Event::Failed {
            run_id,
            message: "the engine is not started yet".into(),
            gpu: false,
        });
        return;
    };
    let gpu = runtime.name == "webgpu";
    let kept_csv = state.borrow().csv.clone();
    let kept_weights = state.borrow().weights.clone();
    let mut models = Vec::new();
    let mut origin = None;
    let result = async {
        let (experiment, imported) = models::resolve(
            experiment.validate()?,
            kept_weights.as_deref().map(Vec::as_slice),
        )?;
        let (fault, step_ms) = {
            let state = state.borrow();
            (state.fault, state.step_ms)
        };
        let mut host = TimeSliced::new(run_id, cancel, now_ms(), fault, gpu).with_step_ms(step_ms);
        let csv_text = job
            .csv_text
            .as_deref()
            .or(kept_csv.as_deref().map(String::as_str));
        let data = prepare_data(&experiment, csv_text)?;
        let (imported, written_as) =
            lethe_engine::weights::start(&experiment, imported.as_ref(), &data, &runtime.device)?;
        origin = Some(written_as);
        let kept = match &experiment.task {
            _ if imported.is_some() => imported,
            Task::Unlearn(_) => {
                let kept = job.base_run_id.and_then(|id| {
                    let st = state.borrow();
                    st.models
                        .get(&id)
                        .filter(|(e, _)| e.trains_like(&experiment))
                        .map(|(_, trained)| trained.clone())
                });
                host.note(if kept.is_some() {
                    "starting from the trained model"
                } else {
                    "training the model first: the engine no longer holds it"
                });
                kept
            }
            _ => None,
        };
        let outcome = run_experiment(
            &experiment,
            &data,
            kept,
            &runtime,
            &mut host,
            "browser",
            started,
        )
        .await;
        models = std::mem::take(&mut host.models);
        outcome
    }
    .await;
    let mut st = state.borrow_mut();
    st.cancel.remove(&run_id);
    match result {
        Ok(Outcome::Finished { report, trained }) => {
            if let Some(trained) = trained {
                st.models
                    .insert(run_id, (report.experiment.clone(), *trained));
            }
            while st.models.len() > KEPT_MODELS {
                st.models.pop_first();
            }
            if let Some(origin) = origin {
                st.saved = Some(Rc::new(Saved {
                    run_id,
                    models,
                    origin,
                }));
            }
            send(&Event::Done { run_id, report });
        }
        Ok(Outcome::Cancelled { epoch }) => send(&Event::Cancelled { run_id, epoch }),
        Err(e) => {
            let from_gpu = gpu && matches!(e, EngineError::Backend(_));
            send(&Event::Failed {
                run_id,
                message: e.to_string(),
                gpu: from_gpu,
            });
        }
    }
}
