//! The page: layout, context, and the effects that tie it to the outside world (URL hash, engine, watchdog).

use std::time::Duration;

use leptos::prelude::*;
use lethe_protocol::Experiment;
use lethe_protocol::TaskKind;

use lethe_protocol::DataSource;

use crate::components::{
    backend_badge::BackendBadge, data_chart::DataChart, learning_curves::LearningCurves,
    notices::Notices, run_bar::RunBar, workspace::Workspace,
};
use crate::controller::Controller;
use crate::page_options::PageOptions;
use crate::state::{AppState, CsvFile};
use crate::status::{RunState, RunStatus};
use crate::storage;
use crate::url_state;

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The experiment to start with: the link's, else (outside embed mode) the saved one, else the demo. Also says
/// whether it came from a link, and any message about a bad link or bad saved settings.
fn initial_experiment(embed: bool) -> (Experiment, bool, Vec<String>) {
    let mut notes = vec![];
    match url_state::decode(&location_hash()) {
        Some(Ok(e)) => match e.clone().validate() {
            Ok(_) => return (e, true, notes),
            Err(err) => notes.push(format!(
                "The link's experiment is invalid ({err}); showing the demo."
            )),
        },
        Some(Err(err)) => notes.push(format!("{err}; showing the demo.")),
        None if !embed => match storage::load_settings() {
            Some(Ok(e)) if e.clone().validate().is_ok() => return (e, false, notes),
            Some(Ok(_)) => {
                notes.push("The saved settings are out of range; showing the demo.".into())
            }
            Some(Err(err)) => notes.push(format!("{err}; showing the demo.")),
            None => {}
        },
        None => {}
    }
    (Experiment::demo(), false, notes)
}

/// The results this browser kept of `kind`'s last run, with a notice when they were unusable and deleted.
fn kept_results(app: AppState, kind: TaskKind) -> Option<lethe_protocol::Report> {
    match storage::load_results(kind) {
        Some(Ok(report)) => Some(report),
        Some(Err(why)) => {
            app.notify(format!(
                "The {} results kept in this browser were unusable and have been deleted ({why}).",
                crate::run_words::task_name(kind)
            ));
            None
        }
        None => None,
    }
}

/// Restores each task's last results and the uploaded files this browser kept for `experiment`. Training's
/// results come back when they train as `experiment` does; the other tasks' come back as they were, marked stale by
/// their views when the settings have changed since. Results, not models: the lab trains again before it forgets.
fn restore(app: AppState, experiment: &Experiment) {
    if let Some(report) =
        kept_results(app, TaskKind::Train).filter(|r| r.experiment.trains_like(experiment))
    {
        let history = report
            .outcome
            .rows()
            .first()
            .map(|r| r.history.clone())
            .unwrap_or_default();
        app.jobs.get(TaskKind::Train).set(RunState {
            status: RunStatus::Done,
            epochs_total: experiment.train.epochs,
            history,
            report: Some(report),
            ..RunState::default()
        });
    }
    for kind in [TaskKind::Unlearn, TaskKind::Federated, TaskKind::Vbu] {
        if let Some(report) = kept_results(app, kind) {
            app.jobs.get(kind).set(RunState {
                status: RunStatus::Done,
                report: Some(report),
                ..RunState::default()
            });
        }
    }
    if let Some(import) = experiment.model.import.clone() {
        leptos::task::spawn_local(async move {
            let key = crate::components::your_model::stored_name(&import.file);
            match storage::load_csv(&key).await {
                Ok(Some(base64)) if app.weights.get_untracked().is_none() => {
                    let bytes = base64.len() / 4 * 3;
                    app.weights.set(Some(crate::state::WeightsFile::new(
                        import.file,
                        base64,
                        bytes,
                    )))
                }
                Ok(_) => {}
                Err(e) => app.notify(format!(
                    "The stored copy of \"{}\" could not be read ({e}).",
                    import.file
                )),
            }
        });
    }
    if let Some(spec) = experiment
        .data
        .csv
        .clone()
        .filter(|_| experiment.data.source == DataSource::Csv)
    {
        leptos::task::spawn_local(async move {
            match storage::load_csv(&spec.file).await {
                Ok(Some(text)) if app.csv.get_untracked().is_none() => app.csv.set(Some(CsvFile {
                    name: spec.file,
                    text,
                })),
                Ok(_) => {}
                Err(e) => app.notify(format!(
                    "The stored copy of \"{}\" could not be read ({e}).",
                    spec.file
                )),
            }
        });
    }
}

