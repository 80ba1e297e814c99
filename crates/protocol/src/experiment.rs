//! The experiment file: one JSON document that reproduces a run anywhere (page, worker, CLI, URL hash).
//!
//! Read it with [`Experiment::from_json`], then check it once with [`Experiment::validate`]; the engine only
//! accepts the checked [`ValidExperiment`]. The format is documented in `docs/experiment-format.md`.

use serde::{Deserialize, Serialize};

use crate::unlearn::{Method, UnlearnConfig};
use crate::{ConfigError, EXPERIMENT_VERSION};

/// A whole experiment: data, model, training recipe, seed and backend preference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    #[serde(default)]
    pub backend: BackendChoice,
    /// What to forget and which unlearning methods to compare (optional; absent means plain training).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlearn: Option<UnlearnConfig>,
    /// Federated learning over simulated clients and the unlearning of one client (optional; excludes `unlearn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federated: Option<crate::federated::FederatedConfig>,
    /// Variational Bayesian Unlearning (optional; needs `model.kind: "bayes_logistic"`; excludes `unlearn` and
    /// `federated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vbu: Option<crate::vbu::VbuConfig>,
}

/// The datasets Lethe knows. Generators take `n_samples`, `noise` (and `classes` for blobs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSource {
    /// Two interleaving half circles (scikit-learn's `make_moons`).
    Moons,
    /// A small circle inside a large one (`make_circles`, factor 0.5).
    Circles,
    /// Two interleaved spiral arms.
    Spiral,
    /// Four quadrants, opposite ones sharing a class.
    Xor,
    /// `classes` isotropic Gaussian blobs.
    Blobs,
    /// scikit-learn's copy of the Wisconsin breast cancer data (569 × 30, 2 classes).
    BreastCancer,
    /// scikit-learn's copy of the UCI handwritten digits (1797 × 64 pixels of 8×8, 10 classes).
    Digits,
    /// scikit-learn's copy of Fisher's iris (150 × 4, 3 classes).
    Iris,
    /// scikit-learn's copy of the UCI wine recognition data (178 × 13, 3 classes).
    Wine,
    /// The user's own CSV file (never stored in the experiment; see [`CsvSpec`]).
    Csv,
}

impl DataSource {
    /// Every source, in the order the page lists them.
    pub const ALL: [DataSource; 10] = [
        Self::Moons,
        Self::Circles,
        Self::Spiral,
        Self::Xor,
        Self::Blobs,
        Self::Iris,
        Self::Wine,
        Self::BreastCancer,
        Self::Digits,
        Self::Csv,
    ];

    /// The snake_case key used in files and URLs.
    pub fn key(self) -> &'static str {
        match self {
            Self::Moons => "moons",
            Self::Circles => "circles",
            Self::Spiral => "spiral",
            Self::Xor => "xor",
            Self::Blobs => "blobs",
            Self::BreastCancer => "breast_cancer",
            Self::Digits => "digits",
            Self::Iris => "iris",
            Self::Wine => "wine",
            Self::Csv => "csv",
        }
    }

    /// A human label for pickers.
    pub fn label(self) -> &'static str {
        match self {
            Self::Moons => "Two moons",
            Self::Circles => "Circles",
            Self::Spiral => "Spiral",
            Self::Xor => "XOR",
            Self::Blobs => "Gaussian blobs",
            Self::BreastCancer => "Breast cancer (569 × 30)",
            Self::Digits => "Digits 8×8 (1797 × 64)",
            Self::Iris => "Iris (150 × 4)",
            Self::Wine => "Wine (178 × 13)",
            Self::Csv => "Your own CSV",
        }
    }

    /// The source for a key, if any.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The number of features of a source whose width is fixed (every source but a CSV).
    pub fn feature_count(self) -> Option<usize> {
        match self {
            Self::Moons | Self::Circles | Self::Spiral | Self::Xor | Self::Blobs => Some(2),
            Self::Iris => Some(4),
            Self::Wine => Some(13),
            Self::BreastCancer => Some(30),
            Self::Digits => Some(64),
            Self::Csv => None,
        }
    }

    /// The two features the page plots when this source is picked: for the bundled datasets, the two with the
    /// largest one-way ANOVA F statistic over the whole dataset (scikit-learn 1.9.1 `f_classif`): iris petal length
    /// and width (F 1180, 960), wine flavanoids and proline (234, 208), breast cancer worst concave points and worst
    /// perimeter (964, 898), digits pixels (4,1) and (3,2) (313, 293). Pixel (0,0) of digits is constant.
    pub fn default_plot_features(self) -> [usize; 2] {
        match self {
            Self::Iris => [2, 3],
            Self::Wine => [6, 12],
            Self::BreastCancer => [27, 22],
            Self::Digits => [33, 26],
            _ => [0, 1],
        }
    }

    /// Whether the data is drawn by a generator (and so takes `n_samples` and `noise`).
    pub fn is_generated(self) -> bool {
        matches!(
            self,
            Self::Moons | Self::Circles | Self::Spiral | Self::Xor | Self::Blobs
        )
    }
}

