//! The light view of a prepared dataset that the page plots; the engine keeps the full data.

use serde::{Deserialize, Serialize};

/// What the page needs to draw a dataset: names, sizes, and a sample of points in the original units.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatasetView {
    /// Human name.
    pub name: String,
    /// Feature names, index = column.
    pub feature_names: Vec<String>,
    /// Class names, index = label.
    pub class_names: Vec<String>,
    /// Training split size.
    pub n_train: usize,
    /// Test split size.
    pub n_test: usize,
    /// Points per class over the whole dataset.
    pub class_counts: Vec<usize>,
    /// Checksum of the standardised data and split (same as the report's).
    pub checksum: String,
    /// Row-major features of the plotted sample, original units: `points.len() == n_points * feature_names.len()`.
    pub points: Vec<f32>,
    /// Label of each plotted point.
    pub labels: Vec<u32>,
    /// Whether each plotted point is in the test split.
    pub is_test: Vec<bool>,
    /// The sample is all the data, or this many points drawn at random (stated on the chart).
    pub sampled_from: usize,
    /// Row of each plotted point in the dataset (what [`crate::Misclassified::row`] refers to).
    pub rows: Vec<u32>,
    /// For image data (features are the pixels of a square image, row-major): the side in pixels.
    pub image_side: Option<usize>,
    /// For more than two features: the first two principal components, fitted on the standardised training split.
    pub pca: Option<Projection>,
    /// For two features: each one's padded range over the whole dataset, in original units. The decision boundary's
    /// grid spans exactly these, so the page draws the points on these axes from the start and only the boundary
    /// changes while a model trains. Absent otherwise (and in views from before this key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plot_ranges: Vec<(f32, f32)>,
}

/// The plotted points projected on two principal components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    /// Coordinates of each plotted point: `coords[2 * i]` on PC1, `coords[2 * i + 1]` on PC2.
    pub coords: Vec<f32>,
    /// Fraction of the total variance each component explains, in [0, 1]; their sum is at most 1.
    pub explained: [f64; 2],
}

impl DatasetView {
    /// Number of plotted points.
    pub fn n_points(&self) -> usize {
        self.labels.len()
    }
    /// Value of feature `f` of plotted point `i`.
    pub fn value(&self, i: usize, f: usize) -> f32 {
        self.points[i * self.feature_names.len() + f]
    }
}

/// Predicted class and confidence on a regular grid over two features (for 2-D data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoundaryGrid {
    /// Range of the first feature, original units.
    pub x_range: (f32, f32),
    /// Range of the second feature, original units.
    pub y_range: (f32, f32),
    /// Cells along each axis.
    pub resolution: usize,
    /// Predicted class per cell, row-major from the bottom-left (`y` outer, `x` inner).
    pub class: Vec<u32>,
    /// Softmax probability of the predicted class per cell.
    pub confidence: Vec<f32>,
}
