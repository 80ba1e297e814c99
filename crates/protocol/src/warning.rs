//! Warnings on an unlearned model, as data: what was measured, the retrain band it left, and one sentence for
//! people, written by [`WarningKind::text`] (the CLI's report and the page's table say the same words).

use serde::{Deserialize, Serialize};

/// A measurement a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarnedMetric {
    /// Accuracy on the forget set (`forget_acc`).
    ForgetAcc,
    /// The membership attack's AUC (`mia_auc`).
    MiaAuc,
}

/// The measurement a positive control is read by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalMetric {
    /// The privacy score's forgetting score (`privacy_score.forgetting_score`).
    ForgettingScore,
    /// The federated membership attack's AUC (`mia_auc`).
    MiaAuc,
}

/// What a warning says, with its numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WarningKind {
    /// `value` is below the retrain band `band` (`[lo, hi]`, clamped to [0, 1]): the forget set now stands out.
    OverUnlearning {
        /// The measurement.
        metric: WarnedMetric,
        /// Its value.
        value: f64,
        /// The retrain band.
        band: [f64; 2],
    },
    /// `value` is above the retrain band: the model still remembers.
    UnderUnlearning {
        /// The measurement.
        metric: WarnedMetric,
        /// Its value.
        value: f64,
        /// The retrain band.
        band: [f64; 2],
    },
    /// The privacy score ran `runs` runs per side (fewer than `min_runs`) or scored `examples` forget examples
    /// (fewer than `min_examples`): its ε and score are coarse.
    CoarsePrivacyScore {
        /// Runs per side.
        runs: usize,
        /// Forget examples scored.
        examples: usize,
        /// Runs below which it warns.
        min_runs: usize,
        /// Examples below which it warns.
        min_examples: usize,
    },
    /// The model is imported (`model.import`) and `method` does not start from it: it trains its own models from
    /// scratch with the experiment's `train` section (SISA's shards, certified removal's linear model).
    TrainsItsOwn {
        /// The method's key.
        method: String,
    },
    /// The positive control found no membership signal in this setting: the model trained on the forget set is no
    /// easier to tell from retraining than retraining is from itself, so no method's score here can show forgetting.
    /// `metric` says which control: `forgetting_score` (the privacy score's `train` row, `control` inside the
    /// floor's interval `reference_ci` or above it) or `mia_auc` (the federated table's learned federation, `control` at or
    /// below 0.55, `reference_ci` [0, 0.55], `reference` 0.5: chance).
    NoMembershipSignal {
        /// `forgetting_score` or `mia_auc`.
        metric: SignalMetric,
        /// The control's value: the originals' forgetting score, or the learned federation's attack AUC.
        control: f64,
        /// The control's 95 % interval (the privacy score only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        control_ci: Option<[f64; 2]>,
        /// What no signal reads as: the floor's forgetting score, or chance (0.5).
        reference: f64,
        /// The band the control fell in: the floor's 95 % interval, or [0, 0.55] (not above chance + 0.05).
        reference_ci: [f64; 2],
    },
    /// The membership attack had `pairs` member/non-member pairs, fewer than `min`: its AUC is noise.
    FewAttackPairs {
        /// Pairs the attack compared.
        pairs: usize,
        /// Fewest pairs for an AUC to be evidence.
        min: usize,
    },
}

/// One warning: its kind and numbers, and its sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// What it says, with its numbers (`kind`, `metric`, `value`, `band`, or `pairs`, `min`).
    #[serde(flatten)]
    pub kind: WarningKind,
    /// The sentence, as [`WarningKind::text`] writes it.
    pub text: String,
}

impl From<WarningKind> for Warning {
    fn from(kind: WarningKind) -> Self {
        let text = kind.text();
        Self { kind, text }
    }
}

impl WarningKind {
    /// Its short name, the table's cell: "over-unlearning", "under-unlearning", "few attack pairs".
    pub fn name(&self) -> &'static str {
        match self {
            Self::OverUnlearning { .. } => "over-unlearning",
            Self::UnderUnlearning { .. } => "under-unlearning",
            Self::FewAttackPairs { .. } => "few attack pairs",
            Self::CoarsePrivacyScore { .. } => "coarse privacy score",
            Self::TrainsItsOwn { .. } => "not from your model",
            Self::NoMembershipSignal { .. } => "no membership signal",
        }
    }

    /// The sentence: the one wording of a warning.
    pub fn text(&self) -> String {
        let band = |b: &[f64; 2]| format!("[{:.3}, {:.3}]", b[0], b[1]);
        match self {
            Self::OverUnlearning {
                metric: WarnedMetric::ForgetAcc,
                value,
                band: b,
            } => format!(
                "over-unlearning: forget accuracy {value:.3} is below the retrain band {}; the forget set now stands out, itself a leak",
                band(b)
            ),
            Self::UnderUnlearning {
                metric: WarnedMetric::ForgetAcc,
                value,
                band: b,
            } => format!(
                "under-unlearning: forget accuracy {value:.3} is above the retrain band {}",
                band(b)
            ),
            Self::OverUnlearning {
                metric: WarnedMetric::MiaAuc,
                value,
                band: b,
            } => format!(
                "over-unlearning: MIA AUC {value:.3} is below the retrain band {}; the attack now tells the forget set apart by its unusual losses",
                band(b)
            ),
            Self::UnderUnlearning {
                metric: WarnedMetric::MiaAuc,
                value,
                band: b,
            } => format!(
                "under-unlearning: MIA AUC {value:.3} is above the retrain band {}; the forget set still looks like training data",
                band(b)
            ),
            Self::CoarsePrivacyScore {
                runs,
                examples,
                min_runs,
                min_examples,
            } => format!(
                "the privacy score ran {runs} runs per side on {examples} forget examples (read it with at least {min_runs} runs and {min_examples} examples): ε at or above ⌈ln({})⌉ = {} is not told apart, and the score moves in steps of 1/{examples}",
                runs.saturating_sub(1),
                (((*runs).max(2) - 1) as f64).ln().ceil()
            ),
            Self::TrainsItsOwn { method } => format!(
                "{method} does not start from the imported model: it trains its own from scratch with the experiment's train section, so it unlearns Lethe's model of that recipe, not yours"
            ),
            Self::NoMembershipSignal {
                metric: SignalMetric::ForgettingScore,
                control,
                control_ci,
                reference,
                reference_ci: b,
            } => format!(
                "no membership signal: the original models score F = {control:.3}{} against retraining, not below the floor's interval {} (floor F = {reference:.3}); this setting holds no membership signal the score can see, so no method's score here shows forgetting",
                control_ci.map_or(String::new(), |c| format!(" {}", band(&c))),
                band(b)
            ),
            Self::NoMembershipSignal {
                metric: SignalMetric::MiaAuc,
                control,
                reference_ci: b,
                ..
            } => format!(
                "no membership signal: the attack reads AUC {control:.3} on the learned federation, before any unlearning, not above {:.2} (chance is 0.5); it cannot tell the client's rows from unseen ones, so its figures here say nothing about forgetting",
                b[1]
            ),
            Self::FewAttackPairs { pairs, min } => format!(
                "the membership attack compared only {pairs} member/non-member pairs (fewer than {min}): its AUC is noise, not evidence"
            ),
        }
    }
}
