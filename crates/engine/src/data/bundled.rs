//! The small datasets scikit-learn 1.9.1 ships (`sklearn/datasets/data/`), embedded in the binaries.
//! BSD-3-Clause, see `www/data/LICENSE.md`. The parsing mirrors scikit-learn's `load_breast_cancer` and
//! `load_digits` (`sklearn/datasets/_base.py`).

use std::io::Read;

use super::Dataset;

const BREAST_CANCER_CSV: &str = include_str!("../../../../www/data/breast_cancer.csv");
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../../../../www/data/digits.csv.gz");

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
    // First line: "569,30,malignant,benign"; then 30 features and the label per line.
    let mut lines = BREAST_CANCER_CSV.lines();
    let header: Vec<&str> = lines
        .next()
        .expect("the bundled file should have a header")
        .split(',')
        .collect();
    let class_names = header[2..].iter().map(|s| s.to_string()).collect();
    let (x, y) = numeric_rows(lines, 30);
    Dataset {
        name: "Breast cancer (scikit-learn)".into(),
        x,
        y,
        feature_names: BREAST_CANCER_FEATURES
            .iter()
            .map(|s| s.to_string())
            .collect(),
        class_names,
    }
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
