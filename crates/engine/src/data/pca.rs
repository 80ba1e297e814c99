//! Principal component analysis, the first two components: power iteration on `Xᵀ X` of the centred data, the
//! second component kept orthogonal to the first. Only products `X v` are formed, never the covariance matrix, so
//! a wide CSV costs `O(rows × features)` per iteration.

use crate::linalg::dot;

/// Two principal components of a data matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// Per-feature mean of the fitted data.
    pub mean: Vec<f64>,
    /// Unit-length component directions, in feature space. The entry of largest magnitude is positive.
    pub components: [Vec<f64>; 2],
    /// Variance along each component (denominator `n`, like the total).
    pub variance: [f64; 2],
    /// Total variance of the data (sum of the per-feature variances).
    pub total_variance: f64,
}

/// Iterations of the power method at most; it stops earlier once the direction settles.
const MAX_ITERATIONS: usize = 500;
/// Change of the direction (1 − |cos|) under which an iteration counts as settled.
const TOLERANCE: f64 = 1e-12;

impl Pca {
    /// Fits on `x`, row-major `[n, d]`.
    ///
    /// # Panics
    /// If `x.len()` is not a multiple of `d`, or `d` is 0.
    pub fn fit(x: &[f32], d: usize) -> Pca {
        assert!(d > 0 && x.len().is_multiple_of(d), "x must be [n, {d}]");
        let n = x.len() / d;
        let mut mean = vec![0.0; d];
        for row in x.chunks(d) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += v as f64;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n.max(1) as f64);
        let centred: Vec<f64> = x
            .chunks(d)
            .flat_map(|row| row.iter().zip(&mean).map(|(&v, m)| v as f64 - m))
            .collect();
        let total_variance = centred.iter().map(|v| v * v).sum::<f64>() / n.max(1) as f64;
        let first = dominant(&centred, d, None);
        let second = if d > 1 {
            dominant(&centred, d, Some(&first))
        } else {
            vec![0.0]
        };
        let variance = [
            rayleigh(&centred, d, &first, n),
            rayleigh(&centred, d, &second, n),
        ];
        Pca {
            mean,
            components: [first, second],
            variance,
            total_variance,
        }
    }

    /// Fraction of the total variance each component explains (0 for constant data).
    pub fn explained_ratio(&self) -> [f64; 2] {
        if self.total_variance > 0.0 {
            self.variance
                .map(|v| (v / self.total_variance).clamp(0.0, 1.0))
        } else {
            [0.0, 0.0]
        }
    }

    /// Coordinates of one row on the two components.
    pub fn project(&self, row: &[f32]) -> [f64; 2] {
        let centred = row.iter().zip(&self.mean).map(|(&v, m)| v as f64 - m);
        let mut out = [0.0; 2];
        for (k, component) in self.components.iter().enumerate() {
            out[k] = centred.clone().zip(component).map(|(v, c)| v * c).sum();
        }
        out
    }
}

/// `Xᵀ (X v)` for centred row-major `x`.
fn gram_times(x: &[f64], d: usize, v: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; d];
    for row in x.chunks(d) {
        let s: f64 = row.iter().zip(v).map(|(a, b)| a * b).sum();
        for (o, a) in out.iter_mut().zip(row) {
            *o += s * a;
        }
    }
    out
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// Removes the part of `v` along the unit vector `u`.
fn orthogonalise(v: &mut [f64], u: &[f64]) {
    let p = dot(v, u);
    v.iter_mut().zip(u).for_each(|(a, b)| *a -= p * b);
}

