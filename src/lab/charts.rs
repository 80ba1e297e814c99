//! The lab's charts: speed against fidelity, each audit metric per method with the retrain band, per-class test
//! accuracy before and after, and the training data before and after forgetting. Each downloads as SVG.

use leptos::prelude::*;
use lethe_protocol::Report;

use super::methods::family_words;
use super::table::{bands, lab_rows};
use crate::charts::bars::{BarChart, BarSeries, bar_svg};
use crate::charts::palette::class_color;
use crate::charts::tradeoff::{Point, SCORE_AXIS, TOW_AXIS, tradeoff_svg};
use crate::components::data_chart::chart_size;
use crate::files::download;

/// The trade-off points: every unlearning method, and the retrain oracle at 1× speed. The fidelity axis is
/// tug-of-war (retrain at 1) or, with `score`, the privacy score's forgetting score (retrain at its floor).
pub fn tradeoff_points(report: &Report, score: bool) -> Vec<Point> {
    lab_rows(report)
        .iter()
        .filter_map(|r| {
            let a = &r.audit;
            let y = if score {
                a.privacy_score.as_ref()?.forgetting_score
            } else if r.run.method == "retrain" {
                1.0
            } else {
                a.forgetting.tow?
            };
            if r.run.method == "retrain" {
                return Some(Point {
                    name: "retrain".into(),
                    speedup: 1.0,
                    y,
                    group: "oracle (retrain)".into(),
                });
            }
            Some(Point {
                name: r.run.method.clone(),
                speedup: a.forgetting.speedup_vs_retrain?,
                y,
                group: family_words(a.family?).into(),
            })
        })
        .collect()
}

/// One metric per model as bars, with the retrain band where the engine has one.
pub fn metric_chart(report: &Report, key: &str) -> String {
    let (forget_band, mia_band) = bands(report);
    let (title, desc, band) = match key {
        "forget_acc" => (
            "Accuracy on the forget set: the retrained model sets the target",
            "forget_acc (fraction of forget points classified as labelled)",
            forget_band,
        ),
        "mia_auc" => (
            "Membership attack on the forget set: 0.5 is a coin toss",
            "mia_auc (area under the ROC curve)",
            mia_band,
        ),
        _ => (
            "Accuracy on the test set: what forgetting cost",
            "test_acc (fraction of test points right)",
            None,
        ),
    };
    let categories = lab_rows(report)
        .iter()
        .map(|r| r.run.method.clone())
        .collect();
    let values = lab_rows(report)
        .iter()
        .map(|r| match super::table::cell(r, key) {
            super::table::Cell::Number(v, _) => Some(v),
            _ => None,
        })
        .collect();
    let chart = BarChart {
        title,
        value_desc: desc,
        categories,
        series: vec![BarSeries {
            name: key.to_string(),
            values,
            color: class_color(0),
        }],
        range: Some((0.0, 1.0)),
        band: band.map(|b| (b.lo.max(0.0), b.hi.min(1.0), "retrain band".to_string())),
        decimals: 3,
    };
    bar_svg(&chart, chart_size((560, 0), (360, 0)).0)
}

/// Test recall per class (the fraction of each class's test points classified right) for the trained model, the
/// retrained one and every method.
pub fn per_class_chart(report: &Report) -> String {
    let categories: Vec<String> = report.dataset.class_names.clone();
    let series = lab_rows(report)
        .iter()
        .enumerate()
        .map(|(i, r)| BarSeries {
            name: r.run.method.clone(),
            values: categories
                .iter()
                .enumerate()
                .map(|(c, _)| r.run.per_class.get(c).map(|m| m.recall))
                .collect(),
            color: class_color(i),
        })
        .collect();
    let chart = BarChart {
        title: "Test accuracy per class, before (train) and after",
        value_desc: "recall (fraction of the class's test points right)",
        categories,
        series,
        range: Some((0.0, 1.0)),
        band: None,
        decimals: 2,
    };
    bar_svg(&chart, chart_size((560, 0), (360, 0)).0)
}

/// Points per class in the training split and in the retained set (the data distribution before and after).
pub fn distribution_chart(report: &Report) -> Option<String> {
    let d = &report.outcome.unlearn()?.distribution;
    let to_values = |counts: &[usize]| counts.iter().map(|&c| Some(c as f64)).collect();
    let chart = BarChart {
        title: "Training data before and after forgetting, per class",
        value_desc: "training points",
        categories: report.dataset.class_names.clone(),
        series: vec![
            BarSeries {
                name: format!("before ({} points)", d.train.n),
                values: to_values(&d.train.class_counts),
                color: class_color(7),
            },
            BarSeries {
                name: format!("after ({} points)", d.retain.n),
                values: to_values(&d.retain.class_counts),
                color: class_color(0),
            },
        ],
        range: None,
        band: None,
        decimals: 0,
    };
    Some(bar_svg(&chart, chart_size((560, 0), (360, 0)).0))
}

