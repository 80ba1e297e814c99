//! Lethe's engine: datasets, models, training and metrics on burn. It imports no UI and runs the same natively
//! (tests, CLI) and in the Web Worker, on burn's CPU backend or on WebGPU.

pub mod audit;
pub mod backend;
pub mod data;
pub mod error;
pub mod federated;
pub mod fit;
pub mod forget;
pub mod host;
pub mod interchange;
pub mod lab;
pub mod linalg;
pub mod metrics;
pub mod model;
pub mod rows;
pub mod run;
pub mod train;
pub mod unlearn;
pub mod vbu;
pub mod weights;

pub use backend::Runtime;
pub use error::{EngineError, Result};
pub use host::{Flow, Host, Straight, Tally};
pub use rows::Ended;
pub use run::{Outcome, prepare_data, run_experiment};

/// Runs a future to completion on the calling thread (native hosts; on the CPU backend every read is ready).
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    futures_executor::block_on(future)
}

/// A model's parameters as one host vector (see [`fit::params`]).
pub async fn params_of(model: &model::Classifier) -> Result<Vec<f32>> {
    fit::params::flat(model).await
}
