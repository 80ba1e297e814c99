//! The update log: each training batch's rows and parameter update, recorded while training for a method that
//! subtracts them later (amnesiac unlearning). It costs memory (batches × parameters × 4 bytes), so it is capped.

use burn::prelude::*;

use crate::error::{EngineError, Result};
use crate::fit::params::flat_tensor;
use crate::model::Classifier;

/// Most memory the update log may take, in bytes.
pub const MAX_LOG_BYTES: usize = 256 * 1024 * 1024;

/// Each training batch's rows (positions in the training split) and parameter update θ_after − θ_before.
pub struct UpdateLog {
    /// One entry per optimiser step.
    pub steps: Vec<(Vec<usize>, Tensor<1>)>,
    /// Seconds spent recording: the training-time cost of the log.
    pub seconds: f64,
}

impl UpdateLog {
    /// An empty log, after checking that `steps` updates of `parameters` scalars fit under [`MAX_LOG_BYTES`].
    /// `field` names the method's entry in the experiment, for the message.
    pub fn new(steps: usize, parameters: usize, field: &str) -> Result<Self> {
        let bytes = steps.saturating_mul(parameters).saturating_mul(4);
        if bytes > MAX_LOG_BYTES {
            return Err(EngineError::Unlearn(format!(
                "{field} \"amnesiac\" would log {steps} updates of {parameters} parameters ({} MiB), above the {} MiB cap: use fewer train.epochs, a larger train.batch_size or a smaller model",
                bytes / (1024 * 1024),
                MAX_LOG_BYTES / (1024 * 1024)
            )));
        }
        Ok(Self {
            steps: Vec::with_capacity(steps),
            seconds: 0.0,
        })
    }

    /// The parameters before a step, to [`record`](Self::record) after it.
    pub fn snapshot(&mut self, model: &Classifier) -> Tensor<1> {
        let started = web_time::Instant::now();
        let flat = flat_tensor(model);
        self.seconds += started.elapsed().as_secs_f64();
        flat
    }

    /// Records one step: the batch's rows and the change from `before` (a [`snapshot`](Self::snapshot)) to
    /// `after`.
    pub fn record(&mut self, rows: &[usize], before: Tensor<1>, after: &Classifier) {
        let started = web_time::Instant::now();
        let delta = flat_tensor(after) - before;
        self.steps.push((rows.to_vec(), delta));
        self.seconds += started.elapsed().as_secs_f64();
    }
}
