//! The model and training settings, and the backend preference.

use leptos::prelude::*;
use lethe_protocol::{Activation, BackendChoice, Experiment, ModelKind, OptimizerKind};

use super::fields::{NumberField, SelectField, parse_usize, real_setter, whole_setter};
use crate::controller::use_controller;
use crate::state::use_app;

fn opts(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The same `width` in `layers` hidden layers (per-layer widths cleared).
fn uniform(e: &mut Experiment, layers: usize, width: usize) {
    e.model.layers = layers;
    e.model.width = width;
    e.model.widths.clear();
}

/// Per-layer widths; equal widths are kept as `layers` × `width`, so that the link of a uniform MLP stays as it was.
fn set_widths(e: &mut Experiment, widths: Vec<usize>) {
    match widths.first() {
        None => e.model.widths.clear(),
        Some(&first) if widths.iter().all(|&w| w == first) => uniform(e, widths.len(), first),
        Some(&first) => {
            e.model.layers = widths.len();
            e.model.width = first;
            e.model.widths = widths;
        }
    }
}

/// Reads "128, 64" (commas or spaces); the message names the field and the value.
fn parse_widths(text: &str) -> Result<Vec<usize>, String> {
    text.split([',', ' '])
        .filter(|t| !t.trim().is_empty())
        .map(|t| parse_usize("model.widths", t.trim()))
        .collect()
}

/// Model, optimiser and backend settings.
#[component]
pub fn ModelPanel() -> impl IntoView {
    let app = use_app();
    let controller = use_controller();
    let exp = app.experiment;
    let kind = Memo::new(move |_| exp.with(|e| e.model.kind));
    let is_mlp = Memo::new(move |_| kind.get() == ModelKind::Mlp);
    let is_sgd = Memo::new(move |_| exp.with(|e| e.train.optimizer == OptimizerKind::Sgd));
    view! {
        <fieldset class="panel">
            <legend>"Model"</legend>
            <SelectField
                label="Model"
                id="model-kind"
                options=opts(&[("mlp", "MLP"), ("logistic", "Logistic regression"), ("cnn", "CNN (square images: digits)"), ("bayes_logistic", "Bayesian logistic regression (two classes)")])
                value=move || match kind.get() {
                    ModelKind::Mlp => "mlp".to_string(),
                    ModelKind::Logistic => "logistic".to_string(),
                    ModelKind::Cnn => "cnn".to_string(),
                    ModelKind::BayesLogistic => "bayes_logistic".to_string(),
                }
                on_set=move |k: String| {
                    let kind = match k.as_str() {
                        "mlp" => ModelKind::Mlp,
                        "cnn" => ModelKind::Cnn,
                        "bayes_logistic" => ModelKind::BayesLogistic,
                        _ => ModelKind::Logistic,
                    };
                    app.edit(|e| e.model.kind = kind);
                }
            />
            <Show when=move || kind.get() == ModelKind::Cnn>
                <p class="hint" id="cnn-shape">"Two 3×3 convolutions (16 and 32 filters), a 2×2 max-pool, a linear head."</p>
            </Show>
            <Show when=move || is_mlp.get()>
                // The same width everywhere (`layers` × `width`), or a width per layer (`widths`); setting either
                // replaces the other.
                <NumberField field="model.layers" id="layers" min="1" step="1"
                    value=move || exp.with(|e| e.model.layers.to_string())
                    on_set=whole_setter(app, "model.layers", |e, v| {
                        let width = e.model.width;
                        uniform(e, v, width)
                    }) />
                <NumberField field="model.width" id="width" min="1" step="1"
                    value=move || exp.with(|e| e.model.width.to_string())
                    on_set=whole_setter(app, "model.width", |e, v| {
                        let layers = e.model.layers;
                        uniform(e, layers, v)
                    }) />
                <NumberField field="model.widths" id="widths" list=true
                    value=move || exp.with(|e| e.model.widths.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(", "))
                    on_set=move |text: String| match parse_widths(&text) {
                        Ok(widths) => { app.edit(|e| set_widths(e, widths)); }
                        Err(message) => app.input_error.set(Some(message)),
                    } />
            </Show>
            <Show when=move || kind.get() != ModelKind::Logistic>
                <SelectField
                    label="Activation"
                    id="activation"
                    options=opts(&[("relu", "ReLU"), ("tanh", "tanh"), ("sigmoid", "sigmoid")])
                    value=move || exp.with(|e| match e.model.activation {
                        Activation::Relu => "relu".to_string(),
                        Activation::Tanh => "tanh".to_string(),
                        Activation::Sigmoid => "sigmoid".to_string(),
                    })
                    on_set=move |k: String| {
                        let a = match k.as_str() { "tanh" => Activation::Tanh, "sigmoid" => Activation::Sigmoid, _ => Activation::Relu };
                        app.edit(|e| e.model.activation = a);
                    }
                />
            </Show>
        </fieldset>
        <fieldset class="panel">
            <legend>"Training"</legend>
            <SelectField
                label="Optimizer"
                id="optimizer"
                options=opts(&[("adam", "Adam"), ("sgd", "SGD with momentum")])
                value=move || if is_sgd.get() { "sgd".to_string() } else { "adam".to_string() }
                on_set=move |k: String| {
                    app.edit(|e| e.train.optimizer = if k == "sgd" { OptimizerKind::Sgd } else { OptimizerKind::Adam });
                }
            />
            <NumberField field="train.learning_rate" id="learning-rate" min="0" step="0.001"
                value=move || exp.with(|e| e.train.learning_rate.to_string())
                on_set=real_setter(app, "train.learning_rate", |e, v| e.train.learning_rate = v) />
            <Show when=move || is_sgd.get()>
                <NumberField field="train.momentum" id="momentum" min="0" step="0.05"
                    value=move || exp.with(|e| e.train.momentum.to_string())
                    on_set=real_setter(app, "train.momentum", |e, v| e.train.momentum = v) />
            </Show>
            <NumberField field="train.batch_size" id="batch-size" min="1" step="1"
                value=move || exp.with(|e| e.train.batch_size.to_string())
                on_set=whole_setter(app, "train.batch_size", |e, v| e.train.batch_size = v) />
            <NumberField field="train.epochs" id="epochs" min="1" step="1"
                value=move || exp.with(|e| e.train.epochs.to_string())
                on_set=whole_setter(app, "train.epochs", |e, v| e.train.epochs = v) />
            <NumberField field="train.l2" id="l2" min="0" step="0.0001"
                value=move || exp.with(|e| e.train.l2.to_string())
                on_set=real_setter(app, "train.l2", |e, v| e.train.l2 = v) />
            <SelectField
                label="Backend"
                id="backend"
                options=opts(&[("auto", "Auto (WebGPU on a hardware GPU)"), ("cpu", "CPU"), ("webgpu", "WebGPU")])
                value=move || exp.with(|e| e.backend.key().to_string())
                on_set=move |k: String| {
                    let b = match k.as_str() { "cpu" => BackendChoice::Cpu, "webgpu" => BackendChoice::Webgpu, _ => BackendChoice::Auto };
                    if app.edit(|e| e.backend = b) {
                        controller.with_value(|c| c.backend_changed());
                    }
                }
            />
        </fieldset>
    }
}
