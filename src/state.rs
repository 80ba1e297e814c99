//! The page's state, shared through context: the settings, the data view, the engine's status and the run.
//! Only plain data lives here; the engine's tensors stay in the worker.

use leptos::prelude::*;
use lethe_protocol::{DatasetView, Experiment, TaskKind};

use crate::jobs::Jobs;
pub use crate::status::EngineStatus;

/// The user's CSV, kept in memory only (never in the URL, never sent anywhere but the worker).
#[derive(Debug, Clone, PartialEq)]
pub struct CsvFile {
    /// File name.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// The user's weights file (`model.import`), kept in memory only (never in the URL, never sent anywhere but the
/// worker), as base64: the form the worker's messages carry it in.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightsFile {
    /// File name.
    pub name: String,
    /// Its bytes, base64.
    pub base64: String,
    /// Its size in bytes.
    pub bytes: usize,
    /// FNV-1a 64 of the base64 text: another file under the same name is other data.
    pub checksum: u64,
}

impl WeightsFile {
    /// The file `name` with these bytes, base64.
    pub fn new(name: String, base64: String, bytes: usize) -> Self {
        let checksum = base64.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
        });
        Self {
            name,
            base64,
            bytes,
            checksum,
        }
    }
}

/// The page's state, provided as context.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The experiment being edited (always valid).
    pub experiment: RwSignal<Experiment>,
    /// The user's CSV, when the experiment uses one.
    pub csv: RwSignal<Option<CsvFile>>,
    /// The user's weights file, when the experiment imports a model.
    pub weights: RwSignal<Option<WeightsFile>>,
    /// The imported model's architecture in words, as the worker read it from the file.
    pub imported: RwSignal<Option<String>>,
    /// "Your own CSV" is picked but no CSV is in use yet: nothing to train on until a file loads.
    pub wants_csv: RwSignal<bool>,
    /// The prepared dataset, as plotted.
    pub dataset: RwSignal<Option<DatasetView>>,
    /// The engine's status.
    pub engine: RwSignal<EngineStatus>,
    /// The jobs, one per task kind (`jobs.rs`).
    pub jobs: Jobs,
    /// An input error: names the field and the value; the previous settings stay.
    pub input_error: RwSignal<Option<String>>,
    /// Notices about what the page did by itself (fallbacks, restarts).
    pub notices: RwSignal<Vec<String>>,
    /// Whether the settings are kept in this browser (not in embed mode).
    pub remembers: bool,
    /// The Forget step's "pick on the plot" mode: clicks on the scatter pick forget points.
    pub picking: RwSignal<bool>,
    /// "Don't keep my data": nothing is written to this browser's storage.
    pub memory_only: RwSignal<bool>,
    /// Whether the results on screen were produced by other settings than the current ones (the plotted
    /// features and the unlearning settings aside, which do not change the trained model).
    pub results_stale: Memo<bool>,
    /// Whether the lab's results were produced by other settings than the current ones.
    pub lab_stale: Memo<bool>,
    /// The training points the engine ranked for forgetting on the trained model (Suggest), best first.
    pub suggestions: RwSignal<Option<Vec<lethe_protocol::Suggestion>>>,
    /// A Suggest asked of the engine and not answered yet.
    pub suggesting: RwSignal<bool>,
    /// The workspace's tab (`place.rs`), in the URL after the experiment.
    pub tab: RwSignal<crate::place::Tab>,
    /// The Forget tab's view of the results, in the URL after the tab.
    pub view: RwSignal<crate::place::View>,
}

impl AppState {
    /// Fresh state around `experiment`.
    pub fn new(experiment: Experiment) -> Self {
        let experiment = RwSignal::new(experiment);
        let jobs = Jobs::new();
        let run = jobs.get(TaskKind::Train);
        let results_stale = Memo::new(move |_| {
            run.with(|r| {
                r.report.as_ref().is_some_and(|report| {
                    experiment.with(|e| {
                        !report.experiment.trains_like(e) || report.experiment.backend != e.backend
                    })
                })
            })
        });
        let lab = jobs.get(TaskKind::Unlearn);
        let lab_stale = Memo::new(move |_| {
            lab.with(|r| {
                r.report.as_ref().is_some_and(|report| {
                    experiment.with(|e| {
                        let mut shown = report.experiment.clone();
                        shown.data.plot_features = e.data.plot_features;
                        shown != *e
                    })
                })
            })
        });
        Self {
            experiment,
            csv: RwSignal::new(None),
            weights: RwSignal::new(None),
            imported: RwSignal::new(None),
            wants_csv: RwSignal::new(false),
            dataset: RwSignal::new(None),
            engine: RwSignal::new(EngineStatus::Loading),
            jobs,
            input_error: RwSignal::new(None),
            notices: RwSignal::new(vec![]),
            remembers: false,
            picking: RwSignal::new(false),
            memory_only: RwSignal::new(crate::storage::memory_only()),
            results_stale,
            lab_stale,
            suggestions: RwSignal::new(None),
            suggesting: RwSignal::new(false),
            tab: RwSignal::new(crate::place::Tab::Train),
            view: RwSignal::new(crate::place::View::Overview),
        }
    }

    /// Applies `edit` to a copy of the experiment and keeps it only if it validates; otherwise shows the error
    /// and keeps the previous settings. Returns whether it was applied.
    pub fn edit(&self, edit: impl FnOnce(&mut Experiment)) -> bool {
        let mut candidate = self.experiment.get_untracked();
        edit(&mut candidate);
        match candidate.clone().validate() {
            Ok(_) => {
                self.input_error.set(None);
                if candidate != self.experiment.get_untracked() {
                    self.experiment.set(candidate);
                    self.remember_settings();
                }
                true
            }
            Err(e) => {
                let message = match &e {
                    lethe_protocol::ConfigError::Range { field, .. } => {
                        crate::words::labelled(field, e.to_string())
                    }
                    _ => e.to_string(),
                };
                // The fields show the kept value again themselves (`fields::show_kept`).
                self.input_error.set(Some(message));
                false
            }
        }
    }

    /// Keeps the current settings in this browser, after something the user did (an edit, an import, a loaded CSV,
    /// a finished run); never at load, so a page opened after "Forget my data" stores nothing by itself.
    pub fn remember_settings(&self) {
        if self.remembers {
            self.experiment
                .with_untracked(crate::storage::save_settings);
        }
    }

    /// Whether a job can start now: the engine is ready, the data is prepared, and no job is running (the worker
    /// computes one thing at a time). Tracked, for the run buttons.
    pub fn can_start(&self) -> bool {
        matches!(self.engine.get(), EngineStatus::Ready { .. })
            && self.dataset.with(Option::is_some)
            && !self.jobs.any_running()
    }

    /// Why Train cannot run now, if it cannot (besides a busy or loading engine).
    pub fn train_blocked(&self) -> Option<&'static str> {
        let csv_missing = self.wants_csv.get()
            && self
                .experiment
                .with(|e| e.data.source != lethe_protocol::DataSource::Csv);
        let weights_missing = self.experiment.with(|e| e.model.import.is_some())
            && self.weights.with(Option::is_none);
        if weights_missing {
            return Some("choose the model's weights file");
        }
        csv_missing.then_some("choose a CSV file to train on")
    }

    /// Adds a notice.
    pub fn notify(&self, text: impl Into<String>) {
        self.notices.update(|n| n.push(text.into()));
    }
}

/// The state from context.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
