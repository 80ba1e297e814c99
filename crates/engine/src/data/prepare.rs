//! The seeded, stratified train/test split and the standardisation fitted on the training split only.

use lethe_protocol::report::DatasetSummary;
use lethe_protocol::{DatasetView, Projection, Scaling};

use super::Dataset;
use super::pca::Pca;
use super::rng::{Rng64, stream};
use crate::error::{EngineError, Result};

/// Most points sent to the page for plotting.
const MAX_VIEW_POINTS: usize = 2000;

/// Largest magnitude of a feature value. Beyond it the padded plot range and the decision-boundary grid overflow
/// 32-bit floats (whose largest value is about 3.4e38); the margin keeps every derived number finite.
pub const MAX_ABS_FEATURE: f32 = 1e30;

/// One split, standardised: `x` is row-major `[len, n_features]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Standardised features.
    pub x: Vec<f32>,
    /// Labels.
    pub y: Vec<u32>,
}

impl Split {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.y.len()
    }
    /// Whether the split is empty.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
}

/// A dataset ready to train on.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The data in its original units.
    pub raw: Dataset,
    /// Whether each row of `raw` is in the test split.
    pub is_test: Vec<bool>,
    /// Training split, standardised.
    pub train: Split,
    /// Test split, standardised with the training statistics.
    pub test: Split,
    /// Per-feature mean of the training split.
    pub mean: Vec<f32>,
    /// Per-feature standard deviation of the training split (1 where a feature is constant).
    pub std: Vec<f32>,
    /// FNV-1a 64 of the standardised splits, hex.
    pub checksum: String,
    /// How the features were scaled (`data.scaling`); `mean` and `std` are its statistics (0 and 1 for none).
    pub scaling: Scaling,
}

/// Splits `raw` (stratified by class, seeded) and standardises it with the training split's statistics.
pub fn prepare(raw: Dataset, test_fraction: f32, seed: u64) -> Result<Prepared> {
    prepare_scaled(raw, test_fraction, seed, &Scaling::Standardize)
}

/// Splits `raw` (stratified by class, seeded) and scales it as `scaling` says (`data.scaling`).
pub fn prepare_scaled(
    raw: Dataset,
    test_fraction: f32,
    seed: u64,
    scaling: &Scaling,
) -> Result<Prepared> {
    let mut rng = Rng64::new(seed, stream::SPLIT);
    let mut is_test = vec![false; raw.len()];
    for class in 0..raw.n_classes() as u32 {
        let mut members: Vec<usize> = (0..raw.len()).filter(|&i| raw.y[i] == class).collect();
        rng.shuffle(&mut members);
        // At least one point of each class on each side when the class has two or more.
        let wanted = (members.len() as f64 * test_fraction as f64).round() as usize;
        let n_test = if members.len() >= 2 {
            wanted.clamp(1, members.len() - 1)
        } else {
            0
        };
        for &i in &members[..n_test] {
            is_test[i] = true;
        }
    }
    from_split(raw, is_test, scaling)
}

/// Rows taken as they are, every one for training: no test split, no scaling (`x` row-major, `d` per row, labels
/// below `class_names.len()`). A federated client's local data, already scaled by whoever split it.
pub fn as_given(x: Vec<f32>, y: Vec<u32>, d: usize, class_names: Vec<String>) -> Prepared {
    let raw = Dataset {
        name: "local rows".into(),
        x: x.clone(),
        y: y.clone(),
        feature_names: (0..d).map(|j| format!("x{j}")).collect(),
        class_names,
        image_side: None,
    };
    let train = Split { x, y };
    let test = Split {
        x: Vec::new(),
        y: Vec::new(),
    };
    Prepared {
        is_test: vec![false; raw.len()],
        checksum: checksum(&train, &test),
        raw,
        train,
        test,
        mean: vec![0.0; d],
        std: vec![1.0; d],
        scaling: Scaling::None,
    }
}

