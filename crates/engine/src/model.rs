//! The classifiers: multinomial logistic regression (no hidden layer), the MLP, and a small CNN for square images,
//! one type for all three: an optional convolutional stem (`model.convs`: each convolution, its activation and its
//! max-pool), then linear layers.
//! Weights are drawn from the engine's own seeded generator (burn's CPU seed is global, docs/architecture.md §2), with
//! the same bound as PyTorch's default `Linear` and `Conv2d` init: U(−k, k), k = √(1 / fan_in).

use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::MaxPool2dConfig;
use burn::nn::{Initializer, Linear, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation;
use lethe_protocol::experiment::ConvLayer;
use lethe_protocol::{Activation, ModelConfig, ModelKind};

use crate::data::rng::{Rng64, stream};

/// A stack of linear layers with an activation between them (logistic regression is the one-layer case), behind
/// the convolutions of a CNN (each followed by the activation and its max-pool).
#[derive(Module, Debug)]
pub struct Classifier {
    convs: Vec<Conv2d>,
    layers: Vec<Linear>,
    #[module(skip)]
    activation: Activation,
    /// Side of the square input image (CNN only; 0 otherwise).
    #[module(skip)]
    image_side: usize,
    /// The max-pool side after each convolution (1: none).
    #[module(skip)]
    pools: Vec<usize>,
    /// Side of the feature maps after the last convolution's pool (CNN only; 0 otherwise).
    #[module(skip)]
    feature_side: usize,
}

/// The side of the feature maps after `layers` on a `side`×`side` image, or the first layer that does not fit
/// (its index, and the side of the map it gets).
pub fn feature_side(
    layers: &[ConvLayer],
    side: usize,
) -> std::result::Result<usize, (usize, usize)> {
    layers
        .iter()
        .enumerate()
        .try_fold(side, |s, (i, layer)| layer.output_side(s).ok_or((i, s)))
}

/// The side of a square image with `d` pixels, if `d` is a square of at least 2×2.
pub fn square_side(d: usize) -> Option<usize> {
    let side = (d as f64).sqrt().round() as usize;
    (side >= 2 && side * side == d).then_some(side)
}

impl Classifier {
    /// Builds the model of `config` for `d_in` features and `n_classes` outputs, weights seeded by `seed`.
    ///
    /// # Panics
    /// For a CNN when `d_in` is not a square number (the engine checks this first, see [`square_side`]).
    pub fn new(
        config: &ModelConfig,
        d_in: usize,
        n_classes: usize,
        seed: u64,
        device: &Device,
    ) -> Self {
        let mut rng = Rng64::new(seed, stream::INIT);
        let layers = config.conv_layers();
        let (convs, image_side, out_side, mut dims) = if config.kind == ModelKind::Cnn {
            let side = square_side(d_in).expect("a CNN needs a square number of input features");
            let out_side = feature_side(&layers, side)
                .expect("the convolutions fit the image (checked by prepare_data)");
            let mut c_in = 1;
            let convs = layers
                .iter()
                .map(|l| {
                    let conv = conv2d(c_in, l, &mut rng, device);
                    c_in = l.channels;
                    conv
                })
                .collect();
            (convs, side, out_side, vec![c_in * out_side * out_side])
        } else {
            (Vec::new(), 0, 0, vec![d_in])
        };
        dims.extend(config.hidden());
        dims.push(n_classes);
        let linears = dims
            .windows(2)
            .map(|w| linear(w[0], w[1], &mut rng, device))
            .collect();
        Self {
            convs,
            layers: linears,
            activation: config.activation,
            image_side,
            pools: layers.iter().map(|l| l.pool).collect(),
            feature_side: out_side,
        }
    }

    fn activate<const D: usize>(&self, h: Tensor<D>) -> Tensor<D> {
        match self.activation {
            Activation::Relu => activation::relu(h),
            Activation::Tanh => activation::tanh(h),
            Activation::Sigmoid => activation::sigmoid(h),
        }
    }

    /// Class logits.
    ///
    /// # Shapes
    /// - `x`: `[batch, d_in]`
    /// - output: `[batch, n_classes]`
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self
            .layers
            .last()
            .expect("a classifier has an output layer");
        last.forward(self.penultimate(x))
    }

    /// The input of the output layer: the last hidden activations (the standardised input itself for logistic
    /// regression). Self-influence on the last layer is computed from it.
    ///
    /// # Shapes
    /// - `x`: `[batch, d_in]`
    /// - output: `[batch, width of the last hidden layer]`
    pub fn penultimate(&self, x: Tensor<2>) -> Tensor<2> {
        let mut h = x;
        if !self.convs.is_empty() {
            let [batch, _] = h.dims();
            let side = self.image_side;
            let mut image = h.reshape([batch, 1, side, side]);
            for (conv, &pool) in self.convs.iter().zip(&self.pools) {
                image = self.activate(conv.forward(image));
                if pool > 1 {
                    image = MaxPool2dConfig::new([pool, pool]).init().forward(image);
                }
            }
            h = image.reshape([batch as i32, -1]);
        }
        for layer in &self.layers[..self.layers.len() - 1] {
            h = self.activate(layer.forward(h));
        }
        h
    }

    /// The convolutions (empty unless a CNN), in order.
    pub fn convs(&self) -> &[Conv2d] {
        &self.convs
    }

    /// The linear layers, in order; the last one gives the logits.
    pub fn linears(&self) -> &[Linear] {
        &self.layers
    }

    /// Side of the square input image (CNN only; 0 otherwise).
    pub fn image_side(&self) -> usize {
        self.image_side
    }

    /// Side of the feature maps the first linear layer flattens (CNN only; 0 otherwise).
    pub fn feature_side(&self) -> usize {
        self.feature_side
    }

    /// Number of trainable scalars.
    pub fn n_parameters(&self) -> usize {
        self.num_params()
    }

    /// Every layer's weight and bias in burn's layout, input side first: each convolution's `[out, in, k, k]`,
    /// then each linear layer's `[in, out]`.
    pub async fn layer_values(&self) -> crate::error::Result<Vec<LayerValues>> {
        let mut out = Vec::with_capacity(self.convs.len() + self.layers.len());
        for conv in &self.convs {
            let bias = conv.bias.as_ref().expect("Lethe's layers have a bias");
            out.push(LayerValues {
                shape: conv.weight.val().dims().to_vec(),
                weight: read(&conv.weight).await?,
                bias: read(bias).await?,
            });
        }
        for linear in &self.layers {
            let bias = linear.bias.as_ref().expect("Lethe's layers have a bias");
            out.push(LayerValues {
                shape: linear.weight.val().dims().to_vec(),
                weight: read(&linear.weight).await?,
                bias: read(bias).await?,
            });
        }
        Ok(out)
    }

    /// The same architecture with the given weights (burn's layout, as [`Self::layer_values`] lists them).
    ///
    /// # Panics
    /// When a layer's values do not fill its shape (the importer checks every shape first).
    pub fn with_values(mut self, layers: &[LayerValues], device: &Device) -> Self {
        assert_eq!(layers.len(), self.convs.len() + self.layers.len());
        let (convs, linears) = layers.split_at(self.convs.len());
        for (conv, v) in self.convs.iter_mut().zip(convs) {
            let [o, i, kh, kw] = conv.weight.val().dims();
            assert_eq!(v.shape, [o, i, kh, kw]);
            conv.weight = Param::from_tensor(Tensor::<4>::from_data(
                TensorData::new(v.weight.clone(), [o, i, kh, kw]),
                device,
            ));
            conv.bias = Some(Param::from_tensor(Tensor::<1>::from_data(
                TensorData::new(v.bias.clone(), [o]),
                device,
            )));
        }
        for (linear, v) in self.layers.iter_mut().zip(linears) {
            let [i, o] = linear.weight.val().dims();
            assert_eq!(v.shape, [i, o]);
            linear.weight = Param::from_tensor(Tensor::<2>::from_data(
                TensorData::new(v.weight.clone(), [i, o]),
                device,
            ));
            linear.bias = Some(Param::from_tensor(Tensor::<1>::from_data(
                TensorData::new(v.bias.clone(), [o]),
                device,
            )));
        }
        self
    }
}

