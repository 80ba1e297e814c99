//! "Your model": a weights file of a model trained in PyTorch, Keras or scikit-learn (`model.import`), its layout,
//! and the architecture the engine read from it. Train becomes Evaluate; Forget unlearns it; the lab's table offers
//! every row's model as a download. The file stays on this machine: in the tab's memory, and in this browser's
//! IndexedDB unless "Don't keep my data" is ticked.

use base64::Engine as _;
use leptos::prelude::*;
use lethe_protocol::experiment::MAX_WEIGHTS_BYTES;
use lethe_protocol::{ModelImport, WeightLayout};

use crate::files::on_bytes_chosen;
use crate::state::{WeightsFile, use_app};

/// The key under which this browser keeps a weights file (beside the CSV files).
pub fn stored_name(file: &str) -> String {
    format!("model:{file}")
}

/// The file picker, the layout, the architecture line and the way back to Lethe's own model.
#[component]
pub fn YourModel() -> impl IntoView {
    let app = use_app();
    let layout = RwSignal::new(
        app.experiment
            .with_untracked(|e| e.model.import.as_ref().map(|i| i.layout))
            .unwrap_or(WeightLayout::Pytorch),
    );
    let importing = move || app.experiment.with(|e| e.model.import.clone());
    let on_file = on_bytes_chosen(MAX_WEIGHTS_BYTES, move |read| {
        let (name, bytes) = match read {
            Ok(read) => read,
            Err(message) => {
                app.input_error
                    .set(Some(format!("model.import: {message}")));
                return;
            }
        };
        let previous = app.weights.get_untracked();
        app.weights.set(Some(WeightsFile::new(
            name.clone(),
            base64::engine::general_purpose::STANDARD.encode(&bytes),
            bytes.len(),
        )));
        let classes = app.experiment.with_untracked(|e| {
            e.model
                .import
                .as_ref()
                .map(|i| i.classes.clone())
                .unwrap_or_default()
        });
        let accepted = app.edit(|e| {
            e.model.import = Some(ModelImport {
                file: name,
                layout: layout.get_untracked(),
                classes,
            })
        });
        if !accepted {
            app.weights.set(previous);
        }
    });
    let on_layout = move |ev: leptos::ev::Event| {
        let chosen = match event_target_value(&ev).as_str() {
            "keras" => WeightLayout::Keras,
            _ => WeightLayout::Pytorch,
        };
        layout.set(chosen);
        app.edit(|e| {
            if let Some(import) = &mut e.model.import {
                import.layout = chosen;
            }
        });
    };
    let remove = move |_| {
        app.weights.set(None);
        app.imported.set(None);
        app.edit(|e| e.model.import = None);
    };
    let line = move || match (importing(), app.imported.get(), app.weights.get()) {
        (None, _, _) => "Lethe trains its own model from the settings above.".to_string(),
        (Some(import), _, None) => format!(
            "This experiment unlearns the model in \"{}\": choose that file (links never carry files).",
            import.file
        ),
        (Some(_), Some(description), Some(_)) => description,
        (Some(import), None, Some(w)) => format!("Reading {} ({} bytes)…", import.file, w.bytes),
    };
    view! {
        <fieldset class="panel your-model" id="your-model">
            <legend>"Your model"</legend>
            <p class="hint">
                "Unlearn a model you trained in PyTorch, Keras or scikit-learn: logistic regression, an MLP or a small CNN, its weights as a .safetensors file ("
                <a href="your-model.md" target="_blank" rel="noopener">"how to write one"</a>
                "). The file never leaves this machine."
            </p>
            <label>
                "Layout "
                <select id="model-layout" on:change=on_layout prop:value=move || match layout.get() {
                    WeightLayout::Pytorch => "pytorch",
                    WeightLayout::Keras => "keras",
                }>
                    <option value="pytorch">"PyTorch state_dict (also scikit-learn)"</option>
                    <option value="keras">"Keras get_weights()"</option>
                </select>
            </label>
            <label class="file">
                "Weights file "
                <input id="model-file" type="file" accept=".safetensors" on:change=on_file />
            </label>
            <p id="model-architecture" role="status" class="hint">{line}</p>
            <Show when=move || importing().is_some()>
                <button id="model-remove" on:click=remove>"Use Lethe's own model"</button>
            </Show>
        </fieldset>
    }
}