/// The dominant eigenvector of `Xᵀ X`, restricted to the complement of `against` when given.
fn dominant(x: &[f64], d: usize, against: Option<&[f64]>) -> Vec<f64> {
    // A fixed, generic start (not an axis, which could be orthogonal to the answer).
    let mut v: Vec<f64> = (0..d)
        .map(|i| 1.0 + (i as f64 * 0.618_034).fract())
        .collect();
    if let Some(u) = against {
        orthogonalise(&mut v, u);
    }
    let n0 = norm(&v);
    v.iter_mut().for_each(|a| *a /= n0);
    for _ in 0..MAX_ITERATIONS {
        let mut next = gram_times(x, d, &v);
        if let Some(u) = against {
            orthogonalise(&mut next, u);
        }
        let n = norm(&next);
        if n <= f64::EPSILON {
            break; // no variance left in this subspace: any unit direction will do
        }
        next.iter_mut().for_each(|a| *a /= n);
        let settled = 1.0 - dot(&next, &v).abs() < TOLERANCE;
        v = next;
        if settled {
            break;
        }
    }
    // Sign convention: the entry of largest magnitude is positive.
    let biggest = v
        .iter()
        .copied()
        .fold(0.0f64, |m, a| if a.abs() > m.abs() { a } else { m });
    if biggest < 0.0 {
        v.iter_mut().for_each(|a| *a = -*a);
    }
    v
}

/// Variance of the data along unit vector `v`: `|X v|² / n`.
fn rayleigh(x: &[f64], d: usize, v: &[f64], n: usize) -> f64 {
    x.chunks(d).map(|row| dot(row, v).powi(2)).sum::<f64>() / n.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Closed form: the points (±a, 0) and (0, ±b), rotated by 45°, have mean 0 and covariance (denominator n)
    R diag(a²/2, b²/2) Rᵀ. So with a = 4, b = 2 the components are (1, 1)/√2 and (−1, 1)/√2 up to sign, the
    variances 8 and 2, the ratios 0.8 and 0.2. */
    #[test]
    fn matches_the_closed_form_on_a_rotated_cross() {
        let r = std::f64::consts::FRAC_1_SQRT_2;
        let rotate = |x: f64, y: f64| [(r * (x - y)) as f32, (r * (x + y)) as f32];
        let points: Vec<f32> = [(4.0, 0.0), (-4.0, 0.0), (0.0, 2.0), (0.0, -2.0)]
            .iter()
            .flat_map(|&(x, y)| rotate(x, y))
            .collect();
        let pca = Pca::fit(&points, 2);
        assert!((pca.variance[0] - 8.0).abs() < 1e-5, "{:?}", pca.variance);
        assert!((pca.variance[1] - 2.0).abs() < 1e-5, "{:?}", pca.variance);
        assert!((pca.total_variance - 10.0).abs() < 1e-5);
        let [first, second] = pca.explained_ratio();
        assert!((first - 0.8).abs() < 1e-6 && (second - 0.2).abs() < 1e-6);
        // (1, 1)/√2, largest entry positive.
        assert!((pca.components[0][0] - r).abs() < 1e-6 && (pca.components[0][1] - r).abs() < 1e-6);
        assert!(dot(&pca.components[0], &pca.components[1]).abs() < 1e-9);
        // The point (4, 0) before rotation sits at +4 on PC1 and 0 on PC2.
        let p = pca.project(&points[0..2]);
        assert!((p[0] - 4.0).abs() < 1e-5 && p[1].abs() < 1e-5, "{p:?}");
    }

    /* Closed form: independent axes with variances 9, 4 and 1 (points ±3, ±2, ±1 on each axis, as a 6-point
    star): the components are the axes in order and the ratios 9/14 and 4/14. */
    #[test]
    fn finds_axis_aligned_components_in_order() {
        let mut x = Vec::new();
        for (axis, s) in [(0, 3.0f32), (1, 2.0), (2, 1.0)] {
            for sign in [1.0, -1.0] {
                let mut p = [0.0f32; 3];
                p[axis] = sign * s * 3f32.sqrt();
                x.extend(p);
            }
        }
        let pca = Pca::fit(&x, 3);
        let [a, b] = pca.explained_ratio();
        assert!(
            (a - 9.0 / 14.0).abs() < 1e-6 && (b - 4.0 / 14.0).abs() < 1e-6,
            "{a} {b}"
        );
        assert!((pca.components[0][0] - 1.0).abs() < 1e-6);
        assert!((pca.components[1][1] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn constant_data_explains_nothing() {
        let pca = Pca::fit(&[1.0, 2.0, 1.0, 2.0, 1.0, 2.0], 2);
        assert_eq!(pca.explained_ratio(), [0.0, 0.0]);
    }
}
