//! SISA (Bourtoule et al., IEEE S&P 2021): Sharded, Isolated, Sliced, Aggregated training. The training split is
//! dealt into S shards, each cut into R slices. Constituent k trains in R stages, stage r on slices 1..r, with a
//! checkpoint (model and optimiser state) after each. Deleting a point of shard k, slice r reloads the checkpoint
//! before stage r and retrains stages r..R of shard k only. Predictions average the constituents' probabilities.
//! The result is exactly what SISA training from scratch without the point gives: unlearning is exact.
//!
//! The epochs per stage follow the reference (`sisa.py` of cleverhans-lab/machine-unlearning, its
//! `avg_epochs_per_slice = 2 * slices / (slices + 1) * epochs / slices` and `slice_epochs`): stage r runs
//! ⌊(r + 1)·a⌋ − ⌊r·a⌋ epochs with a = 2E/(R + 1), so that a constituent's total work, over stages that see 1, 2, …,
//! R slices, is about E epochs over its shard: one training of the shard.

use std::collections::BTreeMap;

use burn::optim::ModuleOptimizer;
use lethe_protocol::{MethodSpec, ModelConfig, SisaDetails, TrainConfig};

use super::settings::whole;
use super::{Context, Fitted, Unlearned, Unlearner};
use crate::backend::Runtime;
use crate::data::Split;
use crate::data::rng::{Rng64, stream};
use crate::error::{EngineError, Result};
use crate::fit::descent::{fit, optimizer};
use crate::host::Host;
use crate::metrics::{accuracy, predictions};
use crate::model::Classifier;

/// A constituent model with its optimiser state.
type Checkpoint = (Classifier, ModuleOptimizer);

/// SISA's training-time state: the assignment and every constituent's checkpoints.
pub struct SisaState {
    /// `assignment[k][r]`: training positions in shard k, slice r.
    pub assignment: Vec<Vec<Vec<usize>>>,
    /// `checkpoints[k][r]`: constituent k before stage r; `checkpoints[k][R]` is the trained constituent.
    pub checkpoints: Vec<Vec<Checkpoint>>,
    /// Epochs of each stage ([`stage_epochs`]).
    pub stage_epochs: Vec<usize>,
}

/// The reference's epochs per stage for `epochs` E over `slices` R: stage r runs ⌊(r + 1)·a⌋ − ⌊r·a⌋ epochs, with
/// a = 2E/(R + 1) (a stage may run none when E < (R + 1)/2). They sum to ⌊2RE/(R + 1)⌋, and since stage r trains on
/// r + 1 of the R slices, a constituent's work is about E passes over its shard.
pub fn stage_epochs(epochs: usize, slices: usize) -> Vec<usize> {
    let a = 2.0 * slices as f64 / (slices as f64 + 1.0) * epochs as f64 / slices as f64;
    (0..slices)
        .map(|r| ((r + 1) as f64 * a) as usize - (r as f64 * a) as usize)
        .collect()
}

/// Deals positions `0..n` into `shards` × `slices` groups, seeded: a shuffle, then contiguous cuts.
pub fn assign(n: usize, shards: usize, slices: usize, seed: u64) -> Vec<Vec<Vec<usize>>> {
    let mut order: Vec<usize> = (0..n).collect();
    Rng64::new(seed, stream::UNLEARN).shuffle(&mut order);
    let cut = |items: &[usize], parts: usize| -> Vec<Vec<usize>> {
        (0..parts)
            .map(|p| items[p * items.len() / parts..(p + 1) * items.len() / parts].to_vec())
            .collect()
    };
    cut(&order, shards)
        .into_iter()
        .map(|shard| cut(&shard, slices))
        .collect()
}

/// The seed of shard `k`'s weights and of its stage `r`'s shuffles.
fn seed_of(seed: u64, k: usize, r: usize) -> u64 {
    seed.wrapping_add(((k as u64 + 1) << 32) | r as u64)
}

