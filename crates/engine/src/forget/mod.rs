//! Building the forget set from `unlearn.forget` or `vbu.erase` (one [`ForgetSpec`] for both): random points, whole classes, named rows, or points injected at
//! training time (a backdoor trigger, flipped labels) that are then the ones to forget. Every refusal names the
//! field and the value, and nothing runs after one.

pub mod suggest;

use lethe_protocol::ForgetSpec;

use crate::data::rng::{Rng64, stream};
use crate::data::{Dataset, Prepared, Split, from_split};
use crate::error::{EngineError, Result};
use crate::fit::subset::subset;

/// The data of an unlearning experiment, split into what is forgotten and what is kept.
#[derive(Debug, Clone)]
pub struct Sets {
    /// Features per point.
    pub d: usize,
    /// Number of classes.
    pub n_classes: usize,
    /// The training split as trained on (with injected points for `backdoor` and `mislabeled`).
    pub train: Split,
    /// Positions in `train` of the forget set, ascending.
    pub forget_positions: Vec<usize>,
    /// The forget set.
    pub forget: Split,
    /// The retain set: `train` without the forget set.
    pub retain: Split,
    /// The test split.
    pub test: Split,
    /// For a backdoor: test points of the other classes with the trigger stamped (true labels), and the target.
    pub triggered: Option<(Split, u32)>,
}

impl Sets {
    /// Splits `train` at `positions` (ascending, unique) into forget and retain sets.
    pub fn new(
        data: &Prepared,
        positions: Vec<usize>,
        triggered: Option<(Split, u32)>,
    ) -> Result<Self> {
        let d = data.n_features();
        let n = data.train.len();
        if positions.is_empty() {
            return Err(EngineError::Unlearn(
                "the forget set is empty: nothing to forget (raise unlearn.forget.fraction, or name classes or rows that have training points)".into(),
            ));
        }
        if positions.len() >= n {
            return Err(EngineError::Unlearn(format!(
                "the forget set holds all {n} training points: nothing would be left to learn from"
            )));
        }
        let mut forgotten = vec![false; n];
        positions.iter().for_each(|&p| forgotten[p] = true);
        let take = |keep: bool| {
            let rows: Vec<usize> = (0..n).filter(|&i| forgotten[i] == keep).collect();
            subset(&data.train, &rows, d)
        };
        Ok(Self {
            d,
            n_classes: data.n_classes(),
            train: data.train.clone(),
            forget: take(true),
            retain: take(false),
            forget_positions: positions,
            test: data.test.clone(),
            triggered,
        })
    }

    /// Forgotten points per class.
    pub fn forget_class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.n_classes];
        self.forget.y.iter().for_each(|&y| counts[y as usize] += 1);
        counts
    }
}

/// What training should see: the prepared data (possibly with injected points) and the forget positions, or
/// `None` for `suggested`, whose points are ranked after training.
pub struct Plan {
    /// The data to train on.
    pub data: Prepared,
    /// Positions in `data.train` to forget (`None`: suggested after training).
    pub positions: Option<Vec<usize>>,
    /// Triggered test copy and target class, for a backdoor.
    pub triggered: Option<(Split, u32)>,
}

