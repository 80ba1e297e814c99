//! The lab's sweep on the page: pick a method and the values of its settings to try (`unlearn.sweep`, at most 25
//! points, run by the same Forget job after the listed methods), then read the Pareto front of work saved against
//! closeness to retraining, and write a point's settings into the lab's methods with "Use this setting", so that
//! the link and the CLI reproduce it. The chart says what the front is tuned against: the retrain, which a real
//! deployment does not have.

use std::collections::BTreeMap;

use leptos::prelude::*;
use lethe_protocol::unlearn::MAX_SWEEP_POINTS;
use lethe_protocol::{Method, MethodSpec, Report, SweepPoint, SweepReport, SweepSpec};

use super::table::lab_rows;
use crate::charts::tradeoff::{Frame, Point, TOW_AXIS, framed_svg};
use crate::components::data_chart::chart_size;
use crate::files::download;
use crate::state::{AppState, use_app};

/// `epochs 2, learning_rate 0.1`.
pub fn words(settings: &BTreeMap<String, f64>) -> String {
    settings
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads "1, 2, 4" as the values of `name`; empty text is no values. An error names the field and the token.
pub fn parse_values(name: &str, text: &str) -> Result<Vec<f64>, String> {
    text.split([',', ' ', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<f64>().map_err(|_| {
                format!("unlearn.sweep.grid.{name} must be a list of numbers, got \"{t}\"")
            })
        })
        .collect()
}

/// Writes `point`'s settings into the lab's methods: the swept method's entry takes them (other settings kept), or
/// the method is added with them.
pub fn use_point(app: &AppState, method: Method, point: &SweepPoint) -> bool {
    super::edit(app, |u| {
        match u.methods.iter_mut().find(|m| m.method == method) {
            Some(spec) => spec.settings.extend(point.settings.clone()),
            None => u.methods.push(MethodSpec {
                method,
                settings: point.settings.clone(),
            }),
        }
    })
}

/// The sweep's settings, in the Forget settings.
#[component]
pub fn SweepSettings() -> impl IntoView {
    let app = use_app();
    let sweep = Memo::new(move |_| super::config(&app).sweep);
    // A method picked before any value is typed: shown, not in the experiment yet (an empty grid is refused).
    let draft = RwSignal::new(None::<Method>);
    let method = Memo::new(move |_| sweep.get().map(|s| s.method).or(draft.get()));
    let choices = Memo::new(move |_| {
        app.experiment.with(|e| {
            Method::ALL
                .into_iter()
                .filter(|&m| m.sweepable() && super::available(m, e))
                .collect::<Vec<_>>()
        })
    });
    let on_method = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        let picked = Method::from_key(&key);
        draft.set(picked);
        if sweep.get_untracked().map(|s| s.method) != picked {
            super::edit(&app, |u| u.sweep = None);
        }
    };
    let set_values = move |name: &'static str, text: String| {
        let Some(m) = method.get_untracked() else {
            return;
        };
        match parse_values(name, &text) {
            Ok(values) => {
                let mut grid = sweep
                    .get_untracked()
                    .filter(|s| s.method == m)
                    .map(|s| s.grid)
                    .unwrap_or_default();
                if values.is_empty() {
                    grid.remove(name);
                } else {
                    grid.insert(name.to_string(), values);
                }
                super::edit(&app, |u| {
                    u.sweep = (!grid.is_empty()).then_some(SweepSpec { method: m, grid });
                });
            }
            Err(e) => app.input_error.set(Some(e)),
        }
    };
    let points = move || {
        sweep.with(|s| {
            s.as_ref()
                .map_or(0, |s| s.grid.values().map(Vec::len).product::<usize>())
        })
    };
    view! {
        <fieldset class="sweep-settings" id="lab-sweep">
            <legend>"Sweep one method's settings"</legend>
            <div class="field">
                <label for="sweep-method">"Method"</label>
                <select id="sweep-method" on:change=on_method>
                    <option value="" selected=move || method.get().is_none()>"no sweep"</option>
                    {move || choices.get().into_iter().map(|m| view! {
                        <option value=m.key() selected=move || method.get() == Some(m)>{m.key()}</option>
                    }).collect_view()}
                </select>
            </div>
            {move || method.get().map(|m| {
                m.settings().iter().map(|&name| {
                    let id = format!("sweep-{name}");
                    let shown = move || sweep.with(|s| {
                        s.as_ref()
                            .and_then(|s| s.grid.get(name))
                            .map(|v| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "))
                            .unwrap_or_default()
                    });
                    view! {
                        <div class="field">
                            <label for=id.clone()>{name}</label>
                            <input id=id type="text" placeholder="default" prop:value=shown
                                on:change=move |ev| set_values(name, event_target_value(&ev)) />
                        </div>
                    }
                }).collect_view()
            })}
            <p class="hint" id="sweep-count">
                {move || match (method.get(), points()) {
                    (None, _) => "Pick a method, then the values to try for some of its settings (\"1, 2, 4\"). Each point runs after the listed methods, on the same trained model, against the same retrain.".to_string(),
                    (Some(_), 0) => "Type the values to try for at least one setting.".to_string(),
                    (Some(_), n) => format!("{n} point{} (at most {MAX_SWEEP_POINTS}): each costs about one run of the method.", if n == 1 { "" } else { "s" }),
                }}
            </p>
        </fieldset>
    }
}

