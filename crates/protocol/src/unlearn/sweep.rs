//! `unlearn.sweep`: one method over a small grid of its settings (at most [`MAX_SWEEP_POINTS`] points), each point
//! run on the same trained model and measured against the same retrain as the lab's methods, and the report's
//! `sweep` section: every point's row, and which points lie on the Pareto front of cost (`sample_grads`, less is
//! better) against closeness to retraining (`tow`, more is better; and the privacy score's `forgetting_score`, more
//! is better, where it was computed). The grid is tuned against the retrain, which a real deployment does not have:
//! the report and the page say so.
//!
//! ```json
//! "sweep": { "method": "finetune", "grid": { "epochs": [1, 2, 4], "learning_rate": [0.01, 0.1] } }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::method::{Kind, Method, MethodSpec, setting};
use crate::ConfigError;
use crate::forget::{Fields, number, whole};
use crate::report::UnlearnRow;

/// Most points a sweep runs.
pub const MAX_SWEEP_POINTS: usize = 25;

/// The `unlearn.sweep` section.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    /// The method swept.
    pub method: Method,
    /// Each swept setting's values, in the order given; settings by name.
    pub grid: BTreeMap<String, Vec<f64>>,
}

impl Method {
    /// Whether a sweep can run it: methods that start from the trained model with no training-time state prepared
    /// once for the whole lab (SISA's shards, the certified model and amnesiac's log are built once, with one
    /// setting), and not the oracle itself.
    pub fn sweepable(self) -> bool {
        !matches!(
            self,
            Method::Retrain | Method::Sisa | Method::Certified | Method::Amnesiac
        )
    }
}

impl SweepSpec {
    /// Reads the section; errors name the field (`unlearn.sweep.grid.epochs[1]`) and the value.
    pub fn from_value(value: &Value) -> Result<Self, ConfigError> {
        let top = Fields::of("unlearn.sweep", value)?;
        top.only(&["method", "grid"])?;
        let name = top.required("method")?;
        let method = name.as_str().and_then(Method::from_key).ok_or_else(|| {
            ConfigError::range("unlearn.sweep.method", super::method::methods_rule(), name)
        })?;
        let grid_value = top.required("grid")?;
        let grid_fields = Fields::of("unlearn.sweep.grid", grid_value)?;
        let mut grid = BTreeMap::new();
        for (key, values) in grid_fields.map.iter() {
            let field = format!("unlearn.sweep.grid.{key}");
            if !method.settings().contains(&key.as_str()) {
                let rule = match method.settings() {
                    [] => format!("absent: \"{}\" takes no settings", method.key()),
                    some => format!("absent: \"{}\" takes {}", method.key(), some.join(", ")),
                };
                return Err(ConfigError::range(field, rule, values));
            }
            let Value::Array(items) = values else {
                return Err(ConfigError::range(field, "a list of values to try", values));
            };
            let (_, kind, ..) = setting(key).expect("every listed setting is in SETTINGS");
            let parsed = items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let f = format!("{field}[{i}]");
                    match kind {
                        Kind::Whole => whole(&f, v).map(|x| x as f64),
                        Kind::Real => number(&f, v),
                    }
                })
                .collect::<Result<Vec<f64>, _>>()?;
            grid.insert(key.clone(), parsed);
        }
        Ok(Self { method, grid })
    }

    /// Checks the method, each value's range, and the grid's size.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !self.method.sweepable() {
            return Err(ConfigError::range(
                "unlearn.sweep.method",
                "a method that runs from the trained model without training-time state (not \"retrain\", \"sisa\", \"certified\" or \"amnesiac\")",
                format!("\"{}\"", self.method.key()),
            ));
        }
        if self.grid.is_empty() {
            return Err(ConfigError::range(
                "unlearn.sweep.grid",
                format!(
                    "at least one of \"{}\"'s settings with values to try",
                    self.method.key()
                ),
                "{}",
            ));
        }
        for (name, values) in &self.grid {
            let field = format!("unlearn.sweep.grid.{name}");
            if values.is_empty() {
                return Err(ConfigError::range(field, "at least one value", "[]"));
            }
            for (i, &v) in values.iter().enumerate() {
                super::check_setting(&format!("{field}[{i}]"), name, v)?;
                if values[..i].contains(&v) {
                    return Err(ConfigError::range(
                        format!("{field}[{i}]"),
                        "a value not listed before",
                        v,
                    ));
                }
            }
        }
        let sizes: Vec<usize> = self.grid.values().map(Vec::len).collect();
        let points: usize = sizes.iter().product();
        if points > MAX_SWEEP_POINTS {
            let product: Vec<String> = sizes.iter().map(|s| s.to_string()).collect();
            return Err(ConfigError::range(
                "unlearn.sweep.grid",
                format!("at most {MAX_SWEEP_POINTS} points"),
                format!("{points} points ({})", product.join(" × ")),
            ));
        }
        Ok(())
    }

    /// The points, as methods with their settings: every combination, the first setting by name varying slowest.
    pub fn points(&self) -> Vec<MethodSpec> {
        let mut points = vec![BTreeMap::new()];
        for (name, values) in &self.grid {
            points = points
                .into_iter()
                .flat_map(|p: BTreeMap<String, f64>| {
                    values.iter().map(move |&v| {
                        let mut p = p.clone();
                        p.insert(name.clone(), v);
                        p
                    })
                })
                .collect();
        }
        points
            .into_iter()
            .map(|settings| MethodSpec {
                method: self.method,
                settings,
            })
            .collect()
    }

    /// The JSON form, as written in files.
    pub fn to_value(&self) -> Value {
        let mut grid = Map::new();
        for (name, values) in &self.grid {
            let (_, kind, ..) = setting(name).expect("parsed settings are known");
            let list = values
                .iter()
                .map(|&v| match kind {
                    Kind::Whole => Value::from(v as u64),
                    Kind::Real => Value::from(v),
                })
                .collect();
            grid.insert(name.clone(), Value::Array(list));
        }
        serde_json::json!({ "method": self.method.key(), "grid": Value::Object(grid) })
    }
}

