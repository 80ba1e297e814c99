//! One method beside the trained and the retrained model: decision boundaries with the forget points marked and the
//! difference against retraining (2-D data), the attack's loss histograms, and for images the forgotten points.

use std::collections::HashSet;

use leptos::prelude::*;
use lethe_protocol::Report;

use crate::charts::boundaries::{Panel, boundary_panel_svg, disagreement};
use crate::charts::histogram::{histogram_svg, shared_top};
use crate::charts::thumbnail::thumbnail_svg;
use crate::components::data_chart::{chart_size, pixels};
use crate::files::download;
use crate::state::use_app;

/// Most forgotten images shown.
const MAX_THUMBS: usize = 24;

/// One small chart with its download button.
#[component]
fn Small(id: String, svg: String, label: String) -> impl IntoView {
    let file = format!("lethe-{id}.svg");
    let text = svg.clone();
    view! {
        <figure class="lab-chart small" id=id>
            <div class="svg" role="img" aria-label=label.clone() inner_html=svg></div>
            <figcaption>
                <button class="download-svg" on:click=move |_| download(&file, &text, "image/svg+xml")>"SVG"</button>
            </figcaption>
        </figure>
    }
}

/// The side-by-side comparison for a method the user picks.
#[component]
pub fn ModelComparison(report: Report) -> impl IntoView {
    let app = use_app();
    let methods: Vec<String> = super::table::lab_rows(&report)
        .iter()
        .map(|r| r.run.method.clone())
        .filter(|m| m != "train" && m != "retrain")
        .collect();
    let picked = RwSignal::new(methods.first().cloned().unwrap_or_default());
    let forget: HashSet<u32> = report
        .outcome
        .unlearn()
        .map(|u| u.forget.rows.iter().map(|&r| r as u32).collect())
        .unwrap_or_default();
    let report = StoredValue::new(report);
    let forget = StoredValue::new(forget);
    let options = methods.clone();
    let boundaries = move || {
        let method = picked.get();
        report.with_value(|rep| {
            let view = app.dataset.get()?;
            let lab = rep.outcome.unlearn()?;
            if lab.boundaries.is_empty() || view.feature_names.len() != 2 {
                return None;
            }
            let find = |m: &str| lab.boundaries.iter().find(|b| b.method == m).map(|b| &b.grid);
            let (train, retrain, chosen) = (find("train")?, find("retrain")?, find(&method)?);
            let size = chart_size((300, 270), (340, 280));
            let f = forget.get_value();
            let panel = |title: String, grid, against| {
                boundary_panel_svg(&view, &Panel { title, grid, against }, &f, size)
            };
            let share = disagreement(chosen, retrain) * 100.0;
            Some(view! {
                <div class="boundaries" id="lab-boundaries">
                    <Small id="boundary-train".into() svg=panel("trained (before)".into(), train, None)
                        label="Decision boundary of the trained model, forget points crossed.".into() />
                    <Small id="boundary-retrain".into() svg=panel("retrained without them (the target)".into(), retrain, None)
                        label="Decision boundary of the model retrained without the forget points.".into() />
                    <Small id="boundary-method".into() svg=panel(format!("{method} (unlearned)"), chosen, None)
                        label=format!("Decision boundary after {method}.") />
                    <Small id="boundary-difference".into() svg=panel(format!("{method} vs retrain: {share:.1}% of the plane differs"), chosen, Some(retrain))
                        label=format!("Where {method} and the retrained model disagree.") />
                </div>
            })
        })
    };
    let histograms = move || {
        let method = picked.get();
        report.with_value(|rep| {
            let lab = rep.outcome.unlearn()?;
            if lab.attack_losses.is_empty() {
                return None;
            }
            let top = shared_top(
                lab.attack_losses
                    .iter()
                    .flat_map(|a| a.members.iter().chain(&a.non_members)),
            );
            let size = chart_size((300, 230), (340, 230));
            let panels: Vec<_> = ["train", "retrain", method.as_str()]
                .into_iter()
                .filter_map(|m| lab.attack_losses.iter().find(|a| a.method == m))
                .map(|a| {
                    let title = match a.method.as_str() {
                        "train" => "trained: forget set vs test".to_string(),
                        "retrain" => "retrained: the target".to_string(),
                        m => format!("{m}: after unlearning"),
                    };
                    let svg = histogram_svg(&title, &a.members, &a.non_members, top, size);
                    view! {
                        <Small id=format!("attack-{}", a.method) svg=svg
                            label=format!("The membership attack's losses for {}: forget points against test points.", a.method) />
                    }
                })
                .collect();
            Some(view! { <div class="histograms" id="lab-histograms">{panels}</div> })
        })
    };
    let thumbnails = move || {
        let view = app.dataset.get()?;
        let side = view.image_side?;
        let f = forget.get_value();
        let shown: Vec<_> = (0..view.labels.len())
            .filter(|&i| f.contains(&view.rows[i]))
            .take(MAX_THUMBS)
            .map(|i| {
                let name = view.class_names.get(view.labels[i] as usize).cloned().unwrap_or_default();
                let text = format!("row {}: {name}", view.rows[i]);
                let svg = thumbnail_svg(pixels(&view, i), side, 40, &text);
                view! { <figure class="thumb"><div inner_html=svg></div><figcaption>{name}</figcaption></figure> }
            })
            .collect();
        (!shown.is_empty()).then(|| view! {
            <div class="forget-thumbs" id="lab-thumbnails">
                <h3>{format!("Forgotten images ({} of {} shown, those in the plotted sample)", shown.len(), f.len())}</h3>
                <div class="gallery">{shown}</div>
            </div>
        })
    };
    view! {
        <div class="model-comparison" data-in="closer">
            <div class="field">
                <label for="lab-view-method">"Look closer at"</label>
                <select id="lab-view-method" on:change=move |ev| picked.set(event_target_value(&ev))>
                    {options.into_iter().map(|m| {
                        let value = m.clone();
                        view! { <option value=value selected=move || picked.get() == m>{m.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            {boundaries}
            {histograms}
            {thumbnails}
        </div>
    }
}
