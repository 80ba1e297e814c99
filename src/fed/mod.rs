//! The page's federated mode: simulate FedAvg over clients, forget one client four ways, and read the source
//! paper's table beside the evidence that counts (the forgotten client's backdoor). The settings live in the
//! experiment's `federated` section (link, export, CLI); the work runs as a Federated job (`jobs.rs`), or comes
//! from a report made elsewhere (a federation on Flower), imported and drawn the same way.

mod import;
mod results;
mod settings;

use leptos::prelude::*;
use lethe_protocol::federated::{ClientSplit, FedMethod, FederatedConfig};
use lethe_protocol::{Task, TaskKind};

use crate::state::{AppState, use_app};

/// The federation a new federated mode starts with: 5 IID clients, 10 rounds, client 0 to forget, every method.
pub fn default_config() -> FederatedConfig {
    FederatedConfig {
        clients: 5,
        split: ClientSplit::Iid,
        rounds: 10,
        participation: 1.0,
        local_epochs: 2,
        retain_every: 2,
        calibration_ratio: 0.5,
        continue_rounds: 3,
        target_client: 0,
        target_backdoor: None,
        methods: FedMethod::ALL.to_vec(),
    }
}

/// Applies `edit` to the federated settings, validated with the whole experiment.
pub fn edit(app: &AppState, edit: impl FnOnce(&mut FederatedConfig)) -> bool {
    app.edit(|e| {
        let mut f = e.task.federated().cloned().unwrap_or_else(default_config);
        edit(&mut f);
        e.task = Task::Federated(f);
    })
}

/// The federated mode's panel: the switch, the settings, the run bar and the results.
#[component]
pub fn FederatedStep() -> impl IntoView {
    let app = use_app();
    let on = Memo::new(move |_| app.experiment.with(|e| e.task.federated().is_some()));
    let toggle = move |ev: leptos::ev::Event| {
        if event_target_checked(&ev) {
            let had_lab = app
                .experiment
                .with_untracked(|e| e.task.unlearn().is_some());
            // The two sections exclude each other: the lab's settings make way.
            if app.edit(|e| e.task = Task::Federated(default_config())) && had_lab {
                app.notify("Federated mode replaces the Forget step's settings (an experiment has one or the other).");
            }
        } else {
            app.edit(|e| e.task = Task::Train);
        }
    };
    view! {
        <section class="panel federated-step" id="federated-step" aria-labelledby="federated-title">
            <h2 id="federated-title">"Federated unlearning"</h2>
            <label class="check">
                <input type="checkbox" id="federated-mode" prop:checked=move || on.get() on:change=toggle />
                "Simulate a federation: clients keep their data, a server averages their models (FedAvg); then one client asks to be forgotten."
            </label>
            <import::ImportReport />
            <Show when=move || on.get()>
                <settings::FederatedSettings />
                <crate::components::run_bar::RunBar kind=TaskKind::Federated />
                <results::FederatedResults />
            </Show>
        </section>
    }
}
