//! The paper's VBU graphs: KL to retraining against λ (EUBO, reverse KL, the untouched posterior as the baseline),
//! predictive heatmaps of q(·|D), the retrained q(·|D_r), EUBO and rKL at a chosen λ, posterior marginals of two
//! weights, the data before and after, the times, and the table (CSV).

use std::collections::HashSet;

use leptos::prelude::*;
use lethe_protocol::TaskKind;
use lethe_protocol::vbu::Marginals;
use lethe_protocol::{VbuReport, VbuRow};

use crate::charts::bars::{BarChart, BarSeries, bar_svg};
use crate::charts::heatmap::heatmap_svg;
use crate::charts::lines::{Axes, Series, line_svg};
use crate::charts::palette::class_color;
use crate::components::data_chart::chart_size;
use crate::files::download;
use crate::state::use_app;

/// The table's columns.
const COLUMNS: [&str; 9] = [
    "method",
    "lambda",
    "seconds",
    "speedup_vs_retrain",
    "kl_to_retrain",
    "kl_full_to_retrain",
    "retain_acc",
    "forget_acc",
    "test_acc",
];

fn cell(row: &VbuRow, c: &str) -> String {
    let (r, v) = (&row.run, Some(&row.vbu));
    let num = |x: Option<f64>, d: usize| x.map_or(String::new(), |x| format!("{x:.d$}"));
    match c {
        "method" => r.method.clone(),
        "lambda" => v
            .and_then(|v| v.lambda)
            .map_or(String::new(), |l| format!("{l:e}")),
        "seconds" => num(Some(r.seconds), 3),
        "speedup_vs_retrain" => num(v.and_then(|v| v.speedup_vs_retrain), 1),
        "kl_to_retrain" => num(v.map(|v| v.kl_to_retrain), 4),
        "kl_full_to_retrain" => num(v.map(|v| v.kl_full_to_retrain), 4),
        "retain_acc" => num(v.map(|v| v.retain_acc), 3),
        "forget_acc" => num(v.map(|v| v.forget_acc), 3),
        "test_acc" => num(Some(r.test_acc), 3),
        _ => String::new(),
    }
}

/// KL to retraining against λ, in the sweep's order, with the untouched posterior's as a flat line.
fn kl_curve(report: &VbuReport, lambdas: &[f64]) -> String {
    let series_of = |method: &str, name: &str, color| Series {
        name: name.into(),
        points: lambdas
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                report
                    .runs
                    .iter()
                    .find(|r| r.run.method == method && r.vbu.lambda == Some(*l))
                    .map(|r| ((i + 1) as f64, r.vbu.kl_to_retrain))
            })
            .collect(),
        color,
    };
    let full = report
        .runs
        .first()
        .map_or(0.0, |r| r.vbu.kl_full_to_retrain);
    let n = lambdas.len() as f64;
    let series = vec![
        series_of("vbu_eubo", "EUBO", class_color(0)),
        series_of("vbu_rkl", "reverse KL", class_color(1)),
        Series {
            name: "untouched q(θ|D)".into(),
            points: vec![(1.0, full), (n, full)],
            color: class_color(7),
        },
    ];
    let desc = format!(
        "λ, by position in the sweep: {}",
        lambdas
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{}: {l:e}", i + 1))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let axes = Axes {
        title: "Predictive KL to the retrained model, against λ (lower is closer)",
        x_desc: &desc,
        y_desc: "mean KL[retrained ‖ model] (nats)",
        x_max: n,
        y_range: None,
    };
    line_svg(&axes, &series, chart_size((560, 300), (360, 260)))
}

/// Gaussian densities of weight `w` for each posterior.
fn marginal_svg(posteriors: &[&Marginals], w: usize) -> String {
    let (lo, hi) = posteriors
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), m| {
            let (mu, s) = (
                m.mean.get(w).copied().unwrap_or(0.0),
                m.std.get(w).copied().unwrap_or(1.0),
            );
            (lo.min(mu - 3.5 * s), hi.max(mu + 3.5 * s))
        });
    let series: Vec<Series> = posteriors
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (mu, s) = (m.mean[w], m.std[w].max(1e-9));
            let points = (0..=120)
                .map(|k| {
                    let x = lo + (hi - lo) * k as f64 / 120.0;
                    (
                        k as f64 / 120.0 * 10.0,
                        (-0.5 * ((x - mu) / s).powi(2)).exp()
                            / (s * (2.0 * std::f64::consts::PI).sqrt()),
                    )
                })
                .collect();
            Series {
                name: match m.lambda {
                    Some(l) => format!("{} (λ {l:e})", m.method),
                    None => m.method.clone(),
                },
                points,
                color: class_color(i),
            }
        })
        .collect();
    let title = format!("Posterior of weight {w}");
    let desc = format!("weight {w}: from {lo:.2} (left) to {hi:.2} (right)");
    let axes = Axes {
        title: &title,
        x_desc: &desc,
        y_desc: "density",
        x_max: 10.0,
        y_range: None,
    };
    line_svg(&axes, &series, chart_size((420, 260), (360, 240)))
}