/// Everything a constituent's training needs.
pub struct Recipe<'a> {
    /// The training split.
    pub split: &'a Split,
    /// Features per point.
    pub d: usize,
    /// Classes.
    pub n_classes: usize,
    /// Architecture.
    pub model: &'a ModelConfig,
    /// Training recipe (its `epochs` are spread over the stages).
    pub train: &'a TrainConfig,
    /// Seed.
    pub seed: u64,
    /// Where to compute.
    pub rt: &'a Runtime,
}

impl Recipe<'_> {
    /// Runs stages `from..R` of shard `k` from `start`, leaving out `forgotten` points; returns the checkpoint
    /// after each stage.
    #[allow(clippy::too_many_arguments)]
    async fn stages<H: Host>(
        &self,
        k: usize,
        slices: &[Vec<usize>],
        from: usize,
        start: Checkpoint,
        forgotten: &[bool],
        epochs: &[usize],
        host: &mut H,
    ) -> Result<Vec<Checkpoint>> {
        let (mut model, mut optim) = start;
        let mut out = Vec::new();
        for r in from..slices.len() {
            let recipe = TrainConfig {
                epochs: epochs[r],
                ..self.train.clone()
            };
            let rows: Vec<usize> = slices[..=r]
                .iter()
                .flatten()
                .copied()
                .filter(|&p| !forgotten[p])
                .collect();
            let data = crate::fit::subset::subset(self.split, &rows, self.d);
            let mut rng = Rng64::new(seed_of(self.seed, k, r), stream::SHUFFLE);
            model = fit(
                model,
                &data,
                self.d,
                &recipe,
                &mut optim,
                &mut rng,
                &self.rt.device,
                host,
            )
            .await?;
            out.push((model.clone(), optim.clone()));
        }
        Ok(out)
    }

    /// SISA training on `assignment`, leaving out `forgotten` points (none at training time; the deleted points
    /// when checking that a deletion equals training from scratch).
    pub async fn train<H: Host>(
        &self,
        assignment: Vec<Vec<Vec<usize>>>,
        forgotten: &[bool],
        host: &mut H,
    ) -> Result<SisaState> {
        let slices = assignment.first().map_or(1, Vec::len);
        let epochs = stage_epochs(self.train.epochs, slices);
        let mut checkpoints = Vec::with_capacity(assignment.len());
        for (k, shard) in assignment.iter().enumerate() {
            let model = Classifier::new(
                self.model,
                self.d,
                self.n_classes,
                seed_of(self.seed, k, 0),
                &self.rt.device,
            );
            let start = (model, optimizer(self.train));
            let mut list = vec![start.clone()];
            list.extend(
                self.stages(k, shard, 0, start, forgotten, &epochs, host)
                    .await?,
            );
            checkpoints.push(list);
        }
        Ok(SisaState {
            assignment,
            checkpoints,
            stage_epochs: epochs,
        })
    }
}

impl SisaState {
    /// The trained constituents.
    pub fn models(&self) -> Vec<Classifier> {
        self.checkpoints
            .iter()
            .map(|c| {
                c.last()
                    .expect("a shard has its final checkpoint")
                    .0
                    .clone()
            })
            .collect()
    }

    /// Deletes the `forgotten` points: each shard holding one retrains from the checkpoint before its earliest
    /// affected slice. Returns the constituents after deletion, the shards and stages retrained, and the epochs
    /// those stages ran.
    pub async fn delete<H: Host>(
        &self,
        recipe: &Recipe<'_>,
        forgotten: &[bool],
        host: &mut H,
    ) -> Result<(Vec<Classifier>, usize, usize, usize)> {
        let (mut shards, mut stages, mut epochs) = (0, 0, 0);
        let mut models = Vec::with_capacity(self.assignment.len());
        for (k, shard) in self.assignment.iter().enumerate() {
            let first = shard
                .iter()
                .position(|slice| slice.iter().any(|&p| forgotten[p]));
            match first {
                None => models.push(
                    self.checkpoints[k]
                        .last()
                        .expect("final checkpoint")
                        .0
                        .clone(),
                ),
                Some(r) => {
                    shards += 1;
                    stages += shard.len() - r;
                    epochs += self.stage_epochs[r..].iter().sum::<usize>();
                    let start = self.checkpoints[k][r].clone();
                    let after = recipe
                        .stages(k, shard, r, start, forgotten, &self.stage_epochs, host)
                        .await?;
                    models.push(after.last().expect("at least one stage").0.clone());
                }
            }
        }
        Ok((models, shards, stages, epochs))
    }
}

