//! A model trained elsewhere, in and out: a PyTorch or Keras weights file read into Lethe's classifier
//! (`model.import`), and any row's model written back in the layout and with the names it came with
//! (`lethe run --save-model`, the page's download). docs/your-model.md says which files fit and how they map.
//!
//! - `read`: the file → named tensors (burn's store crate parses it).
//! - `layout`: named tensors ↔ layers in burn's layout, per framework.
//! - `import`: the layers → the architecture (checked against the experiment and the data) → a classifier.
//! - `export`: a fitted model → a safetensors file.

pub mod export;
pub mod import;
pub mod layout;
pub mod read;

use lethe_protocol::{ModelConfig, WeightLayout};

pub use import::Imported;

/// One tensor of a weights file: its name, its shape and its values as f32, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTensor {
    /// The name in the file (`0.weight`, `fc1.bias`, `3`).
    pub name: String,
    /// The shape in the file's layout.
    pub shape: Vec<usize>,
    /// The values, row-major.
    pub values: Vec<f32>,
}

/// How a model's weights are written out: the layout, each layer's tensor names, and how its outputs map to the
/// data's classes. An imported model keeps its file's; a model Lethe trained gets [`Origin::sequential`].
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// The framework's layout.
    pub layout: WeightLayout,
    /// Each layer's weight and bias names, input side first.
    pub names: Vec<[String; 2]>,
    /// The file's head has one output: the logit of the second class (scikit-learn's binary `MLPClassifier` and
    /// `LogisticRegression`, Keras's sigmoid head). Lethe holds it as two outputs, `[0, z]`, whose softmax is
    /// `[1 − σ(z), σ(z)]`.
    pub binary: bool,
    /// For each of the file's outputs, the data's class it scores (the identity unless `model.import.classes`
    /// says otherwise).
    pub classes: Vec<usize>,
}

impl Origin {
    /// The PyTorch layout of the `nn.Sequential` that matches a model Lethe built from `config` for `k` classes
    /// (docs/your-model.md writes it out): `[nn.Unflatten(1, (1, side, side))]`, then per convolution `Conv2d`,
    /// the activation and, with a pool, `MaxPool2d`, then `[nn.Flatten()]`, then `Linear` and the activation per
    /// hidden layer, then the head. Tensors are named by module index (`0.weight`, `2.bias`, …).
    pub fn sequential(config: &ModelConfig, k: usize) -> Self {
        let mut names = Vec::new();
        let mut index = 0;
        let convs = config.conv_layers();
        let mut push =
            |index: usize| names.push([format!("{index}.weight"), format!("{index}.bias")]);
        if !convs.is_empty() {
            index += 1; // nn.Unflatten
            for conv in &convs {
                push(index);
                index += if conv.pool > 1 { 3 } else { 2 };
            }
            index += 1; // nn.Flatten
        }
        for _ in config.hidden() {
            push(index);
            index += 2;
        }
        push(index);
        Self {
            layout: WeightLayout::Pytorch,
            names,
            binary: false,
            classes: (0..k).collect(),
        }
    }
}

/// An experiment with `model.import` and its file's tensors: the experiment with the file's architecture written
/// into its `model` (checked again, as if the user had written it), and the import to build once the data is
/// prepared ([`Imported::classifier`]).
pub fn resolve(
    experiment: lethe_protocol::ValidExperiment,
    tensors: Vec<NamedTensor>,
) -> crate::error::Result<(lethe_protocol::ValidExperiment, Imported)> {
    let imported = Imported::new(tensors, &experiment.model)?;
    let mut experiment = experiment.into_inner();
    experiment.model = imported.config.clone();
    Ok((experiment.validate()?, imported))
}

/// What a task starts from: the imported model on `data` as the trained model (with how its rows are written), or
/// nothing, for a model Lethe trains itself, written as PyTorch's `nn.Sequential`.
pub fn start(
    experiment: &lethe_protocol::ValidExperiment,
    imported: Option<&Imported>,
    data: &crate::data::Prepared,
    device: &burn::prelude::Device,
) -> crate::error::Result<(Option<crate::train::Trained>, Origin)> {
    match (imported, &experiment.model.import) {
        (Some(imported), Some(import)) => {
            let (model, origin) = imported.classifier(data, &import.classes, device)?;
            Ok((Some(crate::train::Trained::imported(model)), origin))
        }
        _ => Ok((
            None,
            Origin::sequential(&experiment.model, data.n_classes()),
        )),
    }
}
