//! The lab's oracle: retraining from scratch with `retrain_seeds` seeds, the band their spread makes, and the
//! retrain row.

use lethe_protocol::UnlearnRow;
use web_time::Instant;

use super::relearn::Relearn;
use super::rows::retrain_row;
use super::steps::Lab;
use crate::audit::warnings::{Band, Bands, FORGET_ACC_TOLERANCE, MIA_TOLERANCE};
use crate::audit::yardstick::{Measured, Yardstick};
use crate::error::Result;
use crate::fit::params::flat;
use crate::host::{Host, Tally};
use crate::metrics::mean_std;
use crate::model::Classifier;
use crate::unlearn::retrain::retrain;
use crate::unlearn::{Context, Fitted};

/// The oracle: the retrains, the reference (the first seed's), and the band a method is read against.
pub(super) struct Oracle {
    pub(super) reference: (Classifier, Measured),
    pub(super) reference_flat: Vec<f32>,
    pub(super) bands: Bands,
    /// Mean seconds of one retrain.
    pub(super) seconds: f64,
    /// Per-example gradient passes of one retrain.
    pub(super) sample_grads: u64,
}

impl Lab<'_> {
    /// The oracle: retrains with seeds seed, seed + 1, …, their band, and the retrain row.
    pub(super) async fn oracle<H: Host>(
        &self,
        ctx: &Context<'_>,
        yardstick: &Yardstick<'_>,
        relearn: &Relearn<'_>,
        host: &mut H,
    ) -> Result<(Oracle, UnlearnRow)> {
        let mut retrains = Vec::new();
        let mut grads = 0u64;
        for i in 0..self.config.retrain_seeds {
            host.stage("retrain", i, self.total());
            let t = Instant::now();
            let mut tally = Tally::new(host);
            let model = retrain(ctx, ctx.seed.wrapping_add(i as u64), &mut tally).await?;
            grads += tally.sample_grads;
            let seconds = t.elapsed().as_secs_f64();
            let measured = yardstick.measure(&Fitted::Net(model.clone())).await?;
            retrains.push((model, measured, seconds));
        }
        let reference_flat = flat(&retrains[0].0).await?;
        let spread = |f: fn(&Measured) -> f64| {
            mean_std(&retrains.iter().map(|r| f(&r.1)).collect::<Vec<_>>())
        };
        let (fa_mean, fa_std) = spread(|m| m.forget_acc);
        let mias: Vec<f64> = retrains.iter().filter_map(|r| r.1.mia_auc).collect();
        let bands = Bands {
            forget_acc: Band::new(fa_mean, fa_std, FORGET_ACC_TOLERANCE),
            mia_auc: (!mias.is_empty()).then(|| {
                let (m, s) = mean_std(&mias);
                Band::new(m, s, MIA_TOLERANCE)
            }),
        };
        let seconds = retrains.iter().map(|r| r.2).sum::<f64>() / retrains.len() as f64;
        // Every seed's retrain does the same work (the same rows, epochs and batches); the mean says so if not.
        let sample_grads = grads / retrains.len() as u64;
        let (run, mut row_audit) = retrain_row(
            &retrains,
            &reference_flat,
            &bands,
            yardstick,
            relearn,
            seconds,
            self.data,
            host,
        )
        .await?;
        row_audit.forgetting.sample_grads = Some(sample_grads);
        row_audit.forgetting.work_speedup_vs_retrain = Some(1.0);
        let (model, measured, _) = retrains.swap_remove(0);
        let oracle = Oracle {
            reference: (model, measured),
            reference_flat,
            bands,
            seconds,
            sample_grads,
        };
        Ok((
            oracle,
            UnlearnRow {
                run,
                audit: row_audit,
            },
        ))
    }
}
