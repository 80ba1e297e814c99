//! The experiment's `unlearn` section: which training points to forget, which methods to run against the
//! retrain-from-scratch oracle, and how many retrain seeds make the reference band.
//!
//! It is read by hand from JSON (not by serde's derive) so that every error names its field and value, e.g.
//! `unlearn.methods[2].epochs must be ≥ 1, got 0`, instead of serde's "did not match any variant". The keys are
//! documented in `docs/experiment-format.md`; each method's settings and defaults in `docs/methods/`.

mod method;
mod sweep;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ConfigError;
use crate::forget::{Fields, ForgetSpec, UNLEARN_KINDS, number, whole};
pub use method::{Family, Guarantee, Method, MethodSpec, Need};
use method::{Kind, OPEN_BELOW, methods_rule, setting};
pub use sweep::{MAX_SWEEP_POINTS, SWEEP_NOTE, SweepPoint, SweepReport, SweepSpec, pareto};

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
    /// The per-example privacy score over many runs (absent: off).
    pub privacy_score: Option<PrivacyScoreConfig>,
    /// One method over a grid of its settings, after the listed methods (absent: none).
    pub sweep: Option<SweepSpec>,
}

/// Fewest runs per side of the privacy score.
pub const MIN_SCORE_RUNS: usize = 8;
/// Most runs per side of the privacy score.
pub const MAX_SCORE_RUNS: usize = 128;

/// Fewest bootstrap resamples of the privacy score's intervals.
pub const MIN_SCORE_RESAMPLES: usize = 20;
/// Most bootstrap resamples.
pub const MAX_SCORE_RESAMPLES: usize = 5000;
/// Bootstrap resamples when `unlearn.privacy_score.resamples` is absent.
pub const DEFAULT_SCORE_RESAMPLES: usize = 200;

/// `unlearn.privacy_score`: the NeurIPS 2023 challenge's per-example score and a LiRA test, from `runs` runs of
/// each scored method, `runs` originals (the positive control), `runs` retrains (seeds `seed` … `seed + runs − 1`:
/// the lab's `retrain_seeds` are their first ones) and `runs` more retrains (seeds `seed + runs` … `seed + 2 runs −
/// 1`, the floor: retraining against itself). Original i is trained with seed `seed + i` on the full training set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivacyScoreConfig {
    /// Runs per side.
    pub runs: usize,
    /// Which original each run of a method unlearns; absent: [`Originals::PerRun`], or [`Originals::Shared`] with
    /// `model.import` (your model is the one original). See [`PrivacyScoreConfig::originals`].
    pub originals: Option<Originals>,
    /// Bootstrap resamples behind each forgetting score's 95 % interval.
    pub resamples: usize,
}

impl PrivacyScoreConfig {
    /// `runs` runs per side, per-run originals, the default resamples.
    pub fn new(runs: usize) -> Self {
        Self {
            runs,
            originals: None,
            resamples: DEFAULT_SCORE_RESAMPLES,
        }
    }

    /// The originals in force: as given, or per run (shared with an imported model, `imported`).
    pub fn originals(&self, imported: bool) -> Originals {
        self.originals.unwrap_or(if imported {
            Originals::Shared
        } else {
            Originals::PerRun
        })
    }
}

/// `unlearn.privacy_score.originals`: which trained model run i of a scored method starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Originals {
    /// Run i unlearns original i (seed `seed + i`), as retrain i retrains with its own seed: both sides vary by
    /// their training, so a method is not credited for varying less than retraining (the default).
    PerRun,
    /// Every run unlearns the lab's one trained model (the NeurIPS 2023 challenge's design).
    Shared,
}

impl Originals {
    /// The key in files and reports.
    pub fn key(self) -> &'static str {
        match self {
            Self::PerRun => "per_run",
            Self::Shared => "shared",
        }
    }
}

