//! Suggest before forgetting: the engine ranks the training points on the trained model (the `suggested` ranking:
//! high loss, neighbours of another label, outliers, high self-influence) with its reasons; the user ticks rows in
//! the list and "Forget the picked rows" makes them the forget set (`unlearn.forget.rows`), which the scatter then
//! marks and the link carries.

use std::collections::BTreeSet;

use leptos::prelude::*;
use lethe_protocol::{ForgetSpec, TaskKind};

use crate::controller::use_controller;
use crate::state::use_app;
use crate::status::RunStatus;

/// Rows of the ranking listed.
const LISTED: usize = 20;

/// The Suggest button, the ranked list and the pick.
#[component]
pub fn SuggestPanel() -> impl IntoView {
    let app = use_app();
    let controller = use_controller();
    let picked = RwSignal::new(BTreeSet::<usize>::new());
    let trained = move || {
        app.jobs
            .get(TaskKind::Train)
            .with(|r| r.status == RunStatus::Done && r.id != 0)
    };
    // A new ranking starts a new pick.
    Effect::new(move |_| {
        app.suggestions.track();
        picked.set(BTreeSet::new());
    });
    let names = move || {
        app.dataset.with(|d| {
            d.as_ref()
                .map(|v| v.class_names.clone())
                .unwrap_or_default()
        })
    };
    let list = move || {
        let suggestions = app.suggestions.get()?;
        let names = names();
        let rows = suggestions
            .iter()
            .take(LISTED)
            .map(|s| {
                let row = s.row;
                let id = format!("suggest-pick-{row}");
                let label = names.get(s.label as usize).cloned().unwrap_or_default();
                view! {
                    <li data-row=row data-score=s.score.to_string()>
                        <label class="check">
                            <input type="checkbox" id=id
                                prop:checked=move || picked.with(|p| p.contains(&row))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    picked.update(|p| {
                                        if on { p.insert(row); } else { p.remove(&row); }
                                    });
                                } />
                            {format!("row {row}, {label}, score {:.2}", s.score)}
                        </label>
                        <p class="hint why">{s.reasons.join("; ")}</p>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <p class="hint" id="suggest-caption">{format!("The {} training points ranked first of {} (dataset rows, best first), with the engine's reasons:", suggestions.len().min(LISTED), suggestions.len())}</p>
            <ol class="suggest-list" id="suggest-list" aria-labelledby="suggest-caption">{rows}</ol>
            <button id="suggest-use" disabled=move || picked.with(BTreeSet::is_empty) on:click=move |_| {
                let rows: Vec<usize> = picked.get_untracked().into_iter().collect();
                let n = rows.len();
                if super::edit(&app, |u| u.forget = ForgetSpec::Rows { rows }) {
                    app.notify(format!("The {n} picked row{} are the forget set: press Forget to compare the methods on them.", if n == 1 { "" } else { "s" }));
                }
            }>
                {move || format!("Forget the picked rows ({})", picked.with(BTreeSet::len))}
            </button>
        })
    };
    view! {
        <div class="suggest" id="suggest-panel">
            <button id="suggest" disabled=move || !trained() || app.suggesting.get() || !app.can_start()
                on:click=move |_| controller.with_value(|c| c.suggest())>
                {move || if app.suggesting.get() { "Ranking…" } else { "Suggest what to forget" }}
            </button>
            <p class="hint">
                {move || if trained() {
                    "Ranks the training points on the trained model: the ones it fits worst, whose neighbours carry another label, that lie far from the rest, or that pull hardest on its last layer."
                } else {
                    "Train first: the ranking reads the trained model."
                }}
            </p>
            {list}
        </div>
    }
}
