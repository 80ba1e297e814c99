//! What the unlearning lab adds to a report: per-method audit keys on each row of `runs[]`, the forget set, the
//! engine's suggestions of what to forget, and the data distribution before and after. Keys are stable snake_case,
//! documented in `docs/experiment-format.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::unlearn::{Family, Guarantee};
use crate::warning::Warning;

/// Half-width of the forget-accuracy band with a single retrain seed (no spread to measure).
pub const FORGET_ACC_TOLERANCE: f64 = 0.05;
/// Half-width of the MIA band with a single retrain seed. Three retrains of a digits MLP gave AUCs 0.43, 0.52 and
/// 0.52 (scikit-learn, random 10 % forgotten): one retrain is no sharper reference than this.
pub const MIA_TOLERANCE: f64 = 0.1;
/// Fewest member/non-member pairs for an MIA AUC to be more than noise (with 9 pairs, AUCs ranged 0.4–0.6
/// across retrain seeds).
pub const MIN_MIA_PAIRS: usize = 50;

/// A reference interval from the retrains: mean ± max(2 standard deviations, tolerance).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Band {
    /// The band around `mean` with spread `std` and floor half-width `tolerance`.
    pub fn new(mean: f64, std: f64, tolerance: f64) -> Self {
        let half = (2.0 * std).max(tolerance);
        Self {
            lo: mean - half,
            hi: mean + half,
        }
    }
}

/// What every row that forgets is measured by, against the reference retrain: the lab's rows and the federated
/// ones. Flattened into its `runs[]` row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forgetting {
    /// Reference retrain seconds / this method's seconds (null for the trained model).
    pub speedup_vs_retrain: Option<f64>,
    /// Per-example forward and backward passes the row's model cost (a step on a batch of b rows counts b):
    /// training's for the train row, one retrain's (the mean over seeds) for the retrain row, the unlearning's
    /// alone for a method (training-time preparation not included). Certified removal counts per-example
    /// gradients of its Newton work. The machine-independent twin of `seconds`.
    #[serde(default)]
    pub sample_grads: Option<u64>,
    /// The reference's `sample_grads` / this method's: the retrain's, or for certified removal its own oracle's
    /// (null for the trained model, and for a method that computed no gradient).
    #[serde(default)]
    pub work_speedup_vs_retrain: Option<f64>,
    /// Accuracy on the retain set (the training split without the forget set).
    pub retain_acc: f64,
    /// Accuracy on the forget set (labels as trained on).
    pub forget_acc: f64,
    /// AUC of a loss-based membership attack: forget set (members) against class-matched test points (null when
    /// fewer than 2 pairs exist).
    pub mia_auc: Option<f64>,
    /// Mean Jensen–Shannon divergence (nats) between this model's and the reference retrain's predictions on
    /// the forget set.
    pub js_to_retrain: Option<f64>,
    /// Tug-of-war: (1 − |ΔRA|)(1 − |ΔFA|)(1 − |ΔTA|) against the reference retrain.
    pub tow: Option<f64>,
    /// L2 distance between this model's parameters and the reference retrain's (null where architectures differ).
    pub l2_to_retrain: Option<f64>,
    /// Fraction of triggered test points of other classes predicted as the target (null without a backdoor).
    pub backdoor_asr: Option<f64>,
    /// Over-unlearning, under-unlearning, and a forget set too small for the MIA to mean anything.
    pub warnings: Vec<Warning>,
    /// The settings the method ran with, defaults filled in.
    pub params: BTreeMap<String, f64>,
}

