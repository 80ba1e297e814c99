//! The VBU comparison: VI retrained on the remaining data (the reference), the untouched posterior, then VBU with
//! the EUBO and with the reverse KL at each λ, each measured on the retained, erased and test points and by its
//! predictive KL to the retrained model.

use lethe_protocol::vbu::{
    Marginals, ModelMap, PredictiveMaps, VbuAudit, VbuConfig, VbuFigures, VbuMethod,
};
use lethe_protocol::{Distribution, RunReport, VbuRow};
use web_time::Instant;

use super::fit::Schedule;
use super::gaussian::Gaussian;
use super::likelihood::Logistic;
use super::predict::{Inputs, mean_kl, predictive};
use super::unlearn::{eubo, reverse_kl};
use crate::data::Prepared;
use crate::data::rng::{Rng64, stream};
use crate::error::Result;
use crate::fit::descent::checkpoint;
use crate::fit::subset::subset;
use crate::fit::summary::summarise;
use crate::host::Host;
use crate::metrics::accuracy;

/// Importance samples of the reverse KL.
const RKL_SAMPLES: usize = 4000;
/// Cells per axis of the KL grid on 2-D data.
const KL_GRID: usize = 50;

/// Builds a report row from a method's name, posterior, seconds and the accuracy on what it is trained on.
pub(super) type RowOf<'a> = dyn Fn(&str, &Gaussian, f64, f64) -> RunReport + 'a;

/// The class a predictive probability says (1 above ½).
pub(super) fn predicted(probs: &[f64]) -> Vec<u32> {
    probs.iter().map(|&x| u32::from(x > 0.5)).collect()
}

/// The VBU comparison: vi_retrain, full, then EUBO and rKL at each λ.
#[allow(clippy::too_many_arguments)]
pub(super) async fn compare<H: Host>(
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
) -> Result<(Vec<VbuRow>, VbuFigures)> {
    let d = data.n_features();
    let p = inputs.dim();
    let n = data.train.len();
    let mut erased = vec![false; n];
    positions.iter().for_each(|&i| erased[i] = true);
    let pick = |keep: bool| {
        let idx: Vec<usize> = (0..n).filter(|&i| erased[i] != keep).collect();
        subset(&data.train, &idx, d)
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
    let measure =
        |method: &str, q: &Gaussian, seconds: f64, lambda: Option<f64>, speedup: Option<f64>| {
            let vbu = VbuAudit {
                retain_acc: accuracy(&predicted(&predictive(q, &kept_phi, p, seed)), &kept.y),
                forget_acc: accuracy(&predicted(&predictive(q, &gone_phi, p, seed)), &gone.y),
                speedup_vs_retrain: speedup,
                lambda,
                kl_to_retrain: mean_kl(&reference, &predictive(q, &kl_phi, p, seed)),
                kl_full_to_retrain: kl_full,
            };
            VbuRow {
                run: row(method, q, seconds, vbu.retain_acc),
                vbu,
            }
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
    rows.push(measure(
        VbuMethod::ViRetrain.key(),
        &retrained,
        retrain_seconds,
        None,
        Some(1.0),
    ));
    if config.methods.contains(&VbuMethod::Full) {
        rows.push(measure(
            VbuMethod::Full.key(),
            full,
            learning_seconds,
            None,
            None,
        ));
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
            rows.push(measure(method.key(), &q, secs, Some(lambda), Some(speedup)));
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
        distribution: Distribution {
            train: summarise(&data.raw, &train_rows),
            retain: summarise(&data.raw, &kept_rows),
        },
    };
    Ok((rows, figures))
}