/// The points on the chart: each point (numbered as in the table) and the retrain at 1×.
fn chart_points(sweep: &SweepReport) -> Vec<Point> {
    let mut points = vec![Point {
        name: "retrain".into(),
        speedup: 1.0,
        y: 1.0,
        group: "oracle (retrain)".into(),
    }];
    for (i, p) in sweep.points.iter().enumerate() {
        let f = &p.row.audit.forgetting;
        let (Some(speedup), Some(y)) = (f.work_speedup_vs_retrain, f.tow) else {
            continue;
        };
        let group = if p.front {
            "on the front"
        } else {
            "behind the front"
        };
        // Points that land on the same spot share one mark and one label ("#4, #7").
        match points
            .iter_mut()
            .find(|q| q.group == group && q.speedup == speedup && q.y == y)
        {
            Some(q) => q.name.push_str(&format!(", #{}", i + 1)),
            None => points.push(Point {
                name: format!("#{}", i + 1),
                speedup,
                y,
                group: group.into(),
            }),
        }
    }
    points
}

/// The sweep's chart and table, once a lab with a sweep is done.
pub fn sweep_results(report: &Report) -> Option<AnyView> {
    let app = use_app();
    let sweep = report.outcome.unlearn().and_then(|u| u.sweep.clone())?;
    let method = Method::from_key(&sweep.method)?;
    let retrain_grads = lab_rows(report)
        .iter()
        .find(|r| r.run.method == "retrain")
        .and_then(|r| r.audit.forgetting.sample_grads);
    let svg = framed_svg(
        &chart_points(&sweep),
        &Frame {
            title: "The sweep's front: less work to the right, closer to retraining at the top",
            x_desc: "work saved over retraining (×, retrain's sample_grads ÷ the point's, log scale)",
        },
        TOW_AXIS,
        chart_size((560, 340), (360, 280)),
    );
    let names: Vec<String> = sweep
        .points
        .first()
        .map(|p| p.settings.keys().cloned().collect())
        .unwrap_or_default();
    let scored = sweep.points.iter().any(|p| p.front_score.is_some());
    let file_svg = svg.clone();
    let status = if sweep.cancelled {
        format!(
            "Cancelled: {} of the {} points finished; they are kept.",
            sweep.points.len(),
            sweep.planned
        )
    } else {
        format!("{} points.", sweep.points.len())
    };
    let rows = sweep
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let f = &p.row.audit.forgetting;
            let num = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
            let point = p.clone();
            let settings = names
                .iter()
                .map(|n| view! { <td class="num">{p.settings.get(n).map(|v| v.to_string()).unwrap_or_default()}</td> })
                .collect_view();
            let score = scored.then(|| {
                view! { <td class="num">{num(p.row.audit.privacy_score.as_ref().map(|s| s.forgetting_score))}</td> }
            });
            view! {
                <tr class:front=p.front>
                    <th scope="row">{format!("#{}", i + 1)}</th>
                    {settings}
                    <td class="num">{f.sample_grads.map(|g| g.to_string()).unwrap_or_default()}</td>
                    <td class="num">{num(f.work_speedup_vs_retrain)}</td>
                    <td class="num">{num(f.tow)}</td>
                    <td class="num">{format!("{:.3}", f.forget_acc)}</td>
                    <td class="num">{format!("{:.3}", p.row.run.test_acc)}</td>
                    {score}
                    <td class="front-cell">
                        {p.front.then_some("on the front ")}
                        {p.front.then(|| view! {
                            <button class="use-point" id=format!("sweep-use-{}", i + 1) on:click=move |_| {
                                if use_point(&app, method, &point) {
                                    app.notify(format!(
                                        "{} now runs with {} in the lab's methods (and so in the link and the exported experiment): press Forget to run it.",
                                        method.key(),
                                        words(&point.settings)
                                    ));
                                }
                            }>"Use this setting"</button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let header = names
        .iter()
        .map(|n| view! { <th scope="col">{n.clone()}</th> })
        .collect_view();
    Some(view! {
        <section class="sweep-results" id="sweep-results" data-in="charts table" aria-labelledby="sweep-title">
            <h3 id="sweep-title">{format!("Sweep of {}", sweep.method)}</h3>
            <p class="hint" id="sweep-status">{status}" "{sweep.note.clone()}</p>
            <figure class="lab-chart" id="chart-sweep">
                <div class="svg" role="img" aria-label="The sweep's points: work saved over retraining against tug-of-war, the front marked." inner_html=svg></div>
                <figcaption>
                    {format!(
                        "Each point of the grid, numbered as in the table: work saved against closeness to retraining (tug-of-war). On the front: no other point saves more work and comes as close.{}",
                        retrain_grads.map_or(String::new(), |g| format!(" Retraining costs {g} sample gradients."))
                    )}
                    " "
                    <button class="download-svg" on:click=move |_| download("lethe-chart-sweep.svg", &file_svg, "image/svg+xml")>"Download SVG"</button>
                </figcaption>
            </figure>
            <div class="table-scroll">
                <table id="sweep-table">
                    <caption>"The sweep's points. \"Use this setting\" writes a point of the front into the lab's methods."</caption>
                    <thead>
                        <tr>
                            <th scope="col">"point"</th>
                            {header}
                            <th scope="col">"sample_grads"</th>
                            <th scope="col">"work_speedup_vs_retrain"</th>
                            <th scope="col">"tow"</th>
                            <th scope="col">"forget_acc"</th>
                            <th scope="col">"test_acc"</th>
                            {scored.then(|| view! { <th scope="col">"forgetting_score"</th> })}
                            <th scope="col">"front"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }.into_any())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_as_a_list_and_a_bad_token_is_named() {
        assert_eq!(
            parse_values("epochs", "1, 2 4;8"),
            Ok(vec![1.0, 2.0, 4.0, 8.0])
        );
        assert_eq!(parse_values("epochs", "  "), Ok(vec![]));
        let e = parse_values("learning_rate", "0.1, fast").unwrap_err();
        assert!(
            e.contains("unlearn.sweep.grid.learning_rate") && e.contains("\"fast\""),
            "{e}"
        );
    }
}
