//! The printed report: "Print report" prints the page's current results laid out for A4 by the print stylesheet
//! (www/style.css, `@media print`): the settings, buttons and notices give way, the results sections (training's
//! classification results, the lab's table and charts, the federated table of times, precision and recall, the
//! VBU graphs) follow one another with their captions, and this header says what was run and carries the
//! experiment's link, so a printed page leads back to the run. No library: the browser prints.

use leptos::prelude::*;
use lethe_protocol::TaskKind;

use crate::components::embed_code::page_base;
use crate::state::use_app;
use crate::url_state;

/// Whether any task has results to print (tracked).
pub fn has_results() -> impl Fn() -> bool + Copy {
    let app = use_app();
    move || {
        TaskKind::ALL
            .into_iter()
            .any(|k| app.jobs.get(k).with(|r| r.report.is_some()))
    }
}

/// Opens the browser's print dialog.
pub fn print() {
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

/// On paper only, under a section's heading: the experiment's link, so that each printed section leads back to the
/// run on its own.
#[component]
pub fn PrintLink() -> impl IntoView {
    let app = use_app();
    let link = move || {
        app.experiment
            .with(|e| format!("{}{}", page_base(), url_state::encode(e)))
    };
    view! { <p class="print-only print-link section-link">"Reproduce it: "<span>{link}</span></p> }
}

/// The printed report's header: the title, what the experiment runs, when, and its link. Hidden on screen.
#[component]
pub fn PrintHeader() -> impl IntoView {
    let app = use_app();
    let link = move || {
        app.experiment
            .with(|e| format!("{}{}", page_base(), url_state::encode(e)))
    };
    let what = move || {
        app.experiment.with(|e| {
            let task = match &e.task {
                lethe_protocol::Task::Train => "training".to_string(),
                lethe_protocol::Task::Unlearn(u) => {
                    let n = u.methods.len();
                    format!(
                        "unlearning ({n} method{} against retraining)",
                        if n == 1 { "" } else { "s" }
                    )
                }
                lethe_protocol::Task::Federated(f) => format!(
                    "federated unlearning ({} clients, {} rounds)",
                    f.clients, f.rounds
                ),
                lethe_protocol::Task::Vbu(_) => "variational Bayesian unlearning".to_string(),
            };
            let key = |v: Result<serde_json::Value, _>| {
                v.ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            format!(
                "Dataset \"{}\", model \"{}\", seed {}: {task}.",
                key(serde_json::to_value(e.data.source)),
                key(serde_json::to_value(e.model.kind)),
                e.seed
            )
        })
    };
    let date = js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default();
    let date = date.get(..10).unwrap_or_default().to_string();
    view! {
        <header class="print-only" id="print-header">
            <h1>"Lethe report"</h1>
            <p id="print-what">{what}" Printed "{date}" from this page; nothing left this machine."</p>
            <p class="print-link">"Reproduce it: "<span id="print-link">{link}</span></p>
        </header>
    }
}
