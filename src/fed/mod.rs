//! The page's federated mode: simulate FedAvg over clients, forget one client four ways, and read the source
//! paper's table beside the evidence that counts (the forgotten client's backdoor). The settings live in the
//! experiment's `federated` section (link, export, CLI); the work runs as a Federated job (`jobs.rs`), or comes
//! from a report made elsewhere (a federation on Flower), imported and drawn the same way.

mod import;
mod results;
mod settings;

use leptos::prelude::*;
use lethe_protocol::federated::{ClientSplit, FedMethod, FederatedConfig};
use lethe_protocol::{DataSource, Experiment, ModelKind, OptimizerKind, Task, TaskKind};

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

/// A federation whose membership attack has signal (docs/federated.md, "An attack with signal"): digits with a tenth of
/// the rows to train on (about 180), two clients, a 2 × 256 MLP fitted by Adam (0.005, batches of 16) for 10 rounds
/// of 5 local epochs. The learned federation fits its rows exactly and generalises to about 92 %: the attack reads
/// AUC 0.63–0.66 on it for seeds 1–3, about 0.4–0.5 after FedRetrain or FedEraser.
pub fn membership_preset(e: &mut Experiment) {
    e.seed = 1;
    e.data.source = DataSource::Digits;
    e.data.test_fraction = 0.9;
    e.data.plot_features = DataSource::Digits.default_plot_features();
    e.data.csv = None;
    e.model.kind = ModelKind::Mlp;
    e.model.layers = 2;
    e.model.width = 256;
    e.model.widths = Vec::new();
    e.model.activation = lethe_protocol::Activation::Relu;
    e.model.import = None;
    e.data.scaling = None;
    e.train.l2 = 0.0;
    e.train.optimizer = OptimizerKind::Adam;
    e.train.learning_rate = 0.005;
    e.train.batch_size = 16;
    e.task = Task::Federated(FederatedConfig {
        clients: 2,
        rounds: 10,
        local_epochs: 5,
        ..default_config()
    });
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
            <div class="presets">
                <button id="preset-fed-signal" on:click=move |_| { app.edit(membership_preset); }>
                    "A federation the membership attack can read (digits, 10 % to train, 2 clients)"
                </button>
            </div>
            <Show when=move || on.get()>
                <settings::FederatedSettings />
                <crate::components::run_bar::RunBar kind=TaskKind::Federated />
                <results::FederatedResults />
            </Show>
        </section>
    }
}
