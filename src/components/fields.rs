//! Labelled inputs. Each hands the raw text to a callback, which validates it at the edge (see `AppState::edit`).

use leptos::prelude::*;
use lethe_protocol::Experiment;
use wasm_bindgen::JsCast;

use crate::state::AppState;
use crate::words::field_text;
pub use crate::words::labelled;

/// A labelled number input.
#[component]
pub fn NumberField(
    /// The experiment-file key (`train.epochs`): gives the label and the hint (see [`FIELDS`]).
    field: &'static str,
    /// Element id (also used by tests).
    id: &'static str,
    /// Current value, as text.
    #[prop(into)]
    value: Signal<String>,
    /// Smallest value the browser offers.
    #[prop(optional)]
    min: Option<&'static str>,
    /// Step of the browser's arrows.
    #[prop(optional)]
    step: Option<&'static str>,
    /// A list of numbers typed as text (`128, 64`) rather than one number.
    #[prop(optional)]
    list: bool,
    /// Receives the new text on change.
    #[prop(into)]
    on_set: Callback<String>,
) -> impl IntoView {
    let (label, hint) = field_text(field).unwrap_or((field, None));
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                aria-describedby=hint.map(|_| hint_id.clone())
                type=if list { "text" } else { "number" }
                inputmode=list.then_some("numeric")
                min=min
                step=(!list).then(|| step.unwrap_or("any"))
                prop:value=move || value.get()
                on:change=move |ev| {
                    on_set.run(event_target_value(&ev));
                    show_kept(&ev, value);
                }
            />
            {hint.map(|text| view! { <p class="hint field-hint" id=hint_id>{text}</p> })}
        </div>
    }
}

/// A labelled select from `(key, label)` options.
#[component]
pub fn SelectField(
    /// Visible label.
    label: &'static str,
    /// Element id.
    id: &'static str,
    /// The options, `(key, label)`.
    options: Vec<(String, String)>,
    /// The selected key.
    #[prop(into)]
    value: Signal<String>,
    /// Receives the chosen key.
    #[prop(into)]
    on_set: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id prop:value=move || value.get() on:change=move |ev| {
                on_set.run(event_target_value(&ev));
                show_kept(&ev, value);
            }>
                {options
                    .into_iter()
                    .map(|(key, text)| {
                        let k = key.clone();
                        view! { <option value=key selected=move || value.get() == k>{text}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// After a change: a refused value does not stay on screen. The field shows the setting in force again (the error
/// names the refused value), so that what the fields show is always what Train runs. The framework skips the
/// update itself, since the setting did not change.
fn show_kept(ev: &leptos::ev::Event, value: Signal<String>) {
    let kept = value.get_untracked();
    let Some(target) = ev.target() else {
        return;
    };
    if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
        if input.value() != kept {
            input.set_value(&kept);
        }
    } else if let Some(select) = target.dyn_ref::<web_sys::HtmlSelectElement>()
        && select.value() != kept
    {
        select.set_value(&kept);
    }
}

/// Parses a whole number for `field`, or says what is wrong.
pub fn parse_usize(field: &str, text: &str) -> Result<usize, String> {
    text.trim().parse().map_err(|_| {
        labelled(
            field,
            format!("{field} must be a whole number, got \"{text}\""),
        )
    })
}

/// Parses a number for `field`, or says what is wrong.
pub fn parse_f64(field: &str, text: &str) -> Result<f64, String> {
    text.trim()
        .parse()
        .map_err(|_| labelled(field, format!("{field} must be a number, got \"{text}\"")))
}

/// A change handler for a whole-number setting: parses, applies through [`AppState::edit`], or shows the error.
pub fn whole_setter(
    app: AppState,
    field: &'static str,
    apply: fn(&mut Experiment, usize),
) -> impl Fn(String) + Copy + Send + Sync + 'static {
    move |text: String| match parse_usize(field, &text) {
        Ok(v) => {
            app.edit(|e| apply(e, v));
        }
        Err(m) => app.input_error.set(Some(m)),
    }
}

/// A change handler for a real-valued setting: parses, applies through [`AppState::edit`], or shows the error.
pub fn real_setter(
    app: AppState,
    field: &'static str,
    apply: fn(&mut Experiment, f64),
) -> impl Fn(String) + Copy + Send + Sync + 'static {
    move |text: String| match parse_f64(field, &text) {
        Ok(v) => {
            app.edit(|e| apply(e, v));
        }
        Err(m) => app.input_error.set(Some(m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Source: the experiment file's keys (docs/experiment-format.md) and the labels the panels show. */
    #[test]
    fn messages_lead_with_the_label_and_keep_the_key_and_value() {
        assert_eq!(
            parse_usize("train.epochs", "2.5").unwrap_err(),
            "Epochs: train.epochs must be a whole number, got \"2.5\""
        );
        let range = lethe_protocol::ConfigError::range("train.learning_rate", "> 0 and ≤ 10", 0);
        assert_eq!(
            labelled("train.learning_rate", range.to_string()),
            "Learning rate: train.learning_rate must be > 0 and ≤ 10, got 0"
        );
        assert_eq!(labelled("experiment", "x".into()), "x");
    }
}
