//! The layers of a weights file → the architecture they describe, checked against the experiment (its `model`
//! says what a file cannot: the activation, each convolution's padding and pool) and then against the data (the
//! inputs, the classes), → Lethe's classifier with those weights. Nothing is built until every check passed.

use lethe_protocol::experiment::ConvLayer;
use lethe_protocol::{ModelConfig, ModelKind, WeightLayout};

use super::layout::{FileLayer, channels_first_rows, keras_layers, pytorch_layers};
use super::{NamedTensor, Origin};
use crate::data::Prepared;
use crate::error::{EngineError, Result};
use crate::model::{Classifier, LayerValues, feature_side, square_side};

/// A weights file read and matched to an architecture, before the data is known.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The file's name (for messages and the architecture line).
    pub file: String,
    /// The model the file describes: the experiment's `model` with `kind`, `widths` and `convs` from the file.
    pub config: ModelConfig,
    layout: WeightLayout,
    layers: Vec<FileLayer>,
}

fn refuse(why: String) -> EngineError {
    EngineError::Import(why)
}

fn shape_of(layer: &FileLayer, layout: WeightLayout) -> String {
    format!("{} {:?}", layer.names[0], layer.file_shape(layout))
}

impl Imported {
    /// Matches the file's tensors to an architecture. `model` is the experiment's (with its `import`).
    pub fn new(tensors: Vec<NamedTensor>, model: &ModelConfig) -> Result<Self> {
        let import = model
            .import
            .as_ref()
            .ok_or_else(|| refuse("the experiment names no file".into()))?;
        let file = import.file.clone();
        let layout = import.layout;
        if tensors.is_empty() {
            return Err(refuse(format!("{file}: the file holds no tensors")));
        }
        let layers = match layout {
            WeightLayout::Pytorch => pytorch_layers(tensors, &file)?,
            WeightLayout::Keras => keras_layers(tensors, &file)?,
        };
        let n_convs = layers.iter().take_while(|l| l.kernel.is_some()).count();
        if let Some(late) = layers[n_convs..].iter().find(|l| l.kernel.is_some()) {
            return Err(refuse(format!(
                "{file}: convolution {} comes after a linear layer; Lethe's CNNs have their convolutions first",
                shape_of(late, layout)
            )));
        }
        if n_convs == layers.len() {
            return Err(refuse(format!(
                "{file}: no linear layer after the convolutions; Lethe's models end with a linear layer that gives the \
                 class scores"
            )));
        }
        // Each layer takes what the one before gives (the first linear layer after convolutions is checked with
        // the data, since its inputs depend on the image's side).
        if let Some(first) = layers.first().filter(|l| l.kernel.is_some())
            && first.inputs() != 1
        {
            return Err(refuse(format!(
                "{file}: tensor {} takes {} input channels; Lethe's images have one (grayscale)",
                shape_of(first, layout),
                first.inputs()
            )));
        }
        for (i, pair) in layers.windows(2).enumerate() {
            if i + 1 == n_convs {
                continue;
            }
            if pair[1].inputs() != pair[0].outputs() {
                return Err(refuse(format!(
                    "{file}: tensor {} takes {} inputs, but the layer before it ({}) gives {}",
                    shape_of(&pair[1], layout),
                    pair[1].inputs(),
                    shape_of(&pair[0], layout),
                    pair[0].outputs()
                )));
            }
        }
        let config = resolve(model, &layers, n_convs, &file, layout)?;
        Ok(Self {
            file,
            config,
            layout,
            layers,
        })
    }

    /// The architecture in words, with the file: "MLP 64 → 128 → 64 → 10, ReLU, 17,226 parameters, from
    /// mlp.safetensors".
    pub fn describe(&self, d: usize, k: usize) -> String {
        let binary = if self.binary() {
            " (one output unit for the second class, held as two)"
        } else {
            ""
        };
        format!("{}{binary}, from {}", self.config.describe(d, k), self.file)
    }

    /// The classes the file's head scores: its outputs, or two for a one-unit head.
    pub fn classes(&self) -> usize {
        self.layers.last().map_or(0, |l| l.outputs().max(2))
    }

    fn binary(&self) -> bool {
        self.layers.last().is_some_and(|l| l.outputs() == 1)
    }

