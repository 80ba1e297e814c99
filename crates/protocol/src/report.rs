//! The report of a run: what the CLI prints and the page downloads. Keys are stable snake_case
//! (documented in `docs/experiment-format.md`); later capabilities add rows and optional keys, never rename.

use serde::{Deserialize, Serialize};

use crate::Experiment;
use crate::audit::{Audit, Distribution, ForgetSummary, Suggestion};

/// One report: the experiment that produced it, where it ran, the dataset it saw, and one row per run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Report format version (equals the experiment version).
    pub version: u32,
    /// Version of Lethe that produced it.
    pub lethe_version: String,
    /// The full experiment, so that the report reproduces itself.
    pub experiment: Experiment,
    /// Seed used (same as `experiment.seed`, repeated for readers that only look at the top).
    pub seed: u64,
    /// `"cpu"`, `"webgpu"` (the browser) or `"wgpu"` (the CLI on a native GPU).
    pub backend: String,
    /// Where the run happened: `"cli"` or `"browser"`.
    pub host: String,
    /// What the engine actually trained on.
    pub dataset: DatasetSummary,
    /// One row per method run: the trained model (`method: "train"`), then with an `unlearn` section the
    /// reference retrain and each method.
    pub runs: Vec<RunReport>,
    /// Wall time of the whole experiment, data preparation included, in seconds.
    pub wall_seconds: f64,
    /// With an `unlearn` section: the forget set that was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forget: Option<ForgetSummary>,
    /// With an `unlearn` section: the training points the engine suggests forgetting, best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    /// With an `unlearn` section: the training set and the retained set side by side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Distribution>,
    /// Unlearning lab on 2-D data: the decision boundary of the trained model, the reference retrain and each
    /// method, for the side-by-side view.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub boundaries: Vec<crate::audit::ModelBoundary>,
    /// Unlearning lab: the membership attack's losses per model (trained, reference retrain, each method).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attack_losses: Vec<crate::audit::AttackLosses>,
    /// With a `vbu` section: what the page draws (predictive maps, posterior marginals, the data before and after).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vbu_figures: Option<crate::vbu::VbuFigures>,
    /// With a `federated` section: the clients and the attack used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federation: Option<crate::federated::FederationSummary>,
}

/// The dataset as trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// Human name.
    pub name: String,
    /// Number of features.
    pub n_features: usize,
    /// Number of classes.
    pub n_classes: usize,
    /// Training split size.
    pub n_train: usize,
    /// Test split size.
    pub n_test: usize,
    /// Class names, index = label.
    pub class_names: Vec<String>,
    /// Feature names, index = column.
    pub feature_names: Vec<String>,
    /// FNV-1a 64 checksum (hex) of the standardised features, labels and split: equal checksums, equal data.
    pub checksum: String,
}

/// One row of results: a method and its measurements. Unlearning methods will fill the optional keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// What ran (`"train"` for plain training).
    pub method: String,
    /// Wall time of this run, in seconds.
    pub seconds: f64,
    /// Epochs completed.
    pub epochs: usize,
    /// Final training loss (mean cross-entropy over the last epoch).
    pub train_loss: f64,
    /// Accuracy on the training split.
    pub train_acc: f64,
    /// Accuracy on the test split.
    pub test_acc: f64,
    /// Macro-averaged precision on the test split.
    pub precision: f64,
    /// Macro-averaged recall on the test split.
    pub recall: f64,
    /// Macro-averaged F1 on the test split.
    pub f1: f64,
    /// Test confusion matrix: `confusion[true][predicted]`.
    pub confusion: Vec<Vec<u32>>,
    /// Per-class precision, recall, F1 and support on the test split.
    pub per_class: Vec<ClassMetrics>,
    /// One record per epoch.
    pub history: Vec<EpochRecord>,
    /// Misclassified test points, in dataset order, at most [`MAX_MISCLASSIFIED`].
    #[serde(default)]
    pub misclassified: Vec<Misclassified>,
    /// With an `unlearn` section: the audit keys (`retain_acc`, `forget_acc`, `mia_auc`, …), flattened into the row.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<Audit>,
    /// With a `federated` section: the federated keys (`learning_seconds`, `unlearning_seconds`, `mia_precision`,
    /// …), flattened into the row.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub fed: Option<crate::federated::FedAudit>,
    /// With a `vbu` section: `lambda`, `kl_to_retrain`, `kl_full_to_retrain`, flattened into the row.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub vbu: Option<crate::vbu::VbuAudit>,
}

/// Most misclassified test points a run lists.
pub const MAX_MISCLASSIFIED: usize = 100;

/// A test point the model got wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Misclassified {
    /// Row in the dataset (0-based, the file's order).
    pub row: usize,
    /// True class.
    pub label: u32,
    /// Predicted class.
    pub predicted: u32,
}

/// Precision, recall, F1 and support of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// Class name.
    pub class: String,
    /// TP / (TP + FP); 0 when nothing was predicted as this class.
    pub precision: f64,
    /// TP / (TP + FN).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Number of test points of this class.
    pub support: u32,
}

/// Measurements after one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training cross-entropy over the epoch's batches.
    pub train_loss: f64,
    /// Cross-entropy on the test split at the end of the epoch.
    pub test_loss: f64,
    /// Training accuracy at the end of the epoch.
    pub train_acc: f64,
    /// Test accuracy at the end of the epoch.
    pub test_acc: f64,
    /// Seconds since the run started.
    pub elapsed_seconds: f64,
    /// Optimiser steps since the run started (minibatches; absent in reports older than this key).
    #[serde(default)]
    pub steps: u64,
}

impl Report {
    /// Pretty JSON, as printed by the CLI and downloaded by the page.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report should always serialise")
    }
}

impl Report {
    /// Checks that the report is internally consistent, so that a page can index it without panicking: at least
    /// one run, class names for `dataset.n_classes`, and in every run a square confusion matrix, one per-class
    /// entry per class, misclassified labels inside the classes, and finite numbers. A report kept in a browser
    /// may be from another version or edited by hand; the message says what does not fit.
    pub fn check(&self) -> Result<(), String> {
        crate::check_finite(self)?;
        let k = self.dataset.n_classes;
        for (i, b) in self.boundaries.iter().enumerate() {
            let cells = b.grid.resolution * b.grid.resolution;
            if b.grid.class.len() != cells
                || b.grid.confidence.len() != cells
                || b.grid.class.iter().any(|&c| c as usize >= k)
            {
                return Err(format!(
                    "boundaries[{i}] is not a {0} × {0} grid of classes below {k}",
                    b.grid.resolution
                ));
            }
        }
        if self.dataset.class_names.len() != k {
            return Err(format!(
                "dataset.class_names has {} names for {k} classes",
                self.dataset.class_names.len()
            ));
        }
        if self.runs.is_empty() {
            return Err("runs is empty".into());
        }
        for (i, run) in self.runs.iter().enumerate() {
            if run.confusion.len() != k || run.confusion.iter().any(|row| row.len() != k) {
                return Err(format!("runs[{i}].confusion is not {k} × {k}"));
            }
            if run.per_class.len() != k {
                return Err(format!(
                    "runs[{i}].per_class has {} entries for {k} classes",
                    run.per_class.len()
                ));
            }
            if let Some(m) = run
                .misclassified
                .iter()
                .find(|m| m.label as usize >= k || m.predicted as usize >= k)
            {
                return Err(format!(
                    "runs[{i}].misclassified names class {} of {k}",
                    m.label.max(m.predicted)
                ));
            }
        }
        Ok(())
    }
}