/// How to read the user's CSV. The file itself travels beside the experiment, never inside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvSpec {
    /// The file's name, so that the page can ask for it again and the CLI can find it next to the experiment.
    pub file: String,
    /// The label column: its header name, or its 1-based number. Empty means the last column.
    #[serde(default)]
    pub label_column: String,
}

/// Where the data comes from and how it is split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// The dataset.
    pub source: DataSource,
    /// Number of points for generated data.
    #[serde(default = "defaults::n_samples")]
    pub n_samples: usize,
    /// Noise level for generated data (standard deviation, in the generator's units).
    #[serde(default = "defaults::noise")]
    pub noise: f32,
    /// Number of classes for blobs.
    #[serde(default = "defaults::classes")]
    pub classes: usize,
    /// Fraction of points held out for testing (seeded split, stratified by class).
    #[serde(default = "defaults::test_fraction")]
    pub test_fraction: f32,
    /// For `source: "csv"`: which file and which label column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv: Option<CsvSpec>,
    /// The two feature indices shown in the scatter plot.
    #[serde(default = "defaults::plot_features")]
    pub plot_features: [usize; 2],
}

/// The classifier family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Multinomial logistic regression (one linear layer and softmax).
    Logistic,
    /// A multilayer perceptron.
    Mlp,
    /// A small convolutional network for square images (the 8×8 digits): two 3×3 convolutions (16 and 32
    /// filters, ReLU), a 2×2 max-pool and a linear head.
    Cnn,
    /// Binary logistic regression with a Gaussian variational posterior over its weights (settings in
    /// `model.bayes`), on raw features or random Fourier features: the model of Variational Bayesian Unlearning.
    BayesLogistic,
}

/// Hidden-layer activation of the MLP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// max(0, x)
    Relu,
    /// tanh(x)
    Tanh,
    /// 1 / (1 + e^-x)
    Sigmoid,
}

/// The classifier and its shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Logistic regression or MLP.
    pub kind: ModelKind,
    /// Hidden layers of the MLP (ignored by logistic regression).
    #[serde(default = "defaults::layers")]
    pub layers: usize,
    /// Units per hidden layer.
    #[serde(default = "defaults::width")]
    pub width: usize,
    /// Hidden activation.
    #[serde(default = "defaults::activation")]
    pub activation: Activation,
    /// The Bayesian classifier's settings (`kind: "bayes_logistic"` only; defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bayes: Option<crate::vbu::BayesConfig>,
}

/// Filters of the CNN's two 3×3 convolutions (padding 1), followed by one 2×2 max-pool and the output layer.
pub const CNN_FILTERS: [usize; 2] = [16, 32];

/// The size of a model on given data, counted in closed form from its layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelCost {
    /// Trainable parameters (weights and biases).
    pub parameters: usize,
    /// Multiply-adds of one forward pass for one example (a training step costs about three times this per
    /// example in the batch).
    pub multiply_adds: usize,
}

