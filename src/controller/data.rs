//! The data view: the shell asks the worker to prepare the experiment's data (a generated dataset, a bundled one,
//! the user's CSV) and shows what it answers. A prepare request is not a job: it is quick, has no progress and is
//! not cancelled; a newer request or a new worker makes an older answer moot.

use leptos::prelude::*;
use lethe_protocol::{Command, DataSource, Event, Experiment, TaskKind};

use super::Controller;
use crate::state::{CsvFile, EngineStatus, WeightsFile};
use crate::status::{RunState, RunStatus};

/// What a prepare request commits when it succeeds: the experiment and the CSV the user chose.
type Commit = Option<(Experiment, Option<CsvFile>)>;

/// The prepare requests of the current worker.
#[derive(Default)]
pub(super) struct DataRequests {
    next_id: u64,
    /// The request in flight, and what to commit when it succeeds.
    pending: Option<(u64, Commit)>,
    /// What the current data view was prepared from (see [`data_key`]).
    prepared: Option<String>,
    /// A row's model asked of the worker (`save_model`): the request and the row.
    saving: Option<(u64, String)>,
    /// The ranking asked of the worker (`suggest`).
    suggesting: Option<u64>,
}

impl DataRequests {
    /// A new worker holds no data yet.
    pub(super) fn forget(&mut self) {
        self.pending = None;
        self.prepared = None;
        self.saving = None;
    }
}

/// Identifies the data an experiment asks for: its data settings but the plotted features, its seed, the CSV, and
/// the imported model (its file is read with the data, to say its architecture).
fn data_key(
    experiment: &Experiment,
    csv: Option<&CsvFile>,
    weights: Option<&WeightsFile>,
) -> String {
    let mut data = experiment.data.clone();
    data.plot_features = [0, 0];
    format!(
        "{}|{}|{}|{}|{}",
        serde_json::to_string(&data).unwrap_or_default(),
        experiment.seed,
        csv.map_or("", |c| c.name.as_str()),
        serde_json::to_string(&experiment.model.import).unwrap_or_default(),
        weights.map_or(0, |w| w.checksum),
    )
}

/// The weights file a prepare request sends: the user's, when the experiment imports a model.
fn weights_for(experiment: &Experiment, weights: Option<WeightsFile>) -> Option<String> {
    experiment
        .model
        .import
        .as_ref()
        .and(weights)
        .map(|w| w.base64)
}

impl Controller {
    /// Asks the worker for the model of row `row` of the finished run `run_id` as a safetensors file; the page
    /// offers it as a download when it comes (`lethe-<row>.safetensors`).
    pub fn save_model(&self, run_id: u64, row: &str) {
        let request_id = {
            let mut data = self.data.borrow_mut();
            data.next_id += 1;
            data.saving = Some((data.next_id, row.to_string()));
            data.next_id
        };
        self.client.send(&Command::SaveModel {
            request_id,
            run_id,
            row: row.to_string(),
        });
    }

    /// Asks the worker to rank the training points on the model Train left in it (the page's Suggest); the answer
    /// fills `app.suggestions`. Without a trained model of these settings, says to train first.
    pub fn suggest(&self) {
        let experiment = self.app.experiment.get_untracked();
        let run_id = self.app.jobs.get(TaskKind::Train).with_untracked(|r| {
            (r.status == RunStatus::Done
                && r.id != 0
                && r.report
                    .as_ref()
                    .is_some_and(|rep| rep.experiment.trains_like(&experiment)))
            .then_some(r.id)
        });
        let Some(run_id) = run_id else {
            self.app.notify(
                "Suggest ranks the points on the trained model: press Train first (a reload keeps the results, not the model).",
            );
            return;
        };
        let request_id = {
            let mut data = self.data.borrow_mut();
            data.next_id += 1;
            data.suggesting = Some(data.next_id);
            data.next_id
        };
        self.app.suggesting.set(true);
        self.client.send(&Command::Suggest {
            request_id,
            run_id,
            experiment,
        });
    }

    /// Asks the worker for the current experiment's data view.
    pub fn refresh_data(&self) {
        let mut experiment = self.app.experiment.get_untracked();
        if self.app.weights.with_untracked(Option::is_none) {
            // The data shows without the model (a link never carries the file); Train waits for it, and Your
            // model asks for it.
            experiment.model.import = None;
        }
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
        if self.data.borrow().prepared.as_deref()
            == Some(
                data_key(
                    &experiment,
                    csv.as_ref(),
                    self.app.weights.get_untracked().as_ref(),
                )
                .as_str(),
            )
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
        let request_id = {
            let mut data = self.data.borrow_mut();
            data.next_id += 1;
            data.prepared = None;
            data.pending = Some((
                data.next_id,
                commit.then(|| (experiment.clone(), csv.clone())),
            ));
            data.next_id
        };
        let weights = weights_for(&experiment, self.app.weights.get_untracked());
        self.client.send(&Command::Prepare {
            request_id,
            experiment,
            csv_text: csv.map(|c| c.text),
            weights,
        });
    }

