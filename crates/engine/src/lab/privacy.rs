//! The lab's privacy score (`unlearn.privacy_score`): each scored method rerun from the trained model with `runs`
//! seeds, retraining with `runs` seeds and with `runs` more (the floor), each model's logit-scaled confidence on
//! every forget example, and per method the NeurIPS 2023 challenge's score and a LiRA test against retraining
//! (`audit::privacy`).

use std::collections::BTreeMap;

use lethe_protocol::audit::MAX_EPSILONS;
use lethe_protocol::{Method, PrivacyScore, SweepReport, UnlearnRow, WarningKind};

use super::methods::run_method;
use super::steps::Lab;
use crate::audit::privacy::{
    epsilon, epsilon_resolution, forgetting_score, lira_auc, logit_scaled, unlearning_score,
};
use crate::error::Result;
use crate::forget::Sets;
use crate::host::Host;
use crate::metrics::{accuracy, mean_std, predictions};
use crate::unlearn::retrain::retrain;
use crate::unlearn::{Context, Fitted};

/// Fewer runs per side than this, or fewer forget examples, and the score warns that it is coarse.
pub const MIN_READABLE_RUNS: usize = 32;
/// See [`MIN_READABLE_RUNS`].
pub const MIN_READABLE_EXAMPLES: usize = 20;

/// One side's runs: φ per forget example (example-major) and each run's retain and test accuracy.
struct Side {
    phi: Vec<Vec<f64>>,
    retain_acc: Vec<f64>,
    test_acc: Vec<f64>,
}

impl Side {
    fn new(examples: usize) -> Self {
        Self {
            phi: vec![Vec::new(); examples],
            retain_acc: Vec::new(),
            test_acc: Vec::new(),
        }
    }

    /// Adds one model's run.
    async fn add(&mut self, model: &Fitted, sets: &Sets, lab: &Lab<'_>) -> Result<()> {
        let (d, k, eval) = (sets.d, sets.n_classes, &lab.rt.eval);
        let forget = model.probabilities(&sets.forget.x, d, eval).await?;
        for (e, phi) in logit_scaled(&forget, &sets.forget.y, k)
            .into_iter()
            .enumerate()
        {
            self.phi[e].push(phi);
        }
        let retain = model.probabilities(&sets.retain.x, d, eval).await?;
        self.retain_acc
            .push(accuracy(&predictions(&retain, k), &sets.retain.y));
        let test = model.probabilities(&sets.test.x, d, eval).await?;
        self.test_acc
            .push(accuracy(&predictions(&test, k), &sets.test.y));
        Ok(())
    }

    /// The score of this side against `reference`.
    fn score(&self, reference: &Side, runs: usize) -> PrivacyScore {
        let epsilons: Vec<f64> = self
            .phi
            .iter()
            .zip(&reference.phi)
            .map(|(u, r)| epsilon(u, r))
            .collect();
        let forgetting = forgetting_score(&epsilons, runs);
        let mean = |v: &[f64]| mean_std(v).0;
        let mut sorted = epsilons.clone();
        sorted.sort_by(f64::total_cmp);
        let median = match sorted.len() {
            0 => 0.0,
            n if n % 2 == 1 => sorted[n / 2],
            n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        };
        PrivacyScore {
            runs,
            forgetting_score: forgetting,
            unlearning_score: unlearning_score(
                forgetting,
                (mean(&self.retain_acc), mean(&reference.retain_acc)),
                (mean(&self.test_acc), mean(&reference.test_acc)),
            ),
            epsilon_median: median,
            epsilon_resolution: epsilon_resolution(runs),
            epsilons: epsilons.into_iter().take(MAX_EPSILONS).collect(),
            lira_auc: lira_auc(&self.phi, &reference.phi),
        }
    }
}

impl Lab<'_> {
    /// Scores every scored row of `runs` (the retrain row against the floor) and adds the coarse-score warning.
    pub(super) async fn privacy_score<H: Host>(
        &self,
        ctx: &Context<'_>,
        runs: &mut [UnlearnRow],
        sweep: Option<&mut SweepReport>,
        host: &mut H,
    ) -> Result<()> {
        let Some(config) = self.config.privacy_score else {
            return Ok(());
        };
        let n = config.runs;
        let sets = ctx.sets;
        let specs: Vec<_> = self.config.plan().into_iter().skip(1).collect();
        let points = self.config.sweep_points();
        let total = n * (2 + specs.len() + points.len());
        let mut done = 0;
        // Retraining, twice: the reference (seeds seed … seed + n − 1, the lab's retrain seeds first) and the floor.
        let mut sides = Vec::new();
        for (offset, name) in [
            (0, "privacy score: retrain"),
            (n, "privacy score: retrain (floor)"),
        ] {
            let mut side = Side::new(sets.forget.len());
            for i in 0..n {
                host.stage(name, done, total);
                let seed = ctx.seed.wrapping_add((offset + i) as u64);
                let model = retrain(ctx, seed, host).await?;
                side.add(&Fitted::Net(model), sets, self).await?;
                done += 1;
            }
            sides.push(side);
        }
        let floor = sides.pop().expect("two sides");
        let reference = sides.pop().expect("two sides");
        let mut scores: BTreeMap<String, PrivacyScore> = BTreeMap::new();
        scores.insert(Method::Retrain.key().into(), floor.score(&reference, n));
        // Each scored method from the same trained model, its own randomness drawn from seeds seed … seed + n − 1.
        // The sweep's points after the methods, by their place in the grid.
        let mut point_scores = Vec::new();
        for (p, spec) in specs.iter().chain(&points).enumerate() {
            let mut side = Side::new(sets.forget.len());
            let label = match p.checked_sub(specs.len()) {
                None => format!("privacy score: {}", spec.method.key()),
                Some(_) => format!(
                    "privacy score: sweep ({})",
                    super::sweep::words(&spec.settings)
                ),
            };
            for i in 0..n {
                host.stage(&label, done, total);
                let run_ctx = Context {
                    seed: ctx.seed.wrapping_add(i as u64),
                    ..*ctx
                };
                let (unlearned, _) = run_method(spec, &run_ctx, host).await?;
                side.add(&unlearned.model, sets, self).await?;
                done += 1;
            }
            if p < specs.len() {
                scores.insert(spec.method.key().into(), side.score(&reference, n));
            } else {
                point_scores.push(side.score(&reference, n));
            }
        }
        let coarse =
            (n < MIN_READABLE_RUNS || sets.forget.len() < MIN_READABLE_EXAMPLES).then(|| {
                WarningKind::CoarsePrivacyScore {
                    runs: n,
                    examples: sets.forget.len(),
                    min_runs: MIN_READABLE_RUNS,
                    min_examples: MIN_READABLE_EXAMPLES,
                }
            });
        for row in runs.iter_mut() {
            if let Some(score) = scores.remove(&row.run.method) {
                row.audit.privacy_score = Some(score);
                if let Some(w) = &coarse {
                    row.audit.forgetting.warnings.push(w.clone().into());
                }
            }
        }
        if let Some(sweep) = sweep {
            for (point, score) in sweep.points.iter_mut().zip(point_scores) {
                point.row.audit.privacy_score = Some(score);
                if let Some(w) = &coarse {
                    point.row.audit.forgetting.warnings.push(w.clone().into());
                }
            }
            super::sweep::fronts(sweep);
        }
        Ok(())
    }
}
