//! The classifier, its size in closed form, the training recipe and the backend preference.

use serde::{Deserialize, Serialize};

use super::defaults;

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
    /// Logistic regression, MLP, CNN or the Bayesian classifier.
    pub kind: ModelKind,
    /// Hidden layers of the MLP (ignored by logistic regression).
    #[serde(default = "defaults::layers")]
    pub layers: usize,
    /// Units per hidden layer.
    #[serde(default = "defaults::width")]
    pub width: usize,
    /// Units of each hidden layer of the MLP, input side first (`[128, 64]`), for layers of different widths. When
    /// present it sets the hidden layers, and validation sets `layers` to its length and `width` to its first entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub widths: Vec<usize>,
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
    /// The hidden layers' widths, input side first: `widths` when given, else `layers` × `width` for an MLP; none for
    /// the other kinds.
    pub fn hidden(&self) -> Vec<usize> {
        match self.kind {
            ModelKind::Mlp if !self.widths.is_empty() => self.widths.clone(),
            ModelKind::Mlp => vec![self.width; self.layers],
            _ => vec![],
        }
    }

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
        dims.extend(self.hidden());
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

impl ModelKind {
    /// The snake_case key used in files.
    pub fn key(self) -> &'static str {
        match self {
            ModelKind::Logistic => "logistic",
            ModelKind::Mlp => "mlp",
            ModelKind::Cnn => "cnn",
            ModelKind::BayesLogistic => "bayes_logistic",
        }
    }
}
