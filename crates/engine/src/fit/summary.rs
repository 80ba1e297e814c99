//! What a set of points looks like: class counts and per-feature summaries, in the data's original units.

use lethe_protocol::{DataSummary, FeatureSummary};

use crate::data::Dataset;
use crate::metrics::mean_std;

/// Class histogram and per-feature mean, standard deviation, minimum and maximum of dataset `rows`, in the
/// data's original units.
pub fn summarise(raw: &Dataset, rows: &[usize]) -> DataSummary {
    let d = raw.n_features();
    let mut class_counts = vec![0; raw.n_classes()];
    rows.iter()
        .for_each(|&r| class_counts[raw.y[r] as usize] += 1);
    let features = (0..d)
        .map(|f| {
            let values: Vec<f64> = rows.iter().map(|&r| raw.x[r * d + f] as f64).collect();
            let (mean, std) = mean_std(&values);
            FeatureSummary {
                name: raw.feature_names[f].clone(),
                mean,
                std,
                min: values.iter().copied().fold(f64::INFINITY, f64::min),
                max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            }
        })
        .collect();
    DataSummary {
        n: rows.len(),
        class_counts,
        features,
    }
}
