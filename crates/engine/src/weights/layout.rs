//! Named tensors in a framework's layout ↔ layers in burn's. PyTorch keeps a linear weight as `[out, in]` and a
//! convolution as `[out, in, kh, kw]` (burn: `[in, out]` and the same); Keras keeps `[in, out]` and
//! `[kh, kw, in, out]`, and flattens feature maps pixel by pixel where burn and PyTorch flatten channel by channel.

use lethe_protocol::WeightLayout;

use super::NamedTensor;
use crate::error::{EngineError, Result};
use crate::model::LayerValues;

/// One layer read from a file, in burn's layout, with the names its tensors had there.
#[derive(Debug, Clone, PartialEq)]
pub struct FileLayer {
    /// The kernel side of a convolution; `None` for a linear layer.
    pub kernel: Option<usize>,
    /// The weight and bias (a Keras file's first linear layer after convolutions still has its rows in
    /// channels-last order until [`channels_first_rows`] reorders them).
    pub values: LayerValues,
    /// The weight's and the bias's names in the file.
    pub names: [String; 2],
}

impl FileLayer {
    /// Inputs (channels of a convolution, features of a linear layer).
    pub fn inputs(&self) -> usize {
        self.values.shape[if self.kernel.is_some() { 1 } else { 0 }]
    }
    /// Outputs (channels or units).
    pub fn outputs(&self) -> usize {
        self.values.bias.len()
    }
    /// The weight's shape as the file wrote it.
    pub fn file_shape(&self, layout: WeightLayout) -> Vec<usize> {
        file_shape(&self.values.shape, layout)
    }
}

/// The shape a framework gives a weight of burn's shape `shape`.
pub fn file_shape(shape: &[usize], layout: WeightLayout) -> Vec<usize> {
    match (layout, shape) {
        (WeightLayout::Pytorch, [i, o]) => vec![*o, *i],
        (WeightLayout::Keras, [o, i, kh, kw]) => vec![*kh, *kw, *i, *o],
        _ => shape.to_vec(),
    }
}

fn refuse(why: String) -> EngineError {
    EngineError::Import(why)
}

/// `[rows, cols]` → `[cols, rows]`.
pub fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; values.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = values[r * cols + c];
        }
    }
    out
}

/// A convolution kernel `[out, in, kh, kw]` → Keras's `[kh, kw, in, out]`.
pub fn conv_to_keras(w: &[f32], [o, i, kh, kw]: [usize; 4]) -> Vec<f32> {
    permute_conv(w, [o, i, kh, kw], true)
}

/// Keras's `[kh, kw, in, out]` → `[out, in, kh, kw]`.
pub fn conv_from_keras(w: &[f32], [kh, kw, i, o]: [usize; 4]) -> Vec<f32> {
    permute_conv(w, [o, i, kh, kw], false)
}

/// Moves every value of a `[o, i, kh, kw]` kernel to its place in `[kh, kw, i, o]`, or back with `to_keras` false.
fn permute_conv(w: &[f32], [o, i, kh, kw]: [usize; 4], to_keras: bool) -> Vec<f32> {
    let mut out = vec![0.0; w.len()];
    for (oo, ii, y, x) in (0..o).flat_map(|oo| {
        (0..i).flat_map(move |ii| (0..kh).flat_map(move |y| (0..kw).map(move |x| (oo, ii, y, x))))
    }) {
        let burn = ((oo * i + ii) * kh + y) * kw + x;
        let keras = ((y * kw + x) * i + ii) * o + oo;
        let (from, to) = if to_keras {
            (burn, keras)
        } else {
            (keras, burn)
        };
        out[to] = w[from];
    }
    out
}

/// The rows of a `[channels · pixels, d_out]` weight in channel-first flatten order (burn, PyTorch) → pixel-first
/// (Keras), or back with `to_keras` false.
pub fn reorder_rows(
    w: &[f32],
    channels: usize,
    pixels: usize,
    d_out: usize,
    to_keras: bool,
) -> Vec<f32> {
    let mut out = vec![0.0; w.len()];
    for c in 0..channels {
        for p in 0..pixels {
            let (burn_row, keras_row) = (c * pixels + p, p * channels + c);
            let (from, to) = if to_keras {
                (burn_row, keras_row)
            } else {
                (keras_row, burn_row)
            };
            out[to * d_out..(to + 1) * d_out].copy_from_slice(&w[from * d_out..(from + 1) * d_out]);
        }
    }
    out
}

/// A Keras file's first linear layer after `channels` feature maps of `pixels` pixels, its rows put in burn's order.
pub fn channels_first_rows(layer: &mut FileLayer, channels: usize, pixels: usize) {
    let d_out = layer.outputs();
    layer.values.weight = reorder_rows(&layer.values.weight, channels, pixels, d_out, false);
}

/// Splits a name into text and numbers so that `layers.10` sorts after `layers.2`.
fn natural_key(name: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut n = c.to_digit(10).unwrap_or(0) as u64;
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n.saturating_mul(10).saturating_add(d as u64);
                chars.next();
            }
            out.push((std::mem::take(&mut text), n));
        } else {
            text.push(c);
        }
    }
    out.push((text, u64::MAX));
    out
}

/// Names of a normalisation layer's running statistics, which no Lethe model has.
const NORM_STATS: [&str; 3] = ["running_mean", "running_var", "num_batches_tracked"];