/// The audit of one model of the unlearning lab: what every forgetting row is measured by, and what only the lab
/// knows (the method's family and guarantee, the retrain spread, relearning, certified removal's and SISA's
/// details). Flattened into its `runs[]` row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audit {
    /// The method's family (null for the trained model).
    pub family: Option<Family>,
    /// The method's guarantee (null for the trained model).
    pub guarantee: Option<Guarantee>,
    /// The measurements against the reference retrain.
    #[serde(flatten)]
    pub forgetting: Forgetting,
    /// Certified removal only: per-example Hessian terms x xᵀ its Newton work added or took away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hessian_rows: Option<u64>,
    /// Epochs of fine-tuning on the forget set until forget accuracy is back within 0.01 of the trained model's,
    /// capped at `train.epochs`.
    pub relearn_epochs: Option<usize>,
    /// Seconds of training-time preparation the method needed (SISA's shards, the certified model, the update
    /// log), not counted in `seconds`.
    pub prepare_seconds: Option<f64>,
    /// Retrain row only, with several seeds: standard deviations across seeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_acc_std: Option<f64>,
    /// Retrain row only: spread of the forget accuracy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forget_acc_std: Option<f64>,
    /// Retrain row only: spread of the test accuracy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_acc_std: Option<f64>,
    /// Retrain row only: spread of the MIA AUC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mia_auc_std: Option<f64>,
    /// Certified removal only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
    /// SISA only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sisa: Option<SisaDetails>,
    /// With `unlearn.privacy_score`: the per-example score over many runs (the retrain row: retraining against
    /// retraining with other seeds, the floor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_score: Option<PrivacyScore>,
}

/// Most per-example ε a report lists.
pub const MAX_EPSILONS: usize = 300;

/// The NeurIPS 2023 challenge's per-example score of one method against retraining, and a LiRA test, over `runs`
/// runs per side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivacyScore {
    /// Runs per side.
    pub runs: usize,
    /// The challenge's forgetting score F: per-example ε bucketed (½ wide, bucket k worth 2⁻ᵏ), averaged over the
    /// forget set. 1: no example tells the method from retraining.
    pub forgetting_score: f64,
    /// F · (RA_method / RA_retrain) · (TA_method / TA_retrain), accuracies averaged over the runs.
    pub unlearning_score: f64,
    /// The median of the per-example ε.
    pub epsilon_median: f64,
    /// ⌈ln(runs − 1)⌉: the largest ε these runs can tell apart (an ε at or above it earns no points).
    pub epsilon_resolution: f64,
    /// The per-example ε (forget set order, at most [`MAX_EPSILONS`]).
    pub epsilons: Vec<f64>,
    /// The AUC of the LiRA test (one forget set, each run held out in turn): 0.5 indistinguishable, 1 told apart.
    pub lira_auc: f64,
    /// The forgetting score's 95 % interval `[lo, hi]`, from a seeded bootstrap that resamples both sides' runs and
    /// the forget examples ([`PrivacyScore::ci_resamples`] times): the resamples' 2.5th to 97.5th percentile spread,
    /// centred on the score by their median, [F − (m − q₂.₅), F + (q₉₇.₅ − m)], clamped to [0, 1].
    pub forgetting_score_ci: [f64; 2],
    /// How the interval was drawn, in words.
    pub ci_method: String,
    /// Bootstrap resamples behind the interval.
    pub ci_resamples: usize,
    /// Which originals a method's runs unlearned: `per_run` (run i from original i, trained with seed `seed + i`) or
    /// `shared` (every run from the lab's one trained model). Absent on the `train` row (the positive control: the N
    /// originals themselves) and the `retrain` row (the floor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originals: Option<crate::Originals>,
}

impl PrivacyScore {
    /// Whether this score's interval overlaps `other`'s: the only case the lab calls a method indistinguishable
    /// from retraining (against the floor).
    pub fn overlaps(&self, other: &PrivacyScore) -> bool {
        let ([a, b], [c, d]) = (self.forgetting_score_ci, other.forgetting_score_ci);
        a <= d && c <= b
    }
}

/// An audit reads as its measurements (`audit.retain_acc`), the lab-only keys beside them.
impl std::ops::Deref for Audit {
    type Target = Forgetting;
    fn deref(&self) -> &Forgetting {
        &self.forgetting
    }
}

/// Most losses per side kept for the attack's histograms (a seeded sample beyond it).
pub const MAX_ATTACK_LOSSES: usize = 300;