impl ModelConfig {
    /// Parameters and multiply-adds per example for `d` input features and `k` classes. A CNN takes `d` as a
    /// square image.
    pub fn cost(&self, d: usize, k: usize) -> ModelCost {
        let mut parameters = 0usize;
        let mut multiply_adds = 0usize;
        let mut dims = vec![d];
        if self.kind == ModelKind::Cnn {
            let side = (d as f64).sqrt().round() as usize;
            let [a, b] = CNN_FILTERS;
            for (c_in, c_out) in [(1, a), (a, b)] {
                parameters = parameters.saturating_add(c_in * c_out * 9 + c_out);
                multiply_adds = multiply_adds.saturating_add(side * side * c_in * c_out * 9);
            }
            dims = vec![b * (side / 2) * (side / 2)];
        }
        if self.kind == ModelKind::Mlp {
            dims.extend(std::iter::repeat_n(self.width, self.layers));
        }
        dims.push(k);
        for w in dims.windows(2) {
            parameters = parameters.saturating_add(w[0].saturating_mul(w[1]) + w[1]);
            multiply_adds = multiply_adds.saturating_add(w[0].saturating_mul(w[1]));
        }
        ModelCost {
            parameters,
            multiply_adds,
        }
    }
}

/// The optimiser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// Stochastic gradient descent with momentum.
    Sgd,
    /// Adam (Kingma & Ba, 2015) with β1 = 0.9, β2 = 0.999.
    Adam,
}

/// The training recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// SGD with momentum, or Adam.
    pub optimizer: OptimizerKind,
    /// Step size.
    pub learning_rate: f64,
    /// SGD momentum (ignored by Adam).
    #[serde(default = "defaults::momentum")]
    pub momentum: f64,
    /// Examples per step.
    pub batch_size: usize,
    /// Passes over the training split.
    pub epochs: usize,
    /// L2 penalty (weight decay) coefficient.
    #[serde(default)]
    pub l2: f64,
}

/// Which backend the page should use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendChoice {
    /// WebGPU on a hardware adapter, otherwise the CPU.
    #[default]
    Auto,
    /// Always burn's CPU backend (flex).
    Cpu,
    /// WebGPU even on a software adapter.
    Webgpu,
}

impl BackendChoice {
    /// The snake_case key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Cpu => "cpu",
            Self::Webgpu => "webgpu",
        }
    }
}

fn model_key(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::Logistic => "logistic",
        ModelKind::Mlp => "mlp",
        ModelKind::Cnn => "cnn",
        ModelKind::BayesLogistic => "bayes_logistic",
    }
}

mod defaults {
    use super::Activation;
    pub fn n_samples() -> usize {
        512
    }
    pub fn noise() -> f32 {
        0.1
    }
    pub fn classes() -> usize {
        3
    }
    pub fn test_fraction() -> f32 {
        0.25
    }
    pub fn plot_features() -> [usize; 2] {
        [0, 1]
    }
    pub fn layers() -> usize {
        2
    }
    pub fn width() -> usize {
        64
    }
    pub fn activation() -> Activation {
        Activation::Relu
    }
    pub fn momentum() -> f64 {
        0.9
    }
}

