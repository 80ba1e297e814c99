//! The forget set: which training points a task forgets. One type for every task that forgets points: the
//! unlearning lab reads it from `unlearn.forget`, Variational Bayesian Unlearning from `vbu.erase`; each task
//! says which kinds it takes ([`UNLEARN_KINDS`], [`VBU_KINDS`]).
//!
//! It is read by hand from JSON so that every error names its field and value (`vbu.erase.top_fraction must be
//! > 0 and < 1, got 1.5`). Rows and classes are checked against the dataset by the engine.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ConfigError;

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
    /// The source paper's moon setting: the `top_fraction` of training points with the largest values of
    /// `feature` (standardised units; the order is the original one).
    Region { feature: usize, top_fraction: f64 },
}

/// The kinds the unlearning lab takes (`unlearn.forget.kind`).
pub const UNLEARN_KINDS: &[&str] = &[
    "random",
    "class",
    "rows",
    "backdoor",
    "mislabeled",
    "suggested",
    "region",
];

/// The kinds VBU takes (`vbu.erase.kind`): VBU's model is trained once on the data as given, so no kind that
/// changes the training data (a backdoor, flipped labels) or needs a trained network to rank points (suggested).
pub const VBU_KINDS: &[&str] = &["random", "class", "rows", "region"];

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
            Self::Region { .. } => "region",
        }
    }

    /// Reads the forget set at `path` (`unlearn.forget`, `vbu.erase`), taking only the kinds in `kinds`.
    pub fn from_value(path: &str, value: &Value, kinds: &[&str]) -> Result<Self, ConfigError> {
        let f = Fields::of(path, value)?;
        let rule = || {
            let names: Vec<String> = kinds.iter().map(|k| format!("\"{k}\"")).collect();
            format!("one of {}", names.join(", "))
        };
        let kind = match f.required("kind")? {
            Value::String(s) if kinds.contains(&s.as_str()) => s.as_str(),
            Value::String(s) => {
                return Err(ConfigError::range(
                    f.field("kind"),
                    rule(),
                    format!("\"{s}\""),
                ));
            }
            other => return Err(ConfigError::range(f.field("kind"), rule(), other)),
        };
        let spec = match kind {
            "random" => {
                f.only(&["kind", "fraction"])?;
                Self::Random {
                    fraction: f.number("fraction")?,
                }
            }
            "class" => {
                f.only(&["kind", "classes"])?;
                Self::Class {
                    classes: f.wholes("classes")?.into_iter().map(|c| c as u32).collect(),
                }
            }
            "rows" => {
                f.only(&["kind", "rows"])?;
                Self::Rows {
                    rows: f.wholes("rows")?.into_iter().map(|r| r as usize).collect(),
                }
            }
            "backdoor" => {
                f.only(&["kind", "fraction", "target_class"])?;
                Self::Backdoor {
                    fraction: f.number("fraction")?,
                    target_class: f.whole("target_class")?.min(u32::MAX as u64) as u32,
                }
            }
            "mislabeled" => {
                f.only(&["kind", "fraction"])?;
                Self::Mislabeled {
                    fraction: f.number("fraction")?,
                }
            }
            "suggested" => {
                f.only(&["kind", "top_k"])?;
                Self::Suggested {
                    top_k: f.whole("top_k")? as usize,
                }
            }
            _ => {
                f.only(&["kind", "feature", "top_fraction"])?;
                Self::Region {
                    feature: f.whole("feature")? as usize,
                    top_fraction: f.number("top_fraction")?,
                }
            }
        };
        Ok(spec)
    }

    /// Checks the ranges that do not depend on the data; errors name `path`'s fields.
    pub fn validate(&self, path: &str) -> Result<(), ConfigError> {
        let fraction = |key: &str, v: f64| {
            if v.is_finite() && v > 0.0 && v < 1.0 {
                Ok(())
            } else {
                Err(ConfigError::range(
                    format!("{path}.{key}"),
                    "> 0 and < 1 (a fraction of the training split; 1 would forget everything)",
                    v,
                ))
            }
        };
        match self {
            Self::Random { fraction: f }
            | Self::Backdoor { fraction: f, .. }
            | Self::Mislabeled { fraction: f } => fraction("fraction", *f),
            Self::Region { top_fraction, .. } => fraction("top_fraction", *top_fraction),
            Self::Class { classes } if classes.is_empty() => Err(ConfigError::range(
                format!("{path}.classes"),
                "at least one class",
                "[]",
            )),
            Self::Rows { rows } if rows.is_empty() => Err(ConfigError::range(
                format!("{path}.rows"),
                "at least one row",
                "[]",
            )),
            Self::Suggested { top_k: 0 } => {
                Err(ConfigError::range(format!("{path}.top_k"), "≥ 1", 0))
            }
            _ => Ok(()),
        }
    }
}

impl<'de> Deserialize<'de> for ForgetSpec {
    /// Any kind; the section that holds it checks its kinds and names its path first (see `Experiment::from_json`).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value("forget", &value, UNLEARN_KINDS).map_err(serde::de::Error::custom)
    }
}

/// Reads the fields of one JSON object, naming its path in every error (shared by the sections read by hand).
pub(crate) struct Fields<'a> {
    pub(crate) path: String,
    pub(crate) map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub(crate) fn of(path: &str, value: &'a Value) -> Result<Self, ConfigError> {
        match value {
            Value::Object(map) => Ok(Self {
                path: path.into(),
                map,
            }),
            other => Err(ConfigError::range(path, "an object", other)),
        }
    }

    pub(crate) fn field(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    pub(crate) fn only(&self, allowed: &[&str]) -> Result<(), ConfigError> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(ConfigError::range(
                self.field(k),
                format!("absent (the keys here are {})", allowed.join(", ")),
                &self.map[k],
            )),
            None => Ok(()),
        }
    }

    pub(crate) fn required(&self, key: &str) -> Result<&'a Value, ConfigError> {
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

/// A number, or an error naming `field`.
pub(crate) fn number(field: &str, value: &Value) -> Result<f64, ConfigError> {
    value
        .as_f64()
        .ok_or_else(|| ConfigError::range(field, "a number", value))
}

/// A whole number ≥ 0, or an error naming `field`.
pub(crate) fn whole(field: &str, value: &Value) -> Result<u64, ConfigError> {
    value
        .as_u64()
        .ok_or_else(|| ConfigError::range(field, "a whole number ≥ 0", value))
}