/// A PyTorch `state_dict`'s layers, in the order of their names (`0`, `2`, … of an `nn.Sequential`; `fc1`, `fc2`
/// of named layers; numbers compared as numbers).
pub fn pytorch_layers(tensors: Vec<NamedTensor>, file: &str) -> Result<Vec<FileLayer>> {
    let mut groups: Vec<(String, Option<NamedTensor>, Option<NamedTensor>)> = Vec::new();
    for t in tensors {
        let (prefix, suffix) = t.name.rsplit_once('.').unwrap_or(("", t.name.as_str()));
        let prefix = prefix.to_string();
        if NORM_STATS.contains(&suffix) {
            return Err(refuse(format!(
                "{file}: tensor {} {:?} belongs to a normalisation layer (batch norm); Lethe's models have none: \
                 fold it into the layer before it, or train without it",
                t.name, t.shape
            )));
        }
        if suffix != "weight" && suffix != "bias" {
            return Err(refuse(format!(
                "{file}: unknown tensor {} {:?}: a PyTorch state_dict of Linear and Conv2d layers holds only \
                 <layer>.weight and <layer>.bias",
                t.name, t.shape
            )));
        }
        let at = match groups.iter().position(|g| g.0 == prefix) {
            Some(at) => at,
            None => {
                groups.push((prefix, None, None));
                groups.len() - 1
            }
        };
        if suffix == "weight" {
            groups[at].1 = Some(t);
        } else {
            groups[at].2 = Some(t);
        }
    }
    groups.sort_by_key(|g| natural_key(&g.0));
    groups
        .into_iter()
        .map(|(prefix, weight, bias)| {
            let dot = if prefix.is_empty() { "" } else { "." };
            match (weight, bias) {
                (Some(weight), Some(bias)) => layer(weight, bias, WeightLayout::Pytorch, file),
                (weight, _) => Err(refuse(format!(
                    "{file}: missing tensor {prefix}{dot}{}: Lethe's layers all have a weight and a bias",
                    if weight.is_some() { "bias" } else { "weight" }
                ))),
            }
        })
        .collect()
}

/// A Keras file's layers: tensors `0`, `1`, … in the order of `model.get_weights()`, a kernel then its bias.
pub fn keras_layers(tensors: Vec<NamedTensor>, file: &str) -> Result<Vec<FileLayer>> {
    let n = tensors.len();
    let mut slots: Vec<Option<NamedTensor>> = vec![None; n];
    for t in tensors {
        match t.name.parse::<usize>() {
            Ok(i) if i < n => slots[i] = Some(t),
            _ => {
                return Err(refuse(format!(
                    "{file}: unknown tensor {} {:?}: the Keras layout names its {n} tensors 0 to {} in the order of \
                     model.get_weights()",
                    t.name,
                    t.shape,
                    n.saturating_sub(1)
                )));
            }
        }
    }
    if n % 2 == 1 {
        return Err(refuse(format!(
            "{file}: {n} tensors; the Keras layout pairs each kernel with its bias (tensor {} has none after it)",
            n - 1
        )));
    }
    let mut slots = slots.into_iter();
    let mut layers = Vec::with_capacity(n / 2);
    while let (Some(kernel), Some(bias)) = (slots.next(), slots.next()) {
        let (Some(kernel), Some(bias)) = (kernel, bias) else {
            unreachable!("{n} distinct names below {n} fill every slot")
        };
        layers.push(layer(kernel, bias, WeightLayout::Keras, file)?);
    }
    Ok(layers)
}

/// One layer from its weight and bias tensors: checks their shapes, converts the weight to burn's layout.
fn layer(
    weight: NamedTensor,
    bias: NamedTensor,
    layout: WeightLayout,
    file: &str,
) -> Result<FileLayer> {
    let (kernel, shape, values) = match (layout, weight.shape.as_slice()) {
        (WeightLayout::Pytorch, &[o, i]) => (None, vec![i, o], transpose(&weight.values, o, i)),
        (WeightLayout::Keras, &[i, o]) => (None, vec![i, o], weight.values),
        (WeightLayout::Pytorch, &[o, i, kh, kw]) if kh == kw => {
            (Some(kh), vec![o, i, kh, kw], weight.values)
        }
        (WeightLayout::Keras, &[kh, kw, i, o]) if kh == kw => (
            Some(kh),
            vec![o, i, kh, kw],
            conv_from_keras(&weight.values, [kh, kw, i, o]),
        ),
        (_, &[_, _, _, _]) => {
            return Err(refuse(format!(
                "{file}: tensor {} {:?} is a convolution with a kernel that is not square; Lethe's convolutions have \
                 square kernels",
                weight.name, weight.shape
            )));
        }
        (_, &[_]) => {
            return Err(refuse(format!(
                "{file}: tensor {} {:?} has one dimension where a layer's weight has two (linear) or four (convolution): \
                 a normalisation layer's scale? Lethe's models have none",
                weight.name, weight.shape
            )));
        }
        (_, other) => {
            return Err(refuse(format!(
                "{file}: tensor {} {other:?} has {} dimensions; a linear layer's weight has two, a convolution's four",
                weight.name,
                other.len()
            )));
        }
    };
    let outputs = if kernel.is_some() { shape[0] } else { shape[1] };
    if bias.shape != [outputs] {
        return Err(refuse(format!(
            "{file}: tensor {} has shape {:?}; the bias of {} {:?} has shape [{outputs}]",
            bias.name, bias.shape, weight.name, weight.shape
        )));
    }
    Ok(FileLayer {
        kernel,
        values: LayerValues {
            shape,
            weight: values,
            bias: bias.values,
        },
        names: [weight.name, bias.name],
    })
}
