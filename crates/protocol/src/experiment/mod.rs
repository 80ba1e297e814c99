//! The experiment file: one JSON document that reproduces a run anywhere (page, worker, CLI, URL hash).
//!
//! Read it with [`Experiment::from_json`], then check it once with [`Experiment::validate`]; the engine only
//! accepts the checked [`ValidExperiment`]. The file's optional sections (`unlearn`, `federated`, `vbu`) are read
//! into the experiment's one [`Task`] (`file.rs`). The format is documented in `docs/experiment-format.md`.

mod file;
mod import;
pub mod limits;
mod model;
mod source;
mod validate;

use serde::{Deserialize, Serialize};

pub use import::{MAX_WEIGHTS_BYTES, ModelImport, WeightLayout};
pub use model::{
    Activation, BackendChoice, ConvLayer, DEFAULT_CONVS, ModelConfig, ModelCost, ModelKind,
    OptimizerKind, TrainConfig,
};
pub use source::{CsvSpec, DataConfig, DataSource, Scaling};

use crate::task::Task;
use crate::{ConfigError, EXPERIMENT_VERSION};

/// A whole experiment: data, model, training recipe, seed, backend preference, and what to compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "file::ExperimentFile", into = "file::ExperimentFile")]
pub struct Experiment {
    /// Format version; must equal [`EXPERIMENT_VERSION`].
    pub version: u32,
    /// Seed for data generation, the train/test split, weight initialisation and shuffling.
    pub seed: u64,
    /// Where the data comes from and how it is split.
    pub data: DataConfig,
    /// The classifier.
    pub model: ModelConfig,
    /// The training recipe.
    pub train: TrainConfig,
    /// Which compute backend to prefer (the page only; the CLI always runs on the CPU).
    pub backend: BackendChoice,
    /// What the experiment computes: training alone, or the task of its `unlearn`, `federated` or `vbu` section.
    pub task: Task,
}

pub(super) mod defaults {
    use super::Activation;
    pub(crate) fn n_samples() -> usize {
        512
    }
    pub(crate) fn noise() -> f32 {
        0.1
    }
    pub(crate) fn classes() -> usize {
        3
    }
    pub(crate) fn test_fraction() -> f32 {
        0.25
    }
    pub(crate) fn plot_features() -> [usize; 2] {
        [0, 1]
    }
    pub(crate) fn layers() -> usize {
        2
    }
    pub(crate) fn width() -> usize {
        64
    }
    pub(crate) fn activation() -> Activation {
        Activation::Relu
    }
    pub(crate) fn momentum() -> f64 {
        0.9
    }
    pub(crate) fn pool() -> usize {
        1
    }
}

/// An experiment that passed [`Experiment::validate`]; the only form the engine accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidExperiment(Experiment);

impl std::ops::Deref for ValidExperiment {
    type Target = Experiment;
    fn deref(&self) -> &Experiment {
        &self.0
    }
}

impl ValidExperiment {
    /// The checked experiment, by value.
    pub fn into_inner(self) -> Experiment {
        self.0
    }
}

impl Experiment {
    /// Reads an experiment file. Rejects an oversized text, then another version before anything else, then unknown keys and wrong types.
    pub fn from_json(text: &str) -> Result<Experiment, ConfigError> {
        if text.len() > limits::MAX_EXPERIMENT_BYTES {
            return Err(ConfigError::TooLarge {
                bytes: text.len(),
                max: limits::MAX_EXPERIMENT_BYTES,
            });
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        match value.get("version") {
            Some(serde_json::Value::Number(n)) if n.as_u64() == Some(EXPERIMENT_VERSION as u64) => {
            }
            Some(v) => {
                return Err(ConfigError::Version {
                    found: v.to_string(),
                    expected: EXPERIMENT_VERSION,
                });
            }
            None => return Err(ConfigError::Parse("missing field `version`".into())),
        }
        // The task's sections first, so that their errors name their field rather than a position.
        file::check_sections(&value)?;
        serde_json::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))
    }

    /// Whether `other` trains the very same model: the same data, model, training settings and seed. The plotted
    /// features, the backend preference and the task do not change the trained model.
    pub fn trains_like(&self, other: &Experiment) -> bool {
        let strip = |e: &Experiment| {
            let mut e = e.clone();
            e.task = Task::Train;
            e.data.plot_features = [0, 0];
            e.backend = BackendChoice::Auto;
            e
        };
        strip(self) == strip(other)
    }

    /// How the features are scaled: `data.scaling` when given; otherwise standardised, or left raw for an imported
    /// model, so that it sees its inputs as its framework fed them (scale them there, or give `data.scaling`).
    pub fn scaling(&self) -> Scaling {
        self.data
            .scaling
            .clone()
            .unwrap_or(if self.model.import.is_some() {
                Scaling::None
            } else {
                Scaling::Standardize
            })
    }

    /// The experiment as pretty JSON, the same text the CLI reads.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an experiment should always serialise")
    }

    /// The demo experiment: an MLP on two moons.
    pub fn demo() -> Experiment {
        Experiment {
            version: EXPERIMENT_VERSION,
            seed: 42,
            data: DataConfig {
                source: DataSource::Moons,
                n_samples: 1024,
                noise: 0.1,
                classes: 3,
                test_fraction: 0.25,
                csv: None,
                plot_features: [0, 1],
                scaling: None,
            },
            model: ModelConfig {
                kind: ModelKind::Mlp,
                layers: 2,
                width: 32,
                activation: Activation::Relu,
                widths: vec![],
                convs: vec![],
                bayes: None,
                import: None,
            },
            train: TrainConfig {
                optimizer: OptimizerKind::Adam,
                learning_rate: 0.01,
                momentum: 0.9,
                batch_size: 64,
                epochs: 40,
                l2: 0.0,
            },
            backend: BackendChoice::Auto,
            task: Task::Train,
        }
    }
}
