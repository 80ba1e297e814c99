//! Live learning curves: loss and accuracy per epoch, train and test.

use leptos::prelude::*;
use plotters::style::RGBColor;

use crate::charts::lines::{Axes, Series, line_svg};
use crate::state::use_app;

const TRAIN: RGBColor = RGBColor(31, 119, 180);
const TEST: RGBColor = RGBColor(255, 127, 14);

/// Loss and accuracy curves of the current run.
#[component]
pub fn LearningCurves() -> impl IntoView {
    let app = use_app();
    let charts = Memo::new(move |_| {
        app.run.with(|r| {
            if r.history.is_empty() {
                return None;
            }
            let h = &r.history;
            let pts = |f: fn(&lethe_protocol::EpochRecord) -> f64| h.iter().map(|e| (e.epoch as f64, f(e))).collect();
            let x_max = r.epochs_total.max(1) as f64;
            let loss = line_svg(
                &Axes { title: "Loss", x_desc: "epoch", y_desc: "cross-entropy (nats)", x_max, y_range: None },
                &[
                    Series { name: "train".into(), points: pts(|e| e.train_loss), color: TRAIN },
                    Series { name: "test".into(), points: pts(|e| e.test_loss), color: TEST },
                ],
                (440, 280),
            );
            let acc = line_svg(
                &Axes { title: "Accuracy", x_desc: "epoch", y_desc: "accuracy (%)", x_max, y_range: Some((0.0, 100.0)) },
                &[
                    Series { name: "train".into(), points: pts(|e| e.train_acc * 100.0), color: TRAIN },
                    Series { name: "test".into(), points: pts(|e| e.test_acc * 100.0), color: TEST },
                ],
                (440, 280),
            );
            let last = h.last().expect("history is not empty");
            let summary = format!(
                "After epoch {}: train loss {:.4}, test loss {:.4}, train accuracy {:.1}%, test accuracy {:.1}%.",
                last.epoch,
                last.train_loss,
                last.test_loss,
                last.train_acc * 100.0,
                last.test_acc * 100.0
            );
            Some((loss, acc, summary))
        })
    });
    move || {
        charts.get().map(|(loss, acc, summary)| {
            view! {
                <div class="curves">
                    <figure class="chart" id="loss-chart">
                        <div class="svg" role="img" aria-label=summary.clone() inner_html=loss></div>
                    </figure>
                    <figure class="chart" id="accuracy-chart">
                        <div class="svg" role="img" aria-label=summary.clone() inner_html=acc></div>
                    </figure>
                    <p class="caption">{summary}</p>
                </div>
            }
        })
    }
}
