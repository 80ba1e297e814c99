//! Line charts: learning curves over epochs.

use plotters::prelude::*;

use super::legend::emptiest_corner;
use super::palette::{GRID, GROUND, INK};

/// One named line.
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Points `(x, y)`.
    pub points: Vec<(f64, f64)>,
    /// Line colour.
    pub color: RGBColor,
}

/// Axes of a line chart.
pub struct Axes<'a> {
    /// Title above the chart.
    pub title: &'a str,
    /// X axis label, with its unit.
    pub x_desc: &'a str,
    /// Y axis label, with its unit.
    pub y_desc: &'a str,
    /// X axis end (at least 1).
    pub x_max: f64,
    /// Y range; `None` fits the data from 0.
    pub y_range: Option<(f64, f64)>,
}

/// SVG of `series` on `axes`.
pub fn line_svg(axes: &Axes, series: &[Series], size: (u32, u32)) -> String {
    let mut svg = String::new();
    if let Err(e) = draw(&mut svg, axes, series, size) {
        return format!("<p>chart error: {e}</p>");
    }
    svg
}

fn draw<'a>(
    svg: &'a mut String,
    axes: &Axes,
    series: &[Series],
    size: (u32, u32),
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let y_range = axes.y_range.unwrap_or_else(|| {
        let top = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        (0.0, if top > 0.0 { top * 1.08 } else { 1.0 })
    });
    let root = SVGBackend::with_string(svg, size).into_drawing_area();
    root.fill(&GROUND)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(axes.title, ("sans-serif", 15))
        .margin(8)
        .margin_right(18)
        .x_label_area_size(38)
        .y_label_area_size(52)
        .build_cartesian_2d(0f64..axes.x_max.max(1.0), y_range.0..y_range.1)?;
    chart
        .configure_mesh()
        // Whole steps along the x axis (epochs): at most one label per unit, written without decimals.
        .x_labels((axes.x_max.max(1.0) as usize + 1).min(11))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .x_desc(axes.x_desc)
        .y_desc(axes.y_desc)
        .light_line_style(GRID)
        .label_style(("sans-serif", 12))
        .draw()?;
    for s in series {
        let color = s.color;
        chart
            .draw_series(LineSeries::new(
                s.points.iter().copied(),
                color.stroke_width(2),
            ))?
            .label(s.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(emptiest_corner(
            series.iter().flat_map(|s| s.points.iter().copied()),
            (0.0, axes.x_max.max(1.0)),
            y_range,
        ))
        .background_style(GROUND.mix(0.85))
        .border_style(INK)
        .label_font(("sans-serif", 12))
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_carries_title_axes_and_legend() {
        let axes = Axes {
            title: "Loss",
            x_desc: "epoch",
            y_desc: "cross-entropy (nats)",
            x_max: 3.0,
            y_range: None,
        };
        let s = Series {
            name: "train".into(),
            points: vec![(1.0, 0.7), (2.0, 0.5), (3.0, 0.3)],
            color: RED,
        };
        let svg = line_svg(&axes, &[s], (400, 260));
        for text in ["Loss", "epoch", "cross-entropy (nats)", "train"] {
            assert!(svg.contains(text), "missing {text}");
        }
        assert!(svg.contains("<polyline"), "the line should be drawn");
    }

    /* Source: the axis is epochs. Labels are whole numbers ("2", not "2.0"), none repeated, up to the last epoch. */
    #[test]
    fn epoch_labels_are_whole_numbers() {
        for (x_max, last) in [(3.0, ">3<"), (40.0, ">40<"), (200.0, ">200<")] {
            let axes = Axes {
                title: "Loss",
                x_desc: "epoch",
                y_desc: "nats",
                x_max,
                y_range: Some((0.0, 1.0)),
            };
            // plotters writes each text on its own line: `>\n3\n</text>`.
            let svg = line_svg(&axes, &[], (440, 280)).replace('\n', "");
            assert!(svg.contains(last), "no label {last} for {x_max} epochs");
            assert!(
                !svg.contains(">2.0<") && !svg.contains(">2.5<"),
                "decimals on the epoch axis"
            );
        }
    }
}
