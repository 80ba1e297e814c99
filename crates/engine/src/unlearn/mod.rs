//! Unlearning: forget sets, the methods (one file each, behind [`Unlearner`]), the state some of them prepare at
//! training time, and the lab that runs them side by side against retraining from scratch.
//!
//! Families, guarantees and needs of each method are declared on [`lethe_protocol::Method`]; what each method
//! does, its defaults and its paper are in `docs/methods/`.

pub mod amnesiac;
pub mod bad_teacher;
pub mod certified;
pub mod finetune;
pub mod fisher;
pub mod fitted;
pub mod neggrad;
pub mod neggrad_plus;
pub mod random_labels;
pub mod retrain;
pub mod salun;
pub mod scrub;
pub mod settings;
pub mod sisa;
pub mod unsir;

use std::collections::BTreeMap;

use lethe_protocol::{Certificate, ModelConfig, SisaDetails, TrainConfig};

use crate::backend::Runtime;
use crate::error::Result;
use crate::host::Host;
use crate::model::Classifier;

pub use crate::forget::Sets;
pub use fitted::Fitted;

/// What every method may read: the data, the trained model, its recipe, and the training-time state.
pub struct Context<'a> {
    /// Forget, retain and test sets.
    pub sets: &'a Sets,
    /// The model as trained on the full training split.
    pub original: &'a Classifier,
    /// The model's architecture.
    pub model: &'a ModelConfig,
    /// The training recipe (optimiser, learning rate, batch size, epochs, L2).
    pub train: &'a TrainConfig,
    /// The experiment's seed.
    pub seed: u64,
    /// Where to compute.
    pub rt: &'a Runtime,
    /// Training-time state, present for the methods that asked for it.
    pub state: &'a TrainingState,
}

/// State prepared while training, because a method listed in the experiment needs it.
#[derive(Default)]
pub struct TrainingState {
    /// SISA's shards with their per-slice checkpoints.
    pub sisa: Option<sisa::SisaState>,
    /// The certified solver's model and cached Hessians.
    pub certified: Option<certified::CertifiedState>,
    /// Every training batch's parameter update (amnesiac).
    pub log: Option<crate::train::log::UpdateLog>,
}

/// What a method returns.
pub struct Unlearned {
    /// The unlearned model.
    pub model: Fitted,
    /// Epochs (or passes) the method ran.
    pub epochs: usize,
    /// Certified removal's certificate.
    pub certificate: Option<Certificate>,
    /// What a SISA deletion touched.
    pub sisa: Option<SisaDetails>,
    /// Seconds per run when the method timed itself by repetition (faster than the clock's resolution, which is
    /// 0.1 ms in a browser worker); `None`: the lab's wall time of the call.
    pub seconds: Option<f64>,
    /// The work of a method that computes outside the host's steps (certified removal's Newton work); the others'
    /// work is counted by the lab through the host.
    pub newton: Option<certified::NewtonWork>,
}

/// Runs `f` until at least 20 ms (or 1000 runs) have passed; returns its last result and the seconds per run.
pub fn timed_by_repetition<T>(mut f: impl FnMut() -> Result<T>) -> Result<(T, f64)> {
    let started = web_time::Instant::now();
    let mut runs = 0u32;
    loop {
        let out = f()?;
        runs += 1;
        let elapsed = started.elapsed().as_secs_f64();
        if elapsed >= 0.02 || runs >= 1000 {
            return Ok((out, elapsed / runs as f64));
        }
    }
}

impl Unlearned {
    /// A single network after `epochs` epochs.
    pub fn net(model: Classifier, epochs: usize) -> Self {
        Self {
            model: Fitted::Net(model),
            epochs,
            certificate: None,
            sisa: None,
            seconds: None,
            newton: None,
        }
    }
}

/// An unlearning method: its settings resolved, ready to run on a [`Context`].
pub trait Unlearner {
    /// The settings it runs with, defaults filled in (written into the report's `params`).
    fn params(&self) -> BTreeMap<String, f64>;
    /// Removes the forget set's influence from the trained model (or from the training-time state).
    fn unlearn<H: Host>(
        &self,
        ctx: &Context<'_>,
        host: &mut H,
    ) -> impl std::future::Future<Output = Result<Unlearned>>;
}
