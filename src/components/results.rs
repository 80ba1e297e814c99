//! The classification results (the paper's "classification results"): accuracy, macro precision, recall and F1,
//! per-class figures and the confusion matrix.

use leptos::prelude::*;
use lethe_protocol::TaskKind;

use crate::charts::thumbnail::thumbnail_svg;
use crate::components::data_chart::pixels;
use crate::state::use_app;

/// Misclassified images shown at most.
const GALLERY_MAX: usize = 40;

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// The results of the finished run.
#[component]
pub fn Results() -> impl IntoView {
    let app = use_app();
    move || {
        // Reports come from the worker or from storage (checked by `Report::check`); still, no index can panic.
        let report = app.jobs.get(TaskKind::Train).with(|r| r.report.clone())?;
        let run = (*report.outcome.rows().first()?).clone();
        Some({
            let classes = report.dataset.class_names.clone();
            let header = classes.clone();
            let gallery = app.dataset.with(|d| {
                let view = d.as_ref()?;
                let side = view.image_side?;
                let position: std::collections::HashMap<u32, usize> =
                    view.rows.iter().enumerate().map(|(i, &r)| (r, i)).collect();
                let items: Vec<(String, String)> = run
                    .misclassified
                    .iter()
                    .filter_map(|m| {
                        let i = *position.get(&(m.row as u32))?;
                        let (t, p) = (
                            classes.get(m.label as usize)?,
                            classes.get(m.predicted as usize)?,
                        );
                        let text = format!("true {t}, predicted {p}");
                        Some((
                            thumbnail_svg(
                                pixels(view, i),
                                side,
                                48,
                                &format!("row {}: {text}", m.row),
                            ),
                            text,
                        ))
                    })
                    .take(GALLERY_MAX)
                    .collect();
                Some(items)
            });
            let wrong = run
                .confusion
                .iter()
                .enumerate()
                .map(|(t, row)| {
                    row.iter()
                        .enumerate()
                        .filter(|(p, _)| *p != t)
                        .map(|(_, n)| *n)
                        .sum::<u32>()
                })
                .sum::<u32>();
            view! {
                <section class="results" id="results" class:stale=move || app.results_stale.get()>
                    <h2>"Classification results"</h2>
                    <crate::components::print_report::PrintLink />
                    <Show when=move || app.results_stale.get()>
                        <p class="stale-note" id="stale-note">
                            "These results come from earlier settings. Press Train to see the current ones."
                        </p>
                    </Show>
                    <table class="metrics" id="metrics">
                        <caption>
                            {format!("{} on {}, backend {}, {:.2} s", run.method, report.dataset.name, report.backend, run.seconds)}
                        </caption>
                        <thead><tr><th scope="col">"metric"</th><th scope="col">"test"</th><th scope="col">"train"</th></tr></thead>
                        <tbody>
                            <tr><th scope="row">"accuracy"</th><td id="test-acc">{pct(run.test_acc)}</td><td>{pct(run.train_acc)}</td></tr>
                            <tr><th scope="row">"precision (macro)"</th><td>{pct(run.precision)}</td><td>"–"</td></tr>
                            <tr><th scope="row">"recall (macro)"</th><td>{pct(run.recall)}</td><td>"–"</td></tr>
                            <tr><th scope="row">"F1 (macro)"</th><td>{pct(run.f1)}</td><td>"–"</td></tr>
                        </tbody>
                    </table>
                    <table class="per-class">
                        <caption>"Per class, test split"</caption>
                        <thead><tr><th scope="col">"class"</th><th scope="col">"precision"</th><th scope="col">"recall"</th><th scope="col">"F1"</th><th scope="col">"support"</th></tr></thead>
                        <tbody>
                            {run.per_class.iter().map(|m| view! {
                                <tr><th scope="row">{m.class.clone()}</th><td>{pct(m.precision)}</td><td>{pct(m.recall)}</td><td>{pct(m.f1)}</td><td>{m.support}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <table class="confusion" id="confusion">
                        <caption>"Confusion matrix, test split (rows: true class, columns: predicted)"</caption>
                        <thead>
                            <tr><th></th>{header.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr>
                        </thead>
                        <tbody>
                            {run.confusion.iter().enumerate().map(|(t, row)| {
                                let total: u32 = row.iter().sum::<u32>().max(1);
                                view! {
                                    <tr>
                                        <th scope="row">{classes.get(t).cloned().unwrap_or_default()}</th>
                                        {row.iter().enumerate().map(|(p, &n)| {
                                            let shade = n as f64 / total as f64;
                                            let style = if p == t {
                                                format!("background: rgba(44,160,44,{:.2})", 0.15 + 0.6 * shade)
                                            } else if n > 0 {
                                                format!("background: rgba(214,39,40,{:.2})", 0.15 + 0.6 * shade)
                                            } else {
                                                String::new()
                                            };
                                            view! { <td style=style>{n}</td> }
                                        }).collect_view()}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {gallery.map(|items| view! {
                        <figure class="gallery" id="gallery">
                            <figcaption>{format!(
                                "Misclassified test images: {} of {wrong} shown",
                                items.len()
                            )}</figcaption>
                            {if items.is_empty() {
                                view! { <p>"None: every test image was classified correctly."</p> }.into_any()
                            } else {
                                items.into_iter().map(|(s, text)| view! {
                                    <div class="gallery-item">
                                        <span inner_html=s></span>
                                        <span class="gallery-label">{text}</span>
                                    </div>
                                }).collect_view().into_any()
                            }}
                        </figure>
                    })}
                </section>
            }
        })
    }
}
