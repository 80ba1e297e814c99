//! A predictive-probability heatmap over the plotted plane: P(y = 1 | x) from blue (0) through white (½) to red
//! (1), the data's points on top and the erased ones crossed.

use std::collections::HashSet;

use lethe_protocol::DatasetView;
use plotters::prelude::*;

use super::palette::{GROUND, INK, class_color};

/// The colour of probability `p`: blue at 0, white at ½, red at 1.
pub fn shade(p: f32) -> RGBColor {
    let p = p.clamp(0.0, 1.0);
    let mix = |a: u8, b: u8, t: f32| (a as f32 + (b as f32 - a as f32) * t).round() as u8;
    if p < 0.5 {
        let t = p / 0.5;
        RGBColor(mix(49, 255, t), mix(104, 255, t), mix(191, 255, t))
    } else {
        let t = (p - 0.5) / 0.5;
        RGBColor(mix(255, 206, t), mix(255, 52, t), mix(255, 52, t))
    }
}

/// SVG of `probs` (a `resolution`² grid, row-major from the bottom-left, over `x_range` × `y_range`).
#[allow(clippy::too_many_arguments)]
pub fn heatmap_svg(
    title: &str,
    view: &DatasetView,
    probs: &[f32],
    resolution: usize,
    x_range: (f32, f32),
    y_range: (f32, f32),
    erased: &HashSet<u32>,
    size: (u32, u32),
) -> String {
    let mut svg = String::new();
    let result = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&GROUND)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 13))
            .margin(6)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(view.feature_names.first().map_or("x1", String::as_str))
            .y_desc(view.feature_names.get(1).map_or("x2", String::as_str))
            .label_style(("sans-serif", 11))
            .draw()?;
        let r = resolution.max(1);
        let (dx, dy) = (
            (x_range.1 - x_range.0) / r as f32,
            (y_range.1 - y_range.0) / r as f32,
        );
        chart.draw_series(probs.iter().take(r * r).enumerate().map(|(cell, &p)| {
            let (i, j) = (cell % r, cell / r);
            let (x0, y0) = (x_range.0 + i as f32 * dx, y_range.0 + j as f32 * dy);
            Rectangle::new([(x0, y0), (x0 + dx, y0 + dy)], shade(p).filled())
        }))?;
        let d = view.feature_names.len().max(1);
        let at = |i: usize| (view.points[i * d], view.points[i * d + 1.min(d - 1)]);
        let n = view.labels.len();
        chart.draw_series(
            (0..n)
                .filter(|&i| !erased.contains(&view.rows[i]))
                .map(|i| {
                    Circle::new(
                        at(i),
                        2,
                        class_color(view.labels[i] as usize).stroke_width(1),
                    )
                }),
        )?;
        chart
            .draw_series(
                (0..n)
                    .filter(|&i| erased.contains(&view.rows[i]))
                    .map(|i| Cross::new(at(i), 4, INK.stroke_width(2))),
            )?
            .label(format!("erased ({})", erased.len()))
            .legend(|(x, y)| Cross::new((x + 6, y), 4, INK.stroke_width(2)));
        chart
            .draw_series(std::iter::empty::<Rectangle<(f32, f32)>>())?
            .label("P(class 1): blue 0, white ½, red 1")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], shade(0.9).filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(GROUND.mix(0.85))
            .border_style(INK)
            .label_font(("sans-serif", 11))
            .draw()?;
        root.present()?;
        Ok(())
    })();
    if let Err(e) = result {
        return format!("<p>chart error: {e}</p>");
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Source: the scale's three anchors. */
    #[test]
    fn the_scale_runs_blue_white_red() {
        assert_eq!(shade(0.0), RGBColor(49, 104, 191));
        assert_eq!(shade(0.5), RGBColor(255, 255, 255));
        assert_eq!(shade(1.0), RGBColor(206, 52, 52));
    }
}
