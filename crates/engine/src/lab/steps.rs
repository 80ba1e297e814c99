//! The lab after training, step by step: the forget set, the training-time state, the oracle (retrains and their
//! band), each method against it, and the outcome.

use std::collections::BTreeMap;

use lethe_protocol::{
    Distribution, ForgetSpec, ForgetSummary, Forgetting, Method, MethodSpec, Suggestion,
    TaskReport, UnlearnConfig, UnlearnReport, UnlearnRow, ValidExperiment, WarningKind,
};
use web_time::Instant;

use super::figures::Figures;
use super::methods::run_method;
use super::oracle::Oracle;
use super::relearn::Relearn;
use super::rows::{accs, audit, measured, method_row};
use crate::audit::divergence::{mean_js, tow};
use crate::audit::mia::Pairs;
use crate::audit::warnings::warnings;
use crate::audit::yardstick::{Measured, Yardstick};
use crate::backend::Runtime;
use crate::data::{Prepared, Split};
use crate::error::Result;
use crate::fit::params::{flat, l2_distance};
use crate::fit::summary::summarise;
use crate::forget::Sets;
use crate::forget::suggest::rank;
use crate::host::{Host, Tally};
use crate::metrics::{self};
use crate::rows::{Ended, train_row};
use crate::train::Trained;
use crate::train::log::UpdateLog;
use crate::unlearn::certified::{Certified, CertifiedState, with_oracle};
use crate::unlearn::sisa::{Recipe, Sisa, assign};
use crate::unlearn::{Context, Fitted, TrainingState, Unlearned};

/// Most suggestions a report lists.
const MAX_SUGGESTIONS: usize = 50;

/// What every step reads.
pub(super) struct Lab<'a> {
    pub(super) experiment: &'a ValidExperiment,
    pub(super) config: &'a UnlearnConfig,
    /// The data as trained on (with injected points for `backdoor` and `mislabeled`).
    pub(super) data: &'a Prepared,
    pub(super) rt: &'a Runtime,
}