/// One model's decision boundary over the two plotted features (2-D data only), for the side-by-side view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelBoundary {
    /// The row's `method` (`train`, `retrain`, or a method).
    pub method: String,
    /// Its prediction over the grid.
    pub grid: crate::BoundaryGrid,
}

/// The membership attack's losses for one model: cross-entropy on the forget set (members) and on the class-matched
/// test points (non-members), the two distributions the attack tries to tell apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttackLosses {
    /// The row's `method`.
    pub method: String,
    /// Losses of the forget points paired (at most [`MAX_ATTACK_LOSSES`]).
    pub members: Vec<f64>,
    /// Losses of their test partners (at most [`MAX_ATTACK_LOSSES`]).
    pub non_members: Vec<f64>,
}

/// What certified removal measured and promised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// Noise scale of the loss perturbation.
    pub sigma: f64,
    /// Privacy parameters.
    pub epsilon: f64,
    /// Privacy parameters.
    pub delta: f64,
    /// The budget σε/c with c = √(2 ln(1.5/δ)).
    pub budget: f64,
    /// Cumulative data-dependent bound on the gradient residual since the last (re)training.
    pub bound: f64,
    /// The gradient residual ‖∇L(w⁻; D′)‖ actually measured at the end.
    pub residual: f64,
    /// Points removed.
    pub removals: usize,
    /// Retrainings forced by a spent budget.
    pub retrains: usize,
    /// Seconds the oracle (the same solver from scratch on the retain set) took.
    pub oracle_seconds: f64,
    /// Relative L2 distance ‖w⁻ − w_oracle‖ / ‖w_oracle‖.
    pub relative_to_oracle: f64,
}

/// What a SISA deletion touched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SisaDetails {
    /// Shards.
    pub shards: usize,
    /// Slices per shard.
    pub slices: usize,
    /// Shards that held a forget point and were retrained from a checkpoint.
    pub shards_retrained: usize,
    /// Slice stages retrained, summed over those shards.
    pub slices_retrained: usize,
    /// Test accuracy of the ensemble before the deletion.
    pub test_acc_before: f64,
}

/// The forget set that was used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForgetSummary {
    /// The `unlearn.forget.kind`.
    pub kind: String,
    /// Points forgotten.
    pub size: usize,
    /// Points retained.
    pub retain_size: usize,
    /// Dataset rows forgotten (0-based), ascending.
    pub rows: Vec<usize>,
    /// Forgotten points per class (labels as trained on).
    pub class_counts: Vec<usize>,
    /// Member/non-member pairs the MIA used (an AUC on fewer than 50 is noise).
    pub mia_pairs: usize,
}

/// A training point the engine suggests forgetting, with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// Dataset row (0-based).
    pub row: usize,
    /// Its label.
    pub label: u32,
    /// The ranking score: the largest of the criteria's standardised scores.
    pub score: f64,
    /// Cross-entropy of the trained model on it.
    pub loss: f64,
    /// Fraction of its nearest neighbours (standardised features) that share its label.
    pub neighbour_agreement: f64,
    /// Distance to its k-th nearest neighbour, in standard deviations of that distance over the training split.
    pub outlier_z: f64,
    /// Self-influence: squared norm of its loss gradient with respect to the last layer.
    pub self_influence: f64,
    /// Why it is suggested, in words.
    pub reasons: Vec<String>,
}

/// The training set and the retained set side by side (the paper's "comparison of data distribution").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// The training split as trained on.
    pub train: DataSummary,
    /// The training split without the forget set.
    pub retain: DataSummary,
}

/// Class histogram and per-feature summaries of a set of points, in original units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSummary {
    /// Points.
    pub n: usize,
    /// Points per class.
    pub class_counts: Vec<usize>,
    /// One entry per feature.
    pub features: Vec<FeatureSummary>,
}

/// Mean, standard deviation, minimum and maximum of one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSummary {
    /// Feature name.
    pub name: String,
    /// Mean.
    pub mean: f64,
    /// Population standard deviation.
    pub std: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}
