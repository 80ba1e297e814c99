//! The federation's settings and its run bar.

use leptos::prelude::*;
use lethe_protocol::federated::{ClientBackdoor, ClientSplit, FedMethod, FederatedConfig};

use crate::state::use_app;

/// A numeric setting of the section.
#[component]
fn Number(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    value: fn(&FederatedConfig) -> String,
    set: fn(&mut FederatedConfig, f64),
) -> impl IntoView {
    let app = use_app();
    let config = Memo::new(move |_| app.experiment.with(|e| e.task.federated().cloned()));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type="number" step="any" prop:value=move || config.with(|c| c.as_ref().map(value).unwrap_or_default())
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    match text.trim().parse::<f64>() {
                        Ok(v) if v.is_finite() && v >= 0.0 => { super::edit(&app, |f| set(f, v)); }
                        _ => app.input_error.set(Some(format!("{label}: \"{text}\" is not a number ≥ 0"))),
                    }
                } />
            <p class="hint">{hint}</p>
        </div>
    }
}

/// The federation's settings.
#[component]
pub fn FederatedSettings() -> impl IntoView {
    let app = use_app();
    let config = Memo::new(move |_| {
        app.experiment.with(|e| {
            e.task
                .federated()
                .cloned()
                .unwrap_or_else(super::default_config)
        })
    });
    let on_split = move |ev: leptos::ev::Event| {
        let split = match event_target_value(&ev).as_str() {
            "dirichlet" => ClientSplit::Dirichlet { alpha: 0.5 },
            "shards" => ClientSplit::Shards {
                classes_per_client: 2,
            },
            _ => ClientSplit::Iid,
        };
        super::edit(&app, |f| f.split = split);
    };
    let split_key = move || {
        config.with(|c| match c.split {
            ClientSplit::Iid => "iid",
            ClientSplit::Dirichlet { .. } => "dirichlet",
            ClientSplit::Shards { .. } => "shards",
        })
    };
    view! {
        <div class="federated-settings">
            <Number id="fed-clients" label="Clients" hint="Simulated clients, 2 to 100; each keeps its rows."
                value=|c| c.clients.to_string() set=|f, v| f.clients = v as usize />
            <div class="field">
                <label for="fed-split">"How the data is dealt"</label>
                <select id="fed-split" on:change=on_split>
                    <option value="iid" selected=move || split_key() == "iid">"IID: shuffled, even"</option>
                    <option value="dirichlet" selected=move || split_key() == "dirichlet">"Dirichlet: uneven class mixes"</option>
                    <option value="shards" selected=move || split_key() == "shards">"Shards: a few classes each"</option>
                </select>
            </div>
            {move || match config.with(|c| c.split.clone()) {
                ClientSplit::Dirichlet { .. } => view! {
                    <Number id="fed-alpha" label="Dirichlet alpha" hint="Small: each client holds few classes."
                        value=|c| match c.split { ClientSplit::Dirichlet { alpha } => alpha.to_string(), _ => String::new() }
                        set=|f, v| f.split = ClientSplit::Dirichlet { alpha: v } />
                }.into_any(),
                ClientSplit::Shards { .. } => view! {
                    <Number id="fed-shards" label="Classes per client" hint="Shards of sorted classes each client takes."
                        value=|c| match c.split { ClientSplit::Shards { classes_per_client } => classes_per_client.to_string(), _ => String::new() }
                        set=|f, v| f.split = ClientSplit::Shards { classes_per_client: v as usize } />
                }.into_any(),
                ClientSplit::Iid => ().into_any(),
            }}
            <Number id="fed-rounds" label="Rounds" hint="FedAvg rounds."
                value=|c| c.rounds.to_string() set=|f, v| f.rounds = v as usize />
            <Number id="fed-participation" label="Participation" hint="Share of the clients training each round."
                value=|c| c.participation.to_string() set=|f, v| f.participation = v />
            <Number id="fed-local-epochs" label="Local epochs" hint="Each client's epochs per round, with the training settings above (a fresh optimiser each round)."
                value=|c| c.local_epochs.to_string() set=|f, v| f.local_epochs = v as usize />
            <Number id="fed-retain-every" label="Keep updates every Δt rounds" hint="FedEraser's history: more rounds between, less storage and work, less fidelity."
                value=|c| c.retain_every.to_string() set=|f, v| f.retain_every = v as usize />
            <Number id="fed-calibration" label="Calibration ratio r" hint="FedEraser's calibration trains ⌈r × local epochs⌉ epochs."
                value=|c| c.calibration_ratio.to_string() set=|f, v| f.calibration_ratio = v />
            <Number id="fed-continue" label="Rounds to continue without" hint="The naive baseline's extra rounds."
                value=|c| c.continue_rounds.to_string() set=|f, v| f.continue_rounds = v as usize />
            <Number id="fed-target" label="Client to forget" hint="0-based; or press \"Unlearn client k\" on a card."
                value=|c| c.target_client.to_string() set=|f, v| f.target_client = v as usize />
            <label class="check">
                <input type="checkbox" id="fed-backdoor" prop:checked=move || config.with(|c| c.target_backdoor.is_some())
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        // Class 0: on the 2-D toy sets the trigger (far beyond the first feature's range) lands where
                        // the last class lives, so only another target makes its success mean something.
                        super::edit(&app, |f| f.target_backdoor = on.then_some(ClientBackdoor { target_class: 0, fraction: 0.5 }));
                    } />
                "The client to forget carries a backdoor (the direct test that its contribution is gone)"
            </label>
            <Show when=move || config.with(|c| c.target_backdoor.is_some())>
                <Number id="fed-backdoor-fraction" label="Backdoored share of its rows" hint="Its rows of other classes stamped with the trigger and relabelled."
                    value=|c| c.target_backdoor.as_ref().map(|b| b.fraction.to_string()).unwrap_or_default()
                    set=|f, v| if let Some(b) = f.target_backdoor.as_mut() { b.fraction = v } />
                <Number id="fed-backdoor-class" label="Backdoor's target class" hint="The label triggered points get (0-based)."
                    value=|c| c.target_backdoor.as_ref().map(|b| b.target_class.to_string()).unwrap_or_default()
                    set=|f, v| if let Some(b) = f.target_backdoor.as_mut() { b.target_class = v as u32 } />
            </Show>
            <fieldset class="fed-methods" id="fed-methods">
                <legend>"Ways to forget (against FedRetrain, the oracle)"</legend>
                {FedMethod::ALL.into_iter().filter(|&m| m != FedMethod::FedRetrain).map(|m| view! {
                    <label class="check">
                        <input type="checkbox" id=format!("fed-method-{}", m.key())
                            prop:checked=move || config.with(|c| c.methods.contains(&m))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                super::edit(&app, |f| {
                                    f.methods.retain(|&x| x != m);
                                    if on { f.methods.push(m); }
                                    f.methods.sort_by_key(|x| FedMethod::ALL.iter().position(|y| y == x));
                                });
                            } />
                        {m.key()}
                    </label>
                }).collect_view()}
            </fieldset>
        </div>
    }
}
