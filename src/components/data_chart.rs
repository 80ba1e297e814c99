//! The data views: the scatter plot of the two chosen features (with the decision boundary for 2-D data), the PCA
//! view next to it for wider data, and sample thumbnails for image data.

use leptos::prelude::*;
use lethe_protocol::DatasetView;
use lethe_protocol::TaskKind;

use crate::charts::scatter::{Plane, boundary_layer_svg, scatter_base_svg, scatter_svg};
use crate::charts::thumbnail::thumbnail_svg;
use crate::state::use_app;

/// Below this window width (CSS px) the charts are drawn at phone size, so that their 12 px text stays 12 px
/// instead of being scaled down to 7 px.
const NARROW_PX: f64 = 600.0;

/// `wide`, or `narrow` when the window is narrower than [`NARROW_PX`] (read when the chart is drawn).
pub fn chart_size(wide: (u32, u32), narrow: (u32, u32)) -> (u32, u32) {
    let width = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64());
    if width.is_some_and(|w| w < NARROW_PX) {
        narrow
    } else {
        wide
    }
}

/// Sample images shown per class.
const THUMBS_PER_CLASS: usize = 8;

fn summary(v: &DatasetView) -> String {
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
}

/// The pixels of plotted point `i` of an image dataset.
pub fn pixels(view: &DatasetView, i: usize) -> &[f32] {
    let d = view.feature_names.len();
    &view.points[i * d..(i + 1) * d]
}

/// The scatter plot(s), redrawn when the data, the features or the boundary change.
#[component]
pub fn DataChart() -> impl IntoView {
    let app = use_app();
    let size = move || chart_size((560, 440), (360, 320));
    // The boundary alone: the scatter is redrawn when it changes, not on every change of the run.
    let boundary = Memo::new(move |_| app.jobs.get(TaskKind::Train).with(|r| r.boundary.clone()));
    // The boundary of a model trained on other settings would mislead: drawn only while it is current.
    let shown = Memo::new(move |_| {
        let two_d = app
            .dataset
            .with(|d| d.as_ref().is_some_and(|v| v.feature_names.len() == 2));
        boundary.get().filter(|_| two_d && !app.results_stale.get())
    });
    // The axes: for two features the view's padded ranges, which the boundary's grid spans, so the points are drawn
    // once per dataset and only the boundary's layer changes while a model trains (a view without them, or a grid
    // on other ranges, falls back to the grid's).
    let frame = Memo::new(move |_| {
        let features = app.experiment.with(|e| e.data.plot_features);
        let from_view = app.dataset.with(|d| {
            let view = d.as_ref()?;
            match Plane::Features(features).within(view) {
                Plane::Features([a, b]) if view.plot_ranges.len() == 2 => {
                    Some((*view.plot_ranges.get(a)?, *view.plot_ranges.get(b)?))
                }
                _ => None,
            }
        });
        from_view.or_else(|| shown.with(|g| g.as_ref().map(|g| (g.x_range, g.y_range))))
    });
    let layer = Memo::new(move |_| {
        let features = app.experiment.with(|e| e.data.plot_features);
        let frame = frame.get();
        shown.with(|g| {
            app.dataset.with(|d| match (d, g) {
                (Some(view), Some(g)) => {
                    boundary_layer_svg(view, Plane::Features(features), frame, g, size())
                }
                _ => String::new(),
            })
        })
    });
    let svg = Memo::new(move |_| {
        let features = app.experiment.with(|e| e.data.plot_features);
        app.dataset.with(|d| {
            d.as_ref().map(|view| {
                // The forget set being picked, crossed.
                let marked: std::collections::HashSet<u32> =
                    app.experiment
                        .with(|e| match e.task.unlearn().map(|u| &u.forget) {
                            Some(lethe_protocol::ForgetSpec::Rows { rows }) => {
                                rows.iter().map(|&r| r as u32).collect()
                            }
                            _ => Default::default(),
                        });
                scatter_base_svg(
                    view,
                    Plane::Features(features),
                    frame.get(),
                    &marked,
                    size(),
                )
            })
        })
    });
    // Fills the base's boundary layer (again after the base itself was drawn anew).
    Effect::new(move |_| {
        let _ = svg.get();
        let cells = layer.get();
        let group = web_sys::window().and_then(|w| w.document()).and_then(|d| {
            d.query_selector("#data-chart .boundary-layer")
                .ok()
                .flatten()
        });
        if let Some(group) = group {
            group.set_inner_html(&cells);
        }
    });
    let pca = Memo::new(move |_| {
        app.dataset.with(|d| {
            d.as_ref().and_then(|view| {
                view.pca.as_ref().map(|p| {
                    let text = format!(
                        "{} projected on its first two principal components (fitted on the standardised training split): PC1 explains {:.1}% and PC2 {:.1}% of the variance.",
                        view.name,
                        p.explained[0] * 100.0,
                        p.explained[1] * 100.0
                    );
                    (scatter_svg(view, Plane::Pca, None, size()), text)
                })
            })
        })
    });
    let thumbs = Memo::new(move |_| {
        app.dataset.with(|d| {
            let view = d.as_ref()?;
            let side = view.image_side?;
            let rows: Vec<(String, Vec<String>)> = view
                .class_names
                .iter()
                .enumerate()
                .map(|(c, name)| {
                    let images = (0..view.n_points())
                        .filter(|&i| view.labels[i] as usize == c)
                        .take(THUMBS_PER_CLASS)
                        .map(|i| {
                            thumbnail_svg(
                                pixels(view, i),
                                side,
                                32,
                                &format!("an image of class {name}"),
                            )
                        })
                        .collect();
                    (name.clone(), images)
                })
                .collect();
            Some(rows)
        })
    });
    let caption = move || {
        app.dataset
            .with(|d| d.as_ref().map_or("No data yet.".to_string(), summary))
    };
    view! {
        // On images the two-pixel scatter is a grid of dots that says little: the PCA view leads.
        <div class="data-views" class:lead-pca=move || app.dataset.with(|d| d.as_ref().is_some_and(|v| v.image_side.is_some() && v.pca.is_some()))>
            <figure class="chart" id="data-chart">
                {move || match svg.get() {
                    Some(s) => view! {
                        <div class="svg" class:picking=move || app.picking.get() role="img" aria-label=caption inner_html=s
                            on:mousedown=move |ev| crate::lab::pick::press(app, ev) on:mouseup=move |ev| crate::lab::pick::release(app, ev)></div>
                    }.into_any(),
                    None => view! { <div class="placeholder">"The data appears here once the engine is ready."</div> }.into_any(),
                }}
                <figcaption>{caption}</figcaption>
            </figure>
            {move || pca.get().map(|(s, text)| view! {
                <figure class="chart" id="pca-chart">
                    <div class="svg" role="img" aria-label=text.clone() inner_html=s></div>
                    <figcaption>{text}</figcaption>
                </figure>
            })}
            {move || thumbs.get().map(|rows| view! {
                <figure class="thumbnails" id="thumbnails">
                    <figcaption>{format!("Sample images, {THUMBS_PER_CLASS} per class")}</figcaption>
                    {rows.into_iter().map(|(name, images)| view! {
                        <div class="thumb-row">
                            <span class="thumb-class">{name}</span>
                            {images.into_iter().map(|s| view! { <span class="thumb" inner_html=s></span> }).collect_view()}
                        </div>
                    }).collect_view()}
                </figure>
            })}
        </div>
    }
}
