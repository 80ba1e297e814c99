//! The small datasets scikit-learn 1.9.1 ships (`sklearn/datasets/data/`), embedded in the binaries.
//! BSD-3-Clause, see `www/data/LICENSE.md`. The parsing mirrors scikit-learn's `load_breast_cancer` and
//! `load_digits`, `load_iris` and `load_wine` (`sklearn/datasets/_base.py`).

use std::io::Read;

use super::Dataset;

const BREAST_CANCER_CSV: &str = include_str!("../../../../www/data/breast_cancer.csv");
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../../../../www/data/digits.csv.gz");
const IRIS_CSV: &str = include_str!("../../../../www/data/iris.csv");
const WINE_CSV: &str = include_str!("../../../../www/data/wine_data.csv");

/// Feature names as in scikit-learn's `load_breast_cancer`.
const BREAST_CANCER_FEATURES: [&str; 30] = [
    "mean radius",
    "mean texture",
    "mean perimeter",
    "mean area",
    "mean smoothness",
    "mean compactness",
    "mean concavity",
    "mean concave points",
    "mean symmetry",
    "mean fractal dimension",
    "radius error",
    "texture error",
    "perimeter error",
    "area error",
    "smoothness error",
    "compactness error",
    "concavity error",
    "concave points error",
    "symmetry error",
    "fractal dimension error",
    "worst radius",
    "worst texture",
    "worst perimeter",
    "worst area",
    "worst smoothness",
    "worst compactness",
    "worst concavity",
    "worst concave points",
    "worst symmetry",
    "worst fractal dimension",
];

/// Wisconsin diagnostic breast cancer: 569 × 30, classes malignant (212) and benign (357).
pub fn breast_cancer() -> Dataset {
    with_class_header(
        "Breast cancer (scikit-learn)",
        BREAST_CANCER_CSV,
        &BREAST_CANCER_FEATURES,
    )
}

/// UCI handwritten digits, 8×8 pixels with values 0–16: 1797 × 64, classes 0–9.
pub fn digits() -> Dataset {
    let mut text = String::new();
    flate2::read::GzDecoder::new(DIGITS_CSV_GZ)
        .read_to_string(&mut text)
        .expect("the bundled digits file should decompress");
    let (x, y) = numeric_rows(text.lines(), 64);
    Dataset {
        name: "Digits 8×8 (scikit-learn)".into(),
        x,
        y,
        feature_names: (0..64)
            .map(|i| format!("pixel {},{}", i / 8, i % 8))
            .collect(),
        class_names: (0..10).map(|d| d.to_string()).collect(),
        image_side: Some(8),
    }
}

/// Fisher's iris: 150 × 4 (centimetres), classes setosa, versicolor, virginica (50 each).
pub fn iris() -> Dataset {
    with_class_header(
        "Iris (scikit-learn)",
        IRIS_CSV,
        &[
            "sepal length (cm)",
            "sepal width (cm)",
            "petal length (cm)",
            "petal width (cm)",
        ],
    )
}

/// UCI wine recognition: 178 × 13 chemical measurements, three cultivars (59, 71, 48).
pub fn wine() -> Dataset {
    with_class_header(
        "Wine (scikit-learn)",
        WINE_CSV,
        &[
            "alcohol",
            "malic_acid",
            "ash",
            "alcalinity_of_ash",
            "magnesium",
            "total_phenols",
            "flavanoids",
            "nonflavanoid_phenols",
            "proanthocyanins",
            "color_intensity",
            "hue",
            "od280/od315_of_diluted_wines",
            "proline",
        ],
    )
}

/// The layout scikit-learn's `load_csv_data` reads: a first line `n_samples,n_features,class names…`, then the
/// features and the label per row.
fn with_class_header(name: &str, text: &str, features: &[&str]) -> Dataset {
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .expect("the bundled file should have a header")
        .split(',')
        .collect();
    let (x, y) = numeric_rows(lines, features.len());
    Dataset {
        name: name.into(),
        x,
        y,
        feature_names: features.iter().map(|s| s.to_string()).collect(),
        class_names: header[2..].iter().map(|s| s.trim().to_string()).collect(),
        image_side: None,
    }
}

fn numeric_rows<'a>(lines: impl Iterator<Item = &'a str>, d: usize) -> (Vec<f32>, Vec<u32>) {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(
            cells.len(),
            d + 1,
            "bundled rows should have {d} features and a label"
        );
        x.extend(cells[..d].iter().map(|c| {
            c.trim()
                .parse::<f32>()
                .expect("bundled values should be numbers")
        }));
        y.push(
            cells[d]
                .trim()
                .parse::<f32>()
                .expect("bundled labels should be numbers") as u32,
        );
    }
    (x, y)
}
