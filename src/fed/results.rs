//! The federation's results: a card per client (its size and classes, the target marked, "Unlearn client k"),
//! the source paper's table with the evidence beside it, round-by-round curves with FedRetrain as the reference,
//! and the times as bars. Each chart downloads as SVG; the table as CSV.

use leptos::prelude::*;
use lethe_protocol::TaskKind;
use lethe_protocol::{FedRow, Report};

use crate::charts::bars::{BarChart, BarSeries, bar_svg};
use crate::charts::lines::{Axes, Series, line_svg};
use crate::charts::palette::class_color;
use crate::components::data_chart::chart_size;
use crate::controller::use_controller;
use crate::files::download;
use crate::state::use_app;

/// The table's columns: the paper's, then the evidence.
pub const COLUMNS: [&str; 17] = [
    "method",
    "learning_seconds",
    "unlearning_seconds",
    "unlearning_no_calibration_seconds",
    "retrain_seconds",
    "speedup_vs_retrain",
    "mia_auc",
    "mia_precision",
    "mia_recall",
    "test_acc",
    "target_acc",
    "backdoor_asr",
    "angle_to_retrain_deg",
    "history_bytes",
    "client_epochs",
    "sample_grads",
    "work_speedup_vs_retrain",
];

/// The value of `column` on `run`, as text (empty: none).
pub fn value(row: &FedRow, column: &str) -> String {
    let (run, f, a) = (&row.run, Some(&row.fed), Some(&row.forgetting));
    let num = |v: Option<f64>, d: usize| v.map_or(String::new(), |v| format!("{v:.d$}"));
    match column {
        "method" => run.method.clone(),
        "learning_seconds" => num(f.map(|f| f.learning_seconds), 3),
        "unlearning_seconds" => num(f.and_then(|f| f.unlearning_seconds), 3),
        "unlearning_no_calibration_seconds" => {
            num(f.and_then(|f| f.unlearning_no_calibration_seconds), 3)
        }
        "retrain_seconds" => num(f.map(|f| f.retrain_seconds), 3),
        "speedup_vs_retrain" => num(a.and_then(|a| a.speedup_vs_retrain), 1),
        "mia_auc" => num(a.and_then(|a| a.mia_auc), 3),
        "mia_precision" => num(f.and_then(|f| f.mia_precision), 3),
        "mia_recall" => num(f.and_then(|f| f.mia_recall), 3),
        "test_acc" => num(Some(run.test_acc), 3),
        "target_acc" => num(f.map(|f| f.target_acc), 3),
        "backdoor_asr" => num(a.and_then(|a| a.backdoor_asr), 3),
        "angle_to_retrain_deg" => num(f.and_then(|f| f.angle_to_retrain_deg), 1),
        "history_bytes" => f
            .and_then(|f| f.history_bytes)
            .map_or(String::new(), |b| b.to_string()),
        "client_epochs" => f.map_or(String::new(), |f| f.client_epochs.to_string()),
        "sample_grads" => a
            .and_then(|a| a.sample_grads)
            .map_or(String::new(), |g| g.to_string()),
        "work_speedup_vs_retrain" => num(a.and_then(|a| a.work_speedup_vs_retrain), 1),
        _ => String::new(),
    }
}

/// The federated rows of a report (none for another task's).
fn rows_of(report: &Report) -> &[FedRow] {
    report.outcome.federated().map_or(&[], |f| &f.runs[..])
}

/// The table as CSV, header first.
pub fn to_csv(report: &Report) -> String {
    let mut out = COLUMNS.join(",") + "\n";
    for run in rows_of(report) {
        out += &COLUMNS
            .iter()
            .map(|c| value(run, c))
            .collect::<Vec<_>>()
            .join(",");
        out.push('\n');
    }
    out
}

