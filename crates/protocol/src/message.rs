//! The messages between the page and the engine's Web Worker, as JSON. The first command is always
//! [`Command::Hello`] with [`PROTOCOL_VERSION`], because the worker's files are not hashed and a cached old
//! worker may meet a new page.

use serde::{Deserialize, Serialize};

use crate::dataset::BoundaryGrid;
use crate::{BackendChoice, DatasetView, EpochRecord, Experiment, Report};

/// Bumped on any incompatible change to these messages.
pub const PROTOCOL_VERSION: u32 = 6;

/// Most suggestions a [`Command::Suggest`] answers with.
pub const MAX_SUGGESTED: usize = 50;

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// First message: the protocol version, the backend wanted, and an optional fault to inject (for tests).
    /// `step_ms` (tests only) makes every optimiser step last at least that many milliseconds inside the worker's
    /// compute loop, so that a test can make a run as slow as it needs on any machine.
    Hello {
        protocol: u32,
        backend: BackendChoice,
        fault: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step_ms: Option<f64>,
    },
    /// Prepare the experiment's dataset and answer with [`Event::Dataset`]. `csv_text` carries the user's file
    /// for `source: "csv"`; the worker keeps it once prepared.
    ///
    /// `weights` carries the user's weights file (base64) for `model.import`; the worker keeps it too, reads the
    /// architecture from it and answers it in [`Event::Dataset`]'s `model`.
    Prepare {
        request_id: u64,
        experiment: Experiment,
        csv_text: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        weights: Option<String>,
    },
    /// Run the experiment's task as job `run_id`. A training job's model is kept under `run_id` for later jobs. An
    /// unlearn task starts from the model that job `base_run_id` left in the worker when it is still there and was
    /// trained by the same settings; otherwise it trains it first (same seed, same model) and says so in its
    /// `working` stage. Without `csv_text`, a CSV experiment uses the file of the last successful
    /// [`Command::Prepare`] (the page sends the file once).
    Run {
        run_id: u64,
        experiment: Experiment,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        base_run_id: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        csv_text: Option<String>,
    },
    /// Stop a run at the next time slice.
    Cancel { run_id: u64 },
    /// Rank the training points of the model training job `run_id` left in the worker for forgetting (the engine's
    /// `suggested` ranking: loss, neighbours that disagree, outliers, self-influence), answered by
    /// [`Event::Suggestions`], or [`Event::Rejected`] when the worker no longer holds that model or `experiment`
    /// trains another one.
    Suggest {
        request_id: u64,
        run_id: u64,
        experiment: Experiment,
    },
    /// Write the model of row `row` (`train`, `retrain`, a method) of the last finished run `run_id` as a
    /// safetensors file, answered by [`Event::ModelFile`] (or [`Event::Rejected`] when the worker no longer holds
    /// it).
    SaveModel {
        request_id: u64,
        run_id: u64,
        row: String,
    },
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The worker's code is loaded and listening; the page answers with [`Command::Hello`].
    Loaded { protocol: u32 },
    /// The engine is ready on `backend` (`"cpu"` or `"webgpu"`), chosen for `reason`. `adapter` names the
    /// browser's hardware WebGPU adapter when it has one (absent with none, or a software one): the page's Auto
    /// then picks the backend per run ([`crate::auto_backend`]) and loads the WebGPU engine only for a run that
    /// takes it.
    Ready {
        protocol: u32,
        lethe_version: String,
        backend: String,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        adapter: Option<String>,
    },
    /// The engine could not start (e.g. WebGPU failed): the page should start a CPU worker.
    StartFailed { message: String },
    /// A prepared dataset.
    /// (Boxed: it is by far the largest event; the JSON is the same.)
    Dataset {
        request_id: u64,
        view: Box<DatasetView>,
        /// With `model.import`: the model the file describes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        imported: Option<ImportedModel>,
    },
    /// A row's model as a safetensors file (base64), in the imported file's layout and names, or PyTorch's
    /// `nn.Sequential` for a model Lethe trained.
    ModelFile {
        request_id: u64,
        row: String,
        base64: String,
    },
    /// The training points ranked for forgetting, best first (at most [`MAX_SUGGESTED`]), each with its reasons.
    Suggestions {
        request_id: u64,
        suggestions: Vec<crate::Suggestion>,
    },
    /// A command failed before any run started (bad CSV, bad config); the message names the field or line.
    Rejected { request_id: u64, message: String },
    /// Progress of a run, once per epoch.
    Progress {
        run_id: u64,
        epochs_total: usize,
        record: EpochRecord,
    },
    /// A heartbeat within a run, about once a second while it computes (and at each unlearning step): the worker is
    /// busy, not dead, even when an epoch takes minutes. `stage` says with what ("training", or a step of the
    /// unlearning lab such as "retrain (2 of 13)"); `steps` counts the optimiser steps of the run so far.
    Working {
        run_id: u64,
        stage: String,
        steps: u64,
        /// Where the stage stands among the run's stages (`[done, total]`; the lab: methods done of all), if it
        /// has a place.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        part: Option<(usize, usize)>,
    },
    /// The decision boundary over the two plotted features (2-D data only).
    Boundary {
        run_id: u64,
        epoch: usize,
        grid: BoundaryGrid,
    },
    /// The run finished.
    Done { run_id: u64, report: Box<Report> },
    /// The run stopped on request after `epoch` complete epochs.
    Cancelled { run_id: u64, epoch: usize },
    /// The run failed. `gpu` is true when the failure came from the GPU (the page then retries on the CPU).
    Failed {
        run_id: u64,
        message: String,
        gpu: bool,
    },
}

/// A model read from the user's weights file, as the worker answers a prepare request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedModel {
    /// The architecture in words: "MLP 64 → 128 → 10, ReLU, 9,610 parameters, from mlp.safetensors".
    pub description: String,
    /// The experiment's `model` with the file's architecture (kind, widths, convolutions), as runs will use it.
    pub model: crate::ModelConfig,
}

impl Command {
    /// The command as a JSON message.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a command should always serialise")
    }
}

impl Event {
    /// The event as a JSON message. An event carrying a NaN or an infinity (which JSON cannot hold) is replaced by
    /// the failure it stands for, naming the field: a run's event by [`Event::Failed`] (not a GPU failure, so the
    /// page keeps the backend), a dataset by [`Event::Rejected`].
    pub fn to_json(&self) -> String {
        let event = match (crate::check_finite(self), self) {
            (Ok(()), _) => None,
            (Err(at), Event::Dataset { request_id, .. }) => Some(Event::Rejected {
                request_id: *request_id,
                message: format!("the prepared data holds a number that is not finite: {at}"),
            }),
            (Err(at), other) => other.run_id().map(|run_id| Event::Failed {
                run_id,
                message: format!(
                    "the engine produced a number that is not finite ({at}); the run stopped. A lower learning rate usually helps"
                ),
                gpu: false,
            }),
        };
        serde_json::to_string(event.as_ref().unwrap_or(self))
            .expect("an event should always serialise")
    }

    /// The run an event belongs to, if any.
    pub fn run_id(&self) -> Option<u64> {
        match self {
            Event::Progress { run_id, .. }
            | Event::Working { run_id, .. }
            | Event::Boundary { run_id, .. }
            | Event::Done { run_id, .. }
            | Event::Cancelled { run_id, .. }
            | Event::Failed { run_id, .. } => Some(*run_id),
            _ => None,
        }
    }
}
