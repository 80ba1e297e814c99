//! The lab's privacy score (`unlearn.privacy_score`): `runs` originals trained on the full training set (seeds
//! `seed + 2 runs` … `seed + 3 runs − 1`), each scored method run `runs` times (run i from original i, or every run from the
//! lab's trained model with `originals: "shared"`), retraining with `runs` seeds and with `runs` more (the floor);
//! each model's logit-scaled confidence on every forget example; and per row the NeurIPS 2023 challenge's score with
//! a bootstrap interval and a LiRA test against retraining (`audit::privacy`). The originals against retraining are
//! the positive control (the `train` row): where they score inside the floor's interval or above, the setting holds no
//! membership signal and every scored row says so.

use std::collections::BTreeMap;

use lethe_protocol::audit::MAX_EPSILONS;
use lethe_protocol::{
    Method, MethodSpec, Originals, PrivacyScore, PrivacyScoreConfig, SignalMetric, SweepReport,
    UnlearnRow, WarningKind,
};

use super::methods::run_method;
use super::steps::Lab;
use crate::audit::privacy::{
    epsilon_resolution, epsilons, forgetting_interval, forgetting_score, lira_auc, logit_scaled,
    unlearning_score,
};
use crate::error::EngineError;
use crate::error::Result;
use crate::forget::Sets;
use crate::host::Host;
use crate::host::Quiet;
use crate::metrics::{accuracy, mean_std, predictions};
use crate::model::Classifier;
use crate::train::log::UpdateLog;
use crate::train::train_logged;
use crate::unlearn::retrain::{from_scratch, retrain};
use crate::unlearn::{Context, Fitted, TrainingState};

/// Fewer runs per side than this, or fewer forget examples, and the score warns that it is coarse.
pub const MIN_READABLE_RUNS: usize = 32;
/// See [`MIN_READABLE_RUNS`].
pub const MIN_READABLE_EXAMPLES: usize = 20;

/// How the intervals are drawn, in the report's words.
const CI_METHOD: &str = "bootstrap, seeded: both sides' runs and the forget examples resampled with replacement; the 2.5th to 97.5th percentile spread, centred on the score by the resamples' median";

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

    /// The score of this side against `reference`, with its bootstrap interval.
    fn score(
        &self,
        reference: &Side,
        config: &PrivacyScoreConfig,
        originals: Option<Originals>,
        seed: u64,
    ) -> PrivacyScore {
        let runs = config.runs;
        let epsilons = epsilons(&self.phi, &reference.phi);
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
            forgetting_score_ci: forgetting_interval(
                &self.phi,
                &reference.phi,
                forgetting,
                runs,
                config.resamples,
                seed,
            ),
            ci_method: CI_METHOD.into(),
            ci_resamples: config.resamples,
            originals,
        }
    }
}

