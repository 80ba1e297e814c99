//! The run bar, one component for every job of the job table: the run button, Cancel, the progress bar and the
//! status line (`run_words.rs`). The element ids are per task kind and stable (the browser tests and the docs use
//! them).

use leptos::prelude::*;
use lethe_protocol::TaskKind;

use crate::controller::use_controller;
use crate::run_words::{self, Context};
use crate::state::use_app;
use crate::status::RunStatus;

/// The ids' prefix, the run button's label and the progress bar's accessible name.
fn parts(kind: TaskKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        TaskKind::Train => ("", "Train", "Training progress"),
        TaskKind::Unlearn => ("lab-", "Forget", "Unlearning progress"),
        TaskKind::Federated => (
            "fed-",
            "Run the federation and forget the client",
            "Federation progress",
        ),
        TaskKind::Vbu => ("vbu-", "Train and unlearn", "VBU progress"),
    }
}

/// Run, Cancel, progress and status for the job of `kind`. `before` runs before the job starts (the lab and VBU
/// write their settings into the experiment, and so into the link).
#[component]
pub fn RunBar(
    kind: TaskKind,
    #[prop(optional, into)] before: Option<Callback<()>>,
) -> impl IntoView {
    let app = use_app();
    let controller = use_controller();
    let job = app.jobs.get(kind);
    let (prefix, label, progress_label) = parts(kind);
    let id = |name: &str| match (prefix, name) {
        ("", "run") => "train".to_string(),
        _ => format!("{prefix}{name}"),
    };
    // Optimiser steps per epoch, when the data is prepared: ⌈training points / batch size⌉.
    let steps_per_epoch = move || {
        let n = app.dataset.with(|d| d.as_ref().map_or(0, |v| v.n_train));
        let batch = app.experiment.with(|e| e.train.batch_size).max(1);
        n.div_ceil(batch) as u64
    };
    let fraction = move || job.with(|r| run_words::fraction(kind, r, steps_per_epoch()));
    let status = move || {
        let engine = app.engine.get();
        let cx = Context {
            engine: &engine,
            steps_per_epoch: steps_per_epoch(),
            stale: kind == TaskKind::Train && app.results_stale.get(),
            blocked: app.train_blocked(),
        };
        job.with(|r| run_words::status(kind, r, &cx))
    };
    let run = move |_| {
        if let Some(before) = before {
            before.run(());
        }
        controller.with_value(|c| c.run(kind));
    };
    view! {
        <div class=if kind == TaskKind::Train { "run-bar" } else { "run-bar lab-run-bar" }>
            <button id=id("run") class="primary"
                disabled=move || !app.can_start() || app.train_blocked().is_some()
                on:click=run>
                // An imported model is not trained: Train measures it.
                {move || if kind == TaskKind::Train && app.experiment.with(|e| e.model.import.is_some()) {
                    "Evaluate"
                } else {
                    label
                }}
            </button>
            <button id=id("cancel") disabled=move || !job.with(|r| r.running())
                on:click=move |_| controller.with_value(|c| c.cancel())>
                "Cancel"
            </button>
            <progress id=id("progress") max="1" prop:value=fraction aria-label=progress_label></progress>
            <span id=id("status") role="status" class=move || job.with(|r| match r.status {
                RunStatus::Failed(_) => "status failed",
                _ => "status",
            })>
                {status}
            </span>
        </div>
    }
}
