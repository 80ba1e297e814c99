//! The lab's sweep (`unlearn.sweep`): after the listed methods, the swept method at each point of its grid, on the
//! same trained model and against the same oracle, then the Pareto fronts of work (`sample_grads`) against
//! closeness to retraining (`tow`, and the privacy score's `forgetting_score` once it is computed). A Cancel during
//! the sweep keeps the finished points: the lab ends there, with the points it has and `cancelled: true`.

use std::collections::BTreeMap;

use lethe_protocol::unlearn::{SWEEP_NOTE, pareto};
use lethe_protocol::{Method, SweepPoint, SweepReport};

use super::oracle::Oracle;
use super::relearn::Relearn;
use super::steps::Lab;
use crate::audit::yardstick::Yardstick;
use crate::error::{EngineError, Result};
use crate::host::Host;
use crate::unlearn::Context;

impl Lab<'_> {
    /// Runs the sweep's points, if the lab has a sweep.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn sweep<H: Host>(
        &self,
        ctx: &Context<'_>,
        yardstick: &Yardstick<'_>,
        oracle: &Oracle,
        relearn: &Relearn<'_>,
        prepare_seconds: &BTreeMap<Method, f64>,
        host: &mut H,
    ) -> Result<Option<SweepReport>> {
        let Some(spec) = &self.config.sweep else {
            return Ok(None);
        };
        let planned = spec.points();
        let first = self.total() - planned.len();
        let mut points = Vec::new();
        let mut cancelled = false;
        for (i, point) in planned.iter().enumerate() {
            host.stage(
                &format!("sweep: {} ({})", spec.method.key(), words(&point.settings)),
                first + i,
                self.total(),
            );
            match self
                .method(
                    point,
                    ctx,
                    yardstick,
                    oracle,
                    relearn,
                    prepare_seconds,
                    host,
                )
                .await
            {
                Ok((row, ..)) => points.push(SweepPoint {
                    settings: point.settings.clone(),
                    front: false,
                    front_score: None,
                    row,
                }),
                Err(EngineError::Cancelled) => {
                    cancelled = true;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        let mut report = SweepReport {
            method: spec.method.key().into(),
            planned: planned.len(),
            cancelled,
            note: SWEEP_NOTE.into(),
            points,
        };
        fronts(&mut report);
        Ok(Some(report))
    }
}

/// `epochs 2, learning_rate 0.1`.
pub fn words(settings: &BTreeMap<String, f64>) -> String {
    settings
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Marks the points on each front: work against tug-of-war, and against the forgetting score where every point has
/// one.
pub fn fronts(report: &mut SweepReport) {
    let work = |p: &SweepPoint| p.row.audit.forgetting.sample_grads.unwrap_or(u64::MAX) as f64;
    let by_tow: Vec<(f64, Option<f64>)> = report
        .points
        .iter()
        .map(|p| (work(p), p.row.audit.forgetting.tow))
        .collect();
    for (p, on) in report.points.iter_mut().zip(pareto(&by_tow)) {
        p.front = on;
    }
    let scored = !report.points.is_empty()
        && report
            .points
            .iter()
            .all(|p| p.row.audit.privacy_score.is_some());
    let by_score: Vec<(f64, Option<f64>)> = report
        .points
        .iter()
        .map(|p| {
            (
                work(p),
                p.row
                    .audit
                    .privacy_score
                    .as_ref()
                    .map(|s| s.forgetting_score),
            )
        })
        .collect();
    for (p, on) in report.points.iter_mut().zip(pareto(&by_score)) {
        p.front_score = scored.then_some(on);
    }
}
