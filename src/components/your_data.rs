//! "Your data": what this browser keeps (settings, the last results, uploaded CSV files) and where, the choice to
//! keep nothing ("don't keep my data"), and the control that forgets it all.

use leptos::prelude::*;
use lethe_protocol::TaskKind;
use lethe_protocol::{DataSource, Experiment};

use crate::controller::use_controller;
use crate::state::use_app;
use crate::status::RunState;
use crate::storage;

/// The storage note, the memory-only choice and the "Forget my data" button.
#[component]
pub fn YourData() -> impl IntoView {
    let app = use_app();
    let controller = use_controller();
    let last = RwSignal::new(None::<String>);
    let memory_only = app.memory_only;
    let busy = RwSignal::new(false);
    let forget = move |_| {
        busy.set(true);
        // A running run stops and the engine is replaced, so that no copy of the data or a model trained on it
        // stays in the worker's memory.
        controller.with_value(|c| c.forget_engine_state());
        let on_csv = app
            .experiment
            .with_untracked(|e| e.data.source == DataSource::Csv);
        app.csv.set(None);
        app.weights.set(None);
        app.imported.set(None);
        if on_csv {
            app.experiment.update(|e| e.data = Experiment::demo().data);
        }
        app.jobs.get(TaskKind::Train).set(RunState::default());
        leptos::task::spawn_local(async move {
            let forgotten = storage::forget_everything().await;
            last.set(Some(forgotten.describe()));
            busy.set(false);
        });
    };
    let on_memory_only = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        memory_only.set(on);
        storage::set_memory_only(on);
        if on {
            // What was kept before goes; what is on screen stays until the tab closes.
            leptos::task::spawn_local(async move {
                let forgotten = storage::forget_everything().await;
                last.set(Some(format!(
                    "{} From now on nothing is kept: closing the tab forgets everything.",
                    forgotten.describe()
                )));
            });
        } else {
            app.remember_settings();
            last.set(Some(
                "Lethe keeps your settings, results and files in this browser again.".into(),
            ));
        }
    };
    view! {
        <fieldset class="panel your-data">
            <legend>"Your data"</legend>
            <p class="hint" id="storage-note">
                {move || if memory_only.get() {
                    "Nothing is kept: your files, settings and results live in this tab's memory and are gone when it closes. Nothing is ever sent anywhere."
                } else {
                    "Lethe keeps, in this browser only: your settings and last results (localStorage) and the CSV and model files you upload (IndexedDB), so that they survive a reload. Nothing is ever sent anywhere."
                }}
            </p>
            <label class="check">
                <input id="memory-only" type="checkbox" prop:checked=move || memory_only.get() on:change=on_memory_only />
                "Don't keep my data (memory only)"
            </label>
            <button id="forget-data" disabled=move || busy.get() on:click=forget>"Forget my data"</button>
            <p id="forget-status" role="status">{move || last.get()}</p>
        </fieldset>
    }
}