impl Lab<'_> {
    /// Stages the host counts through: the retrains, each method, then each point of the sweep.
    pub(super) fn total(&self) -> usize {
        self.config.plan().len() - 1 + self.config.retrain_seeds + self.config.sweep_points().len()
    }

    /// Everything after training: the lab's rows and figures.
    pub(super) async fn after_training<H: Host>(
        &self,
        planned: (Option<Vec<usize>>, Option<(Split, u32)>),
        trained: Trained,
        log: Option<UpdateLog>,
        host: &mut H,
    ) -> Result<Ended> {
        let (seed, k) = (self.experiment.seed, self.data.n_classes());
        let (positions, suggestions) = self.forget_set(planned.0, &trained, host).await?;
        let sets = Sets::new(self.data, positions, planned.1)?;
        let log_seconds = log.as_ref().map(|l| l.seconds);
        let (mut state, prepare_seconds) =
            self.prepare_state(&sets, log, log_seconds, host).await?;
        let ctx = self.context(&sets, &trained.model, &state);
        let yardstick = Yardstick {
            pairs: Pairs::class_matched(&sets.forget.y, &sets.test.y, k, seed),
            sets: &sets,
            rt: self.rt,
        };
        let mut figures = Figures::new(self.data, self.experiment.data.plot_features, self.rt);
        let original = Fitted::Net(trained.model.clone());
        let before = yardstick.measure(&original).await?;
        figures.add("train", &original, &before).await?;
        host.model("train", &original);
        let mut runs = vec![UnlearnRow {
            run: train_row(&trained, self.data, self.rt).await?,
            audit: audit(Forgetting {
                sample_grads: Some(trained.sample_grads),
                ..measured(&before)
            }),
        }];
        let relearn = Relearn {
            sets: &sets,
            train: &self.experiment.train,
            rt: self.rt,
            target: before.forget_acc,
            seed,
        };
        let (oracle, retrain) = self.oracle(&ctx, &yardstick, &relearn, host).await?;
        let reference = Fitted::Net(oracle.reference.0.clone());
        figures
            .add("retrain", &reference, &oracle.reference.1)
            .await?;
        host.model("retrain", &reference);
        runs.push(retrain);
        for (i, spec) in self.config.plan().iter().enumerate().skip(1) {
            host.stage(
                spec.method.key(),
                self.config.retrain_seeds + i - 1,
                self.total(),
            );
            let (row, model, m) = self
                .method(
                    spec,
                    &ctx,
                    &yardstick,
                    &oracle,
                    &relearn,
                    &prepare_seconds,
                    host,
                )
                .await?;
            figures.add(spec.method.key(), &model, &m).await?;
            host.model(spec.method.key(), &model);
            runs.push(row);
        }
        let mut sweep = self
            .sweep(&ctx, &yardstick, &oracle, &relearn, &prepare_seconds, host)
            .await?;
        // A sweep cancelled half-way ends the lab with its finished points, unscored.
        if !sweep.as_ref().is_some_and(|s| s.cancelled) {
            // The score lends amnesiac's log to each run (shared originals), so it takes it from the state.
            let shared_log = state.log.take();
            let ctx = self.context(&sets, &trained.model, &state);
            self.privacy_score(&ctx, shared_log, &mut runs, sweep.as_mut(), host)
                .await?;
        }
        let outcome = self.outcome(
            &sets,
            runs,
            suggestions,
            figures,
            yardstick.pairs.len(),
            sweep,
        );
        Ok(Ended::Finished {
            outcome: Box::new(outcome),
            dataset: self.data.summary(),
            trained: Some(Box::new(trained)),
        })
    }

    /// What the methods run on: the sets, the trained model, the experiment's model, recipe and seed, the state.
    fn context<'a>(
        &'a self,
        sets: &'a Sets,
        original: &'a crate::model::Classifier,
        state: &'a TrainingState,
    ) -> Context<'a> {
        Context {
            sets,
            original,
            model: &self.experiment.model,
            train: &self.experiment.train,
            seed: self.experiment.seed,
            rt: self.rt,
            state,
        }
    }

    /// The forget set's positions: known from the plan, or the top of the suggestions, ranked on the trained model.
    async fn forget_set<H: Host>(
        &self,
        planned: Option<Vec<usize>>,
        trained: &Trained,
        host: &mut H,
    ) -> Result<(Vec<usize>, Vec<Suggestion>)> {
        match (planned, &self.config.forget) {
            (Some(p), _) => Ok((p, Vec::new())),
            (None, ForgetSpec::Suggested { top_k }) => {
                host.stage("ranking the training points", 0, self.total());
                let ranked = rank(self.data, &trained.model, self.rt, self.experiment.seed).await?;
                let mut top: Vec<usize> = ranked[..*top_k].iter().map(|r| r.position).collect();
                top.sort_unstable();
                let suggestions = ranked
                    .into_iter()
                    .take(MAX_SUGGESTIONS.max(*top_k).min(100))
                    .map(|r| r.suggestion)
                    .collect();
                Ok((top, suggestions))
            }
            (None, _) => unreachable!("only suggested forget sets are picked after training"),
        }
    }

    /// The training-time state the listed methods need (the update log, SISA's shards, the certified model), with
    /// the seconds each took.
    async fn prepare_state<H: Host>(
        &self,
        sets: &Sets,
        log: Option<UpdateLog>,
        log_seconds: Option<f64>,
        host: &mut H,
    ) -> Result<(TrainingState, BTreeMap<Method, f64>)> {
        let seed = self.experiment.seed;
        let specs = self.config.plan();
        let mut state = TrainingState {
            log,
            ..Default::default()
        };
        let mut seconds: BTreeMap<Method, f64> = BTreeMap::new();
        if let Some(s) = log_seconds {
            seconds.insert(Method::Amnesiac, s);
        }
        if let Some(spec) = specs.iter().find(|s| s.method == Method::Sisa) {
            host.stage("training SISA's shards", 0, self.total());
            let t = Instant::now();
            state.sisa = Some(self.sisa_state(sets, spec, seed, host).await?);
            seconds.insert(Method::Sisa, t.elapsed().as_secs_f64());
        }
        if let Some(spec) = specs.iter().find(|s| s.method == Method::Certified) {
            let t = Instant::now();
            state.certified = Some(self.certified_state(sets, spec, seed)?);
            seconds.insert(Method::Certified, t.elapsed().as_secs_f64());
        }
        Ok((state, seconds))
    }

    /// SISA's shards and checkpoints, drawn with `seed` (shard assignment and each shard's training).
    pub(super) async fn sisa_state<H: Host>(
        &self,
        sets: &Sets,
        spec: &MethodSpec,
        seed: u64,
        host: &mut H,
    ) -> Result<crate::unlearn::sisa::SisaState> {
        let train_cfg = &self.experiment.train;
        let settings = Sisa::new(spec, train_cfg);
        let n = sets.train.len();
        let recipe = Recipe {
            split: &sets.train,
            d: sets.d,
            n_classes: sets.n_classes,
            model: &self.experiment.model,
            train: train_cfg,
            seed,
            rt: self.rt,
        };
        let assignment = assign(n, settings.shards, settings.slices, seed);
        recipe.train(assignment, &vec![false; n], host).await
    }

    /// The certified solver's model, trained with `seed` (its noise).
    pub(super) fn certified_state(
        &self,
        sets: &Sets,
        spec: &MethodSpec,
        seed: u64,
    ) -> Result<CertifiedState> {
        let settings = Certified::new(spec, &self.experiment.train);
        CertifiedState::train(&sets.train, sets.d, sets.n_classes, settings, seed)
    }

    /// One method: run it, measure it against the oracle (certified removal against its own), and its row.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn method<H: Host>(
        &self,
        spec: &MethodSpec,
        ctx: &Context<'_>,
        yardstick: &Yardstick<'_>,
        oracle: &Oracle,
        relearn: &Relearn<'_>,
        prepare_seconds: &BTreeMap<Method, f64>,
        host: &mut H,
    ) -> Result<(UnlearnRow, Fitted, Measured)> {
        let k = ctx.sets.n_classes;
        let t = Instant::now();
        let mut tally = Tally::new(host);
        let (unlearned, params) = run_method(spec, ctx, &mut tally).await?;
        let Unlearned {
            model,
            epochs,
            mut certificate,
            sisa,
            seconds,
            newton,
        } = unlearned;
        let sample_grads = tally.sample_grads + newton.map_or(0, |w| w.sample_grads);
        let seconds = seconds.unwrap_or_else(|| t.elapsed().as_secs_f64());
        let measured_now = yardstick.measure(&model).await?;
        // Certified removal is compared with its own oracle: the same solver from scratch on the retain set.
        let own_oracle = own_oracle(&model, &mut certificate, ctx, yardstick).await?;
        let (ref_measured, ref_flat, speedup, ref_grads) = match &own_oracle {
            Some((m, flat, oracle_seconds, grads)) => {
                (m, flat, oracle_seconds / seconds.max(1e-9), *grads)
            }
            None => (
                &oracle.reference.1,
                &oracle.reference_flat,
                oracle.seconds / seconds.max(1e-9),
                oracle.sample_grads,
            ),
        };
        let l2 = l2_to(&model, own_oracle.is_some(), ref_flat).await?;
        let relearn_epochs = match &model {
            Fitted::Net(net) => Some(relearn.epochs(net, host).await?),
            _ => None,
        };
        let m = &measured_now;
        let row = UnlearnRow {
            run: method_row(spec.method, seconds, epochs, m, self.data),
            audit: lethe_protocol::Audit {
                family: Some(spec.method.family()),
                guarantee: Some(spec.method.guarantee()),
                forgetting: Forgetting {
                    speedup_vs_retrain: Some(speedup),
                    sample_grads: Some(sample_grads),
                    work_speedup_vs_retrain: metrics::work_ratio(ref_grads, sample_grads),
                    js_to_retrain: Some(mean_js(&m.forget_probs, &ref_measured.forget_probs, k)),
                    tow: Some(tow(accs(m), accs(ref_measured))),
                    l2_to_retrain: l2,
                    warnings: {
                        let mut w = warnings(
                            m.forget_acc,
                            m.mia_auc,
                            yardstick.pairs.len(),
                            &oracle.bands,
                        );
                        if self.experiment.model.import.is_some()
                            && matches!(spec.method, Method::Sisa | Method::Certified)
                        {
                            w.push(
                                WarningKind::TrainsItsOwn {
                                    method: spec.method.key().into(),
                                }
                                .into(),
                            );
                        }
                        w
                    },
                    params,
                    ..measured(m)
                },
                hessian_rows: newton.map(|w| w.hessian_rows),
                relearn_epochs,
                prepare_seconds: prepare_seconds.get(&spec.method).copied(),
                certificate,
                sisa,
                ..audit(measured(m))
            },
        };
        Ok((row, model, measured_now))
    }

    /// The lab's outcome: its rows, the forget set, the suggestions, the figures and the data before and after.
    fn outcome(
        &self,
        sets: &Sets,
        runs: Vec<UnlearnRow>,
        suggestions: Vec<Suggestion>,
        figures: Figures<'_>,
        mia_pairs: usize,
        sweep: Option<lethe_protocol::SweepReport>,
    ) -> TaskReport {
        let n = sets.train.len();
        let train_rows: Vec<usize> = self.data.train_rows().collect();
        let mut gone = vec![false; n];
        sets.forget_positions.iter().for_each(|&p| gone[p] = true);
        let rows_where = |forgotten: bool| -> Vec<usize> {
            (0..n)
                .filter(|&p| gone[p] == forgotten)
                .map(|p| train_rows[p])
                .collect()
        };
        TaskReport::Unlearn(UnlearnReport {
            runs,
            forget: ForgetSummary {
                kind: self.config.forget.kind().into(),
                size: sets.forget.len(),
                retain_size: sets.retain.len(),
                rows: rows_where(true),
                class_counts: sets.forget_class_counts(),
                mia_pairs,
            },
            suggestions,
            distribution: Distribution {
                train: summarise(&self.data.raw, &train_rows),
                retain: summarise(&self.data.raw, &rows_where(false)),
            },
            boundaries: figures.boundaries,
            attack_losses: figures.attack,
            sweep,
        })
    }
}

