//! The Privacy view's verdict: whether the setting holds any membership signal (the positive control), each
//! method's forgetting score with its 95 % interval against the floor's, and the chart of those intervals. The words
//! "indistinguishable from retraining" are written only where a method's interval overlaps the floor's.

use leptos::prelude::*;
use lethe_protocol::{PrivacyScore, Report, SignalMetric, WarningKind};

use super::table::lab_rows;

/// The scored rows: (row, score), in the report's order (`train` the control, `retrain` the floor, then methods).
fn scored(report: &Report) -> Vec<(String, PrivacyScore)> {
    lab_rows(report)
        .iter()
        .filter_map(|r| Some((r.run.method.clone(), r.audit.privacy_score.clone()?)))
        .collect()
}

/// The sentence of the no-signal warning, when any scored row carries it.
fn no_signal(report: &Report) -> Option<String> {
    lab_rows(report).iter().find_map(|r| {
        r.audit.warnings.iter().find_map(|w| {
            matches!(
                w.kind,
                WarningKind::NoMembershipSignal {
                    metric: SignalMetric::ForgettingScore,
                    ..
                }
            )
            .then(|| w.text.clone())
        })
    })
}

/// How a row reads in words: its F with the interval, and against the floor (`signal`: whether the control found a
/// membership signal; without one, reading as retraining is no evidence of forgetting).
fn reading(method: &str, score: &PrivacyScore, floor: &PrivacyScore, signal: bool) -> String {
    let [lo, hi] = score.forgetting_score_ci;
    let f = format!("F = {:.3} [{lo:.3}, {hi:.3}]", score.forgetting_score);
    match method {
        // The engine's rule (`no_membership_signal`): a signal only where the control's F lies below the floor's
        // interval.
        "train" => format!(
            "the originals (the positive control: trained on the forget set) against retraining: {f}{}",
            if score.forgetting_score < floor.forgetting_score_ci[0] {
                ", below the floor's interval: the setting holds a membership signal to remove"
            } else if score.forgetting_score > floor.forgetting_score_ci[1] {
                ", above the floor's interval: no membership signal"
            } else {
                ", inside the floor's interval: no membership signal"
            }
        ),
        "retrain" => format!("retraining against itself (the floor): {f}"),
        _ if score.overlaps(floor) => format!(
            "{method}: {f}, indistinguishable from retraining at this number of runs (its interval overlaps the floor's){}",
            if signal {
                ""
            } else {
                "; so are the originals here, so this is no evidence that it forgot"
            }
        ),
        _ if score.forgetting_score_ci[1] < floor.forgetting_score_ci[0] => format!(
            "{method}: {f}, told apart from retraining (its interval lies below the floor's)"
        ),
        _ => format!("{method}: {f}, above the floor's interval"),
    }
}

