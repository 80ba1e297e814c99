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
    /// A small convolutional network for square images (the 8×8 digits): the convolutions of `model.convs` (by
    /// default two 3×3 convolutions of 16 and 32 filters and a 2×2 max-pool), the dense layers of `model.widths`
    /// (none by default) and a linear head.
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
    /// Units of each hidden layer, input side first (`[128, 64]`): an MLP's layers of different widths, or a CNN's
    /// dense layers between its convolutions and its head. For an MLP it sets the hidden layers, and validation
    /// sets `layers` to its length and `width` to its first entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub widths: Vec<usize>,
    /// The CNN's convolutions, input side first ([`DEFAULT_CONVS`] when absent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub convs: Vec<ConvLayer>,
    /// Hidden activation.
    #[serde(default = "defaults::activation")]
    pub activation: Activation,
    /// The Bayesian classifier's settings (`kind: "bayes_logistic"` only; defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bayes: Option<crate::vbu::BayesConfig>,
    /// A model trained elsewhere: its weights file. The file's tensors give the layers and their widths (the engine
    /// writes them into `kind`, `widths` and `convs` before anything runs); the experiment gives what a file cannot
    /// say (the activation, each convolution's padding and pool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import: Option<super::ModelImport>,
}

/// One convolution of a CNN, as PyTorch's `Conv2d(c_in, channels, kernel, padding=padding)` or Keras's
/// `Conv2D(channels, kernel)` (stride 1, a bias; Keras's `padding="same"` is `padding = (kernel − 1) / 2` for an odd
/// kernel, `"valid"` is 0), then the activation, then a `MaxPool2d(pool)` (`MaxPooling2D(pool)`) when `pool` > 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvLayer {
    /// Output channels (filters).
    pub channels: usize,
    /// Side of the square kernel.
    pub kernel: usize,
    /// Zeros added on each side of the input.
    #[serde(default)]
    pub padding: usize,
    /// Side (and stride) of the square max-pool after the activation; 1 for none.
    #[serde(default = "defaults::pool")]
    pub pool: usize,
}

impl ConvLayer {
    /// The side of the convolution's output for an input of side `side` (before the pool), if the kernel fits.
    pub fn conv_side(&self, side: usize) -> Option<usize> {
        (side + 2 * self.padding)
            .checked_sub(self.kernel)
            .map(|s| s + 1)
    }

    /// The side of the layer's output (after the pool) for an input of side `side`, if at least one pixel is left.
    pub fn output_side(&self, side: usize) -> Option<usize> {
        self.conv_side(side)
            .map(|s| s / self.pool.max(1))
            .filter(|&s| s >= 1)
    }
}

/// The CNN's convolutions when `model.convs` is absent: 3×3 with padding 1, 16 then 32 filters, a 2×2 max-pool after
/// the second (an 8×8 digit becomes 32 maps of 4×4).
pub const DEFAULT_CONVS: [ConvLayer; 2] = [
    ConvLayer {
        channels: 16,
        kernel: 3,
        padding: 1,
        pool: 1,
    },
    ConvLayer {
        channels: 32,
        kernel: 3,
        padding: 1,
        pool: 2,
    },
];

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
            ModelKind::Cnn => self.widths.clone(),
            _ => vec![],
        }
    }

    /// The CNN's convolutions (none for the other kinds).
    pub fn conv_layers(&self) -> Vec<ConvLayer> {
        match self.kind {
            ModelKind::Cnn if self.convs.is_empty() => DEFAULT_CONVS.to_vec(),
            ModelKind::Cnn => self.convs.clone(),
            _ => vec![],
        }
    }

    /// The architecture in words for `d` features and `k` classes: "MLP 64 → 128 → 64 → 10, ReLU, 17,226
    /// parameters".
    pub fn describe(&self, d: usize, k: usize) -> String {
        let act = match self.activation {
            Activation::Relu => "ReLU",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
        };
        let mut parts = Vec::new();
        let name = match self.kind {
            ModelKind::Logistic => "logistic regression",
            ModelKind::Mlp => "MLP",
            ModelKind::Cnn => "CNN",
            ModelKind::BayesLogistic => "Bayesian logistic regression",
        };
        if self.kind == ModelKind::Cnn {
            let side = (d as f64).sqrt().round() as usize;
            parts.push(format!("{side}×{side}"));
            for c in self.conv_layers() {
                let mut layer = format!("conv {}@{k}×{k}", c.channels, k = c.kernel);
                if c.padding > 0 {
                    layer += &format!(" pad {}", c.padding);
                }
                if c.pool > 1 {
                    layer += &format!(", pool {}", c.pool);
                }
                parts.push(layer);
            }
        } else {
            parts.push(d.to_string());
        }
        parts.extend(self.hidden().iter().map(usize::to_string));
        parts.push(k.to_string());
        let hidden = !self.hidden().is_empty() || self.kind == ModelKind::Cnn;
        let act = if hidden {
            format!(", {act}")
        } else {
            String::new()
        };
        format!(
            "{name} {}{act}, {} parameters",
            parts.join(" → "),
            thousands(self.cost(d, k).parameters)
        )
    }

    /// Parameters and multiply-adds per example for `d` input features and `k` classes. A CNN takes `d` as a
    /// square image.
    pub fn cost(&self, d: usize, k: usize) -> ModelCost {
        let mut parameters = 0usize;
        let mut multiply_adds = 0usize;
        let mut dims = vec![d];
        if self.kind == ModelKind::Cnn {
            let mut side = (d as f64).sqrt().round() as usize;
            let mut c_in = 1usize;
            for layer in self.conv_layers() {
                let (c_out, k) = (layer.channels, layer.kernel);
                let out = layer.conv_side(side).unwrap_or(0);
                let weights = c_in.saturating_mul(c_out).saturating_mul(k * k);
                parameters = parameters.saturating_add(weights.saturating_add(c_out));
                multiply_adds = multiply_adds.saturating_add(weights.saturating_mul(out * out));
                side = out / layer.pool.max(1);
                c_in = c_out;
            }
            dims = vec![c_in.saturating_mul(side * side)];
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

/// `17226` → `"17,226"`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
