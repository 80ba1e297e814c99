//! FedAvg over simulated clients: each round, the scheduled clients train a copy of the global model on their own
//! rows (the experiment's `train` recipe for `local_epochs` epochs, a fresh optimiser each round, as plain FedAvg
//! keeps no optimiser state across rounds), and the server averages their parameters weighted by their row counts.
//! The server can keep its history: the global model before every round and the client models of every
//! `retain_every`-th round, which FedEraser replays.

use lethe_protocol::TrainConfig;
use lethe_protocol::federated::RoundPoint;
use web_time::Instant;

use crate::backend::Runtime;
use crate::data::Split;
use crate::data::rng::{Rng64, stream};
use crate::error::Result;
use crate::fit::descent::{fit, optimizer};
use crate::fit::params::{flat, with_flat};
use crate::host::Host;
use crate::model::Classifier;
use crate::unlearn::Fitted;

/// What every FedAvg run of one experiment shares.
pub struct Federation<'a> {
    /// Each client's rows, standardised.
    pub clients: Vec<Split>,
    /// Features per row.
    pub d: usize,
    /// Classes.
    pub n_classes: usize,
    /// The local recipe: the experiment's `train` with `epochs` = `local_epochs`.
    pub local: TrainConfig,
    /// The experiment's seed.
    pub seed: u64,
    /// The backend.
    pub rt: &'a Runtime,
    /// The test split, for the round-by-round curve.
    pub test: &'a Split,
    /// A triggered test copy and its target class, for the backdoor's success per round.
    pub triggered: Option<&'a (Split, u32)>,
}

/// The client models the server kept from one round: (client, its parameters after local training).
pub type RetainedRound = Vec<(usize, Vec<f32>)>;

/// The server's memory of a run.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The global model's parameters before each round (index = round, 0-based) and after the last.
    pub globals: Vec<Vec<f32>>,
    /// For each retained round: the round and each participating client's model after local training.
    pub retained: Vec<(usize, RetainedRound)>,
}

impl History {
    /// Bytes the history takes (32-bit parameters).
    pub fn bytes(&self) -> usize {
        let floats: usize = self.globals.iter().map(Vec::len).sum::<usize>()
            + self
                .retained
                .iter()
                .flat_map(|(_, cs)| cs.iter().map(|(_, w)| w.len()))
                .sum::<usize>();
        floats * 4
    }
}

/// What a FedAvg run leaves.
pub struct FedRun {
    /// The final global model.
    pub model: Classifier,
    /// The server's history, when asked for.
    pub history: Option<History>,
    /// Test accuracy (and backdoor success) after each round.
    pub curve: Vec<RoundPoint>,
    /// Local training work: client epochs.
    pub client_epochs: usize,
    /// Wall time.
    pub seconds: f64,
}

/// Which clients train in each of `rounds` rounds: a seeded `participation` share (at least one), the same for
/// every method of an experiment. `offset` starts the schedule at a later round (continuing a federation).
pub fn schedule(
    clients: usize,
    rounds: usize,
    participation: f64,
    seed: u64,
    offset: usize,
) -> Vec<Vec<usize>> {
    let m = ((participation * clients as f64).round() as usize).clamp(1, clients);
    (offset..offset + rounds)
        .map(|round| {
            let mut rng = Rng64::new(seed.wrapping_add(round as u64), stream::CLIENTS);
            let mut ids: Vec<usize> = (0..clients).collect();
            rng.shuffle(&mut ids);
            ids.truncate(m);
            ids.sort_unstable();
            ids
        })
        .collect()
}

/// The shuffling source of client `k`: one per client for the whole federation, so that a client's shuffles do
/// not depend on which other clients take part (FedRetrain repeats them exactly).
pub fn client_rngs(clients: usize, seed: u64) -> Vec<Rng64> {
    (0..clients)
        .map(|k| {
            Rng64::new(
                seed ^ (k as u64).wrapping_mul(0xA24B_AED4_963E_E407),
                stream::SHUFFLE,
            )
        })
        .collect()
}

/// One client's local training as the federation runs it: a fresh optimiser (FedAvg keeps none across rounds),
/// `recipe.epochs` epochs over the client's `rows`, shuffled by the client's own `rng`, which it leaves where the
/// next round continues. The Python package's `fit_local` runs it outside the simulation.
pub async fn local_fit<H: Host>(
    model: Classifier,
    rows: &Split,
    d: usize,
    recipe: &TrainConfig,
    rng: &mut Rng64,
    device: &burn::prelude::Device,
    host: &mut H,
) -> Result<Classifier> {
    let mut optim = optimizer(recipe);
    fit(model, rows, d, recipe, &mut optim, rng, device, host).await
}

