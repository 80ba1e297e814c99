//! The page's VBU mode, for `model.kind: "bayes_logistic"`: what to erase, the λ sweep, and the paper's VBU graphs
//! (KL to retraining against λ, predictive heatmaps side by side, posterior marginals, the data before and after,
//! the times). The settings live in the experiment's `vbu` section; the work runs as a VBU job (`jobs.rs`).

mod results;

use leptos::prelude::*;
use lethe_protocol::vbu::{BayesConfig, VbuConfig, VbuMethod};
use lethe_protocol::{DataSource, Experiment, ForgetSpec, ModelKind, Task, TaskKind};

use crate::components::run_bar::RunBar;
use crate::state::{AppState, use_app};

/// The VBU settings a new VBU mode starts with: the paper's moon setting's erasure and λ sweep.
pub fn default_config() -> VbuConfig {
    VbuConfig {
        erase: ForgetSpec::Region {
            feature: 0,
            top_fraction: 0.2,
        },
        lambdas: vec![0.5, 0.1, 1e-3, 1e-5, 1e-9, 0.0],
        methods: VbuMethod::ALL.to_vec(),
    }
}

/// The paper's moon setting: 100 points, a Bayesian logistic classifier on 20 random Fourier features, the 20 %
/// with the largest x₁ erased.
pub fn moon_preset(e: &mut Experiment) {
    e.data.source = DataSource::Moons;
    e.data.n_samples = 100;
    e.data.noise = 0.1;
    e.data.test_fraction = 0.2;
    e.data.plot_features = [0, 1];
    e.data.csv = None;
    e.model.kind = ModelKind::BayesLogistic;
    e.model.width = 20;
    e.model.bayes = Some(BayesConfig::default());
    e.task = Task::Vbu(default_config());
}

/// A banknote-like setting on breast cancer: 30 % erased at random, 16 random features (λ means little in more
/// dimensions).
pub fn breast_cancer_preset(e: &mut Experiment) {
    e.data.source = DataSource::BreastCancer;
    e.data.test_fraction = 0.25;
    e.data.plot_features = DataSource::BreastCancer.default_plot_features();
    e.data.csv = None;
    e.model.kind = ModelKind::BayesLogistic;
    e.model.width = 16;
    e.model.bayes = Some(BayesConfig::default());
    e.task = Task::Vbu(VbuConfig {
        erase: ForgetSpec::Random { fraction: 0.3 },
        ..default_config()
    });
}

/// Applies `edit` to the VBU settings, validated with the whole experiment.
fn edit(app: &AppState, edit: impl FnOnce(&mut VbuConfig)) -> bool {
    app.edit(|e| {
        let mut v = e.task.vbu().cloned().unwrap_or_else(default_config);
        edit(&mut v);
        e.task = Task::Vbu(v);
    })
}