/// Scales `raw` as `scaling` says (standardised with the statistics of the rows that `is_test` leaves for training,
/// by default), keeping that split. The unlearning lab uses it after stamping a backdoor trigger or flipping labels
/// on training rows.
pub fn from_split(raw: Dataset, is_test: Vec<bool>, scaling: &Scaling) -> Result<Prepared> {
    check_magnitudes(&raw)?;
    let d = raw.n_features();
    let train_rows: Vec<usize> = (0..raw.len()).filter(|&i| !is_test[i]).collect();
    let test_rows: Vec<usize> = (0..raw.len()).filter(|&i| is_test[i]).collect();
    if train_rows.is_empty() || test_rows.is_empty() {
        return Err(EngineError::Data(format!(
            "the split left {} training and {} test points; both need at least one",
            train_rows.len(),
            test_rows.len()
        )));
    }
    let (mean, std) = match scaling {
        Scaling::Standardize => fit_standardiser(&raw, &train_rows),
        Scaling::None => (vec![0.0; d], vec![1.0; d]),
        Scaling::Given { mean, std } if mean.len() != d => {
            return Err(EngineError::Data(format!(
                "data.scaling has {} means and standard deviations, but the dataset has {d} features",
                mean.len().min(std.len())
            )));
        }
        Scaling::Given { mean, std } => (
            mean.iter().map(|&m| m as f32).collect(),
            std.iter().map(|&s| s as f32).collect(),
        ),
    };
    let take = |rows: &[usize]| Split {
        x: rows
            .iter()
            .flat_map(|&i| (0..d).map(move |f| (i, f)))
            .map(|(i, f)| (raw.x[i * d + f] - mean[f]) / std[f])
            .collect(),
        y: rows.iter().map(|&i| raw.y[i]).collect(),
    };
    let train = take(&train_rows);
    let test = take(&test_rows);
    let checksum = checksum(&train, &test);
    Ok(Prepared {
        raw,
        is_test,
        train,
        test,
        mean,
        std,
        checksum,
        scaling: scaling.clone(),
    })
}

/// Refuses a value that is not finite or beyond [`MAX_ABS_FEATURE`], naming the column, the row and the value.
fn check_magnitudes(raw: &Dataset) -> Result<()> {
    let d = raw.n_features();
    match raw
        .x
        .iter()
        .position(|v| !v.is_finite() || v.abs() > MAX_ABS_FEATURE)
    {
        None => Ok(()),
        Some(at) => {
            let (row, f) = (at / d, at % d);
            let column = raw
                .feature_names
                .get(f)
                .cloned()
                .unwrap_or_else(|| format!("feature {}", f + 1));
            Err(EngineError::Data(format!(
                "column \"{column}\" holds {:e} (data row {}); Lethe takes values within ±{MAX_ABS_FEATURE:e}, beyond which \
                 the plots and the standardisation overflow: rescale the column",
                raw.x[at],
                row + 1
            )))
        }
    }
}

