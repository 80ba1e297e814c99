//! Random labels (the RL baseline of SalUn, Fan et al. 2024): fine-tune with the forget set relabelled at random,
//! alongside the retain set with its true labels, so that the model unlearns the forget set's labels without
//! unlearning the task. As the reference (OPTML-Group/Unlearn-Sparse, `unlearn/RL.py`) runs it: each epoch draws
//! new labels for the forget set uniformly over all classes (`np.random.randint(0, args.num_classes, …)`, so a
//! point may keep its own class), joins it to the retain set (`ConcatDataset([forget_dataset, retain_dataset])`)
//! and makes one shuffled pass over the union in minibatches. `exclude_true` draws only other classes.

use std::collections::BTreeMap;

use lethe_protocol::{MethodSpec, TrainConfig};

use super::settings::{fraction_of, real, whole};
use super::{Context, Unlearned, Unlearner};
use crate::data::Split;
use crate::data::rng::{Rng64, stream};
use crate::error::Result;
use crate::fit::descent::{
    batch, checkpoint, cross_entropy, minibatches, optimizer, step, wrong_labels,
};
use crate::fit::params::{flat_tensor, with_flat_tensor};
use crate::host::Host;

/// Random-label settings.
pub struct RandomLabels {
    /// Epochs over the retain set (default 10 % of `train.epochs`, at least 1).
    pub epochs: usize,
    /// Step size (default `train.learning_rate`).
    pub learning_rate: f64,
    /// Draw only classes other than the true one (default off: uniform over all classes, as the reference).
    pub exclude_true: bool,
}

impl RandomLabels {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, train: &TrainConfig) -> Self {
        Self {
            epochs: whole(spec, "epochs", fraction_of(train.epochs, 0.1)),
            learning_rate: real(spec, "learning_rate", train.learning_rate),
            exclude_true: real(spec, "exclude_true", 0.0) != 0.0,
        }
    }
}

impl Unlearner for RandomLabels {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("epochs".into(), self.epochs as f64),
            ("learning_rate".into(), self.learning_rate),
            (
                "exclude_true".into(),
                f64::from(u8::from(self.exclude_true)),
            ),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let model = relabel_loop(
            ctx,
            self.epochs,
            self.learning_rate,
            self.exclude_true,
            None,
            host,
        )
        .await?;
        Ok(Unlearned::net(model, self.epochs))
    }
}

/// Labels drawn for the forget set: uniform over the `k` classes, as the reference draws them, or with
/// `exclude_true` another class than each point's own ([`wrong_labels`]).
pub fn random_labels(y: &[u32], k: usize, exclude_true: bool, rng: &mut Rng64) -> Vec<u32> {
    if exclude_true {
        wrong_labels(y, k, rng)
    } else {
        y.iter().map(|_| rng.below(k.max(1)) as u32).collect()
    }
}

/// The random-label loop, shared with SalUn: each epoch, the forget set with freshly drawn labels joined to the
/// retain set, one shuffled pass over the union. With a `mask` (SalUn), weights outside it are put back to the
/// original's after every step.
pub async fn relabel_loop<H: Host>(
    ctx: &Context<'_>,
    epochs: usize,
    learning_rate: f64,
    exclude_true: bool,
    mask: Option<&burn::prelude::Tensor<1>>,
    host: &mut H,
) -> Result<crate::model::Classifier> {
    let (sets, device) = (ctx.sets, &ctx.rt.device);
    let mut optim = optimizer(ctx.train);
    let mut rng = Rng64::new(ctx.seed, stream::UNLEARN);
    let mut model = ctx.original.clone();
    let original = mask.map(|_| flat_tensor(ctx.original));
    for _ in 0..epochs {
        let drawn = random_labels(&sets.forget.y, sets.n_classes, exclude_true, &mut rng);
        let union = Split {
            x: [sets.forget.x.as_slice(), sets.retain.x.as_slice()].concat(),
            y: [drawn.as_slice(), sets.retain.y.as_slice()].concat(),
        };
        for rows in minibatches(union.len(), ctx.train.batch_size, &mut rng) {
            let (x, y) = batch(&union, &rows, sets.d, device);
            let loss = cross_entropy(model.forward(x), y);
            model = step(model, &mut optim, learning_rate, loss);
            if let (Some(m), Some(o)) = (mask, &original) {
                // θ = m ⊙ θ + (1 − m) ⊙ θ_o
                let now = flat_tensor(&model);
                let kept = m.clone() * now + (m.clone().neg().add_scalar(1.0)) * o.clone();
                model = with_flat_tensor(model, kept);
            }
            checkpoint(host, rows.len()).await?;
        }
    }
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Source: the reference's `np.random.randint(0, num_classes, …)`: uniform over all k classes, the true one
    included. Over 4,000 draws with k = 4, each class is expected 1,000 times, standard deviation
    √(4000 · ¼ · ¾) ≈ 27; 5 standard deviations is 137. With `exclude_true` the true class never comes. */
    #[test]
    fn random_labels_are_uniform_over_all_classes_unless_the_true_one_is_excluded() {
        let y = vec![2u32; 4000];
        let drawn = random_labels(&y, 4, false, &mut Rng64::new(9, 0));
        for c in 0..4 {
            let n = drawn.iter().filter(|&&d| d == c).count() as i64;
            assert!((n - 1000).abs() < 137, "class {c}: {n} of 4000");
        }
        let other = random_labels(&y, 4, true, &mut Rng64::new(9, 0));
        assert!(other.iter().all(|&c| c != 2 && c < 4));
    }
}
