//! Relearn time: fine-tune a copy of a model on the forget set at the training learning rate until its forget
//! accuracy is back at the trained model's.

use lethe_protocol::TrainConfig;

use crate::audit::relearn::epochs_to_relearn;
use crate::backend::Runtime;
use crate::data::rng::{Rng64, stream};
use crate::error::Result;
use crate::fit::descent::{batch, checkpoint, cross_entropy, minibatches, optimizer, step};
use crate::fit::predict::net_probabilities;
use crate::forget::Sets;
use crate::host::Host;
use crate::metrics::{accuracy, predictions};
use crate::model::Classifier;

/// Relearn time: fine-tune a copy on the forget set at the training learning rate.
pub(super) struct Relearn<'a> {
    pub(super) sets: &'a Sets,
    pub(super) train: &'a TrainConfig,
    pub(super) rt: &'a Runtime,
    /// The trained model's forget accuracy.
    pub(super) target: f64,
    pub(super) seed: u64,
}

impl Relearn<'_> {
    /// Epochs until `model` relearns the forget set (capped at `train.epochs`).
    pub(super) async fn epochs<H: Host>(&self, model: &Classifier, host: &mut H) -> Result<usize> {
        let s = self.sets;
        let mut model = model.clone();
        let mut optim = optimizer(self.train);
        let mut rng = Rng64::new(self.seed, stream::UNLEARN);
        epochs_to_relearn(self.target, self.train.epochs, async |e| {
            if e > 0 {
                for rows in minibatches(s.forget.len(), self.train.batch_size, &mut rng) {
                    let (x, y) = batch(&s.forget, &rows, s.d, &self.rt.device);
                    let loss = cross_entropy(model.forward(x), y);
                    model = step(model.clone(), &mut optim, self.train.learning_rate, loss);
                    checkpoint(host, rows.len()).await?;
                }
            }
            let p = net_probabilities(&model, &s.forget.x, s.d, &self.rt.eval).await?;
            Ok(accuracy(&predictions(&p, s.n_classes), &s.forget.y))
        })
        .await
    }
}
