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

/// The rows of a method page's settings table (`| \`key\` | meaning | default | allowed |`), by key.
pub fn settings_table(doc: &str) -> Vec<(String, [String; 3])> {
    doc.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let key = cells.first()?.strip_prefix('`')?.strip_suffix('`')?;
            (cells.len() == 4).then(|| {
                (
                    key.to_string(),
                    [
                        cells[1].to_string(),
                        cells[2].to_string(),
                        cells[3].to_string(),
                    ],
                )
            })
        })
        .collect()
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
    let score_runs = Memo::new(move |_| super::config(&app).privacy_score.map(|p| p.runs));
    let score_originals =
        Memo::new(move |_| super::config(&app).privacy_score.and_then(|p| p.originals));
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
            <div class="field">
                <label for="privacy-runs">"Privacy score: runs per side (empty: off)"</label>
                <input id="privacy-runs" type="number" min="8" max="128" step="1" placeholder="off"
                    prop:value=move || score_runs.get().map_or(String::new(), |n| n.to_string())
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        let text = text.trim();
                        if text.is_empty() {
                            super::edit(&app, |u| u.privacy_score = None);
                            return;
                        }
                        match text.parse::<usize>() {
                            Ok(runs) => {
                                super::edit(&app, |u| {
                                    let mut score = u.privacy_score.unwrap_or(lethe_protocol::PrivacyScoreConfig::new(runs));
                                    score.runs = runs;
                                    u.privacy_score = Some(score);
                                });
                            }
                            Err(_) => app.input_error.set(Some(format!("unlearn.privacy_score.runs must be a whole number, got \"{text}\""))),
                        }
                    } />
                <p class="hint">"The NeurIPS 2023 challenge's per-example score and a LiRA test: each method rerun with this many seeds against as many retrains, retraining against itself (the floor), and the trained originals against retraining (the control: is there any membership signal to remove?). Each score comes with a 95 % bootstrap interval. 32 runs or more to read it."</p>
            </div>
            <div class="field" style:display=move || if score_runs.get().is_none() { "none" } else { "" }>
                <label for="privacy-originals">"Privacy score: originals"</label>
                <select id="privacy-originals"
                    prop:value=move || {
                        let imported = app.experiment.with(|e| e.model.import.is_some());
                        score_originals.get().map_or(if imported { "shared" } else { "per_run" }, |o| o.key())
                    }
                    on:change=move |ev| {
                        let originals = match event_target_value(&ev).as_str() {
                            "shared" => lethe_protocol::Originals::Shared,
                            _ => lethe_protocol::Originals::PerRun,
                        };
                        super::edit(&app, |u| {
                            if let Some(score) = u.privacy_score.as_mut() {
                                score.originals = Some(originals);
                            }
                        });
                    }>
                    <option value="per_run">"one per run (run i unlearns original i)"</option>
                    <option value="shared">"shared (every run from the one trained model)"</option>
                </select>
                <p class="hint">"One per run: each run of a method starts from its own original, trained with its own seed, as each retrain draws its own; a method is then not credited for merely varying less than retraining. Shared is the NeurIPS 2023 challenge's design."</p>
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
    // Each setting's meaning, default and range, read from the method's page (the repository's text).
    let described =
        Memo::new(move |_| doc.with(|d| d.as_deref().map(settings_table).unwrap_or_default()));
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
            <details class="method-settings" on:toggle=load_doc>
                <summary>"Settings"</summary>
                {method.settings().iter().map(|&name| {
                    let id = format!("setting-{key}-{name}");
                    let about = move || described.with(|rows| {
                        rows.iter()
                            .find(|(k, _)| k == name)
                            .map(|(_, [meaning, default, allowed])| format!("{meaning}. Default: {default}. Allowed: {allowed}."))
                    });
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
                            <p class="hint">{about}</p>
                        </div>
                    }
                }).collect_view()}
                <p class="hint">"Empty: the default (also in the report's params)."</p>
            </details>
            <details class="method-doc" on:toggle=load_doc>
                <summary>{format!("About {key}")}</summary>
                <pre class="doc">{move || doc.get().unwrap_or_else(|| "loading…".into())}</pre>
            </details>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Source: docs/methods/finetune.md, the text the page fetches. */
    #[test]
    fn the_settings_table_is_read_from_the_method_page() {
        let doc = include_str!("../../docs/methods/finetune.md");
        let rows = settings_table(doc);
        let keys: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, Method::Finetune.settings());
        let epochs = &rows[0].1;
        assert!(epochs[1].contains("10 %"), "{epochs:?}");
        assert_eq!(epochs[2], "between 1 and 10000");
    }

    /* Source: every method page documents exactly the settings the protocol accepts. */
    #[test]
    fn every_method_page_documents_its_settings() {
        for m in Method::ALL {
            let root = std::env::var("CARGO_MANIFEST_DIR").unwrap();
            let path = format!("{root}/docs/methods/{}.md", m.key());
            let doc = std::fs::read_to_string(&path).unwrap();
            // Experiment-level keys (retrain's `unlearn.retrain_seeds`) are documented there too.
            let keys: Vec<String> = settings_table(&doc)
                .into_iter()
                .map(|(k, _)| k)
                .filter(|k| !k.contains('.'))
                .collect();
            assert_eq!(keys, m.settings(), "{path}");
        }
    }
}
