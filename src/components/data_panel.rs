//! The dataset settings: source, generator parameters, the user's CSV, the split, the seed and the plotted
//! features.

use leptos::prelude::*;
use lethe_protocol::experiment::limits::MAX_CSV_BYTES;
use lethe_protocol::{CsvSpec, DataSource};

use super::fields::{NumberField, SelectField, labelled, real_setter, whole_setter};
use crate::controller::use_controller;
use crate::files::on_file_chosen;
use crate::state::{CsvFile, use_app};

/// The dataset settings.
#[component]
pub fn DataPanel() -> impl IntoView {
    let app = use_app();
    let controller = use_controller();
    let exp = app.experiment;
    let source = Memo::new(move |_| exp.with(|e| e.data.source));
    let wants_csv = app.wants_csv;
    let label_column = RwSignal::new(String::new());
    let options = DataSource::ALL
        .iter()
        .map(|s| {
            (
                s.key().to_string(),
                crate::words::source_label(*s).to_string(),
            )
        })
        .collect();
    let on_source = move |key: String| {
        let Some(s) = DataSource::from_key(&key) else {
            return;
        };
        if s == DataSource::Csv {
            wants_csv.set(true);
            return;
        }
        wants_csv.set(false);
        app.edit(|e| {
            e.data.source = s;
            e.data.plot_features = s.default_plot_features();
        });
    };
    let load_csv = move |name: String, text: String| {
        let mut candidate = exp.get_untracked();
        candidate.data.source = DataSource::Csv;
        // A link's split column (`data.csv.split_column`) stays with its own file, chosen again.
        let split_column = candidate
            .data
            .csv
            .as_ref()
            .filter(|c| c.file == name)
            .map(|c| c.split_column.clone())
            .unwrap_or_default();
        candidate.data.csv = Some(CsvSpec {
            file: name.clone(),
            label_column: label_column.get_untracked(),
            split_column,
        });
        candidate.data.plot_features = [0, 1];
        controller.with_value(|c| c.prepare(candidate, Some(CsvFile { name, text }), true));
    };
    let on_file = on_file_chosen(MAX_CSV_BYTES, move |chosen| match chosen {
        Ok((name, text)) => leptos::task::spawn_local(async move {
            // A different file of the same name already kept is not overwritten: this one gets its own name.
            let (kept_as, renamed) = crate::storage::free_name(&name, &text).await;
            if renamed {
                app.notify(format!(
                    "A different file called \"{name}\" is already kept in this browser; this one is kept as \"{kept_as}\"."
                ));
            }
            load_csv(kept_as, text);
        }),
        Err(e) => app.input_error.set(Some(e)),
    });
    let on_label = move |text: String| {
        label_column.set(text.clone());
        if let Some(csv) = app.csv.get_untracked()
            && source.get_untracked() == DataSource::Csv
        {
            load_csv(csv.name, csv.text);
        }
    };
    let on_seed = move |t: String| match t.trim().parse::<u64>() {
        Ok(v) => {
            app.edit(|e| e.seed = v);
        }
        Err(_) => app.input_error.set(Some(labelled(
            "seed",
            format!("seed must be a whole number ≥ 0, got \"{t}\""),
        ))),
    };
    let n_features = Memo::new(move |_| {
        app.dataset
            .with(|d| d.as_ref().map_or(0, |v| v.feature_names.len()))
    });
    let feature_options = move || {
        app.dataset.with(|d| {
            d.as_ref()
                .map(|v| {
                    v.feature_names
                        .iter()
                        .enumerate()
                        .map(|(i, n)| (i.to_string(), n.clone()))
                        .collect()
                })
                .unwrap_or_default()
        })
    };
    let set_feature = move |axis: usize| {
        move |key: String| {
            if let Ok(f) = key.parse::<usize>() {
                app.edit(|e| e.data.plot_features[axis] = f);
            }
        }
    };
    view! {
        <fieldset class="panel">
            <legend>"Data"</legend>
            <SelectField
                label="Dataset"
                id="dataset"
                options=options
                value=move || if wants_csv.get() { "csv".to_string() } else { source.get().key().to_string() }
                on_set=on_source
            />
            <Show when=move || source.get().is_generated() && !wants_csv.get()>
                <NumberField
                    field="data.n_samples"
                    id="n-samples"
                    min="20"
                    step="1"
                    value=move || exp.with(|e| e.data.n_samples.to_string())
                    on_set=whole_setter(app, "data.n_samples", |e, v| e.data.n_samples = v)
                />
                <NumberField
                    field="data.noise"
                    id="noise"
                    min="0"
                    step="0.05"
                    value=move || exp.with(|e| e.data.noise.to_string())
                    on_set=real_setter(app, "data.noise", |e, v| e.data.noise = v as f32)
                />
            </Show>
            <Show when=move || source.get() == DataSource::Blobs && !wants_csv.get()>
                <NumberField
                    field="data.classes"
                    id="classes"
                    min="2"
                    step="1"
                    value=move || exp.with(|e| e.data.classes.to_string())
                    on_set=whole_setter(app, "data.classes", |e, v| e.data.classes = v)
                />
            </Show>
            <Show when=move || wants_csv.get() || source.get() == DataSource::Csv>
                <div class="field">
                    <label for="csv-file">"CSV file"</label>
                    <input id="csv-file" type="file" accept=".csv,.tsv,.txt,text/csv" on:change=on_file />
                </div>
                <div class="field">
                    <label for="label-column">"Label column"</label>
                    <input
                        id="label-column"
                        type="text"
                        placeholder="name or number; empty: last"
                        prop:value=move || label_column.get()
                        on:change=move |ev| on_label(event_target_value(&ev))
                    />
                </div>
                <p class="hint">
                    {move || app.csv.with(|c| c.as_ref().map(|c| format!("Loaded: {}. ", c.name)).unwrap_or_default())}
                    "Header and delimiter (, ; tab |) are detected. At most 2,000,000 cells (rows × columns). "
                    {move || if app.memory_only.get() {
                        "The file is read in this tab and never sent anywhere; it is kept in memory only."
                    } else {
                        "The file is read in this tab and never sent anywhere; a copy is kept in this browser (IndexedDB) for the next visit, until you choose \"Forget my data\"."
                    }}
                </p>
            </Show>
            <NumberField
                field="data.test_fraction"
                id="test-fraction"
                min="0.05"
                step="0.05"
                value=move || exp.with(|e| e.data.test_fraction.to_string())
                on_set=real_setter(app, "data.test_fraction", |e, v| e.data.test_fraction = v as f32)
            />
            <NumberField
                field="seed"
                id="seed"
                min="0"
                step="1"
                value=move || exp.with(|e| e.seed.to_string())
                on_set=on_seed
            />
            {move || (n_features.get() > 2).then(|| view! {
                <SelectField
                    label="Plot: x axis"
                    id="plot-x"
                    options=feature_options()
                    value=move || exp.with(|e| e.data.plot_features[0].to_string())
                    on_set=set_feature(0)
                />
                <SelectField
                    label="Plot: y axis"
                    id="plot-y"
                    options=feature_options()
                    value=move || exp.with(|e| e.data.plot_features[1].to_string())
                    on_set=set_feature(1)
                />
            })}
        </fieldset>
    }
}
