//! Variational Bayesian Unlearning (Nguyen, Low & Jaillet, NeurIPS 2020): remove erased data D_e from an
//! approximate posterior q(θ|D) without touching the remaining data D_r.
//!
//! - [`gaussian`]: the variational family, N(μ, L Lᵀ), and its closed forms.
//! - [`likelihood`]: the models' log-likelihoods and gradients: Bayesian logistic regression (on raw features or
//!   random Fourier features) and Bayesian linear regression with known noise, whose exact posterior is the
//!   correctness anchor.
//! - [`fit`]: variational inference (maximising the ELBO) and the EUBO's minimisation, by reparameterised
//!   Monte-Carlo gradients and Adam, in f64 (the models have at most a few dozen parameters).
//! - [`unlearn`]: VBU with the EUBO and with the reverse KL, each with the adjusted likelihood at a threshold λ.
//! - [`predict`]: a posterior's inputs and predictions, and the predictive KL between two models.
//! - [`compare`]: the VBU comparison against VI retrained on the remaining data.
//! - [`run`]: a `bayes_logistic` experiment, with its `vbu` section, end to end.

pub mod compare;
pub mod features;
pub mod fit;
pub mod gaussian;
pub mod likelihood;
pub mod predict;
pub mod run;
pub mod unlearn;
