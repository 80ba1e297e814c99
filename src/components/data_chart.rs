//! The data view: the scatter plot of the two chosen features, with the decision boundary for 2-D data.

use leptos::prelude::*;

use crate::charts::scatter::scatter_svg;
use crate::state::use_app;

/// The scatter plot, redrawn when the data, the features or the boundary change.
#[component]
pub fn DataChart() -> impl IntoView {
    let app = use_app();
    let svg = Memo::new(move |_| {
        let features = app.experiment.with(|e| e.data.plot_features);
        app.dataset.with(|d| {
            d.as_ref().map(|view| {
                let two_d = view.feature_names.len() == 2;
                app.run.with(|r| {
                    scatter_svg(
                        view,
                        features,
                        r.boundary.as_ref().filter(|_| two_d),
                        (560, 440),
                    )
                })
            })
        })
    });
    let summary = move || {
        app.dataset.with(|d| {
            d.as_ref().map_or("No data yet.".to_string(), |v| {
                let classes: Vec<String> = v
                    .class_names
                    .iter()
                    .zip(&v.class_counts)
                    .map(|(n, c)| format!("{n}: {c}"))
                    .collect();
                format!(
                    "{}: {} training and {} test points, {} features; classes {}.",
                    v.name,
                    v.n_train,
                    v.n_test,
                    v.feature_names.len(),
                    classes.join(", ")
                )
            })
        })
    };
    view! {
        <figure class="chart" id="data-chart">
            {move || match svg.get() {
                Some(s) => view! { <div class="svg" role="img" aria-label=summary inner_html=s></div> }.into_any(),
                None => view! { <div class="placeholder">"The data appears here once the engine is ready."</div> }.into_any(),
            }}
            <figcaption>{summary}</figcaption>
        </figure>
    }
}
