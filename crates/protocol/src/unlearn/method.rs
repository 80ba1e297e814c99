//! The unlearning methods: their family and guarantee in the source paper's taxonomy, what they need, and the
//! settings each takes with their ranges.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The paper's three families of unlearning methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Works on any model from its parameters, gradients or outputs.
    ModelAgnostic,
    /// Relies on the model's own structure (a linear model's closed-form Hessian).
    ModelIntrinsic,
    /// Works through the data: partitioning it (SISA), or synthesising it (error-maximising noise).
    DataDriven,
}

/// What a method promises about its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Guarantee {
    /// Equal in distribution to retraining without the forget set.
    Exact,
    /// Indistinguishable from retraining up to (ε, δ).
    Certified,
    /// No formal promise: measured against the retrain band.
    Approximate,
}

/// What a method needs to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// The points to forget.
    ForgetSet,
    /// The points to keep.
    RetainSet,
    /// State prepared while training (SISA's checkpoints, the certified solver's Hessian, the update log).
    TrainingState,
}

/// The unlearning methods Lethe runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// Retrain from scratch on the retain set: the oracle.
    Retrain,
    /// Sharded, isolated, sliced, aggregated training (Bourtoule et al. 2021).
    Sisa,
    /// Certified removal by one Newton step per point (Guo et al. 2020).
    Certified,
    /// Fine-tune on the retain set.
    Finetune,
    /// Gradient ascent on the forget set.
    Neggrad,
    /// Descent on the retain set and ascent on the forget set (Kurmanji et al. 2023).
    NeggradPlus,
    /// Fine-tune with random wrong labels on the forget set.
    RandomLabels,
    /// Teacher–student min-max distillation (Kurmanji et al. 2023).
    Scrub,
    /// Noise shaped by the retain set's diagonal Fisher information (Golatkar et al. 2020).
    Fisher,
    /// Subtract the logged updates of the batches that held forget points (Graves et al. 2021).
    Amnesiac,
    /// Distil from a competent and an incompetent teacher (Chundawat et al. 2023).
    BadTeacher,
    /// Random labels on the most salient weights only (Fan et al. 2024).
    Salun,
    /// Error-maximising noise, impair then repair (Tarun et al. 2023).
    Unsir,
}

/// A setting's kind: a whole number or a real number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Whole,
    Real,
}

/// Every method setting: name, kind, allowed range (inclusive bounds unless the rule says otherwise) and the rule
/// as the error message states it.
pub(crate) const SETTINGS: &[(&str, Kind, f64, f64, &str)] = &[
    ("epochs", Kind::Whole, 1.0, 10_000.0, "between 1 and 10000"),
    ("learning_rate", Kind::Real, 0.0, 10.0, "> 0 and ≤ 10"),
    ("beta", Kind::Real, 0.0, 1.0, "between 0 and 1"),
    ("alpha", Kind::Real, 0.0, 1000.0, "between 0 and 1000"),
    ("gamma", Kind::Real, 0.0, 1000.0, "between 0 and 1000"),
    ("temperature", Kind::Real, 0.0, 100.0, "> 0 and ≤ 100"),
    (
        "max_epochs",
        Kind::Whole,
        0.0,
        10_000.0,
        "between 0 and 10000",
    ),
    ("max_std", Kind::Real, 0.0, 10.0, "> 0 and ≤ 10"),
    (
        "samples",
        Kind::Whole,
        1.0,
        100_000.0,
        "between 1 and 100000",
    ),
    (
        "repair_epochs",
        Kind::Whole,
        0.0,
        10_000.0,
        "between 0 and 10000",
    ),
    ("retain_fraction", Kind::Real, 0.0, 1.0, "> 0 and ≤ 1"),
    ("sparsity", Kind::Real, 0.0, 1.0, "> 0 and ≤ 1"),
    (
        "noise_steps",
        Kind::Whole,
        1.0,
        1000.0,
        "between 1 and 1000",
    ),
    ("noise_learning_rate", Kind::Real, 0.0, 10.0, "> 0 and ≤ 10"),
    ("noise_l2", Kind::Real, 0.0, 100.0, "between 0 and 100"),
    ("shards", Kind::Whole, 1.0, 64.0, "between 1 and 64"),
    ("slices", Kind::Whole, 1.0, 64.0, "between 1 and 64"),
    ("sigma", Kind::Real, 0.0, 1000.0, "> 0 and ≤ 1000"),
    ("epsilon", Kind::Real, 0.0, 100.0, "> 0 and ≤ 100"),
    ("delta", Kind::Real, 0.0, 1.0, "> 0 and < 1"),
    ("bias", Kind::Whole, 0.0, 1.0, "0 or 1"),
    ("strong", Kind::Whole, 0.0, 1.0, "0 or 1"),
    ("exclude_true", Kind::Whole, 0.0, 1.0, "0 or 1"),
];

