//! Picking the methods: each with its family, its guarantee and what it needs; its settings (empty: the default)
//! and its page from `docs/methods/` (the same text the repository shows, copied next to the page) one click away.

use leptos::prelude::*;
use lethe_protocol::{Family, Guarantee, Method, MethodSpec, Need};

use crate::state::use_app;

/// Words for a family.
pub fn family_words(f: Family) -> &'static str {
    match f {
        Family::ModelAgnostic => "model-agnostic",
        Family::ModelIntrinsic => "model-intrinsic",
        Family::DataDriven => "data-driven",
    }
}

/// Words for a guarantee.
pub fn guarantee_words(g: Guarantee) -> &'static str {
    match g {
        Guarantee::Exact => "exact",
        Guarantee::Certified => "certified",
        Guarantee::Approximate => "approximate",
    }
}

/// What a method's needs mean for the Forget step, if anything.
fn needs_note(m: Method) -> Option<&'static str> {
    match m {
        Method::Sisa => {
            Some("Needs training-time state (shards and checkpoints): the lab trains them for it.")
        }
        Method::Amnesiac => Some(
            "Needs a log of the training updates: the lab retrains the model with the log first.",
        ),
        Method::Certified => {
            Some("Needs its own L2-regularised solve at training time: the lab prepares it.")
        }
        _ if !m.needs().contains(&Need::ForgetSet) => Some("Never looks at the forget set."),
        _ => None,
    }
}

/// The method checklist.
#[component]
pub fn MethodPicker() -> impl IntoView {
    let app = use_app();
    let shown = Memo::new(move |_| {
        app.experiment.with(|e| {
            Method::ALL
                .into_iter()
                .filter(|&m| super::available(m, e))
                .collect::<Vec<_>>()
        })
    });
    let seeds = Memo::new(move |_| super::config(&app).retrain_seeds);
    view! {
        <fieldset class="methods" id="lab-methods">
            <legend>"Methods (each against retraining)"</legend>
            {move || shown.get().into_iter().map(|m| view! { <MethodRow method=m /> }).collect_view()}
            <p class="hint">
                {move || app.experiment.with(|e| (e.model.kind != lethe_protocol::ModelKind::Logistic || e.train.l2 <= 0.0).then_some(
                    "certified (certified removal) appears for logistic regression with an L2 penalty above 0."
                ))}
            </p>
            <div class="field">
                <label for="retrain-seeds">"Retrains (the oracle's band)"</label>
                <input id="retrain-seeds" type="number" min="1" max="10" step="1" prop:value=move || seeds.get().to_string()
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        match text.trim().parse::<usize>() {
                            Ok(n) => { super::edit(&app, |u| u.retrain_seeds = n); }
                            Err(_) => app.input_error.set(Some(format!("unlearn.retrain_seeds must be a whole number, got \"{text}\""))),
                        }
                    } />
                <p class="hint">"More retrains with other seeds give a band (mean ± 2σ) a method is read against, at the cost of more retraining."</p>
            </div>
        </fieldset>
    }
}

/// One method: the checkbox, what it is, its settings and its page.
#[component]
fn MethodRow(method: Method) -> impl IntoView {
    let app = use_app();
    let key = method.key();
    let spec = Memo::new(move |_| {
        super::config(&app)
            .methods
            .into_iter()
            .find(|s| s.method == method)
    });
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        super::edit(&app, |u| {
            u.methods.retain(|s| s.method != method);
            if on {
                u.methods.push(MethodSpec::plain(method));
                // The report lists methods in this fixed order.
                u.methods
                    .sort_by_key(|s| Method::ALL.iter().position(|&m| m == s.method));
            }
        });
    };
    let doc = RwSignal::new(None::<String>);
    let load_doc = move |_| {
        if doc.get_untracked().is_some() {
            return;
        }
        leptos::task::spawn_local(async move {
            let text = crate::files::fetch_text(&format!("methods/{key}.md"))
                .await
                .unwrap_or_else(|e| format!("The method's page could not be loaded ({e}); it is docs/methods/{key}.md in the repository."));
            doc.set(Some(text));
        });
    };
    view! {
        <div class="method" id=format!("method-{key}")>
            <label class="check">
                <input type="checkbox" id=format!("method-check-{key}") prop:checked=move || spec.with(Option::is_some) on:change=toggle />
                <strong>{key}</strong>
                <span class="tag">{family_words(method.family())}</span>
                <span class="tag">{guarantee_words(method.guarantee())}</span>
            </label>
            {needs_note(method).map(|n| view! { <p class="hint">{n}</p> })}
            <details class="method-settings">
                <summary>"Settings"</summary>
                {method.settings().iter().map(|&name| {
                    let id = format!("setting-{key}-{name}");
                    view! {
                        <div class="field">
                            <label for=id.clone()>{name}</label>
                            <input id=id type="number" step="any" placeholder="default"
                                prop:value=move || spec.with(|s| s.as_ref().and_then(|s| s.get(name)).map(|v| v.to_string()).unwrap_or_default())
                                on:change=move |ev| {
                                    let text = event_target_value(&ev);
                                    let value = if text.trim().is_empty() { Ok(None) } else { text.trim().parse::<f64>().map(Some) };
                                    match value {
                                        Ok(v) => {
                                            super::edit(&app, |u| {
                                                if !u.methods.iter().any(|s| s.method == method) {
                                                    u.methods.push(MethodSpec::plain(method));
                                                    u.methods.sort_by_key(|s| Method::ALL.iter().position(|&m| m == s.method));
                                                }
                                                if let Some(s) = u.methods.iter_mut().find(|s| s.method == method) {
                                                    match v {
                                                        Some(v) => { s.settings.insert(name.to_string(), v); }
                                                        None => { s.settings.remove(name); }
                                                    }
                                                }
                                            });
                                        }
                                        Err(_) => app.input_error.set(Some(format!("unlearn.methods \"{key}\": {name} must be a number, got \"{text}\""))),
                                    }
                                } />
                        </div>
                    }
                }).collect_view()}
                <p class="hint">"Empty: the default, listed on the method's page and in the report's params."</p>
            </details>
            <details class="method-doc" on:toggle=load_doc>
                <summary>{format!("About {key}")}</summary>
                <pre class="doc">{move || doc.get().unwrap_or_else(|| "loading…".into())}</pre>
            </details>
        </div>
    }
}
