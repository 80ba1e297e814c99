//! Files: download the report (the CLI's JSON), export and import the experiment (the CLI's input).

use leptos::prelude::*;
use lethe_protocol::TaskKind;
use lethe_protocol::experiment::limits::MAX_EXPERIMENT_BYTES;
use lethe_protocol::{DataSource, Experiment};

use crate::controller::use_controller;
use crate::files::{download, on_file_chosen};
use crate::state::use_app;

/// Report and experiment files.
#[component]
pub fn FileActions() -> impl IntoView {
    let app = use_app();
    let controller = use_controller();
    let has_report = move || app.jobs.get(TaskKind::Train).with(|r| r.report.is_some());
    let has_any = crate::components::print_report::has_results();
    let on_import = on_file_chosen(MAX_EXPERIMENT_BYTES, move |chosen| {
        let (name, text) = match chosen {
            Ok(file) => file,
            Err(e) => return app.input_error.set(Some(e)),
        };
        match Experiment::from_json(&text).and_then(Experiment::validate) {
            Ok(valid) => {
                let experiment = valid.into_inner();
                let backend_changed = experiment.backend != app.experiment.get_untracked().backend;
                if experiment.data.source != DataSource::Csv {
                    app.csv.set(None);
                }
                app.experiment.set(experiment);
                app.remember_settings();
                app.input_error.set(None);
                if backend_changed {
                    controller.with_value(|c| c.backend_changed());
                }
            }
            Err(e) => app.input_error.set(Some(format!("{name}: {e}"))),
        }
    });
    view! {
        <fieldset class="panel files">
            <legend>"Files"</legend>
            <button
                id="download-report"
                disabled=move || !has_report()
                on:click=move |_| {
                    if let Some(r) = app.jobs.get(TaskKind::Train).get_untracked().report {
                        download("lethe-report.json", &r.to_json(), "application/json");
                    }
                }
            >
                "Download report"
            </button>
            <button
                id="print-report"
                disabled=move || !has_any()
                title="The current results laid out for A4, with the experiment's link"
                on:click=move |_| crate::components::print_report::print()
            >
                "Print report"
            </button>
            <button
                id="export-experiment"
                on:click=move |_| download("experiment.json", &app.experiment.get_untracked().to_json(), "application/json")
            >
                "Export experiment"
            </button>
            <div class="field">
                <label for="import-experiment">"Import experiment"</label>
                <input id="import-experiment" type="file" accept=".json,application/json" on:change=on_import />
            </div>
        </fieldset>
    }
}
