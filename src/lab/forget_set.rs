//! Picking the forget set: a random fraction, whole classes, a pasted list of rows, the engine's suggestions (with
//! their reasons), the top of one feature (the source paper's moon setting), or an injected backdoor or mislabeling
//! (which changes the training data, so the lab retrains).

use leptos::prelude::*;
use lethe_protocol::ForgetSpec;
use lethe_protocol::TaskKind;

use crate::state::use_app;

/// The kinds, as the select lists them: (key, words).
const KINDS: [(&str, &str); 7] = [
    ("random", "A random fraction of the training points"),
    ("class", "Whole classes"),
    ("rows", "Rows I name"),
    (
        "suggested",
        "The engine's suggestions (outliers, likely mislabeled)",
    ),
    ("backdoor", "An injected backdoor (retrains with it first)"),
    (
        "mislabeled",
        "Injected wrong labels (retrains with them first)",
    ),
    ("region", "The points highest along one feature"),
];

/// The spec a kind starts with when picked.
fn fresh(kind: &str, n_classes: usize) -> ForgetSpec {
    match kind {
        "class" => ForgetSpec::Class { classes: vec![0] },
        "rows" => ForgetSpec::Rows { rows: vec![] },
        "suggested" => ForgetSpec::Suggested { top_k: 10 },
        "backdoor" => ForgetSpec::Backdoor {
            fraction: 0.05,
            target_class: (n_classes.max(1) - 1) as u32,
        },
        "mislabeled" => ForgetSpec::Mislabeled { fraction: 0.05 },
        "region" => ForgetSpec::Region {
            feature: 0,
            top_fraction: 0.2,
        },
        _ => ForgetSpec::Random { fraction: 0.1 },
    }
}

/// Reads a pasted row list: numbers separated by commas, spaces or new lines. An error names the bad token.
pub fn parse_rows(text: &str) -> Result<Vec<usize>, String> {
    let mut rows = Vec::new();
    for token in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        match token.parse::<usize>() {
            Ok(r) => rows.push(r),
            Err(_) => {
                return Err(format!(
                    "unlearn.forget.rows: \"{token}\" is not a row number (0-based, as in the report's misclassified rows)"
                ));
            }
        }
    }
    rows.sort_unstable();
    rows.dedup();
    Ok(rows)
}

