//! The model and training settings, and the backend preference.

use leptos::prelude::*;
use lethe_protocol::experiment::ConvLayer;
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

/// The convolutions as the field shows them: `filters/kernel/padding/pool`, comma-separated.
fn convs_text(convs: &[ConvLayer]) -> String {
    convs
        .iter()
        .map(|c| format!("{}/{}/{}/{}", c.channels, c.kernel, c.padding, c.pool))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads "16/3/1/1, 32/3/1/2" (padding and pool may be left out: 0 and 1); the message names the field and the value.
fn parse_convs(text: &str) -> Result<Vec<ConvLayer>, String> {
    text.split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            let parts: Vec<&str> = t.trim().split('/').map(str::trim).collect();
            let number = |i: usize, default: usize| match parts.get(i) {
                None => Ok(default),
                Some(p) => parse_usize("model.convs", p),
            };
            if !(2..=4).contains(&parts.len()) {
                return Err(format!(
                    "model.convs: \"{}\" is not filters/kernel/padding/pool (e.g. 16/3/1/2)",
                    t.trim()
                ));
            }
            Ok(ConvLayer {
                channels: number(0, 0)?,
                kernel: number(1, 0)?,
                padding: number(2, 0)?,
                pool: number(3, 1)?,
            })
        })
        .collect()
}

/// The CNN in words: each convolution, its pool, the dense layers and the head.
fn cnn_shape(model: &lethe_protocol::ModelConfig) -> String {
    let mut parts: Vec<String> = model
        .conv_layers()
        .iter()
        .map(|c| {
            let pool = if c.pool > 1 {
                format!(", {0}×{0} max-pool", c.pool)
            } else {
                String::new()
            };
            format!(
                "{}×{} convolution, {} filters, padding {}{pool}",
                c.kernel, c.kernel, c.channels, c.padding
            )
        })
        .collect();
    parts.extend(model.widths.iter().map(|w| format!("dense {w}")));
    parts.push("linear head".into());
    parts.join(" → ")
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
                // Each convolution as filters/kernel/padding/pool, the dense layers between them and the head.
                <NumberField field="model.convs" id="convs" list=true
                    value=move || exp.with(|e| convs_text(&e.model.conv_layers()))
                    on_set=move |text: String| match parse_convs(&text) {
                        Ok(convs) => { app.edit(|e| e.model.convs = convs); }
                        Err(message) => app.input_error.set(Some(message)),
                    } />
                <NumberField field="model.widths" id="cnn-widths" list=true
                    value=move || exp.with(|e| e.model.widths.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(", "))
                    on_set=move |text: String| match parse_widths(&text) {
                        Ok(widths) => { app.edit(|e| e.model.widths = widths); }
                        Err(message) => app.input_error.set(Some(message)),
                    } />
                <p class="hint" id="cnn-shape">{move || exp.with(|e| cnn_shape(&e.model))}</p>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn convolutions_read_and_written_as_filters_kernel_padding_pool() {
        let convs = parse_convs("16/3/1, 32/3/1/2").unwrap();
        assert_eq!(convs, lethe_protocol::experiment::DEFAULT_CONVS.to_vec());
        assert_eq!(convs_text(&convs), "16/3/1/1, 32/3/1/2");
        assert!(parse_convs("16/x").unwrap_err().contains("model.convs"));
        assert!(
            parse_convs("16")
                .unwrap_err()
                .contains("\"16\" is not filters/kernel/padding/pool")
        );
    }
}