/// Settings whose lower bound is excluded (must be > lo).
pub(crate) const OPEN_BELOW: &[&str] = &[
    "learning_rate",
    "temperature",
    "max_std",
    "retain_fraction",
    "sparsity",
    "noise_learning_rate",
    "sigma",
    "epsilon",
    "delta",
];

impl Method {
    /// Every method, in the order reports list them.
    pub const ALL: [Method; 13] = [
        Self::Retrain,
        Self::Sisa,
        Self::Certified,
        Self::Finetune,
        Self::Neggrad,
        Self::NeggradPlus,
        Self::RandomLabels,
        Self::Scrub,
        Self::Fisher,
        Self::Amnesiac,
        Self::BadTeacher,
        Self::Salun,
        Self::Unsir,
    ];

    /// The snake_case key used in files and reports.
    pub fn key(self) -> &'static str {
        match self {
            Self::Retrain => "retrain",
            Self::Sisa => "sisa",
            Self::Certified => "certified",
            Self::Finetune => "finetune",
            Self::Neggrad => "neggrad",
            Self::NeggradPlus => "neggrad_plus",
            Self::RandomLabels => "random_labels",
            Self::Scrub => "scrub",
            Self::Fisher => "fisher",
            Self::Amnesiac => "amnesiac",
            Self::BadTeacher => "bad_teacher",
            Self::Salun => "salun",
            Self::Unsir => "unsir",
        }
    }

    /// The method for a key.
    pub fn from_key(key: &str) -> Option<Method> {
        Self::ALL.into_iter().find(|m| m.key() == key)
    }

    /// Its family in the source paper's taxonomy.
    pub fn family(self) -> Family {
        match self {
            Self::Sisa | Self::Unsir => Family::DataDriven,
            Self::Certified => Family::ModelIntrinsic,
            _ => Family::ModelAgnostic,
        }
    }

    /// What it promises.
    pub fn guarantee(self) -> Guarantee {
        match self {
            Self::Retrain | Self::Sisa => Guarantee::Exact,
            Self::Certified => Guarantee::Certified,
            _ => Guarantee::Approximate,
        }
    }

    /// What it needs.
    pub fn needs(self) -> &'static [Need] {
        use Need::*;
        match self {
            Self::Retrain | Self::Finetune => &[RetainSet],
            Self::Neggrad => &[ForgetSet],
            Self::Fisher => &[RetainSet],
            Self::Sisa | Self::Certified | Self::Amnesiac => &[ForgetSet, RetainSet, TrainingState],
            Self::NeggradPlus
            | Self::RandomLabels
            | Self::Scrub
            | Self::BadTeacher
            | Self::Salun
            | Self::Unsir => &[ForgetSet, RetainSet],
        }
    }

    /// The settings it takes.
    pub fn settings(self) -> &'static [&'static str] {
        match self {
            Self::Retrain => &[],
            Self::Sisa => &["shards", "slices"],
            Self::Certified => &["sigma", "epsilon", "delta", "bias"],
            Self::Finetune | Self::Neggrad => &["epochs", "learning_rate"],
            Self::RandomLabels => &["epochs", "learning_rate", "exclude_true"],
            Self::NeggradPlus => &["epochs", "learning_rate", "beta"],
            Self::Scrub => &[
                "epochs",
                "learning_rate",
                "alpha",
                "gamma",
                "temperature",
                "max_epochs",
            ],
            Self::Fisher => &["alpha", "max_std", "samples", "strong"],
            Self::Amnesiac => &["repair_epochs", "learning_rate"],
            Self::BadTeacher => &["epochs", "learning_rate", "retain_fraction", "temperature"],
            Self::Salun => &["epochs", "learning_rate", "sparsity", "exclude_true"],
            Self::Unsir => &[
                "epochs",
                "learning_rate",
                "retain_fraction",
                "noise_steps",
                "noise_learning_rate",
                "noise_l2",
            ],
        }
    }
}

/// One entry of `unlearn.methods`: a method and the settings given for it (the rest take their defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct MethodSpec {
    /// The method.
    pub method: Method,
    /// Settings given in the file, by name. Whole-number settings hold whole values.
    pub settings: BTreeMap<String, f64>,
}

impl MethodSpec {
    /// A method with every setting at its default.
    pub fn plain(method: Method) -> Self {
        Self {
            method,
            settings: BTreeMap::new(),
        }
    }

    /// A setting given in the file.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.settings.get(name).copied()
    }
}

/// `"retrain"`, `"sisa"`, … as a rule for error messages.
pub(crate) fn methods_rule() -> String {
    let names: Vec<String> = Method::ALL
        .iter()
        .map(|m| format!("\"{}\"", m.key()))
        .collect();
    format!("one of {}", names.join(", "))
}

/// A setting's name, kind, range and rule.
pub(crate) fn setting(name: &str) -> Option<(&'static str, Kind, f64, f64, &'static str)> {
    SETTINGS.iter().copied().find(|s| s.0 == name)
}
