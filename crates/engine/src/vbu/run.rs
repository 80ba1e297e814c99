//! A `bayes_logistic` experiment end to end: variational inference on D, and with a `vbu` section the erased set,
//! VI retrained on D_r (the reference), the untouched q(θ|D), and VBU with the EUBO and the reverse KL at each λ,
//! each row measured on the retained, erased and test points and by its predictive KL to the retrained model.

use lethe_protocol::vbu::{
    BayesConfig, BayesFeatures, Covariance, EraseSpec, Marginals, ModelMap, PredictiveMaps,
    VbuAudit, VbuConfig, VbuFigures, VbuMethod,
};
use lethe_protocol::{Audit, ForgetSpec, RunReport, ValidExperiment};
use web_time::Instant;

use super::features::Fourier;
use super::fit::{Schedule, minimise};
use super::gaussian::Gaussian;
use super::likelihood::{Likelihood, Logistic, dot};
use super::unlearn::{eubo, reverse_kl};
use crate::backend::Runtime;
use crate::data::rng::{Rng64, stream};
use crate::data::{Prepared, Split};
use crate::error::{EngineError, Result};
use crate::host::Host;
use crate::metrics;
use crate::run::{Outcome, misclassified, report};
use crate::unlearn::descent::checkpoint;

/// Draws of q averaged for a predictive probability.
const PREDICTIVE_DRAWS: usize = 200;
/// Importance samples of the reverse KL.
const RKL_SAMPLES: usize = 4000;
/// Cells per axis of the KL grid on 2-D data.
const KL_GRID: usize = 50;

/// The features the classifier sees, fixed for the experiment.
struct Inputs {
    fourier: Option<Fourier>,
    d: usize,
}

impl Inputs {
    fn dim(&self) -> usize {
        self.fourier.as_ref().map_or(self.d + 1, Fourier::dim)
    }
    fn map(&self, x: &[f32]) -> Vec<f64> {
        let x: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        match &self.fourier {
            Some(f) => f.map(&x),
            None => x
                .chunks(self.d)
                .flat_map(|row| std::iter::once(1.0).chain(row.iter().copied()))
                .collect(),
        }
    }
    fn likelihood(&self, split: &Split) -> Logistic {
        Logistic {
            phi: self.map(&split.x),
            y: split.y.iter().map(|&c| c as f64).collect(),
            p: self.dim(),
        }
    }
}

/// P(y = 1 | x) for each row of `phi`, averaged over fixed draws of q.
pub fn predictive(q: &Gaussian, phi: &[f64], p: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng64::new(seed, stream::AUDIT);
    let draws: Vec<Vec<f64>> = (0..PREDICTIVE_DRAWS)
        .map(|_| q.sample(&mut rng).0)
        .collect();
    phi.chunks(p)
        .map(|row| {
            draws
                .iter()
                .map(|t| 1.0 / (1.0 + (-dot(row, t)).exp()))
                .sum::<f64>()
                / draws.len() as f64
        })
        .collect()
}

/// Mean KL[Bernoulli(a) ‖ Bernoulli(b)].
pub fn mean_kl(a: &[f64], b: &[f64]) -> f64 {
    let c = |v: f64| v.clamp(1e-9, 1.0 - 1e-9);
    a.iter()
        .zip(b)
        .map(|(&x, &y)| {
            let (x, y) = (c(x), c(y));
            x * (x / y).ln() + (1.0 - x) * ((1.0 - x) / (1.0 - y)).ln()
        })
        .sum::<f64>()
        / a.len().max(1) as f64
}

fn accuracy(probs: &[f64], y: &[u32]) -> f64 {
    let right = probs
        .iter()
        .zip(y)
        .filter(|(p, y)| (**p > 0.5) == (**y == 1))
        .count();
    right as f64 / y.len().max(1) as f64
}

