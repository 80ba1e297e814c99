//! The unlearning lab on the page: the Forget step (what to forget, which methods, run) and its results (the
//! comparison table and the charts). Its settings live in the experiment's `unlearn` section, so a link, an export,
//! embed mode and the CLI reproduce the comparison; the work runs as a Forget job (`jobs.rs`).

mod charts;
mod compare;
mod forget_set;
mod methods;
mod panel;
pub mod pick;
mod run_bar;
mod suggest;
mod sweep;
mod table;
mod verdict;

pub use charts::LabTradeoff;
pub use panel::ForgetPanel;
pub use run_bar::LabRunBar;

use leptos::prelude::*;
use lethe_protocol::TaskKind;
use lethe_protocol::{Experiment, ForgetSpec, Method, MethodSpec, ModelKind, Need, UnlearnConfig};

use crate::state::{AppState, use_app};
use crate::status::RunStatus;

/// Whether `method` can run on this experiment at all (certified removal needs a logistic model with L2 > 0).
pub fn available(method: Method, experiment: &Experiment) -> bool {
    method != Method::Retrain
        && (method != Method::Certified
            || (experiment.model.kind == ModelKind::Logistic && experiment.train.l2 > 0.0))
}

/// The lab settings a new Forget step starts with: a random tenth, every available method that needs no
/// training-time state, one retrain.
pub fn default_config(experiment: &Experiment) -> UnlearnConfig {
    UnlearnConfig {
        forget: ForgetSpec::Random { fraction: 0.1 },
        methods: Method::ALL
            .into_iter()
            .filter(|&m| available(m, experiment) && !m.needs().contains(&Need::TrainingState))
            .map(MethodSpec::plain)
            .collect(),
        retrain_seeds: 1,
        privacy_score: None,
        sweep: None,
    }
}

/// The lab settings in force: the experiment's, or the defaults.
pub fn config(app: &AppState) -> UnlearnConfig {
    app.experiment.with(|e| {
        e.task
            .unlearn()
            .cloned()
            .unwrap_or_else(|| default_config(e))
    })
}

/// Applies `edit` to the lab settings, validated with the whole experiment (an error names the field and keeps
/// the previous settings).
pub fn edit(app: &AppState, edit: impl FnOnce(&mut UnlearnConfig)) -> bool {
    app.edit(|e| {
        let mut u = e
            .task
            .unlearn()
            .cloned()
            .unwrap_or_else(|| default_config(e));
        edit(&mut u);
        e.task = lethe_protocol::Task::Unlearn(u);
    })
}

/// The Forget tab's settings, at the workspace's left: what to forget and the methods to compare.
#[component]
pub fn ForgetSettings() -> impl IntoView {
    let app = use_app();
    let trained = move || {
        app.jobs
            .get(TaskKind::Train)
            .with(|r| r.status == RunStatus::Done)
    };
    view! {
        <section class="panel forget-step" id="forget-step" aria-labelledby="forget-title">
            <h2 id="forget-title">"Forget"</h2>
            <p class="hint">
                {move || if trained() {
                    "Pick what to forget and the methods to compare. Each runs on the trained model and is measured against retraining from scratch without the forgotten points: the exact answer."
                } else {
                    "Pick what to forget and the methods, then press Forget: the lab trains the model first if it has not been trained (same seed, same model)."
                }}
            </p>
            <forget_set::ForgetSetPicker />
            <suggest::SuggestPanel />
            <methods::MethodPicker />
            <sweep::SweepSettings />
        </section>
    }
}

/// The lab's results: the comparison table and the charts, once a Forget job is done. `split`: the workspace draws
/// the trade-off chart beside the data itself ([`LabTradeoff`]); embed mode draws it here. Each part says in
/// `data-in` which of the Forget tab's views show it (the stylesheet hides the others; print shows them all).
#[component]
pub fn LabResults(#[prop(optional)] split: bool) -> impl IntoView {
    let app = use_app();
    move || {
        let (report, run_id) = app
            .jobs
            .get(TaskKind::Unlearn)
            .with(|r| r.report.clone().map(|report| (report, r.id)))?;
        Some(view! {
            <section class="results lab-results" id="lab-results" class:stale=move || app.lab_stale.get()>
                <h2>"How each method forgot"</h2>
                <crate::components::print_report::PrintLink />
                <Show when=move || app.lab_stale.get()>
                    <p class="hint stale-note">"These results come from earlier settings: press Forget to update them."</p>
                </Show>
                <table::ComparisonTable report=report.clone() run_id=run_id />
                <charts::LabCharts report=report.clone() tradeoff=!split />
                {sweep::sweep_results(&report)}
                <compare::ModelComparison report=report />
            </section>
        })
    }
}