impl UnlearnConfig {
    /// Reads the section from JSON; errors name the field (`unlearn.methods[2].epochs`) and the value.
    pub fn from_value(value: &Value) -> Result<Self, ConfigError> {
        let top = Fields::of("unlearn", value)?;
        top.only(&[
            "forget",
            "methods",
            "retrain_seeds",
            "privacy_score",
            "sweep",
        ])?;
        let forget =
            ForgetSpec::from_value("unlearn.forget", top.required("forget")?, UNLEARN_KINDS)?;
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
        let privacy_score = match top.map.get("privacy_score") {
            None => None,
            Some(v) => {
                let f = Fields::of("unlearn.privacy_score", v)?;
                f.only(&["runs", "originals", "resamples"])?;
                let runs = whole("unlearn.privacy_score.runs", f.required("runs")?)? as usize;
                let originals = match f.map.get("originals") {
                    None => None,
                    Some(Value::String(s)) if s == "per_run" => Some(Originals::PerRun),
                    Some(Value::String(s)) if s == "shared" => Some(Originals::Shared),
                    Some(other) => {
                        return Err(ConfigError::range(
                            "unlearn.privacy_score.originals",
                            "\"per_run\" or \"shared\"",
                            other,
                        ));
                    }
                };
                let resamples = match f.map.get("resamples") {
                    None => DEFAULT_SCORE_RESAMPLES,
                    Some(v) => whole("unlearn.privacy_score.resamples", v)? as usize,
                };
                Some(PrivacyScoreConfig {
                    runs,
                    originals,
                    resamples,
                })
            }
        };
        let sweep = top
            .map
            .get("sweep")
            .map(SweepSpec::from_value)
            .transpose()?;
        Ok(Self {
            forget,
            methods,
            retrain_seeds,
            privacy_score,
            sweep,
        })
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
        self.forget.validate("unlearn.forget")?;
        if let Some(score) = self.privacy_score {
            if !(MIN_SCORE_RUNS..=MAX_SCORE_RUNS).contains(&score.runs) {
                return Err(ConfigError::range(
                    "unlearn.privacy_score.runs",
                    format!("between {MIN_SCORE_RUNS} and {MAX_SCORE_RUNS}"),
                    score.runs,
                ));
            }
            if !(MIN_SCORE_RESAMPLES..=MAX_SCORE_RESAMPLES).contains(&score.resamples) {
                return Err(ConfigError::range(
                    "unlearn.privacy_score.resamples",
                    format!("between {MIN_SCORE_RESAMPLES} and {MAX_SCORE_RESAMPLES}"),
                    score.resamples,
                ));
            }
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
            if self.methods[..i].iter().any(|m| m.method == spec.method) {
                let why = if stateful {
                    "listed once (its training-time state is prepared once)"
                } else {
                    "listed once (the report has one row per method; to try several settings of one method, use unlearn.sweep)"
                };
                return Err(ConfigError::range(
                    format!("unlearn.methods[{i}]"),
                    why,
                    format!("\"{}\" again", spec.method.key()),
                ));
            }
            for (name, &v) in &spec.settings {
                check_setting(&format!("unlearn.methods[{i}].{name}"), name, v)?;
            }
        }
        if let Some(sweep) = &self.sweep {
            sweep.validate()?;
        }
        Ok(())
    }

    /// The sweep's points, as methods with their settings (none without a sweep).
    pub fn sweep_points(&self) -> Vec<MethodSpec> {
        self.sweep
            .as_ref()
            .map(SweepSpec::points)
            .unwrap_or_default()
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
        let mut value = serde_json::json!({
            "forget": self.forget,
            "methods": Value::Array(methods),
            "retrain_seeds": self.retrain_seeds,
        });
        if let Some(score) = self.privacy_score {
            value["privacy_score"] = serde_json::json!({
                "runs": score.runs,
                "resamples": score.resamples,
            });
            if let Some(o) = score.originals {
                value["privacy_score"]["originals"] = o.key().into();
            }
        }
        if let Some(sweep) = &self.sweep {
            value["sweep"] = sweep.to_value();
        }
        value
    }
}

/// Checks one method setting's value against its range; `field` names it in the error.
pub(crate) fn check_setting(field: &str, name: &str, v: f64) -> Result<(), ConfigError> {
    let (_, _, lo, hi, rule) = setting(name).expect("parsed settings are known");
    let above = if OPEN_BELOW.contains(&name) {
        v > lo
    } else {
        v >= lo
    };
    let below = if name == "delta" { v < hi } else { v <= hi };
    if v.is_finite() && above && below {
        Ok(())
    } else {
        Err(ConfigError::range(field, rule, v))
    }
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