/// The training positions erased.
fn erased_positions(spec: &EraseSpec, data: &Prepared, seed: u64) -> Result<Vec<usize>> {
    let n = data.train.len();
    let positions = match spec {
        EraseSpec::Region {
            feature,
            top_fraction,
        } => {
            let d = data.n_features();
            if *feature >= d {
                return Err(EngineError::Unlearn(format!(
                    "vbu.erase.feature is {feature}, but the dataset has {d} features (0 to {})",
                    d - 1
                )));
            }
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| {
                data.train.x[b * d + feature].total_cmp(&data.train.x[a * d + feature])
            });
            let mut top = order[..((top_fraction * n as f64).round() as usize)].to_vec();
            top.sort_unstable();
            top
        }
        other => {
            let forget = match other {
                EraseSpec::Random { fraction } => ForgetSpec::Random {
                    fraction: *fraction,
                },
                EraseSpec::Class { classes } => ForgetSpec::Class {
                    classes: classes.clone(),
                },
                EraseSpec::Rows { rows } => ForgetSpec::Rows { rows: rows.clone() },
                EraseSpec::Region { .. } => unreachable!("handled above"),
            };
            let plan =
                crate::unlearn::forget::plan(&forget, data.clone(), seed, 0).map_err(|e| {
                    EngineError::Unlearn(e.to_string().replace("unlearn.forget", "vbu.erase"))
                })?;
            plan.positions.unwrap_or_default()
        }
    };
    if positions.is_empty() {
        return Err(EngineError::Unlearn(
            "vbu.erase picks no training point: nothing to erase".into(),
        ));
    }
    if positions.len() >= n {
        return Err(EngineError::Unlearn(format!(
            "vbu.erase picks all {n} training points: nothing would remain"
        )));
    }
    Ok(positions)
}

/// Runs a `bayes_logistic` experiment.
pub async fn run_bayes<H: Host>(
    experiment: &ValidExperiment,
    data: &Prepared,
    rt: &Runtime,
    host: &mut H,
    host_name: &str,
    started: Instant,
) -> Result<Outcome> {
    let k = data.n_classes();
    if k != 2 {
        return Err(EngineError::Data(format!(
            "model.kind \"bayes_logistic\" is a binary classifier, but the dataset has {k} classes"
        )));
    }
    let seed = experiment.seed;
    let bayes: BayesConfig = experiment.model.bayes.clone().unwrap_or_default();
    let d = data.n_features();
    let inputs = Inputs {
        fourier: (bayes.features == BayesFeatures::Rff).then(|| {
            Fourier::new(
                d,
                experiment.model.width,
                bayes.bandwidth,
                &mut Rng64::new(seed, stream::INIT),
            )
        }),
        d,
    };
    let p = inputs.dim();
    let schedule = Schedule {
        samples: bayes.samples,
        iterations: bayes.iterations,
        learning_rate: bayes.learning_rate,
        diagonal: bayes.covariance == Covariance::Diagonal,
    };
    let prior = Gaussian::isotropic(p, bayes.prior_variance);
    let vi = |lik: &Logistic, rng_seed: u64| {
        minimise(
            &prior,
            &prior,
            |t| lik.value_grad(t).1.into_iter().map(|g| -g).collect(),
            schedule,
            &mut Rng64::new(rng_seed, stream::UNLEARN),
        )
    };
    // VBU's rows report seconds; their gradients are closed-form and not counted as `sample_grads`.
    host.stage("variational inference on D", 0, 1);
    let t = Instant::now();
    let full = vi(&inputs.likelihood(&data.train), seed);
    let learning_seconds = t.elapsed().as_secs_f64();
    checkpoint(host, 0).await?;

    let test_phi = inputs.map(&data.test.x);
    let positions = match &experiment.vbu {
        Some(v) => Some(erased_positions(&v.erase, data, seed)?),
        None => None,
    };
    let mut rows = Vec::new();
    let mut figures = None;
    let row =
        |method: &str, q: &Gaussian, seconds: f64, audit: Option<Audit>, vbu: Option<VbuAudit>| {
            let probs = predictive(q, &test_phi, p, seed);
            let predicted: Vec<u32> = probs.iter().map(|&x| u32::from(x > 0.5)).collect();
            let confusion = metrics::confusion(&data.test.y, &predicted, k);
            let per_class = metrics::per_class(&confusion, &data.raw.class_names);
            let (precision, recall, f1) = metrics::macro_average(&per_class);
            RunReport {
                method: method.into(),
                seconds,
                epochs: bayes.iterations,
                train_loss: 0.0,
                train_acc: audit.as_ref().map_or(0.0, |a| a.retain_acc),
                test_acc: metrics::accuracy(&confusion),
                precision,
                recall,
                f1,
                confusion,
                per_class,
                history: Vec::new(),
                misclassified: misclassified(data, &predicted),
                audit,
                fed: None,
                vbu,
            }
        };
    match (&experiment.vbu, positions) {
        (Some(config), Some(positions)) => {
            let (more, pictures) = vbu_rows(
                config,
                data,
                &inputs,
                &full,
                &positions,
                schedule,
                &vi,
                learning_seconds,
                seed,
                host,
                &row,
            )
            .await?;
            rows.extend(more);
            figures = Some(pictures);
        }
        _ => {
            let train_probs = predictive(&full, &inputs.map(&data.train.x), p, seed);
            let audit = Audit {
                retain_acc: accuracy(&train_probs, &data.train.y),
                ..empty_audit()
            };
            rows.push(row("train", &full, learning_seconds, Some(audit), None));
        }
    }
    let mut report = report(experiment, data, rt, host_name, rows, started);
    report.vbu_figures = figures;
    // A Bayesian run leaves no network for the worker to keep: the lab cannot start from it.
    Ok(Outcome::Finished {
        report: Box::new(report),
        trained: None,
    })
}

