//! Live learning curves: loss and accuracy per epoch, train and test.

use leptos::prelude::*;
use lethe_protocol::TaskKind;
use plotters::style::RGBColor;

use crate::charts::lines::{Axes, Series, line_svg};
use crate::components::data_chart::chart_size;
use crate::state::use_app;

const TRAIN: RGBColor = RGBColor(31, 119, 180);
const TEST: RGBColor = RGBColor(255, 127, 14);
/// Failed attempts (a lost GPU, a crashed engine) stay on the charts in grey.
const FAILED: RGBColor = RGBColor(140, 140, 140);

/// Loss and accuracy curves of the current run.
#[component]
pub fn LearningCurves() -> impl IntoView {
    let app = use_app();
    // Redrawn when a record or an attempt arrives, not on every change of the run (heartbeats, steps).
    let shape = Memo::new(move |_| {
        app.jobs
            .get(TaskKind::Train)
            .with(|r| (r.id, r.history.len(), r.attempts.len(), r.epochs_total))
    });
    let charts = Memo::new(move |_| {
        let _ = shape.get(); // `get`, not `track`: a memo is lazy, and only computing it subscribes it to the run
        app.jobs.get(TaskKind::Train).with_untracked(|r| {
            if r.history.is_empty() && r.attempts.is_empty() {
                return None;
            }
            let h = &r.history;
            let pts = |f: fn(&lethe_protocol::EpochRecord) -> f64| h.iter().map(|e| (e.epoch as f64, f(e))).collect();
            let failed = |f: fn(&lethe_protocol::EpochRecord) -> f64| {
                r.attempts.iter().map(move |a| Series {
                    name: format!("failed attempt, test ({})", a.note),
                    points: a.history.iter().map(|e| (e.epoch as f64, f(e))).collect(),
                    color: FAILED,
                })
            };
            let x_max = r.epochs_total.max(1) as f64;
            let size = chart_size((440, 280), (360, 240));
            let loss = line_svg(
                &Axes { title: "Loss", x_desc: "epoch", y_desc: "cross-entropy (nats)", x_max, y_range: None },
                &failed(|e| e.test_loss)
                    .chain([
                        Series { name: "train".into(), points: pts(|e| e.train_loss), color: TRAIN },
                        Series { name: "test".into(), points: pts(|e| e.test_loss), color: TEST },
                    ])
                    .collect::<Vec<_>>(),
                size,
            );
            let acc = line_svg(
                &Axes { title: "Accuracy", x_desc: "epoch", y_desc: "accuracy (%)", x_max, y_range: Some((0.0, 100.0)) },
                &failed(|e| e.test_acc * 100.0)
                    .chain([
                        Series { name: "train".into(), points: pts(|e| e.train_acc * 100.0), color: TRAIN },
                        Series { name: "test".into(), points: pts(|e| e.test_acc * 100.0), color: TEST },
                    ])
                    .collect::<Vec<_>>(),
                size,
            );
            let mut summary = match h.last() {
                Some(last) => format!(
                    "After epoch {}: train loss {:.4}, test loss {:.4}, train accuracy {:.1}%, test accuracy {:.1}%.",
                    last.epoch,
                    last.train_loss,
                    last.test_loss,
                    last.train_acc * 100.0,
                    last.test_acc * 100.0
                ),
                None => "Starting again.".to_string(),
            };
            for a in &r.attempts {
                summary.push_str(&format!(" A failed attempt ({}) is drawn in grey.", a.note));
            }
            Some((loss, acc, summary))
        })
    });
    move || {
        charts.get().map(|(loss, acc, summary)| {
            view! {
                <div class="curves" class:stale=move || app.results_stale.get()>
                    <figure class="chart" id="loss-chart">
                        <div class="svg" role="img" aria-label=summary.clone() inner_html=loss></div>
                    </figure>
                    <figure class="chart" id="accuracy-chart">
                        <div class="svg" role="img" aria-label=summary.clone() inner_html=acc></div>
                    </figure>
                    <p class="caption" id="curves-caption">{summary}</p>
                </div>
            }
        })
    }
}