/// Applies `spec` to `data`: picks the forget set, injecting points first for `backdoor` and `mislabeled`.
/// `plot_feature` is the feature a non-image backdoor trigger sets (the first plotted one, so that it shows).
pub fn plan(
    spec: &ForgetSpec,
    field: &str,
    data: Prepared,
    seed: u64,
    plot_feature: usize,
) -> Result<Plan> {
    let n_train = data.train.len();
    let k = data.n_classes();
    let mut rng = Rng64::new(seed, stream::FORGET);
    let count = |fraction: f64| (fraction * n_train as f64).round() as usize;
    let positions = match spec {
        ForgetSpec::Random { fraction } => sample(
            &(0..n_train).collect::<Vec<_>>(),
            count(*fraction),
            &mut rng,
        ),
        ForgetSpec::Class { classes } => {
            if let Some(&c) = classes.iter().find(|&&c| c as usize >= k) {
                return Err(EngineError::Unlearn(format!(
                    "{field}.classes names class {c}, but the dataset has {k} classes (0 to {})",
                    k - 1
                )));
            }
            (0..n_train)
                .filter(|&i| classes.contains(&data.train.y[i]))
                .collect()
        }
        ForgetSpec::Rows { rows } => rows_to_positions(&data, rows, field)?,
        ForgetSpec::Region {
            feature,
            top_fraction,
        } => region(&data, *feature, *top_fraction, field)?,
        ForgetSpec::Backdoor {
            fraction,
            target_class,
        } => return backdoor(data, *fraction, *target_class, plot_feature, &mut rng),
        ForgetSpec::Mislabeled { fraction } => {
            if k < 2 {
                return Err(EngineError::Unlearn(
                    "mislabeling needs at least 2 classes".into(),
                ));
            }
            let positions = sample(
                &(0..n_train).collect::<Vec<_>>(),
                count(*fraction),
                &mut rng,
            );
            let rows: Vec<usize> = data.train_rows().collect();
            let mut raw = data.raw.clone();
            for &p in &positions {
                let r = rows[p];
                // Another class, uniformly: shift by 1 … k−1.
                raw.y[r] = ((raw.y[r] as usize + 1 + rng.below(k - 1)) % k) as u32;
            }
            let data = from_split(raw, data.is_test.clone(), &data.scaling)?;
            return Ok(Plan {
                data,
                positions: Some(positions),
                triggered: None,
            });
        }
        ForgetSpec::Suggested { .. } => {
            return Ok(Plan {
                data,
                positions: None,
                triggered: None,
            });
        }
    };
    Ok(Plan {
        data,
        positions: Some(positions),
        triggered: None,
    })
}

/// The source paper's moon setting: the `top_fraction` of training positions with the largest values of
/// `feature`, ascending.
fn region(data: &Prepared, feature: usize, top_fraction: f64, field: &str) -> Result<Vec<usize>> {
    let (n, d) = (data.train.len(), data.n_features());
    if feature >= d {
        return Err(EngineError::Unlearn(format!(
            "{field}.feature is {feature}, but the dataset has {d} features (0 to {})",
            d - 1
        )));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| data.train.x[b * d + feature].total_cmp(&data.train.x[a * d + feature]));
    let mut top = order[..((top_fraction * n as f64).round() as usize)].to_vec();
    top.sort_unstable();
    Ok(top)
}

/// `n` of `items`, seeded, in ascending order.
fn sample(items: &[usize], n: usize, rng: &mut Rng64) -> Vec<usize> {
    let mut pool = items.to_vec();
    rng.shuffle(&mut pool);
    pool.truncate(n);
    pool.sort_unstable();
    pool
}

