//! Picking the forget set on the scatter plot: a click toggles the nearest point, a dragged box adds every training
//! point inside it. The plot is an SVG whose first circles are the points in `circle_order`; a hit is found from
//! their `cx`/`cy`, so what is picked is exactly what is drawn.

use std::cell::Cell;

use leptos::prelude::*;
use lethe_protocol::ForgetSpec;
use wasm_bindgen::JsCast;
use web_sys::{Element, MouseEvent};

use crate::charts::scatter::circle_order;
use crate::state::AppState;

/// A press closer than this (in SVG pixels) to its release is a click.
const CLICK_PX: f64 = 4.0;
/// A click picks the nearest point within this distance (SVG pixels).
const REACH_PX: f64 = 10.0;

thread_local! {
    /// Where the mouse went down, in SVG coordinates.
    static PRESSED: Cell<Option<(f64, f64)>> = const { Cell::new(None) };
}

/// The plot's `<svg>` under `event`, and the event's position in the SVG's own coordinates.
fn locate(event: &MouseEvent) -> Option<(Element, (f64, f64))> {
    let target: Element = event.target()?.dyn_into().ok()?;
    let svg = target.closest("svg").ok()??;
    let rect = svg.get_bounding_client_rect();
    let width: f64 = svg.get_attribute("width")?.parse().ok()?;
    let scale = if rect.width() > 0.0 {
        width / rect.width()
    } else {
        1.0
    };
    let x = (event.client_x() as f64 - rect.left()) * scale;
    let y = (event.client_y() as f64 - rect.top()) * scale;
    Some((svg, (x, y)))
}

/// The centres of the first `n` circles of `svg`.
fn centres(svg: &Element, n: usize) -> Vec<(f64, f64)> {
    let Ok(list) = svg.query_selector_all("circle") else {
        return vec![];
    };
    (0..list.length().min(n as u32))
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .map(|c| {
            let at = |a: &str| {
                c.get_attribute(a)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN)
            };
            (at("cx"), at("cy"))
        })
        .collect()
}

/// Mouse down on the plot while picking.
pub fn press(app: AppState, event: MouseEvent) {
    if !app.picking.get_untracked() {
        return;
    }
    event.prevent_default();
    PRESSED.with(|p| p.set(locate(&event).map(|(_, at)| at)));
}

/// Mouse up on the plot while picking: a click toggles the nearest point, a box adds the training points in it.
pub fn release(app: AppState, event: MouseEvent) {
    let Some(start) = PRESSED.with(|p| p.take()) else {
        return;
    };
    if !app.picking.get_untracked() {
        return;
    }
    let Some((svg, end)) = locate(&event) else {
        return;
    };
    let Some(view) = app.dataset.get_untracked() else {
        return;
    };
    let order = circle_order(&view);
    let at = centres(&svg, order.len());
    if at.len() != order.len() {
        return; // not the plot we drew (a placeholder, or another chart)
    }
    let moved = ((end.0 - start.0).powi(2) + (end.1 - start.1).powi(2)).sqrt();
    if moved < CLICK_PX {
        let nearest = at
            .iter()
            .enumerate()
            .map(|(k, c)| (k, ((c.0 - end.0).powi(2) + (c.1 - end.1).powi(2)).sqrt()))
            .filter(|(_, d)| *d <= REACH_PX)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((k, _)) = nearest {
            let i = order[k];
            if view.is_test[i] {
                app.input_error.set(Some(format!(
                    "unlearn.forget.rows: row {} is in the test split; only training points can be forgotten",
                    view.rows[i]
                )));
                return;
            }
            toggle(&app, &[view.rows[i] as usize], true);
        }
    } else {
        let (x0, x1) = (start.0.min(end.0), start.0.max(end.0));
        let (y0, y1) = (start.1.min(end.1), start.1.max(end.1));
        let inside: Vec<usize> = at
            .iter()
            .enumerate()
            .filter(|(_, c)| c.0 >= x0 && c.0 <= x1 && c.1 >= y0 && c.1 <= y1)
            .map(|(k, _)| order[k])
            .filter(|&i| !view.is_test[i])
            .map(|i| view.rows[i] as usize)
            .collect();
        toggle(&app, &inside, false);
    }
}

/// Adds `rows` to the forget set (a row list), or with `flip`, removes a row that is already in it.
fn toggle(app: &AppState, rows: &[usize], flip: bool) {
    super::edit(app, |u| {
        let mut list = match &u.forget {
            ForgetSpec::Rows { rows } => rows.clone(),
            _ => vec![],
        };
        for &r in rows {
            match list.iter().position(|&x| x == r) {
                Some(p) if flip => {
                    list.remove(p);
                }
                Some(_) => {}
                None => list.push(r),
            }
        }
        list.sort_unstable();
        u.forget = ForgetSpec::Rows { rows: list };
    });
}