impl Lab<'_> {
    /// Scores every scored row of `runs` (the `train` row: the originals against retraining, the positive control;
    /// the `retrain` row: the floor) and adds the warnings. `shared_log` is amnesiac's log of the lab's training.
    pub(super) async fn privacy_score<H: Host>(
        &self,
        ctx: &Context<'_>,
        mut shared_log: Option<UpdateLog>,
        runs: &mut [UnlearnRow],
        sweep: Option<&mut SweepReport>,
        host: &mut H,
    ) -> Result<()> {
        let Some(config) = self.config.privacy_score else {
            return Ok(());
        };
        let n = config.runs;
        let sets = ctx.sets;
        let specs: Vec<MethodSpec> = self.config.plan().into_iter().skip(1).collect();
        let n_methods = specs.len();
        let scored: Vec<MethodSpec> = specs
            .into_iter()
            .chain(self.config.sweep_points())
            .collect();
        let total = n * (3 + scored.len());
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
        // Run i: original i, then the training-time state (SISA's shards, the certified model's noise, amnesiac's log
        // of original i) and each scored method with its own randomness, both drawn from seed + i, from original i
        // or, shared, from the lab's trained model. Original i is trained with seed + 2n + i: a seed no retrain
        // uses. With seed + i it would share retrain i's initial weights, and the two sides would look alike for a
        // reason unrelated to membership (the score does not pair runs, but a shared start couples them).
        let originals = config.originals(self.experiment.model.import.is_some());
        let per_run = originals == Originals::PerRun;
        let needs_log = per_run && scored.iter().any(|s| s.method == Method::Amnesiac);
        let mut control = Side::new(sets.forget.len());
        let mut method_sides: Vec<Side> = scored
            .iter()
            .map(|_| Side::new(sets.forget.len()))
            .collect();
        for i in 0..n {
            let seed = ctx.seed.wrapping_add(i as u64);
            host.stage(
                &format!("privacy score: original {} of {n}", i + 1),
                done,
                total,
            );
            let original_seed = ctx.seed.wrapping_add((2 * n + i) as u64);
            let (original, own_log) = self.original(ctx, original_seed, needs_log, host).await?;
            control
                .add(&Fitted::Net(original.clone()), sets, self)
                .await?;
            done += 1;
            let mut state = TrainingState {
                log: if per_run { own_log } else { shared_log.take() },
                ..Default::default()
            };
            for spec in &scored {
                match spec.method {
                    Method::Sisa => {
                        state.sisa =
                            Some(self.sisa_state(sets, spec, seed, &mut Quiet(host)).await?)
                    }
                    Method::Certified => {
                        state.certified = Some(self.certified_state(sets, spec, seed)?)
                    }
                    _ => {}
                }
            }
            let run_ctx = Context {
                seed,
                original: if per_run { &original } else { ctx.original },
                state: &state,
                ..*ctx
            };
            for (p, spec) in scored.iter().enumerate() {
                let label = match p.checked_sub(n_methods) {
                    None => format!("privacy score: {}", spec.method.key()),
                    Some(_) => format!(
                        "privacy score: sweep ({})",
                        super::sweep::words(&spec.settings)
                    ),
                };
                host.stage(&label, done, total);
                let (unlearned, _) = run_method(spec, &run_ctx, host).await?;
                method_sides[p].add(&unlearned.model, sets, self).await?;
                done += 1;
            }
            if !per_run {
                shared_log = state.log.take();
            }
        }
        let seed = ctx.seed;
        let floor_score = floor.score(&reference, &config, None, seed);
        let control_score = control.score(&reference, &config, None, seed);
        let mut warnings = Vec::new();
        if n < MIN_READABLE_RUNS || sets.forget.len() < MIN_READABLE_EXAMPLES {
            warnings.push(WarningKind::CoarsePrivacyScore {
                runs: n,
                examples: sets.forget.len(),
                min_runs: MIN_READABLE_RUNS,
                min_examples: MIN_READABLE_EXAMPLES,
            });
        }
        // No signal: the originals score inside the floor's interval or above it (as close to retraining as
        // retraining is to itself, or closer).
        if control_score.forgetting_score >= floor_score.forgetting_score_ci[0] {
            warnings.push(WarningKind::NoMembershipSignal {
                metric: SignalMetric::ForgettingScore,
                control: control_score.forgetting_score,
                control_ci: Some(control_score.forgetting_score_ci),
                reference: floor_score.forgetting_score,
                reference_ci: floor_score.forgetting_score_ci,
            });
        }
        let mut scores: BTreeMap<String, PrivacyScore> = BTreeMap::new();
        scores.insert("train".into(), control_score);
        scores.insert(Method::Retrain.key().into(), floor_score);
        let mut point_scores = Vec::new();
        for (p, side) in method_sides.iter().enumerate() {
            let score = side.score(&reference, &config, Some(originals), seed);
            match p.checked_sub(n_methods) {
                None => {
                    scores.insert(scored[p].method.key().into(), score);
                }
                Some(_) => point_scores.push(score),
            }
        }
        for row in runs.iter_mut() {
            if let Some(score) = scores.remove(&row.run.method) {
                row.audit.privacy_score = Some(score);
                if !matches!(row.run.method.as_str(), "train" | "retrain") {
                    let w = &mut row.audit.forgetting.warnings;
                    w.extend(warnings.iter().cloned().map(Into::into));
                }
            }
        }
        if let Some(sweep) = sweep {
            for (point, score) in sweep.points.iter_mut().zip(point_scores) {
                point.row.audit.privacy_score = Some(score);
                let w = &mut point.row.audit.forgetting.warnings;
                w.extend(warnings.iter().cloned().map(Into::into));
            }
            super::sweep::fronts(sweep);
        }
        Ok(())
    }

    /// Original i: the lab's model trained with `seed` on the full training set, with its update log when
    /// amnesiac needs one.
    async fn original<H: Host>(
        &self,
        ctx: &Context<'_>,
        seed: u64,
        with_log: bool,
        host: &mut H,
    ) -> Result<(Classifier, Option<UpdateLog>)> {
        let sets = ctx.sets;
        if !with_log {
            return Ok((from_scratch(ctx, &sets.train, seed, host).await?, None));
        }
        let model = Classifier::new(ctx.model, sets.d, sets.n_classes, seed, &ctx.rt.device);
        let steps = ctx.train.epochs * sets.train.len().div_ceil(ctx.train.batch_size);
        let mut log = UpdateLog::new(steps, model.n_parameters(), "unlearn.privacy_score")?;
        let trained = train_logged(
            model,
            self.data,
            ctx.train,
            seed,
            self.rt,
            self.experiment.data.plot_features,
            &mut Quiet(host),
            Some(&mut log),
        )
        .await?;
        if trained.cancelled {
            return Err(EngineError::Cancelled);
        }
        Ok((trained.model, Some(log)))
    }
}