/// One layer's parameters in burn's layout: a convolution's `[out, in, k, k]` or a linear layer's `[in, out]`
/// weight, row-major, and its bias.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerValues {
    /// The weight's shape.
    pub shape: Vec<usize>,
    /// The weight, row-major.
    pub weight: Vec<f32>,
    /// The bias (one per output).
    pub bias: Vec<f32>,
}

async fn read<const D: usize>(param: &Param<Tensor<D>>) -> crate::error::Result<Vec<f32>> {
    Ok(param
        .val()
        .into_data_async()
        .await
        .map_err(|e| crate::error::EngineError::Backend(format!("reading a weight: {e:?}")))?
        .iter::<f32>()
        .collect())
}

/// A square convolution of `layer`'s kernel, padding and channels from `c_in` channels, drawn as PyTorch's default
/// init does (U(−k, k), k = √(1 / fan_in)).
fn conv2d(c_in: usize, layer: &ConvLayer, rng: &mut Rng64, device: &Device) -> Conv2d {
    let (c_out, k_side, p) = (layer.channels, layer.kernel, layer.padding);
    let mut conv = Conv2dConfig::new([c_in, c_out], [k_side, k_side])
        .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
        .with_initializer(Initializer::Zeros)
        .init(device);
    let fan_in = c_in * k_side * k_side;
    let k = (1.0 / fan_in as f64).sqrt();
    let mut draw = |n: usize| {
        (0..n)
            .map(|_| rng.uniform_in(-k, k) as f32)
            .collect::<Vec<f32>>()
    };
    let weight = Tensor::<4>::from_data(
        TensorData::new(draw(c_out * fan_in), [c_out, c_in, k_side, k_side]),
        device,
    );
    let bias = Tensor::<1>::from_data(TensorData::new(draw(c_out), [c_out]), device);
    conv.weight = Param::from_tensor(weight);
    conv.bias = Some(Param::from_tensor(bias));
    conv
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

#[cfg(test)]
mod tests {
    use super::*;
    use lethe_protocol::Experiment;

    fn cnn_config() -> ModelConfig {
        let mut config = Experiment::demo().model;
        config.kind = ModelKind::Cnn;
        config
    }

    /* Closed form: widths 64 → 128 → 64 → 10: 64·128 + 128 + 128·64 + 64 + 64·10 + 10 = 17,226 parameters (the
    issue's example architecture), and the same count from the protocol's cost. */
    #[test]
    fn an_mlp_takes_a_width_per_hidden_layer() {
        let device = Device::flex();
        let mut config = Experiment::demo().model;
        config.widths = vec![128, 64];
        let model = Classifier::new(&config, 64, 10, 1, &device);
        assert_eq!(model.n_parameters(), 17_226);
        assert_eq!(config.cost(64, 10).parameters, 17_226);
        let x = Tensor::<2>::zeros([3, 64], &device);
        assert_eq!(model.forward(x).dims(), [3, 10]);
    }

    /* Closed form: a LeNet-like stack on 8×8 digits: conv 1→6 (5×5, padding 2): 6·25 + 6 = 156, 8×8 kept, pool 2 →
    4×4; conv 6→12 (3×3, no padding): 12·6·9 + 12 = 660, 2×2, no pool; dense 48→20: 980; head 20→10: 210. Total
    2006, and the protocol's cost counts the same. */
    #[test]
    fn a_cnn_takes_its_convolutions_and_dense_layers_from_the_config() {
        let device = Device::flex();
        let mut config = cnn_config();
        config.convs = vec![
            ConvLayer {
                channels: 6,
                kernel: 5,
                padding: 2,
                pool: 2,
            },
            ConvLayer {
                channels: 12,
                kernel: 3,
                padding: 0,
                pool: 1,
            },
        ];
        config.widths = vec![20];
        let model = Classifier::new(&config, 64, 10, 1, &device);
        assert_eq!(model.feature_side(), 2);
        assert_eq!(model.n_parameters(), 156 + 660 + 980 + 210);
        assert_eq!(config.cost(64, 10).parameters, 2006);
        let x = Tensor::<2>::zeros([4, 64], &device);
        assert_eq!(model.forward(x).dims(), [4, 10]);
        // A stack that leaves no pixel names the layer and the map it gets.
        config.convs[1].kernel = 5;
        assert_eq!(feature_side(&config.conv_layers(), 8), Err((1, 4)));
    }

    /* Closed form: conv 1→16 (3×3): 16·9 + 16 = 160; conv 16→32: 32·16·9 + 32 = 4640; after the 2×2 pool an 8×8
    image is 32 × 4 × 4 = 512 values; head 512→10: 5120 + 10 = 5130. Total 9930. */
    #[test]
    fn cnn_maps_a_batch_of_8x8_images_to_class_logits() {
        let device = Device::flex();
        let model = Classifier::new(&cnn_config(), 64, 10, 1, &device);
        let x = Tensor::<2>::zeros([5, 64], &device);
        assert_eq!(model.forward(x).dims(), [5, 10]);
        assert_eq!(model.n_parameters(), 160 + 4640 + 5130);
    }

    #[test]
    fn cnn_handles_odd_sides() {
        // 5×5 pools to 2×2: the head sees 32 × 2 × 2 = 128 values.
        let device = Device::flex();
        let model = Classifier::new(&cnn_config(), 25, 3, 1, &device);
        assert_eq!(
            model.forward(Tensor::<2>::zeros([2, 25], &device)).dims(),
            [2, 3]
        );
    }

    #[test]
    fn square_sides() {
        assert_eq!(square_side(64), Some(8));
        assert_eq!(square_side(30), None);
        assert_eq!(square_side(1), None);
    }
}