/// With a privacy score: each scored model's per-example ε, as the share of forget examples in each of the score's
/// buckets (½ wide up to the resolution, then "told apart"), retraining against itself first (the floor).
pub fn epsilon_chart(report: &Report) -> Option<String> {
    let rows: Vec<_> = lab_rows(report)
        .iter()
        .filter_map(|r| Some((r.run.method.clone(), r.audit.privacy_score.as_ref()?)))
        .collect();
    let resolution = rows.first()?.1.epsilon_resolution;
    let edges: Vec<f64> = (0..)
        .map(|i| i as f64 * 0.5)
        .take_while(|&e| e + 0.5 <= resolution)
        .collect();
    let mut categories: Vec<String> = edges
        .iter()
        .map(|e| format!("ε {e:.1}–{:.1}", e + 0.5))
        .collect();
    categories.push(format!("ε ≥ {resolution:.0} (told apart)"));
    let series = rows
        .iter()
        .enumerate()
        .map(|(i, (method, score))| {
            let n = score.epsilons.len().max(1) as f64;
            let mut counts = vec![0usize; edges.len() + 1];
            for &e in &score.epsilons {
                let bucket = edges
                    .iter()
                    .position(|&lo| e < lo + 0.5)
                    .unwrap_or(edges.len());
                counts[bucket] += 1;
            }
            BarSeries {
                name: if method == "retrain" {
                    "retrain vs retrain (the floor)".into()
                } else {
                    method.clone()
                },
                values: counts.iter().map(|&c| Some(c as f64 / n)).collect(),
                color: class_color(i),
            }
        })
        .collect();
    let chart = BarChart {
        title: "Per-example ε against retraining (NeurIPS 2023 score)",
        value_desc: "share of the forget examples",
        categories,
        series,
        range: Some((0.0, 1.0)),
        band: None,
        decimals: 2,
    };
    Some(bar_svg(&chart, chart_size((560, 0), (360, 0)).0))
}

/// One chart with its download button.
#[component]
fn Figure(
    id: &'static str,
    svg: String,
    label: String,
    /// The Forget views that show it (`data-in`); the Charts view alone by default.
    #[prop(optional)]
    in_views: Option<&'static str>,
) -> impl IntoView {
    let file = format!("lethe-{id}.svg");
    let text = svg.clone();
    view! {
        <figure class="lab-chart" id=id data-in=in_views.unwrap_or("charts")>
            <div class="svg" role="img" aria-label=label.clone() inner_html=svg></div>
            <figcaption>
                {label}
                " "
                <button class="download-svg" on:click=move |_| download(&file, &text, "image/svg+xml")>"Download SVG"</button>
            </figcaption>
        </figure>
    }
}

/// The trade-off chart: each method's speed-up against its fidelity to retraining (tug-of-war, or the privacy
/// score's forgetting score where it was computed, picked in a select).
#[component]
pub fn LabTradeoff(report: Report) -> impl IntoView {
    let scored = lab_rows(&report)
        .iter()
        .any(|r| r.audit.privacy_score.is_some());
    let by_score = RwSignal::new(false);
    let report = StoredValue::new(report);
    let tradeoff = move || {
        let score = by_score.get();
        let svg = report.with_value(|r| {
            tradeoff_svg(
                &tradeoff_points(r, score),
                if score { SCORE_AXIS } else { TOW_AXIS },
                chart_size((560, 340), (360, 280)),
            )
        });
        view! {
            <Figure id="chart-tradeoff" svg=svg in_views="overview charts privacy"
                label="Speed-up against fidelity (tug-of-war or the privacy score): top right is fast and close to retraining.".into() />
        }
    };
    view! {
        <div class="lab-tradeoff" data-in="overview charts privacy">
            {scored.then(|| view! {
                <div class="field">
                    <label for="tradeoff-axis">"Fidelity axis"</label>
                    <select id="tradeoff-axis" on:change=move |ev| by_score.set(event_target_value(&ev) == "score")>
                        <option value="tow" selected=true>"tug-of-war"</option>
                        <option value="score">"privacy score (forgetting score)"</option>
                    </select>
                </div>
            })}
            {tradeoff}
        </div>
    }
}

/// The lab's charts for `report`; with `tradeoff`, the trade-off chart first (embed mode: the workspace draws it
/// beside the data).
#[component]
pub fn LabCharts(report: Report, tradeoff: bool) -> impl IntoView {
    let first = tradeoff.then(|| view! { <LabTradeoff report=report.clone() /> });
    let distribution = distribution_chart(&report);
    let epsilons = epsilon_chart(&report);
    view! {
        <div class="lab-charts">
            {first}
            <Figure id="chart-forget-acc" svg=metric_chart(&report, "forget_acc")
                label="Forget accuracy per model, with the retrain band.".into() />
            <Figure id="chart-mia-auc" svg=metric_chart(&report, "mia_auc")
                label="Membership-attack AUC per model, with the retrain band.".into() />
            <Figure id="chart-test-acc" svg=metric_chart(&report, "test_acc")
                label="Test accuracy per model.".into() />
            <Figure id="chart-per-class" svg=per_class_chart(&report)
                label="Test accuracy per class for each model.".into() />
            {distribution.map(|svg| view! {
                <Figure id="chart-distribution" svg=svg
                    label="Class counts of the training data before and after forgetting.".into() />
            })}
            {super::verdict::interval_chart(&report).map(|svg| view! {
                <Figure id="chart-privacy-intervals" svg=svg in_views="charts privacy"
                    label="Each forgetting score with its 95 % interval: the originals (the control), retraining against itself (the floor, shaded) and each method.".into() />
            })}
            {epsilons.map(|svg| view! {
                <Figure id="chart-epsilon" svg=svg in_views="charts privacy"
                    label="How each method's per-example ε spreads over the score's buckets, against retraining's own spread (the floor).".into() />
            })}
        </div>
    }
}