    /// The classifier with the file's weights, checked against the data (its features and its classes), and how
    /// to write it back. `classes` is `model.import.classes`.
    pub fn classifier(
        &self,
        data: &Prepared,
        classes: &[String],
        device: &burn::prelude::Device,
    ) -> Result<(Classifier, Origin)> {
        let (file, layout) = (&self.file, self.layout);
        let (d, k) = (data.n_features(), data.n_classes());
        let mut layers = self.layers.clone();
        let n_convs = self.config.conv_layers().len();
        let first_dense = &layers[n_convs];
        let inputs = if n_convs == 0 {
            d
        } else {
            let side = square_side(d).ok_or_else(|| {
                refuse(format!(
                    "{file}: a CNN takes square images, but the data has {d} features"
                ))
            })?;
            let out = feature_side(&self.config.conv_layers(), side).map_err(|(i, s)| {
                refuse(format!(
                    "{file}: model.convs[{i}] gets {s}×{s} maps from the {side}×{side} image and leaves no pixel"
                ))
            })?;
            let channels = layers[n_convs - 1].outputs();
            if first_dense.inputs() == channels * out * out && layout == WeightLayout::Keras {
                channels_first_rows(&mut layers[n_convs], channels, out * out);
            }
            channels * out * out
        };
        let first_dense = &layers[n_convs];
        if first_dense.inputs() != inputs {
            let what = if n_convs == 0 {
                format!("the data has {d} features")
            } else {
                format!(
                    "the convolutions leave {inputs} numbers per image (model.convs' padding and pool decide how many)"
                )
            };
            return Err(refuse(format!(
                "{file}: tensor {} takes {} inputs, but {what}",
                shape_of(first_dense, layout),
                first_dense.inputs()
            )));
        }
        let head = layers.last_mut().expect("at least one linear layer");
        let outputs = head.outputs();
        let binary = outputs == 1;
        if !(outputs == k || binary && k == 2) {
            return Err(refuse(format!(
                "{file}: tensor {} gives {outputs} outputs, but the data has {k} classes ({}){}",
                shape_of(head, layout),
                data.raw.class_names.join(", "),
                if outputs == 1 {
                    "; one output unit fits two classes only"
                } else {
                    ""
                }
            )));
        }
        let order = class_order(classes, &data.raw.class_names)?;
        let head_values = &mut head.values;
        if binary {
            // σ(z) for the second class is the softmax of [0, z].
            let d_in = head_values.shape[0];
            let mut weight = vec![0.0; d_in * 2];
            for r in 0..d_in {
                weight[r * 2 + 1] = head_values.weight[r];
            }
            *head_values = LayerValues {
                shape: vec![d_in, 2],
                weight,
                bias: vec![0.0, head_values.bias[0]],
            };
        }
        permute_columns(head_values, &order, false);
        let values: Vec<LayerValues> = layers.iter().map(|l| l.values.clone()).collect();
        let model = Classifier::new(&self.config, d, k, 0, device).with_values(&values, device);
        Ok((
            model,
            Origin {
                layout,
                names: layers.iter().map(|l| l.names.clone()).collect(),
                binary,
                classes: order,
            },
        ))
    }
}

/// For each output of the file, the data's class: `classes` (`model.import.classes`) looked up in the data's class
/// names, or the identity.
fn class_order(classes: &[String], names: &[String]) -> Result<Vec<usize>> {
    if classes.is_empty() {
        return Ok((0..names.len()).collect());
    }
    if classes.len() != names.len() {
        return Err(refuse(format!(
            "model.import.classes lists {} classes, but the data has {} ({})",
            classes.len(),
            names.len(),
            names.join(", ")
        )));
    }
    classes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            names.iter().position(|n| n == c).ok_or_else(|| {
                refuse(format!(
                    "model.import.classes[{i}] is \"{c}\", which is not a class of the data ({})",
                    names.join(", ")
                ))
            })
        })
        .collect()
}

/// Moves a linear layer's output column `j` to `order[j]` (the file's order → the data's), or back with `back`.
pub(super) fn permute_columns(values: &mut LayerValues, order: &[usize], back: bool) {
    let (rows, cols) = (values.shape[0], values.shape[1]);
    let (mut weight, mut bias) = (vec![0.0; rows * cols], vec![0.0; cols]);
    for (j, &to) in order.iter().enumerate() {
        let (from, to) = if back { (to, j) } else { (j, to) };
        bias[to] = values.bias[from];
        for r in 0..rows {
            weight[r * cols + to] = values.weight[r * cols + from];
        }
    }
    values.weight = weight;
    values.bias = bias;
}

/// The experiment's model with the file's architecture: the kind (convolutions make a CNN, one linear layer a
/// logistic regression, more an MLP), the hidden widths, each convolution's channels and kernel. The experiment keeps what a file cannot say; where it says something the file contradicts, the
/// message names both.
fn resolve(
    model: &ModelConfig,
    layers: &[FileLayer],
    n_convs: usize,
    file: &str,
    layout: WeightLayout,
) -> Result<ModelConfig> {
    let dense = &layers[n_convs..];
    let kind = match (n_convs, dense.len()) {
        (0, 1) => ModelKind::Logistic,
        (0, _) => ModelKind::Mlp,
        _ => ModelKind::Cnn,
    };
    if n_convs == 0 && !model.convs.is_empty() {
        return Err(refuse(format!(
            "{file} has no convolution, but model.convs lists {}: leave model.convs out for a model without \
             convolutions",
            model.convs.len()
        )));
    }
    let widths: Vec<usize> = dense[..dense.len() - 1]
        .iter()
        .map(FileLayer::outputs)
        .collect();
    if !model.widths.is_empty() && model.widths != widths {
        return Err(refuse(format!(
            "{file} has hidden layers of {widths:?} units, but model.widths is {:?}: leave model.widths out (the file \
             says it) or make them agree",
            model.widths
        )));
    }
    let mut convs = Vec::with_capacity(n_convs);
    if n_convs > 0 {
        if model.convs.len() != n_convs {
            let listed: Vec<String> = layers[..n_convs]
                .iter()
                .map(|l| shape_of(l, layout))
                .collect();
            return Err(refuse(format!(
                "{file} has {n_convs} convolutions ({}), and model.convs lists {}: give each one's padding and pool in \
                 model.convs, which a weights file cannot say",
                listed.join(", "),
                model.convs.len()
            )));
        }
        for (i, (layer, given)) in layers.iter().zip(&model.convs).enumerate() {
            let kernel = layer.kernel.expect("a convolution");
            if (given.channels, given.kernel) != (layer.outputs(), kernel) {
                return Err(refuse(format!(
                    "{file}: tensor {} is {} channels of {kernel}×{kernel}, but model.convs[{i}] says {} channels of \
                     {k}×{k}",
                    shape_of(layer, layout),
                    layer.outputs(),
                    given.channels,
                    k = given.kernel
                )));
            }
            convs.push(ConvLayer { ..*given });
        }
    }
    let mut config = model.clone();
    config.kind = kind;
    config.widths = widths;
    config.convs = convs;
    if kind == ModelKind::Mlp {
        config.layers = config.widths.len();
        config.width = config.widths[0];
    }
    Ok(config)
}