/// One chart with its download.
#[component]
fn Figure(id: String, svg: String, label: String) -> impl IntoView {
    let text = svg.clone();
    let file = format!("lethe-{id}.svg");
    view! {
        <figure class="lab-chart" id=id>
            <div class="svg" role="img" aria-label=label.clone() inner_html=svg></div>
            <figcaption>{label}" "
                <button class="download-svg" on:click=move |_| download(&file, &text, "image/svg+xml")>"Download SVG"</button>
            </figcaption>
        </figure>
    }
}

/// The VBU results, once a VBU job is done.
#[component]
pub fn BayesResults() -> impl IntoView {
    let app = use_app();
    let chosen = RwSignal::new(0usize);
    let weights = RwSignal::new((1usize, 2usize));
    move || {
        let stored = app.jobs.get(TaskKind::Vbu).with(|r| r.report.clone())?;
        let report = stored.outcome.vbu()?.clone();
        let figures = report.vbu_figures.clone();
        let lambdas = stored
            .experiment
            .task
            .vbu()
            .map(|v| v.lambdas.clone())
            .unwrap_or_default();
        let class_names = stored.dataset.class_names.clone();
        let stored = StoredValue::new(stored);
        let report = StoredValue::new(report);
        let figures = StoredValue::new(figures);
        let lambdas = StoredValue::new(lambdas);
        let at = move || lambdas.with_value(|l| l.get(chosen.get()).copied());
        let heatmaps = move || {
            let lambda = at();
            let view = app.dataset.get()?;
            figures.with_value(|f| {
                let maps = f.maps.as_ref()?;
                if view.feature_names.len() != 2 {
                    return None;
                }
                let erased: HashSet<u32> = f.erased_rows.iter().map(|&r| r as u32).collect();
                let panels = [("full", None, "q(θ|D): before"), ("vi_retrain", None, "retrained q(θ|D_r): the target"), ("vbu_eubo", lambda, "EUBO"), ("vbu_rkl", lambda, "reverse KL")];
                let figs: Vec<_> = panels
                    .into_iter()
                    .filter_map(|(method, l, title)| {
                        let m = maps.models.iter().find(|m| m.method == method && m.lambda == l)?;
                        let title = match l { Some(l) => format!("{title} at λ = {l:e}"), None => title.to_string() };
                        let svg = heatmap_svg(&title, &view, &m.probs, maps.resolution, maps.x_range, maps.y_range, &erased, chart_size((300, 270), (340, 280)));
                        Some(view! { <Figure id=format!("vbu-map-{method}") svg=svg label=format!("{title}: P(class 1) over the plane, erased points crossed.") /> })
                    })
                    .collect();
                Some(view! { <div class="boundaries" id="vbu-maps">{figs}</div> })
            })
        };
        let marginals = move || {
            let lambda = at();
            let (a, b) = weights.get();
            figures.with_value(|f| {
                let pick: Vec<&Marginals> = [("full", None), ("vi_retrain", None), ("vbu_eubo", lambda), ("vbu_rkl", lambda)]
                    .into_iter()
                    .filter_map(|(m, l)| f.posteriors.iter().find(|p| p.method == m && p.lambda == l))
                    .collect();
                let p = pick.first().map_or(0, |m| m.mean.len());
                (p > b.max(a)).then(|| view! {
                    <div class="boundaries" id="vbu-marginals">
                        <Figure id="vbu-marginal-a".into() svg=marginal_svg(&pick, a) label=format!("Weight {a} before, after and retrained.") />
                        <Figure id="vbu-marginal-b".into() svg=marginal_svg(&pick, b) label=format!("Weight {b} before, after and retrained.") />
                    </div>
                })
            })
        };
        let distribution = figures.with_value(|f| {
            let names = class_names.clone();
            let values = |c: &[usize]| c.iter().map(|&n| Some(n as f64)).collect();
            bar_svg(
                &BarChart {
                    title: "Training data before and after the erasure, per class",
                    value_desc: "training points",
                    categories: names,
                    series: vec![
                        BarSeries {
                            name: format!("before ({} points)", f.distribution.train.n),
                            values: values(&f.distribution.train.class_counts),
                            color: class_color(7),
                        },
                        BarSeries {
                            name: format!("after ({} points)", f.distribution.retain.n),
                            values: values(&f.distribution.retain.class_counts),
                            color: class_color(0),
                        },
                    ],
                    range: None,
                    band: None,
                    decimals: 0,
                },
                chart_size((560, 0), (360, 0)).0,
            )
        });
        let times = report.with_value(|r| {
            bar_svg(
                &BarChart {
                    title: "Time: variational inference, retraining, and each unlearning",
                    value_desc: "seconds (wall time in this browser)",
                    categories: r
                        .runs
                        .iter()
                        .map(|x| match x.vbu.lambda {
                            Some(l) => format!("{} λ {l:e}", x.run.method),
                            None => x.run.method.clone(),
                        })
                        .collect(),
                    series: vec![BarSeries {
                        name: "seconds".into(),
                        values: r.runs.iter().map(|x| Some(x.run.seconds)).collect(),
                        color: class_color(0),
                    }],
                    range: None,
                    band: None,
                    decimals: 3,
                },
                chart_size((560, 0), (360, 0)).0,
            )
        });
        let csv = report.with_value(|r| {
            let mut out = COLUMNS.join(",") + "\n";
            for row in &r.runs {
                out += &COLUMNS
                    .iter()
                    .map(|c| cell(row, c))
                    .collect::<Vec<_>>()
                    .join(",");
                out.push('\n');
            }
            out
        });
        let n_lambdas = lambdas.with_value(Vec::len);
        let p = figures.with_value(|f| f.posteriors.first().map_or(0, |m| m.mean.len()));
        Some(view! {
            <div class="bayes-results" id="vbu-results">
                <crate::components::print_report::PrintLink />
                <Figure id="vbu-kl".into() svg=report.with_value(|r| lambdas.with_value(|l| kl_curve(r, l)))
                    label="The paper's VBU graph: KL to the retrained predictive for each λ; below the grey line, unlearning helped.".into() />
                <div class="field">
                    <label for="vbu-lambda-slider">{move || format!("λ for the pictures: {}", at().map_or("–".into(), |l| format!("{l:e}")))}</label>
                    <input id="vbu-lambda-slider" type="range" min="0" max=(n_lambdas.saturating_sub(1)).to_string() step="1"
                        prop:value=move || chosen.get().to_string()
                        on:input=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0)) />
                </div>
                {heatmaps}
                <div class="field">
                    <label for="vbu-weights">"Weights to compare (0 is the bias)"</label>
                    <select id="vbu-weights" on:change=move |ev| {
                        let k: usize = event_target_value(&ev).parse().unwrap_or(1);
                        weights.set((k, (k + 1) % p.max(1)));
                    }>
                        {(1..p).map(|k| view! { <option value=k.to_string() selected=move || weights.get().0 == k>{format!("{k} and {}", (k + 1) % p.max(1))}</option> }).collect_view()}
                    </select>
                </div>
                {marginals}
                <div class="lab-charts">
                    <Figure id="vbu-distribution".into() svg=distribution label="The data before and after the erasure (the paper's Fig 5.4).".into() />
                    <Figure id="vbu-times".into() svg=times label="The times of each step.".into() />
                </div>
                <div class="table-scroll">
                    <table id="vbu-table">
                        <thead><tr>{COLUMNS.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {report.with_value(|r| r.runs.clone()).into_iter().map(|row| view! {
                                <tr class:reference=row.run.method == "vi_retrain">{COLUMNS.into_iter().map(|c| view! { <td>{cell(&row, c)}</td> }).collect_view()}</tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <button id="vbu-csv" on:click=move |_| download("lethe-vbu.csv", &csv, "text/csv")>"Download the table (CSV)"</button>
                <button id="vbu-report" on:click=move |_| stored.with_value(|r| download("lethe-vbu-report.json", &r.to_json(), "application/json"))>
                    "Download the report (JSON, as the CLI prints it)"
                </button>
            </div>
        })
    }
}
