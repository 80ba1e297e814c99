//! Toy 2-D datasets, drawn from a seed. Shapes follow scikit-learn's `make_moons`, `make_circles` and
//! `make_blobs`, and TensorFlow Playground's spiral and XOR. All math goes through `libm` so that the page and
//! the CLI draw the very same points.

use std::f64::consts::PI;

use lethe_protocol::{DataConfig, DataSource};

use super::Dataset;
use super::rng::{Rng64, stream};

/// Draws the generated dataset of `config` (its source must be a generator).
pub fn generate(config: &DataConfig, seed: u64) -> Dataset {
    let mut rng = Rng64::new(seed, stream::DATA);
    let n = config.n_samples;
    let noise = config.noise as f64;
    let (points, labels, k): (Vec<[f64; 2]>, Vec<u32>, usize) = match config.source {
        DataSource::Moons => moons(n, noise, &mut rng),
        DataSource::Circles => circles(n, noise, &mut rng),
        DataSource::Spiral => spiral(n, noise, &mut rng),
        DataSource::Xor => xor(n, noise, &mut rng),
        DataSource::Blobs => blobs(n, config.classes, noise, &mut rng),
        other => unreachable!("{other:?} is not a generator; data::load routes it"),
    };
    // Shuffle so that classes are interleaved, as scikit-learn does with shuffle=True.
    let mut order: Vec<usize> = (0..labels.len()).collect();
    rng.shuffle(&mut order);
    let x = order
        .iter()
        .flat_map(|&i| [points[i][0] as f32, points[i][1] as f32])
        .collect();
    let y = order.iter().map(|&i| labels[i]).collect();
    Dataset {
        name: format!("{} (n={n}, noise={})", name(config.source), config.noise),
        x,
        y,
        feature_names: vec!["x1".into(), "x2".into()],
        class_names: (0..k).map(|c| format!("class {c}")).collect(),
        image_side: None,
    }
}

fn jitter(p: [f64; 2], noise: f64, rng: &mut Rng64) -> [f64; 2] {
    [p[0] + noise * rng.normal(), p[1] + noise * rng.normal()]
}

/// Evenly spaced angles in [0, end], `count` of them (numpy's `linspace`).
fn linspace(end: f64, count: usize, endpoint: bool) -> impl Iterator<Item = f64> {
    let steps = if endpoint {
        count.saturating_sub(1).max(1)
    } else {
        count.max(1)
    };
    (0..count).map(move |i| end * i as f64 / steps as f64)
}

/// scikit-learn `make_moons`: outer arc (cos t, sin t), inner arc (1 − cos t, 1 − sin t − 0.5), t ∈ [0, π].
fn moons(n: usize, noise: f64, rng: &mut Rng64) -> (Vec<[f64; 2]>, Vec<u32>, usize) {
    let n_out = n / 2;
    let n_in = n - n_out;
    let mut pts = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for t in linspace(PI, n_out, true) {
        pts.push(jitter([libm::cos(t), libm::sin(t)], noise, rng));
        ys.push(0);
    }
    for t in linspace(PI, n_in, true) {
        pts.push(jitter(
            [1.0 - libm::cos(t), 1.0 - libm::sin(t) - 0.5],
            noise,
            rng,
        ));
        ys.push(1);
    }
    (pts, ys, 2)
}

/// scikit-learn `make_circles` with factor 0.5: an outer unit circle (class 0) and an inner one of radius 0.5.
fn circles(n: usize, noise: f64, rng: &mut Rng64) -> (Vec<[f64; 2]>, Vec<u32>, usize) {
    let n_out = n / 2;
    let n_in = n - n_out;
    let mut pts = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for (count, radius, label) in [(n_out, 1.0, 0), (n_in, 0.5, 1)] {
        for t in linspace(2.0 * PI, count, false) {
            pts.push(jitter(
                [radius * libm::cos(t), radius * libm::sin(t)],
                noise,
                rng,
            ));
            ys.push(label);
        }
    }
    (pts, ys, 2)
}

/// Two interleaved spiral arms (TensorFlow Playground's `classifySpiralData`): radius grows from 0 to 5 over
/// 1.75 turns; the second arm is the first turned by π. Noise is in units of the radius.
fn spiral(n: usize, noise: f64, rng: &mut Rng64) -> (Vec<[f64; 2]>, Vec<u32>, usize) {
    let half = n / 2;
    let mut pts = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for (label, delta, count) in [(0u32, 0.0, half), (1, PI, n - half)] {
        for i in 0..count {
            let r = i as f64 / count as f64 * 5.0;
            let t = 1.75 * i as f64 / count as f64 * 2.0 * PI + delta;
            pts.push(jitter(
                [r * libm::sin(t), r * libm::cos(t)],
                noise * 5.0,
                rng,
            ));
            ys.push(label);
        }
    }
    (pts, ys, 2)
}

/// XOR (TensorFlow Playground's `classifyXORData`): uniform points in [−1, 1]², kept a margin 0.06 away from the
/// axes; the class is whether x·y > 0, decided before the noise is added.
fn xor(n: usize, noise: f64, rng: &mut Rng64) -> (Vec<[f64; 2]>, Vec<u32>, usize) {
    let mut pts = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for _ in 0..n {
        let pad = |v: f64| if v > 0.0 { v + 0.06 } else { v - 0.06 };
        let p = [
            pad(rng.uniform_in(-0.94, 0.94)),
            pad(rng.uniform_in(-0.94, 0.94)),
        ];
        ys.push(u32::from(p[0] * p[1] > 0.0));
        pts.push(jitter(p, noise, rng));
    }
    (pts, ys, 2)
}

/// scikit-learn `make_blobs`: centres uniform in [−10, 10]², isotropic spread `10 × noise` (noise 0.1 gives
/// scikit-learn's default cluster_std 1.0), classes as equal as `n` allows.
fn blobs(n: usize, k: usize, noise: f64, rng: &mut Rng64) -> (Vec<[f64; 2]>, Vec<u32>, usize) {
    let centres: Vec<[f64; 2]> = (0..k)
        .map(|_| [rng.uniform_in(-10.0, 10.0), rng.uniform_in(-10.0, 10.0)])
        .collect();
    let std = 10.0 * noise;
    let mut pts = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % k;
        pts.push(jitter(centres[c], std, rng));
        ys.push(c as u32);
    }
    (pts, ys, k)
}

/// A generated dataset's name in reports (`dataset.name`).
fn name(source: DataSource) -> &'static str {
    match source {
        DataSource::Moons => "Two moons",
        DataSource::Circles => "Circles",
        DataSource::Spiral => "Spiral",
        DataSource::Xor => "XOR",
        DataSource::Blobs => "Gaussian blobs",
        _ => "generated",
    }
}
