//! "Your data": what this browser keeps (settings, the last results, uploaded CSV files) and the control that
//! forgets it all.

use leptos::prelude::*;
use lethe_protocol::{DataSource, Experiment};

use crate::state::{RunState, use_app};
use crate::storage;

/// The storage note and the "Forget my data" button.
#[component]
pub fn YourData() -> impl IntoView {
    let app = use_app();
    let last = RwSignal::new(None::<String>);
    let forget = move |_| {
        leptos::task::spawn_local(async move {
            match storage::forget_everything().await {
                Ok(forgotten) => {
                    let on_csv = app
                        .experiment
                        .with_untracked(|e| e.data.source == DataSource::Csv);
                    app.csv.set(None);
                    if on_csv {
                        app.experiment.update(|e| e.data = Experiment::demo().data);
                    }
                    app.run.set(RunState::default());
                    last.set(Some(forgotten.describe()));
                }
                Err(e) => last.set(Some(format!("Nothing could be deleted: {e}"))),
            }
        });
    };
    view! {
        <fieldset class="panel your-data">
            <legend>"Your data"</legend>
            <p class="hint">
                "Lethe keeps your settings, your last results and the CSV files you upload in this browser only, so that they survive a reload. Nothing is sent anywhere."
            </p>
            <button id="forget-data" on:click=forget>"Forget my data"</button>
            <p id="forget-status" role="status">{move || last.get()}</p>
        </fieldset>
    }
}
