//! "Copy embed code": the iframe snippet that shows the current experiment in the compact embed view.

use leptos::prelude::*;
use lethe_protocol::Experiment;

use crate::state::use_app;
use crate::url_state;

/// The iframe snippet for `experiment`, served from `base` (the page's URL without query or hash).
pub fn snippet(base: &str, experiment: &Experiment) -> String {
    format!(
        r#"<iframe src="{base}?embed{}" title="Lethe: an unlearning playground" width="720" height="560" style="border:1px solid #ccc;border-radius:6px" loading="lazy"></iframe>"#,
        url_state::encode(experiment)
    )
}

pub fn page_base() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

/// The button, and the snippet to copy by hand where the clipboard is not available.
#[component]
pub fn EmbedCode() -> impl IntoView {
    let app = use_app();
    let copied = RwSignal::new(None::<String>);
    let code = move || app.experiment.with(|e| snippet(&page_base(), e));
    let copy = move |_| {
        let text = code();
        let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
        leptos::task::spawn_local(async move {
            let ok = match clipboard {
                Some(c) => wasm_bindgen_futures::JsFuture::from(c.write_text(&text))
                    .await
                    .is_ok(),
                None => false,
            };
            copied.set(Some(if ok {
                "Copied. Paste it into your page.".into()
            } else {
                "The clipboard is not available here: copy the code below.".into()
            }));
        });
    };
    view! {
        <div class="embed-code">
            <button id="copy-embed" on:click=copy>"Copy embed code"</button>
            <span role="status" class="hint">{move || copied.get()}</span>
            <label for="embed-snippet" class="visually-hidden">"Embed code"</label>
            <textarea id="embed-snippet" readonly rows="3">{code}</textarea>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_points_at_the_embed_view_with_the_experiment() {
        let e = Experiment::demo();
        let s = snippet("https://example.org/lethe/", &e);
        assert!(
            s.starts_with(r#"<iframe src="https://example.org/lethe/?embed#e="#),
            "{s}"
        );
        assert!(s.contains(&url_state::encode(&e)));
        assert!(s.contains("title=\"Lethe"));
    }
}
