//! The classifiers: multinomial logistic regression (no hidden layer) and the MLP, one type for both.
//! Weights are drawn from the engine's own seeded generator (burn's CPU seed is global, STACK.md §10), with
//! the same bound as burn's and PyTorch's default `Linear` init: U(−k, k), k = √(1 / fan_in).

use burn::module::Param;
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::activation;
use lethe_protocol::{Activation, ModelConfig, ModelKind};

use crate::data::rng::{Rng64, stream};

/// A stack of linear layers with an activation between them; logistic regression is the one-layer case.
#[derive(Module, Debug)]
pub struct Classifier {
    layers: Vec<Linear>,
    #[module(skip)]
    activation: Activation,
}

impl Classifier {
    /// Builds the model of `config` for `d_in` features and `n_classes` outputs, weights seeded by `seed`.
    pub fn new(
        config: &ModelConfig,
        d_in: usize,
        n_classes: usize,
        seed: u64,
        device: &Device,
    ) -> Self {
        let mut dims = vec![d_in];
        if config.kind == ModelKind::Mlp {
            dims.extend(std::iter::repeat_n(config.width, config.layers));
        }
        dims.push(n_classes);
        let mut rng = Rng64::new(seed, stream::INIT);
        let layers = dims
            .windows(2)
            .map(|w| linear(w[0], w[1], &mut rng, device))
            .collect();
        Self {
            layers,
            activation: config.activation,
        }
    }

    /// Class logits.
    ///
    /// # Shapes
    /// - `x`: `[batch, d_in]`
    /// - output: `[batch, n_classes]`
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let mut h = x;
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(h);
            if i < last {
                h = match self.activation {
                    Activation::Relu => activation::relu(h),
                    Activation::Tanh => activation::tanh(h),
                    Activation::Sigmoid => activation::sigmoid(h),
                };
            }
        }
        h
    }

    /// Number of trainable scalars.
    pub fn n_parameters(&self) -> usize {
        self.num_params()
    }
}

fn linear(fan_in: usize, fan_out: usize, rng: &mut Rng64, device: &Device) -> Linear {
    let k = (1.0 / fan_in as f64).sqrt();
    let mut draw = |n: usize| {
        (0..n)
            .map(|_| rng.uniform_in(-k, k) as f32)
            .collect::<Vec<f32>>()
    };
    let weight = Tensor::<2>::from_data(
        TensorData::new(draw(fan_in * fan_out), [fan_in, fan_out]),
        device,
    );
    let bias = Tensor::<1>::from_data(TensorData::new(draw(fan_out), [fan_out]), device);
    Linear {
        weight: Param::from_tensor(weight),
        bias: Some(Param::from_tensor(bias)),
    }
}
