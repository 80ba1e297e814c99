//! A tab list in the WAI-ARIA tabs pattern: buttons with `role="tab"`, the selected one alone in the Tab order,
//! arrows (and Home, End) moving the selection and the focus, each tab naming the panel it controls. The workspace's
//! tasks and the Forget tab's views both use it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// One tab: its value, its element id, its label, and the id of the panel it controls.
pub struct Item<T> {
    pub value: T,
    pub id: String,
    pub label: &'static str,
    pub controls: String,
}

/// The index a key moves to from `at` among `n` tabs (automatic activation: moving selects), if it moves.
pub fn step(key: &str, at: usize, n: usize) -> Option<usize> {
    match key {
        "ArrowRight" | "ArrowDown" => Some((at + 1) % n),
        "ArrowLeft" | "ArrowUp" => Some((at + n - 1) % n),
        "Home" => Some(0),
        "End" => Some(n - 1),
        _ => None,
    }
}

/// The tab list for `selected`, labelled `label` for screen readers.
#[component]
pub fn TabList<T>(
    label: &'static str,
    id: &'static str,
    items: Vec<Item<T>>,
    selected: RwSignal<T>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let order: Vec<(T, String)> = items.iter().map(|i| (i.value, i.id.clone())).collect();
    let order = StoredValue::new(order);
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let (n, at) = order.with_value(|o| {
            let current = selected.get_untracked();
            (
                o.len(),
                o.iter().position(|(v, _)| *v == current).unwrap_or(0),
            )
        });
        let Some(next) = step(&ev.key(), at, n) else {
            return;
        };
        ev.prevent_default();
        let (value, id) = order.with_value(|o| o[next].clone());
        selected.set(value);
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    };
    view! {
        <div class="tab-list" role="tablist" id=id aria-label=label on:keydown=on_key>
            {items.into_iter().map(|item| {
                let value = item.value;
                let on = move || selected.get() == value;
                view! {
                    <button type="button" role="tab" class="tab" id=item.id aria-controls=item.controls
                        aria-selected=move || on().to_string()
                        tabindex=move || if on() { "0" } else { "-1" }
                        on:click=move |_| selected.set(value)>
                        {item.label}
                    </button>
                }
            }).collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::step;

    #[test]
    fn arrows_wrap_and_home_and_end_jump() {
        assert_eq!(step("ArrowRight", 3, 4), Some(0));
        assert_eq!(step("ArrowLeft", 0, 4), Some(3));
        assert_eq!(step("ArrowDown", 1, 4), Some(2));
        assert_eq!(step("Home", 2, 4), Some(0));
        assert_eq!(step("End", 0, 5), Some(4));
        assert_eq!(step("Enter", 0, 4), None);
    }
}
