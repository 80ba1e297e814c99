//! The unlearning lab: train (with whatever training-time state the listed methods need), pick the forget set,
//! retrain from scratch with `retrain_seeds` seeds (the oracle and its band), run every listed method, and audit
//! each against the reference retrain. One `runs[]` row per model: `train`, `retrain`, then the methods.

use std::collections::BTreeMap;

use lethe_protocol::audit::{AttackLosses, MAX_ATTACK_LOSSES, ModelBoundary};
use lethe_protocol::{
    Audit, Distribution, ForgetSpec, ForgetSummary, Method, MethodSpec, RunReport, UnlearnConfig,
    ValidExperiment,
};
use web_time::Instant;

use super::amnesiac::{Amnesiac, UpdateLog};
use super::bad_teacher::BadTeacher;
use super::certified::{Certified, CertifiedState, with_oracle};
use super::descent::{batch, checkpoint, cross_entropy, minibatches, optimizer, step};
use super::finetune::Finetune;
use super::fisher::Fisher;
use super::fitted::net_probabilities;
use super::forget::{Sets, plan};
use super::neggrad::Neggrad;
use super::neggrad_plus::NeggradPlus;
use super::params::l2_distance;
use super::random_labels::RandomLabels;
use super::retrain::retrain;
use super::salun::Salun;
use super::scrub::Scrub;
use super::sisa::{Recipe, Sisa, assign};
use super::suggest::{rank, summarise};
use super::unsir::Unsir;
use super::{Context, Fitted, TrainingState, Unlearned, Unlearner};
use crate::audit::divergence::{mean_js, tow};
use crate::audit::mia::Pairs;
use crate::audit::relearn::epochs_to_relearn;
use crate::audit::warnings::{Band, Bands, FORGET_ACC_TOLERANCE, MIA_TOLERANCE, warnings};
use crate::audit::yardstick::{Measured, Yardstick};
use crate::audit::{accuracy, mean_std, predictions};
use crate::backend::Runtime;
use crate::data::Prepared;
use crate::data::rng::{Rng64, stream};
use crate::error::{EngineError, Result};
use crate::host::{Host, Tally};
use crate::metrics;
use crate::model::Classifier;
use crate::params_of;
use crate::run::{Outcome, misclassified, report, train_row};
use crate::train::train_logged;

/// Most suggestions a report lists.
const MAX_SUGGESTIONS: usize = 50;

/// Whether the lab can start from a model trained earlier on the same experiment: not when the forget set changes
/// the training data (an injected backdoor or mislabeling), nor when a method needs a log of the training itself
/// (amnesiac). SISA's shards and the certified model are built after training either way.
pub fn can_start_from_kept(config: &UnlearnConfig) -> bool {
    !matches!(
        config.forget,
        ForgetSpec::Backdoor { .. } | ForgetSpec::Mislabeled { .. }
    ) && config.methods.iter().all(|s| s.method != Method::Amnesiac)
}

/// Runs the experiment's `unlearn` section on prepared data. With `kept` (a model the same experiment trained
/// earlier, same seed) and [`can_start_from_kept`], the lab starts from it instead of training again; the
/// result is the same, because training is deterministic.
#[allow(clippy::too_many_arguments)]
pub async fn run_lab<H: Host>(
    experiment: &ValidExperiment,
    config: &UnlearnConfig,
    data: &Prepared,
    kept: Option<crate::train::Trained>,
    rt: &Runtime,
    host: &mut H,
    host_name: &str,
    started: Instant,
) -> Result<Outcome> {
    let (seed, train_cfg) = (experiment.seed, &experiment.train);
    let super::forget::Plan {
        data,
        positions,
        triggered,
    } = plan(
        &config.forget,
        data.clone(),
        seed,
        experiment.data.plot_features[0],
    )?;
    let (d, k, n) = (data.n_features(), data.n_classes(), data.train.len());
    let specs = config.plan();
    check_before_training(config, n, train_cfg)?;

    let (trained, log) = match kept.filter(|_| can_start_from_kept(config)) {
        Some(trained) => (trained, None),
        None => {
            // Train the original model, logging updates for amnesiac.
            let model = Classifier::new(&experiment.model, d, k, seed, &rt.device);
            let mut log = match config
                .methods
                .iter()
                .position(|s| s.method == Method::Amnesiac)
            {
                Some(i) => {
                    let steps = train_cfg.epochs * n.div_ceil(train_cfg.batch_size);
                    let field = format!("unlearn.methods[{i}]");
                    Some(UpdateLog::new(steps, model.n_parameters(), &field)?)
                }
                None => None,
            };
            let trained = train_logged(
                model,
                &data,
                train_cfg,
                seed,
                rt,
                experiment.data.plot_features,
                host,
                log.as_mut(),
            )
            .await?;
            if trained.cancelled {
                return Ok(Outcome::Cancelled {
                    epoch: trained.history.len(),
                });
            }
            (trained, log)
        }
    };
    // The log's cost, timed inside the training loop.
    let log_seconds = log.as_ref().map(|l| l.seconds);
    let outcome = lab_after_training(
        experiment,
        config,
        &specs,
        &data,
        (positions, triggered),
        trained,
        log,
        log_seconds,
        rt,
        host,
        host_name,
        started,
    )
    .await;
    match outcome {
        Err(EngineError::Cancelled) => Ok(Outcome::Cancelled {
            epoch: train_cfg.epochs,
        }),
        other => other,
    }
}

