//! Variational Bayesian Unlearning in the experiment file: the Bayesian model's settings (`model.bayes`, for
//! `model.kind: "bayes_logistic"`) and the optional `vbu` section (what to erase, the λ sweep, the methods), with
//! the keys a VBU row adds to the report. Documented in `docs/experiment-format.md`.

use serde::{Deserialize, Serialize};

use crate::ConfigError;
use crate::forget::{ForgetSpec, VBU_KINDS};

/// The inputs of the Bayesian logistic classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BayesFeatures {
    /// The standardised features and a bias: a linear classifier.
    Raw,
    /// `model.width` random Fourier features and a bias: a nonlinear, GP-like classifier.
    #[default]
    Rff,
}

/// The variational family's covariance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Covariance {
    /// A full covariance (L Lᵀ).
    #[default]
    Full,
    /// A diagonal one (mean field).
    Diagonal,
}

fn d_prior() -> f64 {
    10.0
}
fn d_samples() -> usize {
    16
}
fn d_bandwidth() -> f64 {
    1.0
}
fn d_iterations() -> usize {
    1500
}
fn d_rate() -> f64 {
    0.02
}

/// `model.bayes`: the Bayesian logistic classifier's settings, each with a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BayesConfig {
    /// `raw` or `rff` (`rff`).
    #[serde(default)]
    pub features: BayesFeatures,
    /// Variance of the isotropic Gaussian prior on the weights (10).
    #[serde(default = "d_prior")]
    pub prior_variance: f64,
    /// Monte-Carlo samples per gradient (16).
    #[serde(default = "d_samples")]
    pub samples: usize,
    /// RBF bandwidth of the random Fourier features, in standard deviations of the features (1).
    #[serde(default = "d_bandwidth")]
    pub bandwidth: f64,
    /// `full` or `diagonal` (`full`).
    #[serde(default)]
    pub covariance: Covariance,
    /// Adam steps of variational inference and of the EUBO (1500).
    #[serde(default = "d_iterations")]
    pub iterations: usize,
    /// Adam's step size (0.02).
    #[serde(default = "d_rate")]
    pub learning_rate: f64,
}

impl Default for BayesConfig {
    fn default() -> Self {
        Self {
            features: BayesFeatures::Rff,
            prior_variance: d_prior(),
            samples: d_samples(),
            bandwidth: d_bandwidth(),
            covariance: Covariance::Full,
            iterations: d_iterations(),
            learning_rate: d_rate(),
        }
    }
}

/// Most parameters of the Bayesian classifier (a full covariance has p² entries, and λ means little beyond a few
/// dozen dimensions).
pub const MAX_BAYES_PARAMETERS: usize = 200;

impl BayesConfig {
    /// Ranges, each error naming the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let f = |n: &str| format!("model.bayes.{n}");
        if !(self.prior_variance.is_finite()
            && self.prior_variance > 0.0
            && self.prior_variance <= 1e6)
        {
            return Err(ConfigError::range(
                f("prior_variance"),
                "> 0 and ≤ 1e6",
                self.prior_variance,
            ));
        }
        if !(1..=1000).contains(&self.samples) {
            return Err(ConfigError::range(
                f("samples"),
                "between 1 and 1000",
                self.samples,
            ));
        }
        if !(self.bandwidth.is_finite() && self.bandwidth > 0.0 && self.bandwidth <= 1000.0) {
            return Err(ConfigError::range(
                f("bandwidth"),
                "> 0 and ≤ 1000",
                self.bandwidth,
            ));
        }
        if !(1..=100_000).contains(&self.iterations) {
            return Err(ConfigError::range(
                f("iterations"),
                "between 1 and 100000",
                self.iterations,
            ));
        }
        if !(self.learning_rate.is_finite()
            && self.learning_rate > 0.0
            && self.learning_rate <= 10.0)
        {
            return Err(ConfigError::range(
                f("learning_rate"),
                "> 0 and ≤ 10",
                self.learning_rate,
            ));
        }
        Ok(())
    }
}

/// The ways to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VbuMethod {
    /// Variational inference on D_r from scratch: the reference.
    ViRetrain,
    /// VBU with the EUBO and the adjusted likelihood, at each λ.
    VbuEubo,
    /// VBU with the reverse KL and the adjusted likelihood, at each λ.
    VbuRkl,
    /// q(θ|D) untouched: the baseline.
    Full,
}

impl VbuMethod {
    /// Every method, in report order.
    pub const ALL: [VbuMethod; 4] = [
        VbuMethod::ViRetrain,
        VbuMethod::Full,
        VbuMethod::VbuEubo,
        VbuMethod::VbuRkl,
    ];

