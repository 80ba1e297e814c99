//! Where an experiment's data comes from: the dataset, the user's CSV, the split and the plotted features.

use serde::{Deserialize, Serialize};

use super::defaults;

/// The datasets Lethe knows. Generators take `n_samples`, `noise` (and `classes` for blobs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSource {
    /// Two interleaving half circles (scikit-learn's `make_moons`).
    Moons,
    /// A small circle inside a large one (`make_circles`, factor 0.5).
    Circles,
    /// Two interleaved spiral arms.
    Spiral,
    /// Four quadrants, opposite ones sharing a class.
    Xor,
    /// `classes` isotropic Gaussian blobs.
    Blobs,
    /// scikit-learn's copy of the Wisconsin breast cancer data (569 × 30, 2 classes).
    BreastCancer,
    /// scikit-learn's copy of the UCI handwritten digits (1797 × 64 pixels of 8×8, 10 classes).
    Digits,
    /// scikit-learn's copy of Fisher's iris (150 × 4, 3 classes).
    Iris,
    /// scikit-learn's copy of the UCI wine recognition data (178 × 13, 3 classes).
    Wine,
    /// The user's own CSV file (never stored in the experiment; see [`CsvSpec`]).
    Csv,
}

impl DataSource {
    /// Every source, in the order the page lists them.
    pub const ALL: [DataSource; 10] = [
        Self::Moons,
        Self::Circles,
        Self::Spiral,
        Self::Xor,
        Self::Blobs,
        Self::Iris,
        Self::Wine,
        Self::BreastCancer,
        Self::Digits,
        Self::Csv,
    ];

    /// The snake_case key used in files and URLs.
    pub fn key(self) -> &'static str {
        match self {
            Self::Moons => "moons",
            Self::Circles => "circles",
            Self::Spiral => "spiral",
            Self::Xor => "xor",
            Self::Blobs => "blobs",
            Self::BreastCancer => "breast_cancer",
            Self::Digits => "digits",
            Self::Iris => "iris",
            Self::Wine => "wine",
            Self::Csv => "csv",
        }
    }

    /// The source for a key, if any.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The number of features of a source whose width is fixed (every source but a CSV).
    pub fn feature_count(self) -> Option<usize> {
        match self {
            Self::Moons | Self::Circles | Self::Spiral | Self::Xor | Self::Blobs => Some(2),
            Self::Iris => Some(4),
            Self::Wine => Some(13),
            Self::BreastCancer => Some(30),
            Self::Digits => Some(64),
            Self::Csv => None,
        }
    }

    /// The two features the page plots when this source is picked: for the bundled datasets, the two with the
    /// largest one-way ANOVA F statistic over the whole dataset (scikit-learn 1.9.1 `f_classif`): iris petal length
    /// and width (F 1180, 960), wine flavanoids and proline (234, 208), breast cancer worst concave points and worst
    /// perimeter (964, 898), digits pixels (4,1) and (3,2) (313, 293). Pixel (0,0) of digits is constant.
    pub fn default_plot_features(self) -> [usize; 2] {
        match self {
            Self::Iris => [2, 3],
            Self::Wine => [6, 12],
            Self::BreastCancer => [27, 22],
            Self::Digits => [33, 26],
            _ => [0, 1],
        }
    }

    /// Whether the data is drawn by a generator (and so takes `n_samples` and `noise`).
    pub fn is_generated(self) -> bool {
        matches!(
            self,
            Self::Moons | Self::Circles | Self::Spiral | Self::Xor | Self::Blobs
        )
    }
}

/// How to read the user's CSV. The file itself travels beside the experiment, never inside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvSpec {
    /// The file's name, so that the page can ask for it again and the CLI can find it next to the experiment.
    pub file: String,
    /// The label column: its header name, or its 1-based number. Empty means the last column.
    #[serde(default)]
    pub label_column: String,
    /// A column of `train` and `test` cells that makes the split (its header name or 1-based number; not a
    /// feature); `data.test_fraction` is then unused. Empty (the default): the seeded, stratified split.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub split_column: String,
}

/// Where the data comes from and how it is split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// The dataset.
    pub source: DataSource,
    /// Number of points for generated data.
    #[serde(default = "defaults::n_samples")]
    pub n_samples: usize,
    /// Noise level for generated data (standard deviation, in the generator's units).
    #[serde(default = "defaults::noise")]
    pub noise: f32,
    /// Number of classes for blobs.
    #[serde(default = "defaults::classes")]
    pub classes: usize,
    /// Fraction of points held out for testing (seeded split, stratified by class).
    #[serde(default = "defaults::test_fraction")]
    pub test_fraction: f32,
    /// For `source: "csv"`: which file and which label column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv: Option<CsvSpec>,
    /// The two feature indices shown in the scatter plot.
    #[serde(default = "defaults::plot_features")]
    pub plot_features: [usize; 2],
    /// How features are scaled before the model sees them; when absent, standardised on the training split, or
    /// left raw for an imported model (`model.import`): see [`super::Experiment::scaling`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<Scaling>,
}

/// How the features are scaled before the model sees them: `"standardize"` (zero mean, unit variance on the
/// training split, as scikit-learn's `StandardScaler`), `"none"` (the raw values: a model trained elsewhere on raw
/// features sees what it saw there), or `{ "mean": [...], "std": [...] }` (the statistics a model was trained with,
/// one entry per feature: x ↦ (x − mean) / std).
#[derive(Debug, Clone, PartialEq)]
pub enum Scaling {
    Standardize,
    None,
    Given { mean: Vec<f64>, std: Vec<f64> },
}

impl Serialize for Scaling {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match self {
            Scaling::Standardize => s.serialize_str("standardize"),
            Scaling::None => s.serialize_str("none"),
            Scaling::Given { mean, std } => {
                let mut st = s.serialize_struct("Scaling", 2)?;
                st.serialize_field("mean", mean)?;
                st.serialize_field("std", std)?;
                st.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Scaling {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Given {
            mean: Vec<f64>,
            std: Vec<f64>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Name(String),
            Given(Given),
        }
        const FORMS: &str =
            "\"standardize\", \"none\" or { \"mean\": [numbers], \"std\": [numbers] }";
        match Raw::deserialize(d)
            .map_err(|_| D::Error::custom(format!("data.scaling must be {FORMS}")))?
        {
            Raw::Name(name) if name == "standardize" => Ok(Scaling::Standardize),
            Raw::Name(name) if name == "none" => Ok(Scaling::None),
            Raw::Name(name) => Err(D::Error::custom(format!(
                "data.scaling must be {FORMS}, got \"{name}\""
            ))),
            Raw::Given(Given { mean, std }) => Ok(Scaling::Given { mean, std }),
        }
    }
}