/// Mean and standard deviation (population, as scikit-learn's `StandardScaler`) of the given rows, in f64.
fn fit_standardiser(raw: &Dataset, rows: &[usize]) -> (Vec<f32>, Vec<f32>) {
    let d = raw.n_features();
    let n = rows.len() as f64;
    let mut mean = vec![0f64; d];
    for &i in rows {
        for (f, m) in mean.iter_mut().enumerate() {
            *m += raw.x[i * d + f] as f64;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut var = vec![0f64; d];
    for &i in rows {
        for (f, v) in var.iter_mut().enumerate() {
            let delta = raw.x[i * d + f] as f64 - mean[f];
            *v += delta * delta;
        }
    }
    let std = var
        .iter()
        .map(|v| libm::sqrt(v / n))
        .map(|s| if s > 1e-12 { s as f32 } else { 1.0 })
        .collect();
    (mean.iter().map(|&m| m as f32).collect(), std)
}

/// FNV-1a 64 over the bits of every standardised value and label of both splits.
fn checksum(train: &Split, test: &Split) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: [u8; 4]| {
        for b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for split in [train, test] {
        eat((split.len() as u32).to_le_bytes());
        split.x.iter().for_each(|v| eat(v.to_bits().to_le_bytes()));
        split.y.iter().for_each(|&y| eat(y.to_le_bytes()));
    }
    format!("{h:016x}")
}

impl Prepared {
    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.raw.n_features()
    }
    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.raw.n_classes()
    }

    /// The summary written into reports.
    pub fn summary(&self) -> DatasetSummary {
        DatasetSummary {
            name: self.raw.name.clone(),
            n_features: self.n_features(),
            n_classes: self.n_classes(),
            n_train: self.train.len(),
            n_test: self.test.len(),
            class_names: self.raw.class_names.clone(),
            feature_names: self.raw.feature_names.clone(),
            checksum: self.checksum.clone(),
        }
    }

    /// What the page plots: every point, or a seeded sample of [`MAX_VIEW_POINTS`], in original units.
    pub fn view(&self, seed: u64) -> DatasetView {
        let mut rows: Vec<usize> = (0..self.raw.len()).collect();
        if rows.len() > MAX_VIEW_POINTS {
            Rng64::new(seed, stream::VIEW).shuffle(&mut rows);
            rows.truncate(MAX_VIEW_POINTS);
            rows.sort_unstable();
        }
        let d = self.n_features();
        DatasetView {
            name: self.raw.name.clone(),
            feature_names: self.raw.feature_names.clone(),
            class_names: self.raw.class_names.clone(),
            n_train: self.train.len(),
            n_test: self.test.len(),
            class_counts: self.raw.class_counts(),
            checksum: self.checksum.clone(),
            points: rows
                .iter()
                .flat_map(|&i| self.raw.x[i * d..(i + 1) * d].iter().copied())
                .collect(),
            labels: rows.iter().map(|&i| self.raw.y[i]).collect(),
            is_test: rows.iter().map(|&i| self.is_test[i]).collect(),
            sampled_from: self.raw.len(),
            pca: (d > 2).then(|| self.projection(&rows)),
            rows: rows.iter().map(|&i| i as u32).collect(),
            image_side: self.raw.image_side,
            plot_ranges: if d == 2 {
                (0..2).map(|f| self.padded_range(f)).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The rows projected on the first two principal components of the standardised training split.
    fn projection(&self, rows: &[usize]) -> Projection {
        let d = self.n_features();
        let pca = Pca::fit(&self.train.x, d);
        let coords = rows
            .iter()
            .flat_map(|&i| pca.project(&self.standardise(&self.raw.x[i * d..(i + 1) * d])))
            .map(|c| c as f32)
            .collect();
        Projection {
            coords,
            explained: pca.explained_ratio(),
        }
    }

    /// Dataset rows of the training split, in the split's order (the order of `train.x`).
    pub fn train_rows(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.raw.len()).filter(|&i| !self.is_test[i])
    }

    /// Dataset rows of the test split, in the split's order (the order of `test.x`).
    pub fn test_rows(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.raw.len()).filter(|&i| self.is_test[i])
    }

    /// Range of feature `f` over the raw data, padded by 5 % on each side.
    pub fn padded_range(&self, f: usize) -> (f32, f32) {
        let d = self.n_features();
        let values = (0..self.raw.len()).map(|i| self.raw.x[i * d + f]);
        let (lo, hi) = values.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let pad = ((hi - lo) * 0.05).max(1e-3);
        (lo - pad, hi + pad)
    }

    /// The centres of a `res` × `res` grid over the padded ranges of the two plotted `features` (row-major from the
    /// bottom-left), standardised, with the two ranges in original units: where decision boundaries and predictive
    /// maps are evaluated.
    pub fn plane_grid(
        &self,
        features: [usize; 2],
        res: usize,
    ) -> ((f32, f32), (f32, f32), Vec<f32>) {
        let (xr, yr) = (
            self.padded_range(features[0]),
            self.padded_range(features[1]),
        );
        let centre =
            |(lo, hi): (f32, f32), i: usize| lo + (hi - lo) * (i as f32 + 0.5) / res as f32;
        let mut points = Vec::with_capacity(res * res * 2);
        for j in 0..res {
            for i in 0..res {
                let mut p = [0f32; 2];
                p[features[0]] = centre(xr, i);
                p[features[1]] = centre(yr, j);
                points.extend(self.standardise(&p));
            }
        }
        (xr, yr, points)
    }

    /// Standardises a point given in original units.
    pub fn standardise(&self, point: &[f32]) -> Vec<f32> {
        point
            .iter()
            .zip(self.mean.iter().zip(&self.std))
            .map(|(v, (m, s))| (v - m) / s)
            .collect()
    }
}
