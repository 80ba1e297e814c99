//! The comparison table: one row per model (train, retrain, each method), every report key, sortable by any
//! column, the retrain band and each row's warnings in words, and the same table as a CSV download.

use leptos::prelude::*;
use lethe_protocol::audit::{Band, FORGET_ACC_TOLERANCE, MIA_TOLERANCE};
use lethe_protocol::{Report, UnlearnRow};

use super::methods::{family_words, guarantee_words};
use crate::files::download;

/// A cell's value: a number (sortable), a text, or nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Number(f64, usize),
    Text(String),
    Empty,
}

impl Cell {
    fn show(&self) -> String {
        match self {
            Cell::Number(v, decimals) => format!("{v:.*}", decimals),
            Cell::Text(t) => t.clone(),
            Cell::Empty => "–".into(),
        }
    }
    fn csv(&self) -> String {
        match self {
            Cell::Number(v, _) => format!("{v}"),
            Cell::Text(t) if t.contains([',', '"', '\n']) => {
                format!("\"{}\"", t.replace('"', "\"\""))
            }
            Cell::Text(t) => t.clone(),
            Cell::Empty => String::new(),
        }
    }
}

/// The columns: the report's stable keys, in reading order.
pub const COLUMNS: [&str; 36] = [
    "method",
    "family",
    "guarantee",
    "seconds",
    "speedup_vs_retrain",
    "sample_grads",
    "work_speedup_vs_retrain",
    "retain_acc",
    "forget_acc",
    "test_acc",
    "mia_auc",
    "js_to_retrain",
    "tow",
    "forgetting_score",
    "forgetting_score_ci",
    "unlearning_score",
    "epsilon_median",
    "lira_auc",
    "l2_to_retrain",
    "backdoor_asr",
    "relearn_epochs",
    "prepare_seconds",
    "epochs",
    "train_acc",
    "precision",
    "recall",
    "f1",
    "retain_acc_std",
    "forget_acc_std",
    "test_acc_std",
    "mia_auc_std",
    "certificate",
    "hessian_rows",
    "sisa",
    "params",
    "warnings",
];

/// The columns the Forget overview shows (the Table view shows them all): which method, how much faster than
/// retraining, and how close to the retrained model it came.
pub const BRIEF: [&str; 8] = [
    "method",
    "speedup_vs_retrain",
    "retain_acc",
    "forget_acc",
    "test_acc",
    "mia_auc",
    "tow",
    "epsilon_median",
];

/// The columns a printed page keeps (A4 holds about a dozen): which method, its cost, and how close it came to
/// retraining. Every column is in the CSV and the report.
pub const PRINTED: [&str; 12] = [
    "method",
    "seconds",
    "speedup_vs_retrain",
    "work_speedup_vs_retrain",
    "retain_acc",
    "forget_acc",
    "test_acc",
    "mia_auc",
    "js_to_retrain",
    "tow",
    "epsilon_median",
    "backdoor_asr",
];

/// The lab's rows of a report (none for another task's).
pub fn lab_rows(report: &Report) -> &[UnlearnRow] {
    report.outcome.unlearn().map_or(&[], |u| &u.runs[..])
}