    /// The `method` key.
    pub fn key(self) -> &'static str {
        match self {
            VbuMethod::ViRetrain => "vi_retrain",
            VbuMethod::VbuEubo => "vbu_eubo",
            VbuMethod::VbuRkl => "vbu_rkl",
            VbuMethod::Full => "full",
        }
    }
}

fn d_lambdas() -> Vec<f64> {
    vec![0.5, 0.1, 1e-3, 1e-5, 1e-9, 0.0]
}
fn d_methods() -> Vec<VbuMethod> {
    VbuMethod::ALL.to_vec()
}

/// The `vbu` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VbuConfig {
    /// What to erase (`random`, `class`, `rows` or `region`: [`crate::forget::VBU_KINDS`]).
    pub erase: ForgetSpec,
    /// The thresholds λ of the adjusted likelihood, relative to q(θ|D)'s density at its mode (0: plain EUBO).
    #[serde(default = "d_lambdas")]
    pub lambdas: Vec<f64>,
    /// The methods (`vi_retrain` always runs: it is the reference).
    #[serde(default = "d_methods")]
    pub methods: Vec<VbuMethod>,
}

impl VbuConfig {
    /// Ranges, each error naming the field and the value.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !VBU_KINDS.contains(&self.erase.kind()) {
            return Err(ConfigError::range(
                "vbu.erase.kind",
                format!("one of {}", VBU_KINDS.join(", ")),
                format!("\"{}\"", self.erase.kind()),
            ));
        }
        self.erase.validate("vbu.erase")?;
        if self.lambdas.is_empty() || self.lambdas.len() > 20 {
            return Err(ConfigError::range(
                "vbu.lambdas",
                "1 to 20 values",
                self.lambdas.len(),
            ));
        }
        if let Some((i, l)) = self
            .lambdas
            .iter()
            .enumerate()
            .find(|(_, l)| !(l.is_finite() && (0.0..=1.0).contains(*l)))
        {
            return Err(ConfigError::range(
                format!("vbu.lambdas[{i}]"),
                "between 0 and 1",
                l,
            ));
        }
        if let Some(i) =
            (0..self.methods.len()).find(|&i| self.methods[..i].contains(&self.methods[i]))
        {
            return Err(ConfigError::range(
                format!("vbu.methods[{i}]"),
                "listed once",
                format!("\"{}\" again", self.methods[i].key()),
            ));
        }
        Ok(())
    }
}

/// What a VBU row adds to its `runs[]` row (flattened).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VbuAudit {
    /// Accuracy on the retained training points.
    pub retain_acc: f64,
    /// Accuracy on the erased points.
    pub forget_acc: f64,
    /// Seconds of `vi_retrain` / this row's seconds (null for `full`, which costs nothing to unlearn).
    pub speedup_vs_retrain: Option<f64>,
    /// The threshold λ (null for `vi_retrain` and `full`).
    pub lambda: Option<f64>,
    /// Mean KL[retrained ‖ this model] between predictive distributions (Bernoulli), over a 50×50 grid for 2-D
    /// data, else over the test split.
    pub kl_to_retrain: f64,
    /// The same for the untouched posterior q(θ|D): the baseline to beat.
    pub kl_full_to_retrain: f64,
}

/// What the page draws for a VBU run: predictive maps (2-D data), posterior marginals, the erased rows and the
/// data before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VbuFigures {
    /// Dataset rows erased (0-based).
    pub erased_rows: Vec<usize>,
    /// For 2-D data: P(y = 1 | x) over a grid of the plotted plane, per model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maps: Option<PredictiveMaps>,
    /// Each model's posterior marginals: mean and standard deviation per weight.
    pub posteriors: Vec<Marginals>,
    /// The training data before and after the erasure.
    pub distribution: crate::audit::Distribution,
}

/// Predictive probabilities over a `resolution` × `resolution` grid (row-major from the bottom-left).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictiveMaps {
    /// Range of the first feature, original units.
    pub x_range: (f32, f32),
    /// Range of the second feature, original units.
    pub y_range: (f32, f32),
    /// Cells per axis.
    pub resolution: usize,
    /// One map per model.
    pub models: Vec<ModelMap>,
}

/// One model's predictive map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMap {
    /// The row's `method`.
    pub method: String,
    /// The row's `lambda`.
    pub lambda: Option<f64>,
    /// P(y = 1 | x) per cell.
    pub probs: Vec<f32>,
}

/// One model's posterior marginals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marginals {
    /// The row's `method`.
    pub method: String,
    /// The row's `lambda`.
    pub lambda: Option<f64>,
    /// Posterior mean per weight (weight 0 is the bias).
    pub mean: Vec<f64>,
    /// Posterior standard deviation per weight.
    pub std: Vec<f64>,
}