#[cfg(test)]
mod tests {
    use lethe_protocol::{Experiment, ForgetSpec, Task, UnlearnConfig};

    use super::*;
    use crate::backend::Runtime;
    use crate::run::prepare_data;

    /* Source: the score's definition: φ is each forget example's logit-scaled confidence under each model. A side
    reads it on the forget rows, in their order, and on no other rows: the test computes it on the forget rows
    itself, and checks that the retain rows (which a wrong-rows bug would read) give other values. */
    #[test]
    fn a_side_reads_phi_on_the_forget_rows() {
        let mut e = Experiment::demo();
        e.data.n_samples = 200;
        let config = UnlearnConfig {
            forget: ForgetSpec::Random { fraction: 0.1 },
            methods: Vec::new(),
            retrain_seeds: 1,
            privacy_score: Some(PrivacyScoreConfig::new(8)),
            sweep: None,
        };
        e.task = Task::Unlearn(config.clone());
        let valid = e.validate().unwrap();
        let data = prepare_data(&valid, None).unwrap();
        let rt = Runtime::cpu();
        let positions: Vec<usize> = (0..data.train.len()).step_by(10).collect();
        let sets = Sets::new(&data, positions, None).unwrap();
        let lab = Lab {
            experiment: &valid,
            config: &config,
            data: &data,
            rt: &rt,
        };
        let model = Classifier::new(&valid.model, sets.d, sets.n_classes, 3, &rt.device);
        let fitted = Fitted::Net(model);
        let mut side = Side::new(sets.forget.len());
        crate::block_on(side.add(&fitted, &sets, &lab)).unwrap();
        let k = sets.n_classes;
        let on = |split: &crate::data::Split| {
            let p = crate::block_on(fitted.probabilities(&split.x, sets.d, &rt.eval)).unwrap();
            logit_scaled(&p, &split.y, k)
        };
        let forget = on(&sets.forget);
        let read: Vec<f64> = side.phi.iter().map(|runs| runs[0]).collect();
        assert_eq!(read, forget);
        let retain = on(&sets.retain);
        assert_ne!(read, retain[..read.len()].to_vec());
    }
}