fn rows_to_positions(data: &Prepared, rows: &[usize], field: &str) -> Result<Vec<usize>> {
    let n = data.raw.len();
    let mut position = vec![usize::MAX; n];
    for (p, r) in data.train_rows().enumerate() {
        position[r] = p;
    }
    let mut out = Vec::with_capacity(rows.len());
    for (i, &r) in rows.iter().enumerate() {
        if r >= n {
            return Err(EngineError::Unlearn(format!(
                "{field}.rows[{i}] is row {r}, but the dataset has {n} rows (0 to {})",
                n - 1
            )));
        }
        if data.is_test[r] {
            // The split follows the seed and the generator: name the training rows beside this one, so that a
            // list written for another split is mended in one edit.
            let below = (0..r).rev().find(|&q| !data.is_test[q]);
            let above = (r + 1..n).find(|&q| !data.is_test[q]);
            let nearest = match (below, above) {
                (Some(b), Some(a)) => format!("the nearest training rows are {b} and {a}"),
                (Some(q), None) | (None, Some(q)) => format!("the nearest training row is {q}"),
                (None, None) => "no row is in the training split".into(),
            };
            return Err(EngineError::Unlearn(format!(
                "{field}.rows[{i}] is row {r}, which is in the test split: only training rows can be \
                 forgotten (the split depends on the seed and data.test_fraction; {nearest})"
            )));
        }
        out.push(position[r]);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The value and feature(s) a trigger writes: for square images a bright 2×2 patch in the bottom-right corner
/// (the brightest training pixel value); otherwise `feature` set to its training maximum plus half its range,
/// out of range yet close enough that the standard deviation stays of the same order.
fn stamp(raw: &mut Dataset, row: usize, feature: usize, value: f32) {
    let d = raw.n_features();
    match raw.image_side {
        Some(side) if side >= 2 => {
            for (i, j) in [
                (side - 2, side - 2),
                (side - 2, side - 1),
                (side - 1, side - 2),
                (side - 1, side - 1),
            ] {
                raw.x[row * d + i * side + j] = value;
            }
        }
        _ => raw.x[row * d + feature] = value,
    }
}

fn backdoor(
    data: Prepared,
    fraction: f64,
    target: u32,
    feature: usize,
    rng: &mut Rng64,
) -> Result<Plan> {
    let k = data.n_classes();
    if target as usize >= k {
        return Err(EngineError::Unlearn(format!(
            "unlearn.forget.target_class is {target}, but the dataset has {k} classes (0 to {})",
            k - 1
        )));
    }
    let n = data.train.len();
    let wanted = (fraction * n as f64).round() as usize;
    backdoor_in(
        data,
        &(0..n).collect::<Vec<_>>(),
        wanted,
        target,
        feature,
        rng,
    )
}

/// A backdoor on `wanted` points drawn from the training positions `pool` whose label is not `target` (the
/// federated simulation draws them from the target client's rows only). The plan's positions are the stamped
/// points.
pub fn backdoor_in(
    data: Prepared,
    pool: &[usize],
    wanted: usize,
    target: u32,
    feature: usize,
    rng: &mut Rng64,
) -> Result<Plan> {
    let d = data.n_features();
    let rows: Vec<usize> = data.train_rows().collect();
    let others: Vec<usize> = pool
        .iter()
        .copied()
        .filter(|&p| data.train.y[p] != target)
        .collect();
    let positions = sample(&others, wanted, rng);
    let value = {
        let column: Vec<f32> = match data.raw.image_side {
            Some(_) => rows
                .iter()
                .flat_map(|&r| data.raw.x[r * d..(r + 1) * d].iter().copied())
                .collect(),
            None => rows.iter().map(|&r| data.raw.x[r * d + feature]).collect(),
        };
        let lo = column.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = column.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        match data.raw.image_side {
            Some(_) => hi,
            None => hi + 0.5 * (hi - lo).max(1e-3),
        }
    };
    let mut raw = data.raw.clone();
    for &p in &positions {
        stamp(&mut raw, rows[p], feature, value);
        raw.y[rows[p]] = target;
    }
    let poisoned = from_split(raw, data.is_test.clone(), &data.scaling)?;
    // The triggered test copy: test points of the other classes, stamped, standardised like the training data.
    let mut copy = poisoned.raw.clone();
    let test_rows: Vec<usize> = poisoned
        .test_rows()
        .filter(|&r| poisoned.raw.y[r] != target)
        .collect();
    for &r in &test_rows {
        stamp(&mut copy, r, feature, value);
    }
    let triggered = Split {
        x: test_rows
            .iter()
            .flat_map(|&r| poisoned.standardise(&copy.x[r * d..(r + 1) * d]))
            .collect(),
        y: test_rows.iter().map(|&r| copy.y[r]).collect(),
    };
    Ok(Plan {
        data: poisoned,
        positions: Some(positions),
        triggered: Some((triggered, target)),
    })
}
