//! The VBU comparison: VI retrained on the remaining data (the reference), the untouched posterior, then VBU with
//! the EUBO and with the reverse KL at each λ, each measured on the retained, erased and test points and by its
//! predictive KL to the retrained model.

use lethe_protocol::vbu::{
    Marginals, ModelMap, PredictiveMaps, VbuAudit, VbuConfig, VbuFigures, VbuMethod,
};
use lethe_protocol::{Distribution, RunReport, VbuRow};
use web_time::Instant;

use super::fit::{Schedule, vi};
use super::gaussian::Gaussian;
use super::likelihood::Logistic;
use super::predict::{Inputs, mean_kl, predictive};
use super::unlearn::{eubo_hosted, reverse_kl};
use crate::data::rng::{Rng64, stream};
use crate::data::{Prepared, Split};
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

/// What every row of the comparison is measured on: the retained and erased points, the KL grid and the
/// retrained model's predictive on it.
struct Yardstick<'a> {
    inputs: &'a Inputs,
    seed: u64,
    kept: Split,
    gone: Split,
    kept_phi: Vec<f64>,
    gone_phi: Vec<f64>,
    /// Where the predictive KL is averaged: a 50×50 grid over the plotted plane for 2-D data, else the test split.
    kl_phi: Vec<f64>,
    /// The retrained model's predictive on `kl_phi`.
    reference: Vec<f64>,
    /// The untouched posterior's KL to it.
    kl_full: f64,
}

impl Yardstick<'_> {
    /// A row: the run's test metrics, and the accuracies and KL of `q`.
    fn row(
        &self,
        row: &RowOf<'_>,
        method: &str,
        q: &Gaussian,
        seconds: f64,
        lambda: Option<f64>,
        speedup: Option<f64>,
    ) -> VbuRow {
        let (p, seed) = (self.inputs.dim(), self.seed);
        let vbu = VbuAudit {
            retain_acc: accuracy(
                &predicted(&predictive(q, &self.kept_phi, p, seed)),
                &self.kept.y,
            ),
            forget_acc: accuracy(
                &predicted(&predictive(q, &self.gone_phi, p, seed)),
                &self.gone.y,
            ),
            speedup_vs_retrain: speedup,
            lambda,
            kl_to_retrain: mean_kl(&self.reference, &predictive(q, &self.kl_phi, p, seed)),
            kl_full_to_retrain: self.kl_full,
        };
        VbuRow {
            run: row(method, q, seconds, vbu.retain_acc),
            vbu,
        }
    }
}

/// What the page draws of each model: its posterior marginals and, on 2-D data, its predictive map.
#[derive(Default)]
struct Pictures {
    maps: Vec<ModelMap>,
    posteriors: Vec<Marginals>,
}

