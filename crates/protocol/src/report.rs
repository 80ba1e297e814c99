//! The report of a run: what the CLI prints and the page downloads. Keys are stable snake_case (documented in
//! `docs/experiment-format.md`); later capabilities add rows and optional keys, never rename.
//!
//! A report has the keys every run has (the experiment, where it ran, the dataset) and one typed outcome per task
//! ([`TaskReport`], its `task` key saying which), whose rows carry only the keys that mean something for it.

use serde::{Deserialize, Serialize};

use crate::Experiment;
use crate::audit::{
    AttackLosses, Audit, Distribution, ForgetSummary, Forgetting, ModelBoundary, Suggestion,
};
use crate::federated::{FedAudit, FederationSummary};
use crate::task::TaskKind;
use crate::vbu::{VbuAudit, VbuFigures};

/// One report: the experiment that produced it, where it ran, the dataset it saw, and the task's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// Wall time of the whole experiment, data preparation included, in seconds.
    pub wall_seconds: f64,
    /// The task's outcome: `task` and its keys (`runs`, and the task's own).
    #[serde(flatten)]
    pub outcome: TaskReport,
}

/// What a task produced, tagged by `task`. Each has its rows in `runs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "task", rename_all = "snake_case")]
pub enum TaskReport {
    /// Training: one row, `method: "train"`.
    Train(TrainReport),
    /// The unlearning lab.
    Unlearn(UnlearnReport),
    /// The federated simulation and the unlearning of one client.
    Federated(FederatedReport),
    /// Variational Bayesian Unlearning.
    Vbu(VbuReport),
}

/// A training run's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// The trained model's row.
    pub runs: Vec<RunReport>,
}

/// The unlearning lab's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnlearnReport {
    /// The trained model (`method: "train"`), the reference retrain, then each method.
    pub runs: Vec<UnlearnRow>,
    /// The forget set that was used.
    pub forget: ForgetSummary,
    /// The training points the engine suggests forgetting, best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    /// The training set and the retained set side by side.
    pub distribution: Distribution,
    /// On 2-D data: the decision boundary of the trained model, the reference retrain and each method, for the
    /// side-by-side view.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub boundaries: Vec<ModelBoundary>,
    /// The membership attack's losses per model (trained, reference retrain, each method).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attack_losses: Vec<AttackLosses>,
    /// The sweep's points and fronts, when the experiment has `unlearn.sweep`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<crate::SweepReport>,
}

/// One row of the lab: the run's measurements and its audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnlearnRow {
    /// What every row has.
    #[serde(flatten)]
    pub run: RunReport,
    /// `retain_acc`, `forget_acc`, `mia_auc`, … (see [`Audit`]).
    #[serde(flatten)]
    pub audit: Audit,
}

/// The federated simulation's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FederatedReport {
    /// The federated model (`method: "federated"`), FedRetrain, then each method.
    pub runs: Vec<FedRow>,
    /// The clients and the attack used.
    pub federation: FederationSummary,
}

/// One federated row: the run, what forgetting is measured by, and the federated keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FedRow {
    /// What every row has.
    #[serde(flatten)]
    pub run: RunReport,
    /// `retain_acc`, `forget_acc` (the target client's rows), `mia_auc`, `tow`, … against FedRetrain.
    #[serde(flatten)]
    pub forgetting: Forgetting,
    /// `learning_seconds`, `unlearning_seconds`, `mia_precision`, `curve`, …
    #[serde(flatten)]
    pub fed: FedAudit,
}

/// Variational Bayesian Unlearning's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VbuReport {
    /// `vi_retrain`, `full`, then each VBU method at each λ.
    pub runs: Vec<VbuRow>,
    /// What the page draws (predictive maps, posterior marginals, the data before and after).
    pub vbu_figures: VbuFigures,
}

/// One VBU row: the run and its keys (`lambda`, `kl_to_retrain`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VbuRow {
    /// What every row has.
    #[serde(flatten)]
    pub run: RunReport,
    /// `retain_acc`, `forget_acc`, `speedup_vs_retrain`, `lambda`, `kl_to_retrain`, `kl_full_to_retrain`.
    #[serde(flatten)]
    pub vbu: VbuAudit,
}

impl TaskReport {
    /// Its task.
    pub fn kind(&self) -> TaskKind {
        match self {
            Self::Train(_) => TaskKind::Train,
            Self::Unlearn(_) => TaskKind::Unlearn,
            Self::Federated(_) => TaskKind::Federated,
            Self::Vbu(_) => TaskKind::Vbu,
        }
    }

    /// What every row has, in order.
    pub fn rows(&self) -> Vec<&RunReport> {
        match self {
            Self::Train(t) => t.runs.iter().collect(),
            Self::Unlearn(u) => u.runs.iter().map(|r| &r.run).collect(),
            Self::Federated(f) => f.runs.iter().map(|r| &r.run).collect(),
            Self::Vbu(v) => v.runs.iter().map(|r| &r.run).collect(),
        }
    }

    /// The lab's outcome, if this is one.
    pub fn unlearn(&self) -> Option<&UnlearnReport> {
        match self {
            Self::Unlearn(u) => Some(u),
            _ => None,
        }
    }

    /// The federated outcome, if this is one.
    pub fn federated(&self) -> Option<&FederatedReport> {
        match self {
            Self::Federated(f) => Some(f),
            _ => None,
        }
    }

    /// The VBU outcome, if this is one.
    pub fn vbu(&self) -> Option<&VbuReport> {
        match self {
            Self::Vbu(v) => Some(v),
            _ => None,
        }
    }
}

/// The report as its JSON holds it; a report written before the `task` key takes it from its experiment.
#[derive(Deserialize)]
struct ReportFile {
    version: u32,
    lethe_version: String,
    experiment: Experiment,
    seed: u64,
    backend: String,
    host: String,
    dataset: DatasetSummary,
    wall_seconds: f64,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

impl<'de> Deserialize<'de> for Report {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let f = ReportFile::deserialize(deserializer)?;
        let mut rest = f.rest;
        if !rest.contains_key("task") {
            rest.insert("task".into(), f.experiment.task.kind().key().into());
        }
        let outcome =
            TaskReport::deserialize(serde_json::Value::Object(rest)).map_err(D::Error::custom)?;
        Ok(Report {
            version: f.version,
            lethe_version: f.lethe_version,
            experiment: f.experiment,
            seed: f.seed,
            backend: f.backend,
            host: f.host,
            dataset: f.dataset,
            wall_seconds: f.wall_seconds,
            outcome,
        })
    }
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

/// What every row of every task has: a method and its measurements on the test split.
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

    /// Whether this report is what a cancelled run kept: a lab whose sweep the user cancelled half-way ends with
    /// its methods and the sweep's finished points, and answers the cancel with them.
    pub fn kept_after_cancel(&self) -> bool {
        self.outcome
            .unlearn()
            .and_then(|u| u.sweep.as_ref())
            .is_some_and(|s| s.cancelled)
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
        let boundaries = self
            .outcome
            .unlearn()
            .map_or(&[][..], |u| &u.boundaries[..]);
        for (i, b) in boundaries.iter().enumerate() {
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
        let rows = self.outcome.rows();
        if rows.is_empty() {
            return Err("runs is empty".into());
        }
        for (i, run) in rows.into_iter().enumerate() {
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