/// Upper bounds of the settings, shared by validation and the page's inputs.
pub mod limits {
    /// Most points a generator draws.
    pub const MAX_SAMPLES: usize = 100_000;
    /// Fewest points a generator draws.
    pub const MIN_SAMPLES: usize = 20;
    /// Most hidden layers.
    pub const MAX_LAYERS: usize = 8;
    /// Most units per hidden layer.
    pub const MAX_WIDTH: usize = 1024;
    /// Most epochs.
    pub const MAX_EPOCHS: usize = 10_000;
    /// Most classes for blobs.
    pub const MAX_CLASSES: usize = 10;
    /// Most trainable parameters of a model (the widest MLP on the widest bundled data has about 8.5 million;
    /// each parameter costs the optimiser three numbers, and the worker keeps several models).
    pub const MAX_PARAMETERS: usize = 10_000_000;
    /// Most work in one optimiser step: batch size × multiply-adds per example. About 1.2 GFLOP forward and
    /// backward, a second or two on the CPU in a browser, so that the engine's heartbeat always arrives within
    /// seconds and a slow run is never taken for a dead one.
    pub const MAX_STEP_WORK: usize = 200_000_000;
    /// Largest CSV file accepted, in bytes (the page checks the file's size before reading it).
    pub const MAX_CSV_BYTES: usize = 50 * 1024 * 1024;
    /// Largest CSV accepted: rows × columns.
    pub const MAX_CSV_CELLS: usize = 2_000_000;
    /// Largest experiment text (a file, an import, a link's hash once decoded). The largest real one lists every
    /// training row of the biggest generator in `unlearn.forget.rows`: 100 000 numbers, about 700 KB.
    pub const MAX_EXPERIMENT_BYTES: usize = 1_000_000;
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
        // The unlearn section first, so that its errors name their field rather than a position.
        if let Some(section) = value.get("unlearn") {
            UnlearnConfig::from_value(section)?;
        }
        serde_json::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))
    }

    /// Whether `other` trains the very same model: the same data, model, training settings and seed. The plotted
    /// features, the backend preference and the `unlearn` section do not change the trained model.
    pub fn trains_like(&self, other: &Experiment) -> bool {
        let strip = |e: &Experiment| {
            let mut e = e.clone();
            e.unlearn = None;
            e.federated = None;
            e.vbu = None;
            e.data.plot_features = [0, 0];
            e.backend = BackendChoice::Auto;
            e
        };
        strip(self) == strip(other)
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
            },
            model: ModelConfig {
                kind: ModelKind::Mlp,
                layers: 2,
                width: 32,
                activation: Activation::Relu,
                bayes: None,
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
            unlearn: None,
            federated: None,
            vbu: None,
        }
    }

    /// Checks every setting once. The error names the field and shows the value.
    pub fn validate(self) -> Result<ValidExperiment, ConfigError> {
        use limits::*;
        if self.version != EXPERIMENT_VERSION {
            return Err(ConfigError::Version {
                found: self.version.to_string(),
                expected: EXPERIMENT_VERSION,
            });
        }
        let d = &self.data;
        if d.source.is_generated() {
            if !(MIN_SAMPLES..=MAX_SAMPLES).contains(&d.n_samples) {
                return Err(ConfigError::range(
                    "data.n_samples",
                    format!("between {MIN_SAMPLES} and {MAX_SAMPLES}"),
                    d.n_samples,
                ));
            }
            if !(d.noise.is_finite() && (0.0..=2.0).contains(&d.noise)) {
                return Err(ConfigError::range("data.noise", "between 0 and 2", d.noise));
            }
        }
        if d.source == DataSource::Blobs && !(2..=MAX_CLASSES).contains(&d.classes) {
            return Err(ConfigError::range(
                "data.classes",
                format!("between 2 and {MAX_CLASSES}"),
                d.classes,
            ));
        }
        if !(d.test_fraction.is_finite() && (0.05..=0.9).contains(&d.test_fraction)) {
            return Err(ConfigError::range(
                "data.test_fraction",
                "between 0.05 and 0.9",
                d.test_fraction,
            ));
        }
        if let Some(n) = d.source.feature_count()
            && let Some(&f) = d.plot_features.iter().find(|&&f| f >= n)
        {
            return Err(ConfigError::range(
                "data.plot_features",
                format!(
                    "feature indices from 0 to {} (data.source \"{}\" has {n} features)",
                    n - 1,
                    d.source.key()
                ),
                f,
            ));
        }
        if d.source == DataSource::Csv && d.csv.is_none() {
            return Err(ConfigError::range(
                "data.csv",
                "present when data.source is \"csv\"",
                "nothing",
            ));
        }
        let m = &self.model;
        if m.kind == ModelKind::Cnn && !matches!(d.source, DataSource::Digits | DataSource::Csv) {
            return Err(ConfigError::range(
                "model.kind",
                "\"cnn\" only with image data (data.source \"digits\", or a CSV of square images)",
                format!("\"cnn\" with data.source \"{}\"", d.source.key()),
            ));
        }
        if m.kind == ModelKind::Mlp {
            if !(1..=MAX_LAYERS).contains(&m.layers) {
                return Err(ConfigError::range(
                    "model.layers",
                    format!("between 1 and {MAX_LAYERS}"),
                    m.layers,
                ));
            }
            if !(1..=MAX_WIDTH).contains(&m.width) {
                return Err(ConfigError::range(
                    "model.width",
                    format!("between 1 and {MAX_WIDTH}"),
                    m.width,
                ));
            }
        }
        let t = &self.train;
        if !(t.learning_rate.is_finite() && t.learning_rate > 0.0 && t.learning_rate <= 10.0) {
            return Err(ConfigError::range(
                "train.learning_rate",
                "> 0 and ≤ 10",
                t.learning_rate,
            ));
        }
        if !(t.momentum.is_finite() && (0.0..1.0).contains(&t.momentum)) {
            return Err(ConfigError::range(
                "train.momentum",
                "in [0, 1)",
                t.momentum,
            ));
        }
        if !(1..=65_536).contains(&t.batch_size) {
            return Err(ConfigError::range(
                "train.batch_size",
                "between 1 and 65536",
                t.batch_size,
            ));
        }
        if !(1..=MAX_EPOCHS).contains(&t.epochs) {
            return Err(ConfigError::range(
                "train.epochs",
                format!("between 1 and {MAX_EPOCHS}"),
                t.epochs,
            ));
        }
        if !(t.l2.is_finite() && (0.0..=1.0).contains(&t.l2)) {
            return Err(ConfigError::range("train.l2", "between 0 and 1", t.l2));
        }
        if let Some(v) = &self.vbu {
            if self.unlearn.is_some() || self.federated.is_some() {
                return Err(ConfigError::range(
                    "vbu",
                    "alone: an experiment has one of unlearn, federated and vbu",
                    "with another section",
                ));
            }
            if m.kind != ModelKind::BayesLogistic {
                return Err(ConfigError::range(
                    "vbu",
                    "used with model.kind \"bayes_logistic\" (VBU unlearns a Bayesian posterior)",
                    format!("model.kind \"{}\"", model_key(m.kind)),
                ));
            }
            v.validate()?;
        }
        if m.kind == ModelKind::BayesLogistic {
            if self.unlearn.is_some() || self.federated.is_some() {
                return Err(ConfigError::range(
                    "model.kind",
                    "a network or \"logistic\" with an unlearn or federated section (\"bayes_logistic\" goes with vbu)",
                    "\"bayes_logistic\"",
                ));
            }
            m.bayes.clone().unwrap_or_default().validate()?;
            if !(1..=crate::vbu::MAX_BAYES_PARAMETERS).contains(&m.width) {
                return Err(ConfigError::range(
                    "model.width",
                    format!(
                        "between 1 and {} for bayes_logistic (random features; a full covariance grows with its square)",
                        crate::vbu::MAX_BAYES_PARAMETERS
                    ),
                    m.width,
                ));
            }
        }
        if let Some(f) = &self.federated {
            if self.unlearn.is_some() {
                return Err(ConfigError::range(
                    "federated",
                    "alone: an experiment has either an unlearn or a federated section",
                    "both",
                ));
            }
            f.validate()?;
        }
        if let Some(u) = &self.unlearn {
            u.validate()?;
            if let Some(i) = u.methods.iter().position(|s| s.method == Method::Certified) {
                if m.kind != ModelKind::Logistic {
                    return Err(ConfigError::range(
                        format!("unlearn.methods[{i}]"),
                        "used with model.kind \"logistic\" only (certified removal needs a convex loss)",
                        format!("\"certified\" with model.kind \"{}\"", model_key(m.kind)),
                    ));
                }
                if t.l2 <= 0.0 {
                    return Err(ConfigError::range(
                        format!("unlearn.methods[{i}]"),
                        "used with train.l2 > 0 (the certificate needs a strongly convex loss)",
                        "\"certified\" with train.l2 = 0",
                    ));
                }
            }
        }
        Ok(ValidExperiment(self))
    }
}
