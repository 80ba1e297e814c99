//! Unlearning: forget sets, the methods (one file each, behind [`Unlearner`]), the state some of them prepare at
//! training time, and the lab that runs them side by side against retraining from scratch.
//!
//! Families, guarantees and needs of each method are declared on [`lethe_protocol::Method`]; what each method
//! does, its defaults and its paper are in `docs/methods/`.

pub mod amnesiac;
pub mod bad_teacher;
pub mod certified;
pub mod descent;
pub mod finetune;
pub mod fisher;
pub mod fitted;
pub mod forget;
pub mod lab;
pub mod neggrad;
pub mod neggrad_plus;
pub mod params;
pub mod random_labels;
pub mod retrain;
pub mod salun;
pub mod scrub;
pub mod settings;
pub mod sisa;
pub mod suggest;
pub mod unsir;

use std::collections::BTreeMap;

use lethe_protocol::{Certificate, ModelConfig, SisaDetails, TrainConfig};

use crate::backend::Runtime;
use crate::error::Result;
use crate::host::Host;
use crate::model::Classifier;

pub use fitted::Fitted;
pub use forget::Sets;

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
    pub log: Option<amnesiac::UpdateLog>,
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
}

impl Unlearned {
    /// A single network after `epochs` epochs.
    pub fn net(model: Classifier, epochs: usize) -> Self {
        Self {
            model: Fitted::Net(model),
            epochs,
            certificate: None,
            sisa: None,
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
