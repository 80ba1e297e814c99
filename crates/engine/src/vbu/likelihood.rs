//! Log-likelihoods of a data set as functions of the parameters, with their gradients.

use crate::linalg::{dot, log_sigmoid};

/// A log-likelihood log p(D|θ) and its gradient in θ.
pub trait Likelihood {
    /// log p(D|θ) and ∇θ log p(D|θ).
    fn value_grad(&self, theta: &[f64]) -> (f64, Vec<f64>);
}

/// Binary logistic regression: rows `phi` (`n`×`p`, row-major) with labels 0 or 1.
pub struct Logistic {
    /// Feature rows (with a constant 1 for the bias), row-major.
    pub phi: Vec<f64>,
    /// Labels, 0 or 1.
    pub y: Vec<f64>,
    /// Parameters per row.
    pub p: usize,
}

impl Logistic {
    /// P(y = 1 | x, θ) for each row.
    pub fn probabilities(&self, theta: &[f64]) -> Vec<f64> {
        self.phi
            .chunks(self.p)
            .map(|row| 1.0 / (1.0 + (-dot(row, theta)).exp()))
            .collect()
    }
}

impl Likelihood for Logistic {
    fn value_grad(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let mut value = 0.0;
        let mut grad = vec![0.0; self.p];
        for (row, &y) in self.phi.chunks(self.p).zip(&self.y) {
            let z = dot(row, theta);
            value += y * log_sigmoid(z) + (1.0 - y) * log_sigmoid(-z);
            let residual = y - 1.0 / (1.0 + (-z).exp());
            grad.iter_mut()
                .zip(row)
                .for_each(|(g, x)| *g += residual * x);
        }
        (value, grad)
    }
}

/// Linear regression with Gaussian noise of known variance.
pub struct Linear {
    /// Inputs, row-major `n`×`p`.
    pub x: Vec<f64>,
    /// Targets.
    pub y: Vec<f64>,
    /// Parameters per row.
    pub p: usize,
    /// The noise variance.
    pub noise_variance: f64,
}

impl Likelihood for Linear {
    fn value_grad(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let s2 = self.noise_variance;
        let mut value = 0.0;
        let mut grad = vec![0.0; self.p];
        for (row, &y) in self.x.chunks(self.p).zip(&self.y) {
            let r = y - dot(row, theta);
            value += -0.5 * r * r / s2 - 0.5 * (2.0 * std::f64::consts::PI * s2).ln();
            grad.iter_mut().zip(row).for_each(|(g, x)| *g += r * x / s2);
        }
        (value, grad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Source: central finite differences of the value. */
    #[test]
    fn gradients_match_finite_differences() {
        let logistic = Logistic {
            phi: vec![1.0, 0.5, 1.0, -2.0, 1.0, 3.0],
            y: vec![1.0, 0.0, 1.0],
            p: 2,
        };
        let linear = Linear {
            x: vec![1.0, 0.5, 1.0, -2.0],
            y: vec![0.3, -1.0],
            p: 2,
            noise_variance: 0.5,
        };
        let theta = [0.2, -0.7];
        for lik in [&logistic as &dyn Likelihood, &linear] {
            let (_, g) = lik.value_grad(&theta);
            for j in 0..2 {
                let h = 1e-6;
                let (mut a, mut b) = (theta, theta);
                a[j] += h;
                b[j] -= h;
                let fd = (lik.value_grad(&a).0 - lik.value_grad(&b).0) / (2.0 * h);
                assert!((fd - g[j]).abs() < 1e-6, "{fd} vs {}", g[j]);
            }
        }
    }
}