/// The value of `column` on `row`.
pub fn cell(row: &UnlearnRow, column: &str) -> Cell {
    let (run, a) = (&row.run, Some(&row.audit));
    let m = Some(&row.audit.forgetting);
    let num = |v: Option<f64>, d| v.map_or(Cell::Empty, |v| Cell::Number(v, d));
    match column {
        "method" => Cell::Text(run.method.clone()),
        "family" => a
            .and_then(|a| a.family)
            .map_or(Cell::Empty, |f| Cell::Text(family_words(f).into())),
        "guarantee" => a
            .and_then(|a| a.guarantee)
            .map_or(Cell::Empty, |g| Cell::Text(guarantee_words(g).into())),
        "seconds" => Cell::Number(run.seconds, 3),
        "speedup_vs_retrain" => num(m.and_then(|a| a.speedup_vs_retrain), 1),
        "sample_grads" => num(m.and_then(|a| a.sample_grads).map(|g| g as f64), 0),
        "work_speedup_vs_retrain" => num(m.and_then(|a| a.work_speedup_vs_retrain), 1),
        "hessian_rows" => num(a.and_then(|a| a.hessian_rows).map(|g| g as f64), 0),
        "retain_acc" => num(m.map(|a| a.retain_acc), 3),
        "forget_acc" => num(m.map(|a| a.forget_acc), 3),
        "test_acc" => Cell::Number(run.test_acc, 3),
        "mia_auc" => num(m.and_then(|a| a.mia_auc), 3),
        "js_to_retrain" => num(m.and_then(|a| a.js_to_retrain), 4),
        "tow" => num(m.and_then(|a| a.tow), 3),
        "l2_to_retrain" => num(m.and_then(|a| a.l2_to_retrain), 2),
        "forgetting_score" => num(
            a.and_then(|a| a.privacy_score.as_ref())
                .map(|p| p.forgetting_score),
            3,
        ),
        "forgetting_score_ci" => {
            a.and_then(|a| a.privacy_score.as_ref())
                .map_or(Cell::Empty, |p| {
                    let [lo, hi] = p.forgetting_score_ci;
                    Cell::Text(format!("{lo:.3}–{hi:.3}"))
                })
        }
        "unlearning_score" => num(
            a.and_then(|a| a.privacy_score.as_ref())
                .map(|p| p.unlearning_score),
            3,
        ),
        "epsilon_median" => num(
            a.and_then(|a| a.privacy_score.as_ref())
                .map(|p| p.epsilon_median),
            2,
        ),
        "lira_auc" => num(
            a.and_then(|a| a.privacy_score.as_ref()).map(|p| p.lira_auc),
            3,
        ),
        "backdoor_asr" => num(m.and_then(|a| a.backdoor_asr), 3),
        "relearn_epochs" => num(a.and_then(|a| a.relearn_epochs).map(|e| e as f64), 0),
        "prepare_seconds" => num(a.and_then(|a| a.prepare_seconds), 3),
        "epochs" => Cell::Number(run.epochs as f64, 0),
        "train_acc" => Cell::Number(run.train_acc, 3),
        "precision" => Cell::Number(run.precision, 3),
        "recall" => Cell::Number(run.recall, 3),
        "f1" => Cell::Number(run.f1, 3),
        "retain_acc_std" => num(a.and_then(|a| a.retain_acc_std), 3),
        "forget_acc_std" => num(a.and_then(|a| a.forget_acc_std), 3),
        "test_acc_std" => num(a.and_then(|a| a.test_acc_std), 3),
        "mia_auc_std" => num(a.and_then(|a| a.mia_auc_std), 3),
        "certificate" => a
            .and_then(|a| a.certificate.as_ref())
            .map_or(Cell::Empty, |c| {
                Cell::Text(format!(
                    "bound {:.3e} of budget {:.3e}; residual {:.3e}; {} removed, {} retrains",
                    c.bound, c.budget, c.residual, c.removals, c.retrains
                ))
            }),
        "sisa" => a.and_then(|a| a.sisa.as_ref()).map_or(Cell::Empty, |d| {
            Cell::Text(format!(
                "{} of {} shards, {} slice stages retrained",
                d.shards_retrained, d.shards, d.slices_retrained
            ))
        }),
        "params" => m.filter(|a| !a.params.is_empty()).map_or(Cell::Empty, |a| {
            Cell::Text(
                a.params
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        }),
        "warnings" => m
            .filter(|a| !a.warnings.is_empty())
            .map_or(Cell::Empty, |a| {
                Cell::Text(
                    a.warnings
                        .iter()
                        .map(|w| w.kind.text())
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            }),
        _ => Cell::Empty,
    }
}

/// The table's form of a cell: a warning by its name only ("over-unlearning"; the sentences are listed under the
/// table), the settings one per line.
fn short(row: &UnlearnRow, column: &str) -> Cell {
    match column {
        "warnings" if !row.audit.forgetting.warnings.is_empty() => Cell::Text(
            row.audit
                .forgetting
                .warnings
                .iter()
                .map(|w| w.kind.name())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => cell(row, column),
    }
}

/// The retrain bands the engine judged by: forget accuracy and MIA AUC, mean ± max(2σ, tolerance).
pub fn bands(report: &Report) -> (Option<Band>, Option<Band>) {
    let Some(retrain) = lab_rows(report).iter().find(|r| r.run.method == "retrain") else {
        return (None, None);
    };
    let a = &retrain.audit;
    let forget = Band::new(
        a.forgetting.forget_acc,
        a.forget_acc_std.unwrap_or(0.0),
        FORGET_ACC_TOLERANCE,
    );
    let mia = a
        .forgetting
        .mia_auc
        .map(|m| Band::new(m, a.mia_auc_std.unwrap_or(0.0), MIA_TOLERANCE));
    (Some(forget), mia)
}

/// The whole table as CSV, header first.
pub fn to_csv(report: &Report) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for run in lab_rows(report) {
        let row: Vec<String> = COLUMNS.iter().map(|c| cell(run, c).csv()).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// Rows in `order` sorted by `column` (numbers by value, texts alphabetically, empty cells last).
pub fn sorted(report: &Report, column: &str, descending: bool) -> Vec<usize> {
    let rows = lab_rows(report);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (cell(&rows[i], column), cell(&rows[j], column));
        let ord = match (&a, &b) {
            (Cell::Number(x, _), Cell::Number(y, _)) => x.total_cmp(y),
            (Cell::Text(x), Cell::Text(y)) => x.cmp(y),
            (Cell::Empty, Cell::Empty) => std::cmp::Ordering::Equal,
            (Cell::Empty, _) => return std::cmp::Ordering::Greater,
            (_, Cell::Empty) => return std::cmp::Ordering::Less,
            (Cell::Number(..), _) => std::cmp::Ordering::Less,
            (_, Cell::Number(..)) => std::cmp::Ordering::Greater,
        };
        if descending { ord.reverse() } else { ord }
    });
    order
}

/// The comparison table.
#[component]
pub fn ComparisonTable(report: Report, run_id: u64) -> impl IntoView {
    let controller = crate::controller::use_controller();
    let sort = RwSignal::new(None::<(&'static str, bool)>);
    let (forget_band, mia_band) = bands(&report);
    let report = StoredValue::new(report);
    let outside = move |column: &str, run: &UnlearnRow| -> bool {
        if run.run.method == "train" || run.run.method == "retrain" {
            return false;
        }
        let band = match column {
            "forget_acc" => forget_band,
            "mia_auc" => mia_band,
            _ => None,
        };
        match (band, cell(run, column)) {
            (Some(b), Cell::Number(v, _)) => v < b.lo || v > b.hi,
            _ => false,
        }
    };
    let band_text = move || {
        let mut parts = Vec::new();
        if let Some(b) = forget_band {
            parts.push(format!(
                "forget_acc {:.3} … {:.3}",
                b.lo.max(0.0),
                b.hi.min(1.0)
            ));
        }
        if let Some(b) = mia_band {
            parts.push(format!(
                "mia_auc {:.3} … {:.3}",
                b.lo.max(0.0),
                b.hi.min(1.0)
            ));
        }
        format!(
            "Retrain band (mean ± max(2σ over the retrains, tolerance)): {}. Values outside it are marked.",
            parts.join("; ")
        )
    };
    view! {
        <div class="lab-table" data-in="overview table privacy">
            <p class="hint" id="lab-band">{band_text}</p>
            <div class="table-scroll">
                <table id="lab-table">
                    <caption>
                        "Every model on the same forget, retain and test sets. Click a column to sort."
                        <span class="print-only">"Printed: the key columns; every column is in the CSV and the report."</span>
                    </caption>
                    <thead>
                        <tr>
                            {COLUMNS.into_iter().map(|c| view! {
                                <th scope="col" class:print-skip=!PRINTED.contains(&c) class:brief-skip=!BRIEF.contains(&c) aria-sort=move || match sort.get() {
                                    Some((k, d)) if k == c => if d { "descending" } else { "ascending" },
                                    _ => "none",
                                }>
                                    <button class="sort" id=format!("sort-{c}") on:click=move |_| sort.update(|s| {
                                        *s = match *s {
                                            Some((k, false)) if k == c => Some((c, true)),
                                            _ => Some((c, false)),
                                        }
                                    })>{c}</button>
                                </th>
                            }).collect_view()}
                            <th scope="col" class="print-skip brief-skip">"model"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || report.with_value(|rep| {
                            let order = match sort.get() {
                                Some((c, d)) => sorted(rep, c, d),
                                None => (0..lab_rows(rep).len()).collect(),
                            };
                            order.into_iter().map(|i| {
                                let run = lab_rows(rep)[i].clone();
                                let reference = run.run.method == "retrain";
                                view! {
                                    <tr class:reference=reference>
                                        {COLUMNS.into_iter().map(|c| {
                                            let value = short(&run, c);
                                            let off = outside(c, &run);
                                            let numeric = matches!(value, Cell::Number(..));
                                            view! { <td class:num=numeric class:outside=off class:print-skip=!PRINTED.contains(&c) class:brief-skip=!BRIEF.contains(&c) title=off.then_some("outside the retrain band")>{value.show()}</td> }
                                        }).collect_view()}
                                        <td class="print-skip brief-skip">
                                            <button class="save-model" id=format!("save-{}", run.run.method)
                                                title=format!("Download the {} model as .safetensors (docs/your-model.md says the layout)", run.run.method)
                                                on:click={
                                                    let row = run.run.method.clone();
                                                    move |_| controller.with_value(|c| c.save_model(run_id, &row))
                                                }>
                                                "⤓ .safetensors"
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()
                        })}
                    </tbody>
                </table>
            </div>
            <ul class="lab-warnings" id="lab-warnings" data-in="table">
                {move || report.with_value(|rep| {
                    lab_rows(rep)
                        .iter()
                        .flat_map(|r| {
                            let method = r.run.method.clone();
                            r.audit
                                .forgetting
                                .warnings
                                .iter()
                                .map(|w| w.kind.text())
                                .collect::<Vec<_>>()
                                .into_iter()
                                .map(move |w| view! { <li><strong>{method.clone()}</strong>": "{w}</li> })
                        })
                        .collect_view()
                })}
            </ul>
            <button id="lab-csv" data-in="table" on:click=move |_| report.with_value(|r| download("lethe-unlearning.csv", &to_csv(r), "text/csv"))>
                "Download the table (CSV)"
            </button>
            <button id="lab-report" data-in="table" on:click=move |_| report.with_value(|r| download("lethe-unlearning-report.json", &r.to_json(), "application/json"))>
                "Download the lab's report (JSON, as the CLI prints it)"
            </button>
        </div>
    }
}