impl Pictures {
    fn add(
        &mut self,
        y: &Yardstick<'_>,
        two_d: bool,
        method: &str,
        lambda: Option<f64>,
        q: &Gaussian,
    ) {
        let p = y.inputs.dim();
        let cov = q.covariance();
        self.posteriors.push(Marginals {
            method: method.into(),
            lambda,
            mean: q.mean.clone(),
            std: (0..p).map(|i| cov[i * p + i].max(0.0).sqrt()).collect(),
        });
        if two_d {
            self.maps.push(ModelMap {
                method: method.into(),
                lambda,
                probs: predictive(q, &y.kl_phi, p, y.seed)
                    .into_iter()
                    .map(|v| v as f32)
                    .collect(),
            });
        }
    }
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
    prior: &Gaussian,
    learning_seconds: f64,
    seed: u64,
    host: &mut H,
    row: &RowOf<'_>,
) -> Result<(Vec<VbuRow>, VbuFigures)> {
    let two_d = data.n_features() == 2;
    let (kept, gone) = split(data, positions);
    host.stage("variational inference on D_r (the reference)", 0, 1);
    let t = Instant::now();
    let retrained = vi(
        prior,
        &inputs.likelihood(&kept),
        schedule,
        seed.wrapping_add(1),
        host,
    )
    .await?;
    let retrain_seconds = t.elapsed().as_secs_f64();
    checkpoint(host, 0).await?;
    let y = yardstick(data, inputs, full, &retrained, kept, gone, seed);
    let gone_lik = inputs.likelihood(&y.gone);
    let mut pictures = Pictures::default();
    pictures.add(&y, two_d, VbuMethod::ViRetrain.key(), None, &retrained);
    pictures.add(&y, two_d, VbuMethod::Full.key(), None, full);
    let mut rows = vec![y.row(
        row,
        VbuMethod::ViRetrain.key(),
        &retrained,
        retrain_seconds,
        None,
        Some(1.0),
    )];
    if config.methods.contains(&VbuMethod::Full) {
        rows.push(y.row(
            row,
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
            let q = unlearn(method, full, &gone_lik, lambda, i, schedule, seed, host).await?;
            let secs = t.elapsed().as_secs_f64();
            checkpoint(host, 0).await?;
            let speedup = retrain_seconds / secs.max(1e-9);
            rows.push(y.row(row, method.key(), &q, secs, Some(lambda), Some(speedup)));
            pictures.add(&y, two_d, method.key(), Some(lambda), &q);
        }
    }
    Ok((rows, figures(data, positions, pictures)))
}

/// The retained and the erased training points.
fn split(data: &Prepared, positions: &[usize]) -> (Split, Split) {
    let (d, n) = (data.n_features(), data.train.len());
    let mut erased = vec![false; n];
    positions.iter().for_each(|&i| erased[i] = true);
    let pick = |keep: bool| {
        let idx: Vec<usize> = (0..n).filter(|&i| erased[i] != keep).collect();
        subset(&data.train, &idx, d)
    };
    (pick(true), pick(false))
}

/// The yardstick of the comparison, from the retrained model.
fn yardstick<'a>(
    data: &Prepared,
    inputs: &'a Inputs,
    full: &Gaussian,
    retrained: &Gaussian,
    kept: Split,
    gone: Split,
    seed: u64,
) -> Yardstick<'a> {
    let p = inputs.dim();
    let kl_phi = if data.n_features() == 2 {
        inputs.map(&data.plane_grid([0, 1], KL_GRID).2)
    } else {
        inputs.map(&data.test.x)
    };
    let reference = predictive(retrained, &kl_phi, p, seed);
    let kl_full = mean_kl(&reference, &predictive(full, &kl_phi, p, seed));
    Yardstick {
        inputs,
        seed,
        kept_phi: inputs.map(&kept.x),
        gone_phi: inputs.map(&gone.x),
        kept,
        gone,
        kl_phi,
        reference,
        kl_full,
    }
}

/// VBU with the EUBO or the reverse KL at threshold `lambda` (the `i`-th of the sweep, which seeds its draws).
#[allow(clippy::too_many_arguments)]
async fn unlearn<H: Host>(
    method: VbuMethod,
    full: &Gaussian,
    gone: &Logistic,
    lambda: f64,
    i: usize,
    schedule: Schedule,
    seed: u64,
    host: &mut H,
) -> Result<Gaussian> {
    match method {
        VbuMethod::VbuEubo => {
            eubo_hosted(
                full,
                gone,
                lambda,
                schedule,
                &mut Rng64::new(seed.wrapping_add(2 + i as u64), stream::UNLEARN),
                host,
            )
            .await
        }
        _ => Ok(reverse_kl(
            full,
            gone,
            lambda,
            RKL_SAMPLES,
            &mut Rng64::new(seed.wrapping_add(100 + i as u64), stream::UNLEARN),
        )),
    }
}

/// The figures: the erased rows, the maps and marginals, and the data before and after.
fn figures(data: &Prepared, positions: &[usize], pictures: Pictures) -> VbuFigures {
    let n = data.train.len();
    let mut erased = vec![false; n];
    positions.iter().for_each(|&i| erased[i] = true);
    let train_rows: Vec<usize> = data.train_rows().collect();
    let erased_rows: Vec<usize> = positions.iter().map(|&i| train_rows[i]).collect();
    let kept_rows: Vec<usize> = (0..n)
        .filter(|&i| !erased[i])
        .map(|i| train_rows[i])
        .collect();
    VbuFigures {
        erased_rows,
        maps: (data.n_features() == 2).then(|| PredictiveMaps {
            x_range: data.padded_range(0),
            y_range: data.padded_range(1),
            resolution: KL_GRID,
            models: pictures.maps,
        }),
        posteriors: pictures.posteriors,
        distribution: Distribution {
            train: summarise(&data.raw, &train_rows),
            retain: summarise(&data.raw, &kept_rows),
        },
    }
}
