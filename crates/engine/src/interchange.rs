//! A model's weights in the layout of Keras and TensorFlow.js, so that another framework can start from exactly
//! Lethe's initial weights (`lethe export`, used by `make bench`'s TensorFlow.js comparison). burn keeps a
//! convolution's kernel as `[out, in, kh, kw]` and flattens a `[channels, height, width]` feature map channel by
//! channel; Keras keeps `[kh, kw, in, out]` and flattens `[height, width, channels]` pixel by pixel. A linear layer's
//! kernel is `[in, out]` in both.

use lethe_protocol::WeightLayout;

use crate::error::Result;
use crate::model::Classifier;
use crate::weights::layout::{conv_to_keras, file_shape, reorder_rows};

/// One weight tensor in Keras's layout, in the order of `model.getWeights()`.
#[derive(Debug, Clone, PartialEq)]
pub struct KerasTensor {
    /// Keras's shape.
    pub shape: Vec<usize>,
    /// Row-major values.
    pub values: Vec<f32>,
}

/// The weights of `model` as Keras holds them for the same architecture: for each convolution its kernel
/// `[kh, kw, in, out]` and bias, then for each linear layer its kernel `[in, out]` (the first one's rows reordered
/// for a channels-last flatten after a CNN's pool) and bias.
pub async fn keras_weights(model: &Classifier) -> Result<Vec<KerasTensor>> {
    let n_convs = model.convs().len();
    let channels = model.convs().last().map_or(0, |c| c.weight.val().dims()[0]);
    // After the last convolution's pool, the feature maps are this many pixels square.
    let pixels = model.feature_side() * model.feature_side();
    let mut out = Vec::new();
    for (n, layer) in model.layer_values().await?.into_iter().enumerate() {
        let values = match *layer.shape.as_slice() {
            [o, i, kh, kw] => conv_to_keras(&layer.weight, [o, i, kh, kw]),
            [_, d_out] if n == n_convs && n_convs > 0 => {
                reorder_rows(&layer.weight, channels, pixels, d_out, true)
            }
            _ => layer.weight,
        };
        out.push(KerasTensor {
            shape: file_shape(&layer.shape, WeightLayout::Keras),
            values,
        });
        out.push(KerasTensor {
            shape: vec![layer.bias.len()],
            values: layer.bias,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block_on;
    use burn::prelude::*;
    use lethe_protocol::{Experiment, ModelKind};

    /// Keras's forward pass, written out from the exported weights: channels-last 3×3 convolutions with zero
    /// padding 1 and ReLU, a 2×2 max-pool, a channels-last flatten, then the dense layers.
    fn keras_forward(weights: &[KerasTensor], image: &[f32], side: usize) -> Vec<f32> {
        let relu = |v: f32| v.max(0.0);
        let mut map = image.to_vec(); // [side, side, 1]
        let mut c_in = 1;
        let mut w = weights;
        for _ in 0..2 {
            let (kernel, bias) = (&w[0], &w[1]);
            let c_out = kernel.shape[3];
            let mut next = vec![0.0; side * side * c_out];
            for y in 0..side {
                for x in 0..side {
                    for o in 0..c_out {
                        let mut acc = bias.values[o];
                        for ky in 0..3 {
                            for kx in 0..3 {
                                let (yy, xx) = (y as i64 + ky as i64 - 1, x as i64 + kx as i64 - 1);
                                if yy < 0 || xx < 0 || yy >= side as i64 || xx >= side as i64 {
                                    continue;
                                }
                                for i in 0..c_in {
                                    acc += map[(yy as usize * side + xx as usize) * c_in + i]
                                        * kernel.values[((ky * 3 + kx) * c_in + i) * c_out + o];
                                }
                            }
                        }
                        next[(y * side + x) * c_out + o] = relu(acc);
                    }
                }
            }
            map = next;
            c_in = c_out;
            w = &w[2..];
        }
        let half = side / 2;
        let mut flat = vec![0.0; half * half * c_in];
        for y in 0..half {
            for x in 0..half {
                for c in 0..c_in {
                    let at =
                        |dy: usize, dx: usize| map[((2 * y + dy) * side + 2 * x + dx) * c_in + c];
                    flat[(y * half + x) * c_in + c] =
                        at(0, 0).max(at(0, 1)).max(at(1, 0)).max(at(1, 1));
                }
            }
        }
        let mut h = flat;
        let layers = w.len() / 2;
        for (n, pair) in w.chunks(2).enumerate() {
            let (kernel, bias) = (&pair[0], &pair[1]);
            let (d_in, d_out) = (kernel.shape[0], kernel.shape[1]);
            let mut next = bias.values.clone();
            for (j, out) in next.iter_mut().enumerate() {
                *out += (0..d_in)
                    .map(|i| h[i] * kernel.values[i * d_out + j])
                    .sum::<f32>();
            }
            h = if n + 1 < layers {
                next.into_iter().map(relu).collect()
            } else {
                next
            };
        }
        h
    }

    #[test]
    fn exported_cnn_weights_give_lethes_logits_in_keras_layout() {
        // The oracle is the model itself: the Keras-layout forward pass must reproduce burn's logits.
        let mut config = Experiment::demo().model;
        config.kind = ModelKind::Cnn;
        config.layers = 1;
        config.width = 12;
        let device = burn::prelude::Device::flex();
        let side = 6;
        let model = Classifier::new(&config, side * side, 3, 7, &device);
        let weights = block_on(keras_weights(&model)).unwrap();
        let shapes: Vec<_> = weights.iter().map(|w| w.shape.clone()).collect();
        assert_eq!(
            shapes,
            vec![
                vec![3, 3, 1, 16],
                vec![16],
                vec![3, 3, 16, 32],
                vec![32],
                vec![288, 3],
                vec![3]
            ]
        );
        let image: Vec<f32> = (0..side * side)
            .map(|i| ((i * 37 % 11) as f32 - 5.0) / 3.0)
            .collect();
        let expected: Vec<f32> = model
            .forward(Tensor::<2>::from_data(
                TensorData::new(image.clone(), [1, side * side]),
                &device,
            ))
            .into_data()
            .iter::<f32>()
            .collect();
        let got = keras_forward(&weights, &image, side);
        for (g, e) in got.iter().zip(&expected) {
            assert!((g - e).abs() < 1e-4, "keras {got:?} vs burn {expected:?}");
        }
    }
}
