//! A model trained elsewhere (`model.import`): which file holds its weights, in which framework's layout, and in
//! which order its outputs list the classes. The engine reads the file (`lethe_engine::weights`); the checks that
//! need no file are here.

use serde::{Deserialize, Serialize};

use super::limits::MAX_CLASSES;
use super::{Experiment, ModelKind};
use crate::ConfigError;
use crate::forget::ForgetSpec;
use crate::task::Task;
use crate::unlearn::Method;

/// The weights of a model trained elsewhere, which Lethe evaluates and unlearns instead of training its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelImport {
    /// The weights file: a `.safetensors` everywhere, or (PyTorch layout, the CLI only) a `.pt` written by
    /// `torch.save(model.state_dict(), …)`. The CLI finds it next to the experiment; the page keeps the file the
    /// user picked under this name.
    pub file: String,
    /// How the file names and shapes its tensors.
    pub layout: WeightLayout,
    /// The classes in the order of the model's outputs (scikit-learn's `classes_`), as the dataset names them.
    /// When absent, output `i` is the dataset's class `i` (classes sorted as scikit-learn sorts them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
}

/// The framework whose conventions a weights file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightLayout {
    /// A PyTorch `state_dict`: `<layer>.weight` and `<layer>.bias` per layer, linear weights `[out, in]`,
    /// convolutions `[out, in, kh, kw]`, channels-first flatten.
    Pytorch,
    /// Keras's `model.get_weights()` in order, keys `0`, `1`, …: kernels `[in, out]`, convolutions
    /// `[kh, kw, in, out]`, channels-last flatten.
    Keras,
}

impl WeightLayout {
    /// The snake_case key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Pytorch => "pytorch",
            Self::Keras => "keras",
        }
    }
}

/// Largest weights file read, in bytes: the largest model Lethe keeps in float64, and a megabyte of header.
pub const MAX_WEIGHTS_BYTES: usize = super::limits::MAX_PARAMETERS * 8 + (1 << 20);

/// The checks of `model.import` that need no file: the file's kind, the classes, and what an imported model can
/// do (it has no training log and was not trained on points the lab would plant).
pub(super) fn check_import(e: &Experiment) -> Result<(), ConfigError> {
    let Some(import) = &e.model.import else {
        return Ok(());
    };
    let file = import.file.to_ascii_lowercase();
    let pt = file.ends_with(".pt") || file.ends_with(".pth");
    if !(file.ends_with(".safetensors") || pt) {
        return Err(ConfigError::range(
            "model.import.file",
            "a .safetensors file (or, in the PyTorch layout, a .pt or .pth)",
            format!("\"{}\"", import.file),
        ));
    }
    if pt && import.layout != WeightLayout::Pytorch {
        return Err(ConfigError::range(
            "model.import.file",
            "a .safetensors file in the Keras layout (a .pt file is PyTorch's)",
            format!("\"{}\"", import.file),
        ));
    }
    let classes = &import.classes;
    if !classes.is_empty() {
        if !(2..=MAX_CLASSES).contains(&classes.len()) {
            return Err(ConfigError::range(
                "model.import.classes",
                format!("between 2 and {MAX_CLASSES} class names"),
                format!("{} names", classes.len()),
            ));
        }
        if let Some((i, c)) = classes
            .iter()
            .enumerate()
            .find(|(i, c)| classes[..*i].contains(c))
        {
            return Err(ConfigError::range(
                format!("model.import.classes[{i}]"),
                "a class not listed before",
                format!("\"{c}\" again"),
            ));
        }
    }
    if !matches!(
        e.model.kind,
        ModelKind::Logistic | ModelKind::Mlp | ModelKind::Cnn
    ) {
        return Err(ConfigError::range(
            "model.kind",
            "\"logistic\", \"mlp\" or \"cnn\" with model.import",
            format!("\"{}\"", e.model.kind.key()),
        ));
    }
    match &e.task {
        Task::Train => Ok(()),
        Task::Unlearn(u) => {
            if matches!(
                u.forget,
                ForgetSpec::Backdoor { .. } | ForgetSpec::Mislabeled { .. }
            ) {
                return Err(ConfigError::range(
                    "unlearn.forget.kind",
                    "a forget set of the model's own training data with model.import (an imported model was not \
                     trained on the points the lab would plant)",
                    format!("\"{}\"", u.forget.kind()),
                ));
            }
            if let Some(i) = u.methods.iter().position(|s| s.method == Method::Amnesiac) {
                return Err(ConfigError::range(
                    format!("unlearn.methods[{i}]"),
                    "a method that needs no log of the training with model.import (\"amnesiac\" undoes the \
                     logged updates of the batches that held the forget set, and an imported model comes with none)",
                    "\"amnesiac\"",
                ));
            }
            if let Some(score) = u.privacy_score
                && score.originals == Some(crate::unlearn::Originals::PerRun)
            {
                return Err(ConfigError::range(
                    "unlearn.privacy_score.originals",
                    "\"shared\" with model.import (per-run originals are models Lethe trains with the train section; \
                     \"shared\" scores every run from your model)",
                    "\"per_run\"",
                ));
            }
            Ok(())
        }
        other => Err(ConfigError::range(
            "model.import",
            "used with training (evaluation) or an unlearn section",
            format!("with the {} section", other.kind().key()),
        )),
    }
}