/// One curve per row over rounds: test accuracy, or the backdoor's success.
fn curves_svg(report: &Report, backdoor: bool) -> String {
    let series: Vec<Series> = rows_of(report)
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let f = &r.fed;
            let points: Vec<(f64, f64)> = f
                .curve
                .iter()
                .filter_map(|p| {
                    let y = if backdoor {
                        p.backdoor_asr?
                    } else {
                        p.test_acc
                    };
                    Some((p.round as f64, y))
                })
                .collect();
            (!points.is_empty()).then(|| Series {
                name: if r.run.method == "fed_retrain" {
                    "fed_retrain (reference)".into()
                } else {
                    r.run.method.clone()
                },
                points,
                color: class_color(i),
            })
        })
        .collect();
    let x_max = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(1.0, f64::max);
    let axes = Axes {
        title: if backdoor {
            "Backdoor success per round: the forgotten client's trigger"
        } else {
            "Global test accuracy per round"
        },
        x_desc: "round (learning, then each method's own rounds)",
        y_desc: if backdoor {
            "triggered test points flipped (fraction)"
        } else {
            "accuracy (fraction)"
        },
        x_max,
        y_range: Some((0.0, 1.0)),
    };
    line_svg(&axes, &series, chart_size((560, 300), (360, 260)))
}

/// The paper's three times, and FedRetrain's, as bars.
fn times_svg(report: &Report) -> String {
    let rows = rows_of(report);
    let categories = rows.iter().map(|r| r.run.method.clone()).collect();
    let chart = BarChart {
        title: "Time to learn (federated) and to unlearn (the others)",
        value_desc: if report.host == "browser" {
            "seconds (wall time in this browser)"
        } else {
            "seconds (wall time where it ran)"
        },
        categories,
        series: vec![BarSeries {
            name: "seconds".into(),
            values: rows
                .iter()
                .map(|r| Some(r.fed.unlearning_seconds.unwrap_or(r.fed.learning_seconds)))
                .collect(),
            color: class_color(0),
        }],
        range: None,
        band: None,
        decimals: 3,
    };
    bar_svg(&chart, chart_size((560, 0), (360, 0)).0)
}

/// One chart with its download.
#[component]
fn Figure(id: &'static str, svg: String, label: &'static str) -> impl IntoView {
    let text = svg.clone();
    view! {
        <figure class="lab-chart" id=id>
            <div class="svg" role="img" aria-label=label inner_html=svg></div>
            <figcaption>{label}" "
                <button class="download-svg" on:click=move |_| download(&format!("lethe-{id}.svg"), &text, "image/svg+xml")>"Download SVG"</button>
            </figcaption>
        </figure>
    }
}