/// The VBU panel: presets always; the settings, the run bar and the results for a Bayesian model.
#[component]
pub fn VbuStep() -> impl IntoView {
    let app = use_app();
    let bayes = Memo::new(move |_| {
        app.experiment
            .with(|e| e.model.kind == ModelKind::BayesLogistic)
    });
    let config = Memo::new(move |_| app.experiment.with(|e| e.task.vbu().cloned()));
    let erase_kind = move || {
        config.with(|c| match c.as_ref().map(|c| &c.erase) {
            Some(ForgetSpec::Random { .. }) => "random",
            Some(ForgetSpec::Class { .. }) => "class",
            Some(ForgetSpec::Rows { .. }) => "rows",
            _ => "region",
        })
    };
    let number = move |text: String, field: &'static str| -> Option<f64> {
        match text.trim().parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                app.input_error
                    .set(Some(format!("{field} must be a number, got \"{text}\"")));
                None
            }
        }
    };
    view! {
        <section class="panel bayes-step" id="bayes-step" aria-labelledby="bayes-title">
            <h2 id="bayes-title">"Variational Bayesian Unlearning"</h2>
            <p class="hint">
                "A Bayesian classifier keeps a distribution over its weights. VBU removes erased points from that posterior without touching the rest, and is measured against variational inference rerun without them. Presets:"
            </p>
            <div class="presets">
                <button id="preset-vbu-moons" on:click=move |_| { app.edit(moon_preset); }>"The paper's moons (erase the right fifth)"</button>
                <button id="preset-vbu-breast-cancer" on:click=move |_| { app.edit(breast_cancer_preset); }>"Breast cancer (erase 30 % at random)"</button>
            </div>
            <Show when=move || bayes.get() fallback=|| view! { <p class="hint">"Pick \"Bayesian logistic regression\" as the model, or a preset."</p> }>
                <div class="bayes-settings">
                    <div class="field">
                        <label for="vbu-erase">"What to erase"</label>
                        <select id="vbu-erase" on:change=move |ev| {
                            let erase = match event_target_value(&ev).as_str() {
                                "random" => ForgetSpec::Random { fraction: 0.2 },
                                "class" => ForgetSpec::Class { classes: vec![1] },
                                _ => ForgetSpec::Region { feature: 0, top_fraction: 0.2 },
                            };
                            edit(&app, |v| v.erase = erase);
                        }>
                            <option value="region" selected=move || erase_kind() == "region">"A region: the largest values of a feature"</option>
                            <option value="random" selected=move || erase_kind() == "random">"A random fraction"</option>
                            <option value="class" selected=move || erase_kind() == "class">"Class 1"</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="vbu-fraction">"Fraction erased"</label>
                        <input id="vbu-fraction" type="number" step="0.05" min="0.05" max="0.95"
                            prop:value=move || config.with(|c| match c.as_ref().map(|c| &c.erase) {
                                Some(ForgetSpec::Region { top_fraction, .. }) => top_fraction.to_string(),
                                Some(ForgetSpec::Random { fraction }) => fraction.to_string(),
                                _ => String::new(),
                            })
                            on:change=move |ev| {
                                if let Some(f) = number(event_target_value(&ev), "vbu.erase fraction") {
                                    edit(&app, |v| match &mut v.erase {
                                        ForgetSpec::Region { top_fraction, .. } => *top_fraction = f,
                                        ForgetSpec::Random { fraction } => *fraction = f,
                                        _ => {}
                                    });
                                }
                            } />
                    </div>
                    <div class="field">
                        <label for="vbu-lambdas">"λ sweep"</label>
                        <input id="vbu-lambdas" type="text"
                            prop:value=move || config.with(|c| c.as_ref().map(|c| c.lambdas.iter().map(|l| format!("{l:e}")).collect::<Vec<_>>().join(", ")).unwrap_or_default())
                            on:change=move |ev| {
                                let text = event_target_value(&ev);
                                let parsed: Result<Vec<f64>, _> = text.split(',').map(|t| t.trim().parse::<f64>()).collect();
                                match parsed {
                                    Ok(l) => { edit(&app, |v| v.lambdas = l); }
                                    Err(_) => app.input_error.set(Some(format!("vbu.lambdas: \"{text}\" is not a list of numbers"))),
                                }
                            } />
                    </div>
                    <p class="hint" id="vbu-lambda-note">
                        {move || app.experiment.with(|e| {
                            let p = match e.model.bayes.as_ref().map(|b| b.features).unwrap_or_default() {
                                lethe_protocol::vbu::BayesFeatures::Rff => e.model.width + 1,
                                lethe_protocol::vbu::BayesFeatures::Raw => app.dataset.with(|d| d.as_ref().map_or(0, |v| v.feature_names.len())) + 1,
                            };
                            format!(
                                "λ keeps the erased points' likelihood only where q(θ|D) is above λ times its peak. With {p} weights a typical draw sits about {:.0} nats (p/2) below the peak, e^-{:.0} ≈ {:.0e}: thresholds far above that ignore most of the posterior, and λ = 0 (plain EUBO) can unlearn catastrophically.",
                                p as f64 / 2.0, p as f64 / 2.0, (-(p as f64) / 2.0).exp()
                            )
                        })}
                    </p>
                </div>
                <RunBar kind=TaskKind::Vbu before=move || {
                    if app.experiment.with_untracked(|e| e.task.vbu().is_none()) {
                        edit(&app, |_| {});
                    }
                } />
                <results::BayesResults />
            </Show>
        </section>
    }
}
