//! Small dense linear algebra in f64, row-major, for the engine's closed-form parts (certified removal's Newton
//! steps, Gaussian posteriors): Cholesky factors and the triangular solves around them.

/// The lower Cholesky factor L (L Lᵀ = `a`) of a symmetric `n`×`n` matrix, or `None` when it is not positive
/// definite.
pub fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s = a[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Solves L z = b for lower-triangular `l`.
pub fn solve_lower(l: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut z = vec![0.0; n];
    for i in 0..n {
        z[i] = (b[i] - (0..i).map(|k| l[i * n + k] * z[k]).sum::<f64>()) / l[i * n + i];
    }
    z
}

/// Solves Lᵀ x = z for lower-triangular `l`.
pub fn solve_lower_transposed(l: &[f64], z: &[f64], n: usize) -> Vec<f64> {
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (z[i] - (i + 1..n).map(|k| l[k * n + i] * x[k]).sum::<f64>()) / l[i * n + i];
    }
    x
}

/// Solves (L Lᵀ) x = b given the Cholesky factor `l`.
pub fn cholesky_solve(l: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    solve_lower_transposed(l, &solve_lower(l, b, n), n)
}

/// The inverse of L Lᵀ given its Cholesky factor.
pub fn cholesky_inverse(l: &[f64], n: usize) -> Vec<f64> {
    let mut inv = vec![0.0; n * n];
    for j in 0..n {
        let mut e = vec![0.0; n];
        e[j] = 1.0;
        let col = cholesky_solve(l, &e, n);
        for i in 0..n {
            inv[i * n + j] = col[i];
        }
    }
    inv
}

/// L Lᵀ.
pub fn lower_times_transpose(l: &[f64], n: usize) -> Vec<f64> {
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            a[i * n + j] = (0..=i.min(j)).map(|k| l[i * n + k] * l[j * n + k]).sum();
        }
    }
    a
}

/// a · b.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The logistic function 1 / (1 + e^−z), without overflow for large |z|.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// ln σ(z), stable for large |z|.
pub fn log_sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        -(-z).exp().ln_1p()
    } else {
        z - z.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Source: closed form: [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]]. */
    #[test]
    fn cholesky_factors_solves_and_inverts() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&a, 2).unwrap();
        assert!(
            (l[0] - 2.0).abs() < 1e-12
                && (l[2] - 1.0).abs() < 1e-12
                && (l[3] - 2f64.sqrt()).abs() < 1e-12
        );
        let x = cholesky_solve(&l, &[2.0, 1.0], 2);
        assert!(
            (4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-12
                && (2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-12
        );
        let inv = cholesky_inverse(&l, 2);
        assert!((inv[0] - 3.0 / 8.0).abs() < 1e-12 && (inv[1] + 2.0 / 8.0).abs() < 1e-12);
        assert_eq!(
            lower_times_transpose(&l, 2)
                .iter()
                .map(|v| v.round())
                .collect::<Vec<_>>(),
            a.to_vec()
        );
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }
}
