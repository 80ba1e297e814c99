//! Datasets: generators, the bundled scikit-learn copies, CSV import, and the seeded split with standardisation.

mod bundled;
mod csv_import;
mod generators;
pub mod pca;
mod prepare;
pub mod rng;

pub use bundled::{breast_cancer, digits, iris, wine};
pub use csv_import::{MAX_CSV_BYTES, MIN_CSV_ROWS, parse_csv, parse_csv_split};
pub use generators::generate;
pub use prepare::{Prepared, Split, as_given, from_split, prepare, prepare_scaled};
pub use rng::Rng64;

use lethe_protocol::{DataConfig, DataSource};

use crate::error::{EngineError, Result};

/// A labelled dataset in its original units: `x` is row-major `[n, n_features]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Human name.
    pub name: String,
    /// Row-major features.
    pub x: Vec<f32>,
    /// Labels in `0..class_names.len()`.
    pub y: Vec<u32>,
    /// Feature names, one per column.
    pub feature_names: Vec<String>,
    /// Class names, index = label.
    pub class_names: Vec<String>,
    /// For image data (features are the pixels of a square image, row-major): the side in pixels.
    pub image_side: Option<usize>,
}

impl Dataset {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.y.len()
    }
    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }
    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.class_names.len()
    }
    /// Points per class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.n_classes()];
        for &label in &self.y {
            counts[label as usize] += 1;
        }
        counts
    }
}

/// Builds the dataset an experiment names. `csv_text` is the user's file for `source: "csv"`.
pub fn load(config: &DataConfig, seed: u64, csv_text: Option<&str>) -> Result<Dataset> {
    load_split(config, seed, csv_text).map(|(data, _)| data)
}

/// Builds the dataset an experiment names, with the split its CSV gives (`data.csv.split_column`: whether each row
/// is a test row), if any.
pub fn load_split(
    config: &DataConfig,
    seed: u64,
    csv_text: Option<&str>,
) -> Result<(Dataset, Option<Vec<bool>>)> {
    let whole = |data: Dataset| Ok((data, None));
    match config.source {
        DataSource::BreastCancer => whole(breast_cancer()),
        DataSource::Digits => whole(digits()),
        DataSource::Iris => whole(iris()),
        DataSource::Wine => whole(wine()),
        DataSource::Csv => {
            let spec = config
                .csv
                .as_ref()
                .ok_or_else(|| EngineError::Csv("data.csv is missing for source \"csv\"".into()))?;
            let text = csv_text.ok_or_else(|| {
                EngineError::Csv(format!(
                    "the file \"{}\" is needed again: choose it to run this experiment",
                    spec.file
                ))
            })?;
            parse_csv_split(text, &spec.file, &spec.label_column, &spec.split_column)
        }
        _ => whole(generate(config, seed)),
    }
}