/// The verdict above the scores: the no-signal warning, then one line per scored row.
#[component]
pub fn PrivacyVerdict(report: Report) -> impl IntoView {
    let rows = scored(&report);
    let floor = rows
        .iter()
        .find(|(m, _)| m == "retrain")
        .map(|(_, s)| s.clone());
    let warning = no_signal(&report);
    let lines: Vec<String> = match &floor {
        Some(floor) => rows
            .iter()
            .map(|(m, s)| reading(m, s, floor, warning.is_none()))
            .collect(),
        None => Vec::new(),
    };
    let how = rows.first().map(|(_, s)| {
        format!(
            "Intervals: 95 %, {} resamples ({}).",
            s.ci_resamples, s.ci_method
        )
    });
    view! {
        <div class="privacy-verdict" id="privacy-verdict" data-in="privacy">
            {warning.map(|w| view! { <p class="warning" id="privacy-no-signal" role="alert">{w}</p> })}
            <ul id="privacy-readings">
                {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ul>
            {how.map(|h| view! { <p class="hint">{h}</p> })}
        </div>
    }
}

/// The intervals chart: one line per scored row, its forgetting score as a dot and its 95 % interval as a bar, the
/// floor's interval shaded across the chart. SVG, drawn by hand (labels, axis with its unit, legend).
pub fn interval_chart(report: &Report) -> Option<String> {
    let rows = scored(report);
    let floor = rows.iter().find(|(m, _)| m == "retrain")?.1.clone();
    let (w, row_h, left, right, top) = (560.0, 26.0, 190.0, 20.0, 48.0);
    let h = top + row_h * rows.len() as f64 + 64.0;
    let hi = rows
        .iter()
        .map(|(_, s)| s.forgetting_score_ci[1])
        .fold(0.0f64, f64::max);
    // The axis ends at the next tenth above every interval (at most 1).
    let x_max = ((hi * 10.0).ceil() / 10.0).clamp(0.1, 1.0);
    let x = |v: f64| left + (w - left - right) * (v / x_max).clamp(0.0, 1.0);
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"##
    );
    svg += &format!(
        r##"<rect width="{w}" height="{h}" fill="#fff"/><text x="{}" y="20" text-anchor="middle" font-size="14">Forgetting score F with its 95 % interval, against the floor</text>"##,
        w / 2.0
    );
    let [flo, fhi] = floor.forgetting_score_ci;
    let band_bottom = top + row_h * rows.len() as f64;
    svg += &format!(
        r##"<rect x="{:.1}" y="{top}" width="{:.1}" height="{:.1}" fill="#d9ead3"/>"##,
        x(flo),
        (x(fhi) - x(flo)).max(1.0),
        band_bottom - top
    );
    for (i, (method, s)) in rows.iter().enumerate() {
        let y = top + row_h * (i as f64 + 0.5);
        let (label, color) = match method.as_str() {
            "train" => ("original (control)".to_string(), "#c0392b"),
            "retrain" => ("retrain (floor)".to_string(), "#2e7d32"),
            m => (m.to_string(), "#1f4e96"),
        };
        let [lo, up] = s.forgetting_score_ci;
        svg += &format!(
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{label}</text><line x1="{:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{color}" stroke-width="2"/><line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{color}" stroke-width="2"/><line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{color}" stroke-width="2"/><circle cx="{:.1}" cy="{y:.1}" r="4" fill="{color}"><title>{label}: F {:.3} [{lo:.3}, {up:.3}]</title></circle>"##,
            left - 8.0,
            y + 4.0,
            x(lo),
            x(up),
            x(lo),
            x(lo),
            y - 5.0,
            y + 5.0,
            x(up),
            x(up),
            y - 5.0,
            y + 5.0,
            x(s.forgetting_score),
            s.forgetting_score,
        );
    }
    // The axis, its ticks and its label.
    svg += &format!(
        r##"<line x1="{left}" x2="{:.1}" y1="{band_bottom}" y2="{band_bottom}" stroke="#333"/>"##,
        w - right
    );
    for t in 0..=5 {
        let v = x_max * t as f64 / 5.0;
        svg += &format!(
            r##"<line x1="{0:.1}" x2="{0:.1}" y1="{band_bottom}" y2="{1:.1}" stroke="#333"/><text x="{0:.1}" y="{2:.1}" text-anchor="middle">{v:.2}</text>"##,
            x(v),
            band_bottom + 4.0,
            band_bottom + 16.0
        );
    }
    svg += &format!(
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">forgetting score F, 95 % interval (1: indistinguishable)</text>"##,
        (left + w - right) / 2.0,
        band_bottom + 34.0
    );
    svg += &format!(
        r##"<rect x="{left}" y="{:.1}" width="12" height="10" fill="#d9ead3"/><text x="{:.1}" y="{:.1}">the floor's interval: where a method reads as retraining</text>"##,
        band_bottom + 44.0,
        left + 16.0,
        band_bottom + 53.0
    );
    svg += "</svg>";
    Some(svg)
}