/// The forget-set controls.
#[component]
pub fn ForgetSetPicker() -> impl IntoView {
    let app = use_app();
    let spec = Memo::new(move |_| super::config(&app).forget);
    let feature_names = Memo::new(move |_| {
        app.dataset.with(|d| {
            d.as_ref()
                .map(|v| v.feature_names.clone())
                .unwrap_or_default()
        })
    });
    let class_names = Memo::new(move |_| {
        app.dataset.with(|d| {
            d.as_ref()
                .map(|v| v.class_names.clone())
                .unwrap_or_default()
        })
    });
    // "Rows I name" before any row is named: shown, but not in the experiment yet (an empty list is refused).
    let draft_rows = RwSignal::new(false);
    let set = move |f: ForgetSpec| {
        if super::edit(&app, |u| u.forget = f) {
            draft_rows.set(false);
        }
    };
    let on_kind = move |ev: leptos::ev::Event| {
        let kind = event_target_value(&ev);
        if kind == "rows" && !matches!(spec.get_untracked(), ForgetSpec::Rows { .. }) {
            draft_rows.set(true);
            return;
        }
        draft_rows.set(false);
        set(fresh(&kind, class_names.get_untracked().len()));
    };
    let shown = Memo::new(move |_| match spec.get() {
        // Rows named elsewhere (picked on the plot) end the draft.
        ForgetSpec::Rows { rows } => ForgetSpec::Rows { rows },
        _ if draft_rows.get() => ForgetSpec::Rows { rows: vec![] },
        other => other,
    });
    let fraction_input = move |id: &'static str| {
        view! {
            <div class="field">
                <label for=id>"Fraction of the training points"</label>
                <input id=id type="number" min="0.001" max="0.999" step="0.01"
                    prop:value=move || match spec.get() {
                        ForgetSpec::Random { fraction }
                        | ForgetSpec::Backdoor { fraction, .. }
                        | ForgetSpec::Mislabeled { fraction } => fraction.to_string(),
                        _ => String::new(),
                    }
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        match text.trim().parse::<f64>() {
                            Ok(v) => set(match spec.get_untracked() {
                                ForgetSpec::Backdoor { target_class, .. } => ForgetSpec::Backdoor { fraction: v, target_class },
                                ForgetSpec::Mislabeled { .. } => ForgetSpec::Mislabeled { fraction: v },
                                _ => ForgetSpec::Random { fraction: v },
                            }),
                            Err(_) => app.input_error.set(Some(format!(
                                "unlearn.forget.fraction must be a number, got \"{text}\""
                            ))),
                        }
                    }
                />
            </div>
        }
    };
    let details = move || {
        match shown.get() {
        ForgetSpec::Random { .. } | ForgetSpec::Mislabeled { .. } => {
            let note = matches!(spec.get(), ForgetSpec::Mislabeled { .. }).then(|| view! {
                <p class="hint">"These points get a wrong label before training; the lab trains with them, then forgets them. A good method brings the test accuracy back."</p>
            });
            view! { <div>{fraction_input("forget-fraction")}{note}</div> }.into_any()
        }
        ForgetSpec::Backdoor { target_class, .. } => view! {
            <div>
                {fraction_input("forget-fraction")}
                <div class="field">
                    <label for="backdoor-target">"Target class"</label>
                    <select id="backdoor-target" on:change=move |ev| {
                        if let Ok(t) = event_target_value(&ev).parse::<u32>()
                            && let ForgetSpec::Backdoor { fraction, .. } = spec.get_untracked()
                        {
                            set(ForgetSpec::Backdoor { fraction, target_class: t });
                        }
                    }>
                        {class_names.get().into_iter().enumerate().map(|(i, name)| view! {
                            <option value=i.to_string() selected=i as u32 == target_class>{name}</option>
                        }).collect_view()}
                    </select>
                </div>
                <p class="hint">"These points get a trigger (a corner patch on images, an out-of-range value otherwise) and the target label before training. A good method brings the attack's success rate (backdoor_asr) down to the retrained model's."</p>
            </div>
        }
        .into_any(),
        ForgetSpec::Class { classes } => view! {
            <fieldset class="classes" id="forget-classes">
                <legend>"Classes to forget"</legend>
                {class_names.get().into_iter().enumerate().map(|(i, name)| {
                    let checked = classes.contains(&(i as u32));
                    view! {
                        <label class="check">
                            <input type="checkbox" id=format!("forget-class-{i}") prop:checked=checked on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                if let ForgetSpec::Class { mut classes } = spec.get_untracked() {
                                    classes.retain(|&c| c != i as u32);
                                    if on { classes.push(i as u32); classes.sort_unstable(); }
                                    set(ForgetSpec::Class { classes });
                                }
                            } />
                            {name}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
        }
        .into_any(),
        ForgetSpec::Rows { rows } => {
            let text = rows.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ");
            view! {
                <div class="field">
                    <label for="forget-rows">"Rows (0-based, commas or spaces; training rows only)"</label>
                    <textarea id="forget-rows" rows="3" prop:value=text on:change=move |ev| {
                        match parse_rows(&event_target_value(&ev)) {
                            Ok(rows) => set(ForgetSpec::Rows { rows }),
                            Err(e) => app.input_error.set(Some(e)),
                        }
                    }></textarea>
                    <p class="hint">"The rows of the results' misclassified gallery and of the suggestions are dataset rows."</p>
                    <button id="pick-on-plot" aria-pressed=move || app.picking.get().to_string()
                        on:click=move |_| app.picking.update(|p| *p = !*p)>
                        {move || if app.picking.get() {
                            "Stop picking"
                        } else {
                            "Pick on the plot: click a point, or drag a box"
                        }}
                    </button>
                </div>
            }
            .into_any()
        }
        ForgetSpec::Suggested { top_k } => view! {
            <div>
                <div class="field">
                    <label for="forget-top-k">"How many of the top suggestions"</label>
                    <input id="forget-top-k" type="number" min="1" step="1" prop:value=top_k.to_string() on:change=move |ev| {
                        let text = event_target_value(&ev);
                        match text.trim().parse::<usize>() {
                            Ok(k) => set(ForgetSpec::Suggested { top_k: k }),
                            Err(_) => app.input_error.set(Some(format!(
                                "unlearn.forget.top_k must be a whole number, got \"{text}\""
                            ))),
                        }
                    } />
                </div>
                <Suggestions />
            </div>
        }
        .into_any(),
        ForgetSpec::Region { feature, top_fraction } => view! {
            <div>
                <div class="field">
                    <label for="forget-feature">"Feature"</label>
                    <select id="forget-feature" on:change=move |ev| {
                        if let Ok(f) = event_target_value(&ev).parse::<usize>() {
                            set(ForgetSpec::Region { feature: f, top_fraction });
                        }
                    }>
                        {move || feature_names.get().into_iter().enumerate().map(|(i, name)| view! {
                            <option value=i.to_string() selected=i == feature>{name}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="forget-top-fraction">"Fraction of the training points, from the top"</label>
                    <input id="forget-top-fraction" type="number" min="0.001" max="0.999" step="0.01"
                        prop:value=top_fraction.to_string()
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            match text.trim().parse::<f64>() {
                                Ok(v) => set(ForgetSpec::Region { feature, top_fraction: v }),
                                Err(_) => app.input_error.set(Some(format!(
                                    "unlearn.forget.top_fraction must be a number, got \"{text}\""
                                ))),
                            }
                        }
                    />
                </div>
                <p class="hint">"The training points with the largest values of this feature: a whole region of the data forgotten at once, as in the source paper's moon experiment."</p>
            </div>
        }
        .into_any(),
    }
    };
    view! {
        <div class="forget-set">
            <div class="field">
                <label for="forget-kind">"What to forget"</label>
                <select id="forget-kind" on:change=on_kind>
                    {KINDS.into_iter().map(|(key, text)| view! {
                        <option value=key selected=move || shown.with(|s| s.kind() == key)>{text}</option>
                    }).collect_view()}
                </select>
            </div>
            {details}
        </div>
    }
}

/// The engine's suggestions from the last lab run, with their reasons; "forget these rows" turns the top k into a
/// row list the user can edit.
#[component]
fn Suggestions() -> impl IntoView {
    let app = use_app();
    move || {
        let stored = app.jobs.get(TaskKind::Unlearn).with(|r| r.report.clone())?;
        let report = stored.outcome.unlearn()?;
        if report.suggestions.is_empty() {
            return None;
        }
        let names = stored.dataset.class_names.clone();
        let rows: Vec<usize> = report.forget.rows.clone();
        Some(view! {
            <details class="suggestions" open>
                <summary>{format!("The engine's suggestions ({} ranked; the forgotten ones marked)", report.suggestions.len())}</summary>
                <table class="suggestion-table">
                    <thead><tr><th scope="col">"row"</th><th scope="col">"label"</th><th scope="col">"score"</th><th scope="col">"why"</th></tr></thead>
                    <tbody>
                        {report.suggestions.iter().take(20).map(|s| {
                            let forgotten = rows.contains(&s.row);
                            view! {
                                <tr class:forgotten=forgotten>
                                    <td>{s.row}</td>
                                    <td>{names.get(s.label as usize).cloned().unwrap_or_default()}</td>
                                    <td>{format!("{:.2}", s.score)}</td>
                                    <td>{s.reasons.join("; ")}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <button id="suggestions-to-rows" on:click=move |_| {
                    super::edit(&app, |u| u.forget = ForgetSpec::Rows { rows: rows.clone() });
                }>"Edit these as a row list"</button>
            </details>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_row_list_is_read_sorted_once_each_and_a_bad_token_is_named() {
        assert_eq!(parse_rows("12, 3 7\n3,,"), Ok(vec![3, 7, 12]));
        assert_eq!(parse_rows(""), Ok(vec![]));
        let e = parse_rows("1, x2, 3").unwrap_err();
        assert!(
            e.contains("\"x2\"") && e.contains("unlearn.forget.rows"),
            "{e}"
        );
    }
}