fn empty_audit() -> Audit {
    Audit {
        family: None,
        guarantee: None,
        speedup_vs_retrain: None,
        sample_grads: None,
        work_speedup_vs_retrain: None,
        hessian_rows: None,
        retain_acc: 0.0,
        forget_acc: 0.0,
        mia_auc: None,
        js_to_retrain: None,
        tow: None,
        l2_to_retrain: None,
        backdoor_asr: None,
        relearn_epochs: None,
        warnings: Vec::new(),
        params: Default::default(),
        prepare_seconds: None,
        retain_acc_std: None,
        forget_acc_std: None,
        test_acc_std: None,
        mia_auc_std: None,
        certificate: None,
        sisa: None,
    }
}

/// Builds a report row from a method's name, posterior, seconds and audits.
type RowOf<'a> = dyn Fn(&str, &Gaussian, f64, Option<Audit>, Option<VbuAudit>) -> RunReport + 'a;

/// The VBU comparison: vi_retrain, full, then EUBO and rKL at each λ.
#[allow(clippy::too_many_arguments)]
async fn vbu_rows<H: Host>(
    config: &VbuConfig,
    data: &Prepared,
    inputs: &Inputs,
    full: &Gaussian,
    positions: &[usize],
    schedule: Schedule,
    vi: &dyn Fn(&Logistic, u64) -> Gaussian,
    learning_seconds: f64,
    seed: u64,
    host: &mut H,
    row: &RowOf<'_>,
) -> Result<(Vec<RunReport>, VbuFigures)> {
    let d = data.n_features();
    let p = inputs.dim();
    let n = data.train.len();
    let mut erased = vec![false; n];
    positions.iter().for_each(|&i| erased[i] = true);
    let pick = |keep: bool| {
        let idx: Vec<usize> = (0..n).filter(|&i| erased[i] != keep).collect();
        crate::unlearn::forget::subset(&data.train, &idx, d)
    };
    let (kept, gone) = (pick(true), pick(false));
    let (kept_lik, gone_lik) = (inputs.likelihood(&kept), inputs.likelihood(&gone));
    host.stage("variational inference on D_r (the reference)", 0, 1);
    let t = Instant::now();
    let retrained = vi(&kept_lik, seed.wrapping_add(1));
    let retrain_seconds = t.elapsed().as_secs_f64();
    checkpoint(host, 0).await?;
    // Where the predictive KL is averaged: a 50×50 grid over the plotted plane for 2-D data, else the test split.
    let kl_phi = if d == 2 {
        inputs.map(&data.plane_grid([0, 1], KL_GRID).2)
    } else {
        inputs.map(&data.test.x)
    };
    let reference = predictive(&retrained, &kl_phi, p, seed);
    let kl_full = mean_kl(&reference, &predictive(full, &kl_phi, p, seed));
    let (kept_phi, gone_phi) = (inputs.map(&kept.x), inputs.map(&gone.x));
    let measure = |q: &Gaussian, seconds: f64, lambda: Option<f64>, speedup: Option<f64>| {
        let audit = Audit {
            speedup_vs_retrain: speedup,
            retain_acc: accuracy(&predictive(q, &kept_phi, p, seed), &kept.y),
            forget_acc: accuracy(&predictive(q, &gone_phi, p, seed), &gone.y),
            ..empty_audit()
        };
        let vbu = VbuAudit {
            lambda,
            kl_to_retrain: mean_kl(&reference, &predictive(q, &kl_phi, p, seed)),
            kl_full_to_retrain: kl_full,
        };
        (audit, vbu, seconds)
    };
    let mut rows = Vec::new();
    let mut maps = Vec::new();
    let mut posteriors = Vec::new();
    let mut picture = |method: &str, lambda: Option<f64>, q: &Gaussian| {
        let cov = q.covariance();
        posteriors.push(Marginals {
            method: method.into(),
            lambda,
            mean: q.mean.clone(),
            std: (0..p).map(|i| cov[i * p + i].max(0.0).sqrt()).collect(),
        });
        if d == 2 {
            maps.push(ModelMap {
                method: method.into(),
                lambda,
                probs: predictive(q, &kl_phi, p, seed)
                    .into_iter()
                    .map(|v| v as f32)
                    .collect(),
            });
        }
    };
    picture(VbuMethod::ViRetrain.key(), None, &retrained);
    picture(VbuMethod::Full.key(), None, full);
    let (a, v, s) = measure(&retrained, retrain_seconds, None, Some(1.0));
    rows.push(row(
        VbuMethod::ViRetrain.key(),
        &retrained,
        s,
        Some(a),
        Some(v),
    ));
    if config.methods.contains(&VbuMethod::Full) {
        let (a, v, s) = measure(full, learning_seconds, None, None);
        rows.push(row(VbuMethod::Full.key(), full, s, Some(a), Some(v)));
    }
    let total = config.lambdas.len();
    for (i, &lambda) in config.lambdas.iter().enumerate() {
        for method in [VbuMethod::VbuEubo, VbuMethod::VbuRkl] {
            if !config.methods.contains(&method) {
                continue;
            }
            host.stage(method.key(), i, total);
            let t = Instant::now();
            let q = match method {
                VbuMethod::VbuEubo => eubo(
                    full,
                    &gone_lik,
                    lambda,
                    schedule,
                    &mut Rng64::new(seed.wrapping_add(2 + i as u64), stream::UNLEARN),
                ),
                _ => reverse_kl(
                    full,
                    &gone_lik,
                    lambda,
                    RKL_SAMPLES,
                    &mut Rng64::new(seed.wrapping_add(100 + i as u64), stream::UNLEARN),
                ),
            };
            let secs = t.elapsed().as_secs_f64();
            checkpoint(host, 0).await?;
            let speedup = retrain_seconds / secs.max(1e-9);
            let (a, v, s) = measure(&q, secs, Some(lambda), Some(speedup));
            rows.push(row(method.key(), &q, s, Some(a), Some(v)));
            picture(method.key(), Some(lambda), &q);
        }
    }
    let train_rows: Vec<usize> = data.train_rows().collect();
    let erased_rows: Vec<usize> = positions.iter().map(|&i| train_rows[i]).collect();
    let kept_rows: Vec<usize> = (0..n)
        .filter(|&i| !erased[i])
        .map(|i| train_rows[i])
        .collect();
    let figures = VbuFigures {
        erased_rows,
        maps: (d == 2).then(|| PredictiveMaps {
            x_range: data.padded_range(0),
            y_range: data.padded_range(1),
            resolution: KL_GRID,
            models: maps,
        }),
        posteriors,
        distribution: lethe_protocol::Distribution {
            train: crate::unlearn::suggest::summarise(&data.raw, &train_rows),
            retain: crate::unlearn::suggest::summarise(&data.raw, &kept_rows),
        },
    };
    Ok((rows, figures))
}
