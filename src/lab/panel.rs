//! The Forget tab: the run bar and the methods' progress, then the results in five views. Overview: the forget set
//! on the data beside the trade-off chart (which method forgot best, at what cost), then the table's key columns
//! with the retrain band. Table: every column, the warnings and the downloads. Charts: every chart. Look closer: one
//! method against the retrained model (boundaries, the attack's losses, forgotten images). Privacy: the per-example
//! privacy score. One copy of each part is drawn; its `data-in` list says which views show it, and the stylesheet
//! hides the rest (print shows everything).

use leptos::prelude::*;
use lethe_protocol::{ModelKind, Task, TaskKind};

use crate::components::data_chart::DataChart;
use crate::components::tab_list::{Item, TabList};
use crate::place::{Tab, View};
use crate::state::use_app;

/// What the Privacy view says about the score, computed or not.
#[component]
fn PrivacyNote() -> impl IntoView {
    let app = use_app();
    let scored = move || {
        app.jobs.get(TaskKind::Unlearn).with(|r| {
            r.report.as_ref().is_some_and(|rep| {
                super::table::lab_rows(rep)
                    .iter()
                    .any(|row| row.audit.privacy_score.is_some())
            })
        })
    };
    view! {
        <div class="privacy-note" id="privacy-note" data-in="privacy">
            <p class="hint">
                "The privacy score (NeurIPS 2023 unlearning challenge): many retrained and many unlearned models, a per-example attack, and an ε per forget example; the forgetting score F sums the buckets' shares with weights 2⁻ⁿ. Retraining against itself sets the floor; the originals against retraining are the positive control (is there a membership signal at all?). Each F has a 95 % bootstrap interval: read a method against the floor's interval, not its point."
            </p>
            {move || {
                app.jobs.get(TaskKind::Unlearn).with(|r| r.report.clone()).filter(|_| scored())
                    .map(|report| view! { <super::verdict::PrivacyVerdict report=report /> })
            }}
            <Show when=move || !scored()>
                <p class="hint" id="privacy-off">
                    "Not computed in these results: set \"Privacy score: runs per side\" in the Forget settings (at least 8) and press Forget. It trains that many models per side, so it costs that many times a run."
                </p>
            </Show>
        </div>
    }
}

/// The view tabs, each controlling the one results region.
fn view_items() -> Vec<Item<View>> {
    View::ALL
        .into_iter()
        .map(|v| Item {
            value: v,
            id: format!("view-{}", v.key()),
            label: v.label(),
            controls: "forget-view".into(),
        })
        .collect()
}

/// The Forget tab's content.
#[component]
pub fn ForgetPanel() -> impl IntoView {
    let app = use_app();
    let usable = Memo::new(move |_| {
        app.experiment.with(|e| {
            if matches!(e.task, Task::Federated(_)) {
                Err("federated")
            } else if e.model.kind == ModelKind::BayesLogistic {
                Err("bayes")
            } else {
                Ok(())
            }
        })
    });
    let has_report = move || app.jobs.get(TaskKind::Unlearn).with(|r| r.report.is_some());
    let tradeoff = move || {
        let report = app.jobs.get(TaskKind::Unlearn).with(|r| r.report.clone())?;
        Some(view! { <super::LabTradeoff report=report /> })
    };
    // The data chart lives in whichever tab shows it: one chart, so its ids stay unique.
    let data = move || (app.tab.get() == Tab::Forget).then(|| view! { <DataChart /> });
    let guard = move || {
        match usable.get() {
        Ok(()) => None,
        Err("federated") => Some(view! {
            <div class="tab-note" id="forget-unavailable">
                <p>"This experiment is federated: its clients are forgotten in the Federated tab. The Forget lab compares methods on one model."</p>
                <button id="leave-federated" on:click=move |_| {
                    app.edit(|e| e.task = Task::Train);
                }>"Leave federated mode"</button>
            </div>
        }.into_any()),
        Err(_) => Some(view! {
            <div class="tab-note" id="forget-unavailable">
                <p>"A Bayesian model is unlearned by VBU, in the VBU tab. The Forget lab's methods need a logistic regression, an MLP or a CNN: pick one under Model."</p>
            </div>
        }.into_any()),
    }
    };
    view! {
        {guard}
        <Show when=move || usable.get().is_ok()>
            <super::LabRunBar />
            <TabList label="Views of the Forget results" id="forget-views" items=view_items() selected=app.view />
            <div class=move || format!("forget-view view-{}", app.view.get().key()) id="forget-view" role="tabpanel"
                aria-labelledby=move || format!("view-{}", app.view.get().key())>
                <PrivacyNote />
                <div class="forget-top" data-in="overview charts privacy">
                    <div class="forget-data" data-in="overview">{data}</div>
                    {tradeoff}
                </div>
                <Show when=move || !has_report()>
                    <p class="hint" id="lab-empty" data-in="table charts closer privacy">
                        "Press Forget: the methods' table, charts and comparisons appear here, each against retraining from scratch."
                    </p>
                </Show>
                <super::LabResults split=true />
            </div>
        </Show>
    }
}
