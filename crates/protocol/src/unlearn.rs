//! The experiment's optional `unlearn` section: which training points to forget, which methods to run against the
//! retrain-from-scratch oracle, and how many retrain seeds make the reference band.
//!
//! It is read by hand from JSON (not by serde's derive) so that every error names its field and value, e.g.
//! `unlearn.methods[2].epochs must be ≥ 1, got 0`, instead of serde's "did not match any variant". The keys are
//! documented in `docs/experiment-format.md`; each method's settings and defaults in `docs/methods/`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ConfigError;

/// Most retrain seeds.
pub const MAX_RETRAIN_SEEDS: usize = 10;

/// The `unlearn` section.
#[derive(Debug, Clone, PartialEq)]
pub struct UnlearnConfig {
    /// Which training points to forget.
    pub forget: ForgetSpec,
    /// The methods, in the order given (`retrain` always runs first, listed or not).
    pub methods: Vec<MethodSpec>,
    /// Retrains with seeds `seed`, `seed + 1`, …; the first is the reference for distances.
    pub retrain_seeds: usize,
}

/// Which training points make the forget set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ForgetSpec {
    /// A seeded random `fraction` of the training split.
    Random { fraction: f64 },
    /// Every training point of these classes (label indices, as in `dataset.class_names`).
    Class { classes: Vec<u32> },
    /// These dataset rows (0-based, as `misclassified[].row`); each must be in the training split.
    Rows { rows: Vec<usize> },
    /// A `fraction` of the training split, taken from other classes, stamped with a trigger and relabelled
    /// `target_class` before training; the test split gets a triggered copy for the attack success rate.
    Backdoor { fraction: f64, target_class: u32 },
    /// A `fraction` of the training split whose labels are flipped to another class before training.
    Mislabeled { fraction: f64 },
    /// The `top_k` training points the engine suggests forgetting (likely mislabeled, outliers, high
    /// self-influence), ranked after training.
    Suggested { top_k: usize },
}

impl ForgetSpec {
    /// The `kind` key.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Random { .. } => "random",
            Self::Class { .. } => "class",
            Self::Rows { .. } => "rows",
            Self::Backdoor { .. } => "backdoor",
            Self::Mislabeled { .. } => "mislabeled",
            Self::Suggested { .. } => "suggested",
        }
    }
}

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
enum Kind {
    Whole,
    Real,
}

/// Every method setting: name, kind, allowed range (inclusive bounds unless the rule says otherwise) and the rule
/// as the error message states it.
const SETTINGS: &[(&str, Kind, f64, f64, &str)] = &[
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
const OPEN_BELOW: &[&str] = &[
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

/// Reads one JSON field of the section, naming it in every error.
struct Fields<'a> {
    path: String,
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    fn of(path: &str, value: &'a Value) -> Result<Self, ConfigError> {
        match value {
            Value::Object(map) => Ok(Self {
                path: path.into(),
                map,
            }),
            other => Err(ConfigError::range(path, "an object", other)),
        }
    }

    fn field(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    fn only(&self, allowed: &[&str]) -> Result<(), ConfigError> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(ConfigError::range(
                self.field(k),
                format!("absent (the keys here are {})", allowed.join(", ")),
                &self.map[k],
            )),
            None => Ok(()),
        }
    }

    fn required(&self, key: &str) -> Result<&'a Value, ConfigError> {
        self.map
            .get(key)
            .ok_or_else(|| ConfigError::range(self.field(key), "present", "nothing"))
    }

    fn number(&self, key: &str) -> Result<f64, ConfigError> {
        number(&self.field(key), self.required(key)?)
    }

    fn whole(&self, key: &str) -> Result<u64, ConfigError> {
        whole(&self.field(key), self.required(key)?)
    }

    fn wholes(&self, key: &str) -> Result<Vec<u64>, ConfigError> {
        let field = self.field(key);
        match self.required(key)? {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| whole(&format!("{field}[{i}]"), v))
                .collect(),
            other => Err(ConfigError::range(field, "a list of whole numbers", other)),
        }
    }
}

fn number(field: &str, value: &Value) -> Result<f64, ConfigError> {
    value
        .as_f64()
        .ok_or_else(|| ConfigError::range(field, "a number", value))
}

fn whole(field: &str, value: &Value) -> Result<u64, ConfigError> {
    value
        .as_u64()
        .ok_or_else(|| ConfigError::range(field, "a whole number ≥ 0", value))
}