/// Certified removal's own oracle (the same solver from scratch on the retain set), measured: its measurements,
/// weights, seconds and work. `None` for every other method.
async fn own_oracle(
    model: &Fitted,
    certificate: &mut Option<lethe_protocol::Certificate>,
    ctx: &Context<'_>,
    yardstick: &Yardstick<'_>,
) -> Result<Option<(Measured, Vec<f32>, f64, u64)>> {
    let (Fitted::Linear(linear), Some(cert), Some(cstate)) =
        (model, certificate, &ctx.state.certified)
    else {
        return Ok(None);
    };
    let (own, work) = with_oracle(cstate, ctx.seed, &ctx.sets.forget_positions, linear, cert)?;
    let m = yardstick.measure(&Fitted::Linear(own.clone())).await?;
    Ok(Some((
        m,
        as_f32(own.flat()),
        cert.oracle_seconds,
        work.sample_grads,
    )))
}

/// The L2 distance of a model's weights to the reference's, where they compare: a network's, or a linear
/// model's against its own oracle.
async fn l2_to(model: &Fitted, own_oracle: bool, reference: &[f32]) -> Result<Option<f64>> {
    Ok(match model {
        Fitted::Net(net) => Some(l2_distance(&flat(net).await?, reference)),
        Fitted::Linear(linear) if own_oracle => {
            Some(l2_distance(&as_f32(linear.flat()), reference))
        }
        _ => None,
    })
}

fn as_f32(w: Vec<f64>) -> Vec<f32> {
    w.into_iter().map(|v| v as f32).collect()
}
