//! The page: layout, context, and the effects that tie it to the outside world (URL hash, engine, watchdog).

use std::time::Duration;

use leptos::prelude::*;
use lethe_protocol::Experiment;

use crate::components::{
    backend_badge::BackendBadge, data_chart::DataChart, data_panel::DataPanel,
    file_actions::FileActions, learning_curves::LearningCurves, model_panel::ModelPanel,
    notices::Notices, results::Results, run_bar::RunBar,
};
use crate::controller::Controller;
use crate::state::AppState;
use crate::url_state;

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let (experiment, link_error) = match url_state::decode(&location_hash()) {
        Some(Ok(e)) => match e.clone().validate() {
            Ok(_) => (e, None),
            Err(err) => (
                Experiment::demo(),
                Some(format!(
                    "The link's experiment is invalid ({err}); showing the demo."
                )),
            ),
        },
        Some(Err(err)) => (
            Experiment::demo(),
            Some(format!("{err}; showing the demo.")),
        ),
        None => (Experiment::demo(), None),
    };
    let app = AppState::new(experiment);
    if let Some(e) = link_error {
        app.notify(e);
    }
    provide_context(app);
    let controller = StoredValue::new_local(Controller::new(app));
    provide_context(controller);

    // The experiment lives in the URL hash, so that a link reproduces it.
    Effect::new(move |_| {
        let hash = app.experiment.with(url_state::encode);
        if let Some(w) = web_sys::window() {
            if w.location().hash().ok().as_deref() != Some(hash.as_str()) {
                let _ = w.history().and_then(|h| {
                    h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash))
                });
            }
        }
    });
    // New data settings: ask the engine for the new view.
    Effect::new(move |_| {
        app.experiment.track();
        app.csv.track();
        controller.with_value(|c| c.refresh_data());
    });
    controller.with_value(|c| c.start());
    let _ = set_interval_with_handle(
        move || controller.with_value(|c| c.watchdog()),
        Duration::from_secs(1),
    );

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
        <main class="layout">
            <aside class="controls">
                <DataPanel />
                <ModelPanel />
                <FileActions />
            </aside>
            <section class="views">
                <RunBar />
                <Notices />
                <div class="charts">
                    <DataChart />
                    <LearningCurves />
                </div>
                <Results />
            </section>
        </main>
    }
}