    /// The save request `request_id`, if it is the one in flight.
    fn take_suggesting(&self, request_id: u64) -> Option<u64> {
        self.data
            .borrow_mut()
            .suggesting
            .take_if(|id| *id == request_id)
    }

    fn take_saving(&self, request_id: u64) -> Option<(u64, String)> {
        self.data
            .borrow_mut()
            .saving
            .take_if(|(id, _)| *id == request_id)
    }

    /// The worker's answer to a prepare request: the view, or the refusal naming the field or line.
    pub(super) fn on_data(&self, event: Event) {
        let app = self.app;
        let take = |request_id: u64| {
            self.data
                .borrow_mut()
                .pending
                .take_if(|(id, _)| *id == request_id)
        };
        match event {
            Event::Dataset {
                request_id,
                view,
                imported,
            } => {
                let Some((_, commit)) = take(request_id) else {
                    return;
                };
                let chosen = commit.is_some();
                let (experiment, csv) = match commit {
                    Some((experiment, csv)) => (experiment, csv),
                    None => (app.experiment.get_untracked(), app.csv.get_untracked()),
                };
                self.data.borrow_mut().prepared = Some(data_key(
                    &experiment,
                    csv.as_ref(),
                    app.weights.get_untracked().as_ref(),
                ));
                // Results kept from an earlier visit must have been computed on this very data: a file replaced
                // under the same name gives another checksum.
                let train = app.jobs.get(TaskKind::Train);
                let mismatch = train.with_untracked(|r| {
                    r.report.as_ref().is_some_and(|report| {
                        report.experiment == experiment && report.dataset.checksum != view.checksum
                    })
                });
                // The other tasks' kept results, on a user's file replaced under the same name, go too.
                let set_aside: Vec<TaskKind> =
                    [TaskKind::Unlearn, TaskKind::Federated, TaskKind::Vbu]
                        .into_iter()
                        .filter(|&kind| {
                            app.jobs.get(kind).with_untracked(|r| {
                                !r.running()
                                    && r.report.as_ref().is_some_and(|report| {
                                        report.experiment.data.source
                                            == lethe_protocol::DataSource::Csv
                                            && report.experiment.data == experiment.data
                                            && report.dataset.checksum != view.checksum
                                    })
                            })
                        })
                        .collect();
                // The file says the model's architecture: the model panel shows it, and runs use it.
                let experiment = match &imported {
                    Some(i) if i.model != experiment.model => {
                        let mut e = experiment;
                        e.model = i.model.clone();
                        e
                    }
                    _ => experiment,
                };
                app.imported.set(imported.map(|i| i.description));
                if app.experiment.get_untracked() != experiment || app.csv.get_untracked() != csv {
                    app.csv.set(csv);
                    app.experiment.set(experiment);
                    if chosen {
                        app.remember_settings();
                    }
                }
                app.input_error.set(None);
                for kind in set_aside {
                    app.jobs.get(kind).set(RunState::default());
                    app.notify(format!(
                        "The kept {} results were computed on other data than \"{}\" now holds, so they were set aside.",
                        crate::run_words::task_name(kind),
                        view.name
                    ));
                }
                if mismatch {
                    train.set(RunState::default());
                    app.notify(format!(
                        "The kept results were computed on other data than \"{}\" now holds (its checksum differs), so they were set aside. Press Train to compute them again.",
                        view.name
                    ));
                }
                app.dataset.set(Some(*view));
            }
            Event::Rejected {
                request_id,
                message,
            } if take(request_id).is_some() => app.input_error.set(Some(message)),
            Event::Rejected {
                request_id,
                message,
            } if self.take_suggesting(request_id).is_some() => {
                app.suggesting.set(false);
                app.notify(format!("No suggestions: {message}"))
            }
            Event::Suggestions {
                request_id,
                suggestions,
            } if self.take_suggesting(request_id).is_some() => {
                app.suggesting.set(false);
                app.suggestions.set(Some(suggestions));
            }
            Event::Rejected {
                request_id,
                message,
            } if self.take_saving(request_id).is_some() => {
                app.notify(format!("The model could not be saved: {message}"))
            }
            Event::ModelFile {
                request_id,
                row,
                base64,
            } if self.take_saving(request_id).is_some() => {
                use base64::Engine as _;
                match base64::engine::general_purpose::STANDARD.decode(base64) {
                    Ok(bytes) => crate::files::download_bytes(
                        &format!("lethe-{row}.safetensors"),
                        &bytes,
                        "application/octet-stream",
                    ),
                    Err(e) => app.notify(format!("The model file did not arrive whole: {e}")),
                }
            }
            _ => {}
        }
    }
}