/// SISA settings.
pub struct Sisa {
    /// Shards S (default 5).
    pub shards: usize,
    /// Slices per shard R (default 4).
    pub slices: usize,
}

impl Sisa {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, _train: &TrainConfig) -> Self {
        Self {
            shards: whole(spec, "shards", 5),
            slices: whole(spec, "slices", 4),
        }
    }
}

impl Unlearner for Sisa {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("shards".into(), self.shards as f64),
            ("slices".into(), self.slices as f64),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let state = ctx.state.sisa.as_ref().ok_or_else(|| {
            EngineError::Unlearn("sisa needs its shards, which training prepares only when unlearn.methods lists \"sisa\"".into())
        })?;
        let sets = ctx.sets;
        let recipe = Recipe {
            split: &sets.train,
            d: sets.d,
            n_classes: sets.n_classes,
            model: ctx.model,
            train: ctx.train,
            seed: ctx.seed,
            rt: ctx.rt,
        };
        let before = Fitted::Ensemble(state.models())
            .probabilities(&sets.test.x, sets.d, &ctx.rt.eval)
            .await?;
        let test_acc_before = accuracy(&predictions(&before, sets.n_classes), &sets.test.y);
        let mut forgotten = vec![false; sets.train.len()];
        sets.forget_positions
            .iter()
            .for_each(|&p| forgotten[p] = true);
        let (models, shards_retrained, slices_retrained, epochs) =
            state.delete(&recipe, &forgotten, host).await?;
        Ok(Unlearned {
            model: Fitted::Ensemble(models),
            epochs,
            certificate: None,
            sisa: Some(SisaDetails {
                shards: self.shards,
                slices: self.slices,
                shards_retrained,
                slices_retrained,
                test_acc_before,
            }),
            seconds: None,
            newton: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Source: the reference's `slice_epochs = int((sl + 1) * a) - int(sl * a)`, a = 2·R/(R + 1)·E/R, worked by
    hand: E = 40, R = 4 gives a = 16, so 16 epochs a stage; E = 10, R = 4 gives a = 4, stages 4, 4, 4, 4; E = 2,
    R = 4 gives a = 0.8, stages 0, 1, 1, 1; R = 1 gives E. The work, Σ epochs_r · (r + 1)/R passes over the shard,
    is about E. */
    #[test]
    fn stage_epochs_follow_the_reference() {
        assert_eq!(stage_epochs(40, 4), vec![16, 16, 16, 16]);
        assert_eq!(stage_epochs(10, 4), vec![4, 4, 4, 4]);
        assert_eq!(stage_epochs(2, 4), vec![0, 1, 1, 1]);
        assert_eq!(stage_epochs(7, 1), vec![7]);
        assert_eq!(stage_epochs(30, 3), vec![15, 15, 15]);
        for (e, r) in [(40, 4), (30, 3), (20, 8), (60, 5)] {
            let work: f64 = stage_epochs(e, r)
                .iter()
                .enumerate()
                .map(|(i, &n)| n as f64 * (i + 1) as f64 / r as f64)
                .sum();
            assert!(
                (work - e as f64).abs() <= 0.1 * e as f64 + 1.0,
                "E {e}, R {r}: work {work}"
            );
        }
    }
}