/// The report's `sweep` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    /// The method swept.
    pub method: String,
    /// Points the grid holds; `points` has fewer when the sweep was cancelled.
    pub planned: usize,
    /// Whether the user cancelled the sweep (the finished points are kept, the privacy score is not computed).
    pub cancelled: bool,
    /// What the front means, for a reader of the file alone.
    pub note: String,
    /// The finished points, in the grid's order.
    pub points: Vec<SweepPoint>,
}

/// One point of the sweep: its settings, whether it is on a front, and its row (the lab's keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// The swept settings' values at this point (`params` holds every setting in force).
    pub settings: BTreeMap<String, f64>,
    /// On the Pareto front of `sample_grads` (less) against `tow` (more).
    pub front: bool,
    /// On the Pareto front of `sample_grads` (less) against the privacy score's `forgetting_score` (more), where the
    /// score was computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub front_score: Option<bool>,
    /// The run's row, as the lab's methods have.
    #[serde(flatten)]
    pub row: UnlearnRow,
}

/// The report's note on what the sweep tuned against.
pub const SWEEP_NOTE: &str = "Tuned against the retrained model, which a real deployment does not have: the front shows what each setting can reach, not a setting chosen without the oracle.";

/// Which of `points` (cost, closeness) lie on the Pareto front: no other point costs no more and comes at least as
/// close, and one of the two strictly. A point without closeness is never on it.
pub fn pareto(points: &[(f64, Option<f64>)]) -> Vec<bool> {
    points
        .iter()
        .map(|&(cost, close)| {
            let Some(close) = close.filter(|c| c.is_finite()) else {
                return false;
            };
            !points.iter().any(|&(c2, other)| match other {
                Some(o) if o.is_finite() => c2 <= cost && o >= close && (c2 < cost || o > close),
                _ => false,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> Result<SweepSpec, ConfigError> {
        let s = SweepSpec::from_value(&serde_json::from_str(json).unwrap())?;
        s.validate().map(|_| s)
    }

    #[test]
    fn the_grid_expands_to_every_combination_and_round_trips() {
        let s = spec(r#"{"method": "finetune", "grid": {"epochs": [1, 2], "learning_rate": [0.01, 0.1, 0.5]}}"#)
            .unwrap();
        let points = s.points();
        assert_eq!(points.len(), 6);
        assert_eq!(points[0].get("epochs"), Some(1.0));
        assert_eq!(points[0].get("learning_rate"), Some(0.01));
        assert_eq!(points[5].get("epochs"), Some(2.0));
        assert_eq!(points[5].get("learning_rate"), Some(0.5));
        assert_eq!(SweepSpec::from_value(&s.to_value()).unwrap(), s);
    }

    #[test]
    fn a_bad_sweep_is_refused_by_field_and_value() {
        let cases = [
            (
                r#"{"method": "sisa", "grid": {"shards": [2, 4]}}"#,
                "unlearn.sweep.method",
            ),
            (r#"{"method": "nope", "grid": {}}"#, "unlearn.sweep.method"),
            (
                r#"{"method": "finetune", "grid": {}}"#,
                "unlearn.sweep.grid",
            ),
            (
                r#"{"method": "finetune", "grid": {"alpha": [1]}}"#,
                "unlearn.sweep.grid.alpha",
            ),
            (
                r#"{"method": "finetune", "grid": {"epochs": [1, 0]}}"#,
                "unlearn.sweep.grid.epochs[1]",
            ),
            (
                r#"{"method": "finetune", "grid": {"epochs": [1.5]}}"#,
                "unlearn.sweep.grid.epochs[0]",
            ),
            (
                r#"{"method": "finetune", "grid": {"epochs": [2, 2]}}"#,
                "unlearn.sweep.grid.epochs[1]",
            ),
            (
                r#"{"method": "finetune", "grid": {"epochs": 2}}"#,
                "unlearn.sweep.grid.epochs",
            ),
            (
                r#"{"method": "finetune", "grid": {"epochs": []}}"#,
                "unlearn.sweep.grid.epochs",
            ),
            (
                r#"{"method": "finetune", "grid": {"epochs": [1,2,3,4,5,6], "learning_rate": [0.1,0.2,0.3,0.4,0.5]}}"#,
                "30 points (6 × 5)",
            ),
            (
                r#"{"method": "finetune", "grids": {}}"#,
                "unlearn.sweep.grids",
            ),
        ];
        for (json, expected) in cases {
            let message = spec(json).unwrap_err().to_string();
            assert!(message.contains(expected), "{json}: {message}");
        }
        // 25 points is the most.
        spec(r#"{"method": "finetune", "grid": {"epochs": [1,2,3,4,5], "learning_rate": [0.1,0.2,0.3,0.4,0.5]}}"#)
            .unwrap();
    }

    /// The front by hand: (1, .5) and (4, .9) trade off; (2, .4) costs more than (1, .5) and is further; (4, .9)
    /// and (5, .9): the cheaper one wins; a point without closeness is never on it.
    #[test]
    fn the_front_keeps_the_points_no_other_beats_on_both() {
        let front = pareto(&[
            (1.0, Some(0.5)),
            (2.0, Some(0.4)),
            (4.0, Some(0.9)),
            (5.0, Some(0.9)),
            (0.5, None),
        ]);
        assert_eq!(front, vec![true, false, true, false, false]);
        // Equal points are both on it.
        assert_eq!(
            pareto(&[(1.0, Some(0.5)), (1.0, Some(0.5))]),
            vec![true, true]
        );
    }
}