/// The federation's results, once a Federated job is done.
#[component]
pub fn FederatedResults() -> impl IntoView {
    let app = use_app();
    let controller = use_controller();
    move || {
        let report = app
            .jobs
            .get(TaskKind::Federated)
            .with(|r| r.report.clone())?;
        let summary = report.outcome.federated()?.federation.clone();
        let names = report.dataset.class_names.clone();
        let has_backdoor = summary.clients.iter().any(|c| c.backdoored > 0);
        let cards = summary.clients.iter().enumerate().map(|(k, c)| {
            let most = c.class_counts.iter().copied().max().unwrap_or(1).max(1);
            let target = k == summary.target_client;
            let bars = c.class_counts.iter().enumerate().map(|(class, &n)| {
                let name = names.get(class).cloned().unwrap_or_default();
                let width = format!("width: {:.0}%", 100.0 * n as f64 / most as f64);
                view! {
                    <div class="hist-row" title=format!("{name}: {n}")>
                        <span class="hist-name">{name.clone()}</span>
                        <span class="hist-bar" style=width></span>
                        <span class="hist-n">{n}</span>
                    </div>
                }
            }).collect_view();
            view! {
                <div class="client-card" class:target=target id=format!("client-{k}")>
                    <h3>{format!("Client {k}")}{target.then(|| view! { <span class="tag">"forgotten"</span> })}</h3>
                    <p>{format!("{} rows", c.size)}{(c.backdoored > 0).then(|| format!(", {} backdoored", c.backdoored))}</p>
                    <div class="hist">{bars}</div>
                    <button id=format!("unlearn-client-{k}") disabled=target on:click=move |_| {
                        if super::edit(&app, |f| f.target_client = k) {
                            controller.with_value(|c| c.run(TaskKind::Federated));
                        }
                    }>{format!("Unlearn client {k}")}</button>
                </div>
            }
        }).collect_view();
        let rows = rows_of(&report).to_vec();
        // The positive control's warning, carried by every row when the attack reads chance on the learned model.
        let no_signal: Option<String> = rows.first().and_then(|r| {
            r.forgetting.warnings.iter().find_map(|w| {
                matches!(
                    w.kind,
                    lethe_protocol::WarningKind::NoMembershipSignal { .. }
                )
                .then(|| w.text.clone())
            })
        });
        let csv = to_csv(&report);
        let json = report.to_json();
        let origin = (report.host != "browser").then(|| {
            format!(
                "This federation ran on {} (the report's host), not in this page: {} clients, {:.1} s in all. Its experiment is now the page's settings: “Run the federation and forget the client” repeats it here, as a simulation.",
                if report.host == "flower" { "Flower".to_string() } else { format!("\"{}\"", report.host) },
                summary.clients.len(),
                report.wall_seconds
            )
        });
        Some(view! {
            <div class="federated-results" id="fed-results">
                <crate::components::print_report::PrintLink />
                {origin.map(|text| view! { <p class="hint" id="fed-origin">{text}</p> })}
                <h3>"The clients"</h3>
                <div class="client-cards" id="fed-clients">{cards}</div>
                <h3>"The source paper's table, and the evidence"</h3>
                <p class="hint" id="fed-note">
                    "The membership columns come from one attack ("{summary.attack.clone()}"). mia_auc, its AUC over every threshold, is the main figure; mia_precision and mia_recall read it at the threshold 0.5. The learned federation's mia_auc is the positive control: the attack against the model that still holds the client."
                </p>
                {no_signal.clone().map(|w| view! {
                    <p class="warning" id="fed-no-signal" role="alert">
                        "The attack cannot tell membership even before unlearning (†): " {w}
                        ". The backdoor's success, where the client carried one, is the evidence that the client is gone."
                    </p>
                })}
                <div class="table-scroll">
                    <table id="fed-table">
                        <thead><tr>{COLUMNS.into_iter().map(|c| {
                            let label = match c {
                                "mia_precision" | "mia_recall" => format!("{c} (at 0.5)"),
                                _ => c.to_string(),
                            };
                            view! { <th scope="col" data-key=c>{label}</th> }
                        }).collect_view()}</tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr class:reference=r.run.method == "fed_retrain">
                                    {COLUMNS.into_iter().map(|c| {
                                        let marked = no_signal.is_some() && c.starts_with("mia_");
                                        let text = value(&r, c) + if marked { " †" } else { "" };
                                        view! { <td class:no-signal=marked>{text}</td> }
                                    }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <button id="fed-csv" on:click=move |_| download("lethe-federated.csv", &csv, "text/csv")>"Download the table (CSV)"</button>
                <button id="fed-report" on:click=move |_| download("lethe-federated-report.json", &json, "application/json")>
                    "Download the report (JSON, as the CLI prints it)"
                </button>
                <div class="lab-charts">
                    <Figure id="fed-accuracy" svg=curves_svg(&report, false) label="Global test accuracy round by round, for learning and for each way to forget." />
                    {has_backdoor.then(|| view! {
                        <Figure id="fed-backdoor" svg=curves_svg(&report, true) label="The forgotten client's backdoor, round by round: it should fall to FedRetrain's level." />
                    })}
                    <Figure id="fed-times" svg=times_svg(&report) label="The paper's times: learning, and each way to unlearn." />
                </div>
            </div>
        })
    }
}