/// The mean of `models` weighted by `weights`, accumulated in f64.
pub fn weighted_mean(models: &[&[f32]], weights: &[f64]) -> Vec<f32> {
    let total: f64 = weights.iter().sum();
    let n = models.first().map_or(0, |m| m.len());
    let mut acc = vec![0f64; n];
    for (m, &w) in models.iter().zip(weights) {
        for (a, &v) in acc.iter_mut().zip(m.iter()) {
            *a += w * v as f64;
        }
    }
    acc.into_iter().map(|a| (a / total) as f32).collect()
}

impl Federation<'_> {
    /// Test accuracy and backdoor success of `model`.
    pub async fn point(&self, round: usize, model: &Classifier) -> Result<RoundPoint> {
        let fitted = Fitted::Net(model.clone());
        let k = self.n_classes;
        let probs = fitted
            .probabilities(&self.test.x, self.d, &self.rt.eval)
            .await?;
        let predicted = crate::metrics::predictions(&probs, k);
        let test_acc = crate::metrics::accuracy(&predicted, &self.test.y);
        let backdoor_asr = match self.triggered {
            Some((split, target)) => {
                let p = fitted
                    .probabilities(&split.x, self.d, &self.rt.eval)
                    .await?;
                let hits = crate::metrics::predictions(&p, k)
                    .iter()
                    .filter(|&&c| c == *target)
                    .count();
                Some(hits as f64 / split.len().max(1) as f64)
            }
            None => None,
        };
        Ok(RoundPoint {
            round,
            test_acc,
            backdoor_asr,
        })
    }

    /// Client `k` trains `global` for `epochs` local epochs.
    pub async fn local<H: Host>(
        &self,
        k: usize,
        global: &Classifier,
        epochs: usize,
        rng: &mut Rng64,
        host: &mut H,
    ) -> Result<Vec<f32>> {
        let recipe = TrainConfig {
            epochs,
            ..self.local.clone()
        };
        let model = local_fit(
            global.clone(),
            &self.clients[k],
            self.d,
            &recipe,
            rng,
            &self.rt.device,
            host,
        )
        .await?;
        flat(&model).await
    }

    /// FedAvg from `start` over `plan` (the clients of each round), leaving `exclude` out, keeping the history when
    /// `retain_every` is given. `label` names the stage for the host; `first_round` numbers the curve.
    #[allow(clippy::too_many_arguments)]
    pub async fn run<H: Host>(
        &self,
        start: Classifier,
        plan: &[Vec<usize>],
        exclude: Option<usize>,
        retain_every: Option<usize>,
        rngs: &mut [Rng64],
        label: &str,
        first_round: usize,
        host: &mut H,
    ) -> Result<FedRun> {
        let started = Instant::now();
        let mut global = start;
        let mut history = retain_every.map(|_| History::default());
        let mut curve = Vec::with_capacity(plan.len());
        let mut client_epochs = 0;
        for (t, participants) in plan.iter().enumerate() {
            host.stage(label, t, plan.len());
            let before = flat(&global).await?;
            let mut locals = Vec::new();
            for &k in participants.iter().filter(|&&k| Some(k) != exclude) {
                let w = self
                    .local(k, &global, self.local.epochs, &mut rngs[k], host)
                    .await?;
                client_epochs += self.local.epochs;
                locals.push((k, w));
            }
            if let Some(h) = history.as_mut() {
                h.globals.push(before);
                if let Some(every) = retain_every
                    && t % every == 0
                {
                    h.retained.push((t, locals.clone()));
                }
            }
            if !locals.is_empty() {
                let weights: Vec<f64> = locals
                    .iter()
                    .map(|(k, _)| self.clients[*k].len() as f64)
                    .collect();
                let models: Vec<&[f32]> = locals.iter().map(|(_, w)| w.as_slice()).collect();
                let mean = weighted_mean(&models, &weights);
                global = with_flat(global, &mean, &self.rt.device);
            }
            curve.push(self.point(first_round + t + 1, &global).await?);
        }
        if let Some(h) = history.as_mut() {
            h.globals.push(flat(&global).await?);
        }
        Ok(FedRun {
            model: global,
            history,
            curve,
            client_epochs,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Source: closed form: weights 1 and 3 over 0 and 4 average to 3; one model averages to itself exactly. */
    #[test]
    fn weighted_means_are_exact_for_one_model() {
        assert_eq!(weighted_mean(&[&[0.0], &[4.0]], &[1.0, 3.0]), vec![3.0]);
        let w = [0.1f32, -3.7e-8, 12345.678];
        assert_eq!(weighted_mean(&[&w], &[417.0]), w.to_vec());
    }

    #[test]
    fn the_schedule_takes_a_share_of_the_clients_each_round() {
        let s = schedule(10, 4, 0.3, 7, 0);
        assert!(s.iter().all(|r| r.len() == 3));
        assert_eq!(s, schedule(10, 4, 0.3, 7, 0), "seeded");
        assert!(
            schedule(3, 2, 0.01, 7, 0).iter().all(|r| r.len() == 1),
            "at least one"
        );
    }
}