/// Refusals that can be made before any training.
fn check_before_training(
    config: &UnlearnConfig,
    n_train: usize,
    train: &lethe_protocol::TrainConfig,
) -> Result<()> {
    if let ForgetSpec::Suggested { top_k } = config.forget
        && top_k >= n_train
    {
        return Err(EngineError::Unlearn(format!(
            "unlearn.forget.top_k is {top_k}, but the training split has only {n_train} points: nothing would be left"
        )));
    }
    for (i, spec) in config.methods.iter().enumerate() {
        if spec.method == Method::Sisa {
            let s = Sisa::new(spec, train);
            if s.shards * s.slices > n_train {
                return Err(EngineError::Unlearn(format!(
                    "unlearn.methods[{i}] \"sisa\": shards × slices = {} × {} = {} is more than the {n_train} training points",
                    s.shards,
                    s.slices,
                    s.shards * s.slices
                )));
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn lab_after_training<H: Host>(
    experiment: &ValidExperiment,
    config: &UnlearnConfig,
    specs: &[MethodSpec],
    data: &Prepared,
    planned: (Option<Vec<usize>>, Option<(crate::data::Split, u32)>),
    trained: crate::train::Trained,
    log: Option<UpdateLog>,
    log_seconds: Option<f64>,
    rt: &Runtime,
    host: &mut H,
    host_name: &str,
    started: Instant,
) -> Result<Outcome> {
    let (seed, train_cfg) = (experiment.seed, &experiment.train);
    let (d, k, n) = (data.n_features(), data.n_classes(), data.train.len());
    // The retrains, then each method (`specs` lists retrain first).
    let total = specs.len() - 1 + config.retrain_seeds;
    // The forget set: known, or the top of the suggestions.
    let mut suggestions = Vec::new();
    let positions = match (planned.0, &config.forget) {
        (Some(p), _) => p,
        (None, ForgetSpec::Suggested { top_k }) => {
            host.stage("ranking the training points", 0, total);
            let ranked = rank(data, &trained.model, rt, seed).await?;
            let mut top: Vec<usize> = ranked[..*top_k].iter().map(|r| r.position).collect();
            top.sort_unstable();
            suggestions = ranked
                .into_iter()
                .take(MAX_SUGGESTIONS.max(*top_k).min(100))
                .map(|r| r.suggestion)
                .collect();
            top
        }
        (None, _) => unreachable!("only suggested forget sets are picked after training"),
    };
    let sets = Sets::new(data, positions, planned.1)?;

    // Training-time state.
    let mut state = TrainingState {
        log,
        ..Default::default()
    };
    let mut prepare_seconds: BTreeMap<Method, f64> = BTreeMap::new();
    if let Some(s) = log_seconds {
        prepare_seconds.insert(Method::Amnesiac, s);
    }
    if let Some(spec) = specs.iter().find(|s| s.method == Method::Sisa) {
        host.stage("training SISA's shards", 0, total);
        let settings = Sisa::new(spec, train_cfg);
        let t = Instant::now();
        let recipe = Recipe {
            split: &sets.train,
            d,
            n_classes: k,
            model: &experiment.model,
            train: train_cfg,
            seed,
            rt,
        };
        let assignment = assign(n, settings.shards, settings.slices, seed);
        state.sisa = Some(recipe.train(assignment, &vec![false; n], host).await?);
        prepare_seconds.insert(Method::Sisa, t.elapsed().as_secs_f64());
    }
    if let Some(spec) = specs.iter().find(|s| s.method == Method::Certified) {
        let t = Instant::now();
        let settings = Certified::new(spec, train_cfg);
        state.certified = Some(CertifiedState::train(&sets.train, d, k, settings, seed)?);
        prepare_seconds.insert(Method::Certified, t.elapsed().as_secs_f64());
    }
    let ctx = Context {
        sets: &sets,
        original: &trained.model,
        model: &experiment.model,
        train: train_cfg,
        seed,
        rt,
        state: &state,
    };
    let audit = Yardstick {
        pairs: Pairs::class_matched(&sets.forget.y, &sets.test.y, k, seed),
        sets: &sets,
        rt,
    };

    // The trained model.
    let original = Fitted::Net(trained.model.clone());
    let before = audit.measure(&original).await?;
    let mut figures = Figures::new(data, experiment.data.plot_features, rt);
    figures.add("train", &original, &before).await?;
    let mut rows = Vec::new();
    let mut train_run = train_row(&trained, data, rt).await?;
    train_run.audit = Some(Audit {
        sample_grads: Some(trained.sample_grads),
        ..plain_audit(&before)
    });
    rows.push(train_run);

    // The oracle: retrains with seeds seed, seed + 1, …
    let mut retrains = Vec::new();
    let mut retrain_grads = 0u64;
    for i in 0..config.retrain_seeds {
        host.stage("retrain", i, total);
        let t = Instant::now();
        let mut tally = Tally::new(host);
        let model = retrain(&ctx, seed.wrapping_add(i as u64), &mut tally).await?;
        retrain_grads += tally.sample_grads;
        let seconds = t.elapsed().as_secs_f64();
        let measured = audit.measure(&Fitted::Net(model.clone())).await?;
        retrains.push((model, measured, seconds));
    }
    let reference = &retrains[0];
    figures
        .add("retrain", &Fitted::Net(reference.0.clone()), &reference.1)
        .await?;
    let reference_flat = params_of(&reference.0).await?;
    let spread =
        |f: fn(&Measured) -> f64| mean_std(&retrains.iter().map(|r| f(&r.1)).collect::<Vec<_>>());
    let (fa_mean, fa_std) = spread(|m| m.forget_acc);
    let mias: Vec<f64> = retrains.iter().filter_map(|r| r.1.mia_auc).collect();
    let bands = Bands {
        forget_acc: Band::new(fa_mean, fa_std, FORGET_ACC_TOLERANCE),
        mia_auc: (!mias.is_empty()).then(|| {
            let (m, s) = mean_std(&mias);
            Band::new(m, s, MIA_TOLERANCE)
        }),
    };
    let retrain_seconds = retrains.iter().map(|r| r.2).sum::<f64>() / retrains.len() as f64;
    // Every seed's retrain does the same work (the same rows, epochs and batches); the mean says so if not.
    let retrain_grads = retrain_grads / retrains.len() as u64;
    let relearn = Relearn {
        sets: &sets,
        train: train_cfg,
        rt,
        target: before.forget_acc,
        seed,
    };
    let mut retrain_run = retrain_row(
        &retrains,
        &reference_flat,
        &bands,
        &audit,
        &relearn,
        retrain_seconds,
        data,
        host,
    )
    .await?;
    if let Some(a) = retrain_run.audit.as_mut() {
        a.sample_grads = Some(retrain_grads);
        a.work_speedup_vs_retrain = Some(1.0);
    }
    rows.push(retrain_run);

    // The methods.
    for (i, spec) in specs.iter().enumerate().skip(1) {
        host.stage(spec.method.key(), config.retrain_seeds + i - 1, total);
        let t = Instant::now();
        let mut tally = Tally::new(host);
        let (unlearned, params) = run_method(spec, &ctx, &mut tally).await?;
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
        let measured = audit.measure(&model).await?;
        figures.add(spec.method.key(), &model, &measured).await?;
        // Certified removal is compared with its own oracle: the same solver from scratch on the retain set.
        let as_f32 = |w: Vec<f64>| w.into_iter().map(|v| v as f32).collect::<Vec<f32>>();
        let own_oracle = match (&model, &mut certificate, &state.certified) {
            (Fitted::Linear(linear), Some(cert), Some(cstate)) => {
                let (oracle, work) =
                    with_oracle(cstate, seed, &sets.forget_positions, linear, cert)?;
                let m = audit.measure(&Fitted::Linear(oracle.clone())).await?;
                Some((m, as_f32(oracle.flat()), cert.oracle_seconds, work))
            }
            _ => None,
        };
        let (ref_measured, ref_flat, speedup, ref_grads) = match &own_oracle {
            Some((m, flat, oracle_seconds, work)) => (
                m,
                flat,
                oracle_seconds / seconds.max(1e-9),
                work.sample_grads,
            ),
            None => (
                &reference.1,
                &reference_flat,
                retrain_seconds / seconds.max(1e-9),
                retrain_grads,
            ),
        };
        let l2 = match &model {
            Fitted::Net(net) => Some(l2_distance(&params_of(net).await?, ref_flat)),
            Fitted::Linear(linear) if own_oracle.is_some() => {
                Some(l2_distance(&as_f32(linear.flat()), ref_flat))
            }
            _ => None,
        };
        let relearn_epochs = match &model {
            Fitted::Net(net) => Some(relearn.epochs(net, host).await?),
            _ => None,
        };
        let mut row = method_row(spec.method, seconds, epochs, &measured, data);
        row.audit = Some(Audit {
            family: Some(spec.method.family()),
            guarantee: Some(spec.method.guarantee()),
            speedup_vs_retrain: Some(speedup),
            sample_grads: Some(sample_grads),
            work_speedup_vs_retrain: metrics::work_ratio(ref_grads, sample_grads),
            hessian_rows: newton.map(|w| w.hessian_rows),
            js_to_retrain: Some(mean_js(
                &measured.forget_probs,
                &ref_measured.forget_probs,
                k,
            )),
            tow: Some(tow(accs(&measured), accs(ref_measured))),
            l2_to_retrain: l2,
            relearn_epochs,
            warnings: warnings(
                measured.forget_acc,
                measured.mia_auc,
                audit.pairs.len(),
                &bands,
            ),
            params,
            prepare_seconds: prepare_seconds.get(&spec.method).copied(),
            certificate,
            sisa,
            ..plain_audit(&measured)
        });
        rows.push(row);
    }

    let train_rows: Vec<usize> = data.train_rows().collect();
    let forgotten_rows: Vec<usize> = sets
        .forget_positions
        .iter()
        .map(|&p| train_rows[p])
        .collect();
    let retained_rows: Vec<usize> = {
        let mut gone = vec![false; n];
        sets.forget_positions.iter().for_each(|&p| gone[p] = true);
        (0..n)
            .filter(|&p| !gone[p])
            .map(|p| train_rows[p])
            .collect()
    };
    let mut report = report(experiment, data, rt, host_name, rows, started);
    report.forget = Some(ForgetSummary {
        kind: config.forget.kind().into(),
        size: sets.forget.len(),
        retain_size: sets.retain.len(),
        rows: forgotten_rows,
        class_counts: sets.forget_class_counts(),
        mia_pairs: audit.pairs.len(),
    });
    report.suggestions = suggestions;
    report.boundaries = figures.boundaries;
    report.attack_losses = figures.attack;
    report.distribution = Some(Distribution {
        train: summarise(&data.raw, &train_rows),
        retain: summarise(&data.raw, &retained_rows),
    });
    Ok(Outcome::Finished {
        report: Box::new(report),
        trained: Some(Box::new(trained)),
    })
}

/// The data behind the lab's pictures: each model's decision boundary (2-D data) and its attack losses.
struct Figures<'a> {
    data: &'a Prepared,
    features: [usize; 2],
    rt: &'a Runtime,
    boundaries: Vec<ModelBoundary>,
    attack: Vec<AttackLosses>,
}

impl<'a> Figures<'a> {
    fn new(data: &'a Prepared, features: [usize; 2], rt: &'a Runtime) -> Self {
        Self {
            data,
            features,
            rt,
            boundaries: Vec::new(),
            attack: Vec::new(),
        }
    }

    async fn add(&mut self, method: &str, model: &Fitted, measured: &Measured) -> Result<()> {
        // The first pairs, in the pairing's own (seeded) order: the same points for every model.
        let cap = |v: &[f64]| v.iter().take(MAX_ATTACK_LOSSES).copied().collect();
        self.attack.push(AttackLosses {
            method: method.into(),
            members: cap(&measured.members),
            non_members: cap(&measured.non_members),
        });
        if self.data.n_features() == 2 {
            let grid = fitted_boundary(model, self.data, self.features, self.rt).await?;
            self.boundaries.push(ModelBoundary {
                method: method.into(),
                grid,
            });
        }
        Ok(())
    }
}

/// [`crate::train::boundary`] for any fitted model (a network, SISA's ensemble, the certified linear model).
async fn fitted_boundary(
    model: &Fitted,
    data: &Prepared,
    features: [usize; 2],
    rt: &Runtime,
) -> Result<lethe_protocol::BoundaryGrid> {
    let res = crate::train::BOUNDARY_RESOLUTION;
    let (xr, yr, points) = data.plane_grid(features, res);
    let k = data.n_classes();
    let probs = model.probabilities(&points, 2, &rt.eval).await?;
    let mut class = Vec::with_capacity(res * res);
    let mut confidence = Vec::with_capacity(res * res);
    for row in probs.chunks(k) {
        let (c, p) = row
            .iter()
            .enumerate()
            .fold((0, f32::NEG_INFINITY), |best, (c, &p)| {
                if p > best.1 { (c, p) } else { best }
            });
        class.push(c as u32);
        confidence.push(p);
    }
    Ok(lethe_protocol::BoundaryGrid {
        x_range: xr,
        y_range: yr,
        resolution: res,
        class,
        confidence,
    })
}

fn accs(m: &Measured) -> [f64; 3] {
    [m.retain_acc, m.forget_acc, m.test_acc]
}

/// The audit keys every row has; the method-specific ones empty.
fn plain_audit(m: &Measured) -> Audit {
    Audit {
        family: None,
        guarantee: None,
        speedup_vs_retrain: None,
        sample_grads: None,
        work_speedup_vs_retrain: None,
        hessian_rows: None,
        retain_acc: m.retain_acc,
        forget_acc: m.forget_acc,
        mia_auc: m.mia_auc,
        js_to_retrain: None,
        tow: None,
        l2_to_retrain: None,
        backdoor_asr: m.backdoor_asr,
        relearn_epochs: None,
        warnings: Vec::new(),
        params: BTreeMap::new(),
        prepare_seconds: None,
        retain_acc_std: None,
        forget_acc_std: None,
        test_acc_std: None,
        mia_auc_std: None,
        certificate: None,
        sisa: None,
    }
}

/// The row of an unlearned model: test metrics of the row format, with `train_loss`/`train_acc` on the
/// retain set (what the model is now trained on) and no history.
fn method_row(
    method: Method,
    seconds: f64,
    epochs: usize,
    m: &Measured,
    data: &Prepared,
) -> RunReport {
    let confusion = metrics::confusion(&data.test.y, &m.test_predicted, data.n_classes());
    let per_class = metrics::per_class(&confusion, &data.raw.class_names);
    let (precision, recall, f1) = metrics::macro_average(&per_class);
    RunReport {
        method: method.key().into(),
        seconds,
        epochs,
        train_loss: m.retain_loss,
        train_acc: m.retain_acc,
        test_acc: m.test_acc,
        precision,
        recall,
        f1,
        confusion,
        per_class,
        history: Vec::new(),
        misclassified: misclassified(data, &m.test_predicted),
        audit: None,
        fed: None,
        vbu: None,
    }
}

#[allow(clippy::too_many_arguments)]
async fn retrain_row<H: Host>(
    retrains: &[(Classifier, Measured, f64)],
    reference_flat: &[f32],
    bands: &Bands,
    audit: &Yardstick<'_>,
    relearn: &Relearn<'_>,
    seconds: f64,
    data: &Prepared,
    host: &mut H,
) -> Result<RunReport> {
    let k = audit.sets.n_classes;
    let reference = &retrains[0];
    let several = retrains.len() > 1;
    let spread =
        |f: fn(&Measured) -> f64| mean_std(&retrains.iter().map(|r| f(&r.1)).collect::<Vec<_>>());
    let (ra, ra_std) = spread(|m| m.retain_acc);
    let (fa, fa_std) = spread(|m| m.forget_acc);
    let (ta, ta_std) = spread(|m| m.test_acc);
    let mias: Vec<f64> = retrains.iter().filter_map(|r| r.1.mia_auc).collect();
    let (mia, mia_std) = mean_std(&mias);
    // Distances: the other seeds' retrains to the reference (the natural spread of retraining); 0, 1 and 0
    // with one seed.
    let others = if several { &retrains[1..] } else { retrains };
    let mut js = Vec::new();
    let mut tows = Vec::new();
    let mut l2 = Vec::new();
    for (model, m, _) in others {
        js.push(mean_js(&m.forget_probs, &reference.1.forget_probs, k));
        tows.push(tow(accs(m), accs(&reference.1)));
        l2.push(l2_distance(&params_of(model).await?, reference_flat));
    }
    let mut row = method_row(
        Method::Retrain,
        seconds,
        relearn.train.epochs,
        &reference.1,
        data,
    );
    let mean = |v: &[f64]| mean_std(v).0;
    row.audit = Some(Audit {
        family: Some(Method::Retrain.family()),
        guarantee: Some(Method::Retrain.guarantee()),
        speedup_vs_retrain: Some(1.0),
        retain_acc: ra,
        forget_acc: fa,
        mia_auc: (!mias.is_empty()).then_some(mia),
        js_to_retrain: Some(mean(&js)),
        tow: Some(mean(&tows)),
        l2_to_retrain: Some(mean(&l2)),
        relearn_epochs: Some(relearn.epochs(&reference.0, host).await?),
        warnings: warnings(
            fa,
            (!mias.is_empty()).then_some(mia),
            audit.pairs.len(),
            bands,
        )
        .into_iter()
        .filter(|w| !w.starts_with("over") && !w.starts_with("under"))
        .collect(),
        retain_acc_std: several.then_some(ra_std),
        forget_acc_std: several.then_some(fa_std),
        test_acc_std: several.then_some(ta_std),
        mia_auc_std: (several && !mias.is_empty()).then_some(mia_std),
        ..plain_audit(&reference.1)
    });
    row.test_acc = ta;
    Ok(row)
}

/// Relearn time: fine-tune a copy on the forget set at the training learning rate.
struct Relearn<'a> {
    sets: &'a Sets,
    train: &'a lethe_protocol::TrainConfig,
    rt: &'a Runtime,
    target: f64,
    seed: u64,
}

impl Relearn<'_> {
    async fn epochs<H: Host>(&self, model: &Classifier, host: &mut H) -> Result<usize> {
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

/// Resolves a method's settings and runs it.
async fn run_method<H: Host>(
    spec: &MethodSpec,
    ctx: &Context<'_>,
    host: &mut H,
) -> Result<(Unlearned, BTreeMap<String, f64>)> {
    async fn go<U: Unlearner, H: Host>(
        u: U,
        ctx: &Context<'_>,
        host: &mut H,
    ) -> Result<(Unlearned, BTreeMap<String, f64>)> {
        let params = u.params();
        Ok((u.unlearn(ctx, host).await?, params))
    }
    let t = ctx.train;
    match spec.method {
        Method::Retrain => unreachable!("retrain runs as the oracle"),
        Method::Sisa => go(Sisa::new(spec, t), ctx, host).await,
        Method::Certified => go(Certified::new(spec, t), ctx, host).await,
        Method::Finetune => go(Finetune::new(spec, t), ctx, host).await,
        Method::Neggrad => go(Neggrad::new(spec, t), ctx, host).await,
        Method::NeggradPlus => go(NeggradPlus::new(spec, t), ctx, host).await,
        Method::RandomLabels => go(RandomLabels::new(spec, t), ctx, host).await,
        Method::Scrub => go(Scrub::new(spec, t, ctx.model.kind), ctx, host).await,
        Method::Fisher => go(Fisher::new(spec, t), ctx, host).await,
        Method::Amnesiac => go(Amnesiac::new(spec, t, ctx.model.kind), ctx, host).await,
        Method::BadTeacher => go(BadTeacher::new(spec, t), ctx, host).await,
        Method::Salun => go(Salun::new(spec, t), ctx, host).await,
        Method::Unsir => go(Unsir::new(spec, t, ctx.model.kind), ctx, host).await,
    }
}