impl UnlearnConfig {
    /// Reads the section from JSON; errors name the field (`unlearn.methods[2].epochs`) and the value.
    pub fn from_value(value: &Value) -> Result<Self, ConfigError> {
        let top = Fields::of("unlearn", value)?;
        top.only(&["forget", "methods", "retrain_seeds"])?;
        let forget = Self::forget(&Fields::of("unlearn.forget", top.required("forget")?)?)?;
        let methods = match top.map.get("methods") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| Self::method(&format!("unlearn.methods[{i}]"), v))
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(ConfigError::range(
                    "unlearn.methods",
                    "a list of method names or objects",
                    other,
                ));
            }
        };
        let retrain_seeds = match top.map.get("retrain_seeds") {
            None => 1,
            Some(v) => whole("unlearn.retrain_seeds", v)? as usize,
        };
        Ok(Self {
            forget,
            methods,
            retrain_seeds,
        })
    }

    fn forget(f: &Fields) -> Result<ForgetSpec, ConfigError> {
        let kind = match f.required("kind")? {
            Value::String(s) => s.as_str(),
            other => {
                return Err(ConfigError::range(
                    f.field("kind"),
                    FORGET_KINDS_RULE,
                    other,
                ));
            }
        };
        let spec = match kind {
            "random" => {
                f.only(&["kind", "fraction"])?;
                ForgetSpec::Random {
                    fraction: f.number("fraction")?,
                }
            }
            "class" => {
                f.only(&["kind", "classes"])?;
                ForgetSpec::Class {
                    classes: f.wholes("classes")?.into_iter().map(|c| c as u32).collect(),
                }
            }
            "rows" => {
                f.only(&["kind", "rows"])?;
                ForgetSpec::Rows {
                    rows: f.wholes("rows")?.into_iter().map(|r| r as usize).collect(),
                }
            }
            "backdoor" => {
                f.only(&["kind", "fraction", "target_class"])?;
                ForgetSpec::Backdoor {
                    fraction: f.number("fraction")?,
                    target_class: f.whole("target_class")?.min(u32::MAX as u64) as u32,
                }
            }
            "mislabeled" => {
                f.only(&["kind", "fraction"])?;
                ForgetSpec::Mislabeled {
                    fraction: f.number("fraction")?,
                }
            }
            "suggested" => {
                f.only(&["kind", "top_k"])?;
                ForgetSpec::Suggested {
                    top_k: f.whole("top_k")? as usize,
                }
            }
            other => {
                return Err(ConfigError::range(
                    f.field("kind"),
                    FORGET_KINDS_RULE,
                    format!("\"{other}\""),
                ));
            }
        };
        Ok(spec)
    }

    fn method(path: &str, value: &Value) -> Result<MethodSpec, ConfigError> {
        let named = |name: &str| {
            Method::from_key(name)
                .ok_or_else(|| ConfigError::range(path, methods_rule(), format!("\"{name}\"")))
        };
        match value {
            Value::String(name) => Ok(MethodSpec::plain(named(name)?)),
            Value::Object(map) => {
                let name = match map.get("method") {
                    Some(Value::String(name)) => name,
                    Some(other) => {
                        return Err(ConfigError::range(
                            format!("{path}.method"),
                            methods_rule(),
                            other,
                        ));
                    }
                    None => {
                        return Err(ConfigError::range(
                            format!("{path}.method"),
                            "present",
                            "nothing",
                        ));
                    }
                };
                let method = named(name)?;
                let mut settings = BTreeMap::new();
                for (key, v) in map.iter().filter(|(k, _)| k.as_str() != "method") {
                    let field = format!("{path}.{key}");
                    if !method.settings().contains(&key.as_str()) {
                        let rule = match method.settings() {
                            [] => format!("absent: \"{name}\" takes no settings"),
                            some => format!("absent: \"{name}\" takes {}", some.join(", ")),
                        };
                        return Err(ConfigError::range(field, rule, v));
                    }
                    let (_, kind, ..) = setting(key).expect("every listed setting is in SETTINGS");
                    let x = match kind {
                        Kind::Whole => whole(&field, v)? as f64,
                        Kind::Real => number(&field, v)?,
                    };
                    settings.insert(key.clone(), x);
                }
                Ok(MethodSpec { method, settings })
            }
            other => Err(ConfigError::range(
                path,
                "a method name or an object with \"method\"",
                other,
            )),
        }
    }

    /// Checks the ranges of every value that does not depend on the data (classes and rows are checked
    /// against the dataset by the engine).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fraction = |v: f64| {
            if v.is_finite() && v > 0.0 && v < 1.0 {
                Ok(())
            } else {
                Err(ConfigError::range(
                    "unlearn.forget.fraction",
                    "> 0 and < 1 (a fraction of the training split; 1 would forget everything)",
                    v,
                ))
            }
        };
        match &self.forget {
            ForgetSpec::Random { fraction: f }
            | ForgetSpec::Backdoor { fraction: f, .. }
            | ForgetSpec::Mislabeled { fraction: f } => fraction(*f)?,
            ForgetSpec::Class { classes } if classes.is_empty() => {
                return Err(ConfigError::range(
                    "unlearn.forget.classes",
                    "at least one class",
                    "[]",
                ));
            }
            ForgetSpec::Rows { rows } if rows.is_empty() => {
                return Err(ConfigError::range(
                    "unlearn.forget.rows",
                    "at least one row",
                    "[]",
                ));
            }
            ForgetSpec::Suggested { top_k: 0 } => {
                return Err(ConfigError::range("unlearn.forget.top_k", "≥ 1", 0));
            }
            _ => {}
        }
        if !(1..=MAX_RETRAIN_SEEDS).contains(&self.retrain_seeds) {
            return Err(ConfigError::range(
                "unlearn.retrain_seeds",
                format!("between 1 and {MAX_RETRAIN_SEEDS}"),
                self.retrain_seeds,
            ));
        }
        for (i, spec) in self.methods.iter().enumerate() {
            // Training-time state is prepared once per method, so these may be listed once.
            let stateful = matches!(
                spec.method,
                Method::Sisa | Method::Certified | Method::Amnesiac
            );
            if stateful && self.methods[..i].iter().any(|m| m.method == spec.method) {
                return Err(ConfigError::range(
                    format!("unlearn.methods[{i}]"),
                    "listed once (its training-time state is prepared once)",
                    format!("\"{}\" again", spec.method.key()),
                ));
            }
            for (name, &v) in &spec.settings {
                let (_, _, lo, hi, rule) = setting(name).expect("parsed settings are known");
                let above = if OPEN_BELOW.contains(&name.as_str()) {
                    v > lo
                } else {
                    v >= lo
                };
                let below = if name == "delta" { v < hi } else { v <= hi };
                if !(v.is_finite() && above && below) {
                    return Err(ConfigError::range(
                        format!("unlearn.methods[{i}].{name}"),
                        rule,
                        v,
                    ));
                }
            }
        }
        Ok(())
    }

    /// The methods to run: `retrain` first, then the listed ones in order (a listed `retrain` is not repeated).
    pub fn plan(&self) -> Vec<MethodSpec> {
        std::iter::once(MethodSpec::plain(Method::Retrain))
            .chain(
                self.methods
                    .iter()
                    .filter(|m| m.method != Method::Retrain)
                    .cloned(),
            )
            .collect()
    }

    /// The JSON form, as written in files.
    pub fn to_value(&self) -> Value {
        let methods = self
            .methods
            .iter()
            .map(|m| {
                if m.settings.is_empty() {
                    Value::from(m.method.key())
                } else {
                    let mut map = Map::new();
                    map.insert("method".into(), m.method.key().into());
                    for (k, &v) in &m.settings {
                        let (_, kind, ..) = setting(k).expect("parsed settings are known");
                        let value = match kind {
                            Kind::Whole => Value::from(v as u64),
                            Kind::Real => Value::from(v),
                        };
                        map.insert(k.clone(), value);
                    }
                    Value::Object(map)
                }
            })
            .collect();
        serde_json::json!({
            "forget": self.forget,
            "methods": Value::Array(methods),
            "retrain_seeds": self.retrain_seeds,
        })
    }
}

const FORGET_KINDS_RULE: &str =
    "one of \"random\", \"class\", \"rows\", \"backdoor\", \"mislabeled\", \"suggested\"";

fn methods_rule() -> String {
    let names: Vec<String> = Method::ALL
        .iter()
        .map(|m| format!("\"{}\"", m.key()))
        .collect();
    format!("one of {}", names.join(", "))
}

fn setting(name: &str) -> Option<(&'static str, Kind, f64, f64, &'static str)> {
    SETTINGS.iter().copied().find(|s| s.0 == name)
}

impl Serialize for UnlearnConfig {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for UnlearnConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(&value).map_err(serde::de::Error::custom)
    }
}