/// Keeps the settings, the last results and uploaded files in this browser (never in embed mode).
/// Settings are kept by [`AppState::remember_settings`], after what the user does, never at load.
fn persist(app: AppState) {
    for kind in TaskKind::ALL {
        Effect::new(move |_| {
            app.jobs.get(kind).with(|r| {
                if let (RunStatus::Done, Some(report)) = (&r.status, &r.report)
                    && r.id != 0
                {
                    // In a task of its own: serialising and storing the report right after the results appear made
                    // one main-thread task of both (over 100 ms at the end of a run).
                    let report = report.clone();
                    set_timeout(
                        move || {
                            if let Err(why) = storage::save_results(kind, &report) {
                                app.notify(format!(
                                    "The {} results could not be kept in this browser ({why}); they stay on the page until you reload.",
                                    crate::run_words::task_name(kind)
                                ));
                            }
                            app.remember_settings();
                        },
                        Duration::ZERO,
                    );
                }
            })
        });
    }
    Effect::new(move |_| {
        if let Some(file) = app.weights.get() {
            leptos::task::spawn_local(async move {
                let key = crate::components::your_model::stored_name(&file.name);
                if let Err(e) = storage::save_csv(&key, &file.base64).await {
                    app.notify(format!(
                        "\"{}\" could not be kept in this browser ({e}); it works until you reload.",
                        file.name
                    ));
                }
            });
        }
    });
    Effect::new(move |_| {
        if let Some(file) = app.csv.get() {
            leptos::task::spawn_local(async move {
                if let Err(e) = storage::save_csv(&file.name, &file.text).await {
                    app.notify(format!(
                        "\"{}\" could not be kept in this browser ({e}); it works until you reload.",
                        file.name
                    ));
                }
            });
        }
    });
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let (options, option_error) =
        PageOptions::read(&location_search(), storage::test_switch().as_deref());
    let embed = options.embed;
    let (experiment, from_link, notes) = initial_experiment(embed);
    let mut app = AppState::new(experiment.clone());
    app.remembers = !embed;
    for note in notes.into_iter().chain(option_error) {
        app.notify(note);
    }
    provide_context(app);
    if options.page_panic {
        leptos::task::spawn_local(async {
            panic!("injected by the test switch (page_panic)");
        });
    }
    let controller = StoredValue::new_local(Controller::new(app, &options));
    provide_context(controller);
    if !embed {
        // A reload keeps the experiment in the hash: it is this browser's own page when it equals the saved one.
        let own = !from_link
            || matches!(storage::load_settings(), Some(Ok(saved)) if saved == experiment);
        if own {
            restore(app, &experiment);
        }
        persist(app);
    }

    // The workspace opens where the link says, else on the experiment's task.
    let (tab, view) = crate::place::read(&location_hash());
    app.tab
        .set(tab.unwrap_or_else(|| crate::place::Tab::of(&experiment)));
    if let Some(view) = view {
        app.view.set(view);
    }
    // An experiment that changes task (an import, a preset, a Forget setting) opens that task's tab; back to plain
    // training stays where the user is.
    let task = Memo::new(move |_| {
        app.experiment.with(|e| match e.task {
            lethe_protocol::Task::Train => None,
            _ => Some(crate::place::Tab::of(e)),
        })
    });
    Effect::new(move |previous: Option<Option<crate::place::Tab>>| {
        let now = task.get();
        if let (Some(before), Some(tab)) = (previous, now)
            && before != now
        {
            app.tab.set(tab);
        }
        now
    });

    // The experiment lives in the URL hash, so that a link reproduces it; the tab and view follow it.
    Effect::new(move |_| {
        let hash = app.experiment.with(url_state::encode)
            + &crate::place::write(app.tab.get(), app.view.get());
        if let Some(w) = web_sys::window()
            && w.location().hash().ok().as_deref() != Some(hash.as_str())
        {
            let _ = w.history().and_then(|h| {
                h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash))
            });
        }
    });
    // New data settings: ask the engine for the new view.
    Effect::new(move |_| {
        app.experiment.track();
        app.csv.track();
        app.weights.track();
        controller.with_value(|c| c.refresh_data());
    });
    controller.with_value(|c| c.start());
    let _ = set_interval_with_handle(
        move || controller.with_value(|c| c.watchdog()),
        Duration::from_secs(1),
    );

    if embed {
        return view! { <EmbedView /> }.into_any();
    }
    view! {
        <header class="top">
            <div>
                <h1>"Lethe"</h1>
                <p class="tagline">
                    "A machine-unlearning playground that runs entirely in your browser: nothing leaves this machine."
                </p>
            </div>
            <div class="backend"><BackendBadge /></div>
        </header>
        <Workspace />
    }
    .into_any()
}

/// The compact view for an iframe: the preset, Train, the main chart and the curves, and a way out.
#[component]
fn EmbedView() -> impl IntoView {
    let app = crate::state::use_app();
    let preset = move || {
        app.experiment.with(|e| {
            let model = match e.model.kind {
                lethe_protocol::ModelKind::Logistic => "logistic regression".to_string(),
                lethe_protocol::ModelKind::Mlp if !e.model.widths.is_empty() => {
                    let widths: Vec<String> =
                        e.model.widths.iter().map(|w| w.to_string()).collect();
                    format!("MLP {}", widths.join("→"))
                }
                lethe_protocol::ModelKind::Mlp => {
                    format!("MLP {}×{}", e.model.layers, e.model.width)
                }
                lethe_protocol::ModelKind::Cnn => "CNN".to_string(),
                lethe_protocol::ModelKind::BayesLogistic => {
                    "Bayesian logistic regression".to_string()
                }
            };
            format!(
                "{} · {model} · {} epochs · seed {}",
                crate::words::source_label(e.data.source),
                e.train.epochs,
                e.seed
            )
        })
    };
    let full = move || {
        let base = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default();
        format!("{base}{}", app.experiment.with(url_state::encode))
    };
    view! {
        <main class="embed" id="embed">
            <header class="embed-top">
                <strong>"Lethe"</strong>
                <span class="preset" id="preset">{preset}</span>
                <BackendBadge />
                <a id="open-full" href=full target="_blank" rel="noopener">"Open in Lethe ↗"</a>
            </header>
            <TrainView />
            // An embedded experiment with an `unlearn` section reproduces the comparison: Forget and its results.
            <Show when=move || app.experiment.with(|e| e.task.unlearn().is_some())>
                <crate::lab::LabRunBar />
                <crate::lab::LabResults />
            </Show>
        </main>
    }
}

/// What both views share: Train and its progress, the notices, the data chart and the live curves.
#[component]
fn TrainView() -> impl IntoView {
    view! {
        <RunBar kind=TaskKind::Train />
        <Notices />
        <div class="charts">
            <DataChart />
            <LearningCurves />
        </div>
    }
}
