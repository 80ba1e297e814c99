//! The trade-off at a glance: each unlearning method's speed-up over retraining (log scale) against how close its
//! accuracies stay to the retrained model's (tug-of-war, 1 = the same), coloured by family.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{GRID, GROUND, INK};

/// One method on the chart.
pub struct Point {
    /// Method name, written next to the point.
    pub name: String,
    /// Speed-up over the reference retrain (×).
    pub speedup: f64,
    /// The fidelity axis, 0 … 1: tug-of-war against the reference retrain, or the privacy score's forgetting score.
    pub y: f64,
    /// Legend group (the method's family).
    pub group: String,
}

/// The fidelity axis' description with tug-of-war.
pub const TOW_AXIS: &str = "tug-of-war vs retrain (1 = same accuracies)";
/// The fidelity axis' description with the privacy score.
pub const SCORE_AXIS: &str = "forgetting score (NeurIPS 2023; 1 = no example told apart)";

/// Colours of the legend groups, in order of first appearance.
const GROUP_COLORS: [RGBColor; 4] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
];

/// The chart's title and x axis.
pub struct Frame<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
}

/// The methods' frame: speed-up in seconds.
pub const SPEED: Frame<'static> = Frame {
    title: "Speed against fidelity: faster to the right, closer to retraining at the top",
    x_desc: "speed-up over retraining (×, log scale)",
};

/// SVG of the points.
pub fn tradeoff_svg(points: &[Point], y_desc: &str, size: (u32, u32)) -> String {
    framed_svg(points, &SPEED, y_desc, size)
}

/// SVG of the points in another frame (the sweep's: work saved rather than seconds).
pub fn framed_svg(points: &[Point], frame: &Frame, y_desc: &str, size: (u32, u32)) -> String {
    let mut svg = String::new();
    if let Err(e) = draw(&mut svg, points, frame, y_desc, size) {
        return format!("<p>chart error: {e}</p>");
    }
    svg
}

fn draw<'a>(
    svg: &'a mut String,
    points: &[Point],
    frame: &Frame,
    y_desc: &str,
    size: (u32, u32),
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let finite = || {
        points
            .iter()
            .filter(|p| p.speedup.is_finite() && p.speedup > 0.0)
    };
    let lo = finite().map(|p| p.speedup).fold(1.0f64, f64::min) / 1.6;
    let hi = finite().map(|p| p.speedup).fold(1.0f64, f64::max) * 1.6;
    let root = SVGBackend::with_string(svg, size).into_drawing_area();
    root.fill(&GROUND)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(frame.title, ("sans-serif", 15))
        .margin(8)
        .margin_right(24)
        .x_label_area_size(38)
        .y_label_area_size(52)
        .build_cartesian_2d((lo..hi).log_scale(), 0f64..1.05)?;
    chart
        .configure_mesh()
        .x_desc(frame.x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|v| {
            if *v >= 10.0 {
                format!("{v:.0}×")
            } else {
                format!("{v:.1}×")
            }
        })
        .light_line_style(GRID)
        .label_style(("sans-serif", 12))
        .draw()?;
    let mut groups: Vec<&str> = Vec::new();
    for p in points {
        if !groups.contains(&p.group.as_str()) {
            groups.push(&p.group);
        }
    }
    for (g, group) in groups.iter().enumerate() {
        let color = GROUP_COLORS[g % GROUP_COLORS.len()];
        chart
            .draw_series(
                finite()
                    .filter(|p| p.group == *group)
                    .map(|p| Circle::new((p.speedup, p.y.clamp(0.0, 1.05)), 5, color.filled())),
            )?
            .label(*group)
            .legend(move |(x, y)| Circle::new((x + 8, y), 5, color.filled()));
    }
    let style = ("sans-serif", 12).into_font().color(&BLACK);
    for p in finite() {
        let (px, py) = chart.backend_coord(&(p.speedup, p.y.clamp(0.0, 1.05)));
        root.draw(&Text::new(
            p.name.clone(),
            (px + 8, py),
            style.clone().pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
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
    fn the_tradeoff_chart_names_axes_methods_and_families() {
        let points = vec![
            Point {
                name: "retrain".into(),
                speedup: 1.0,
                y: 1.0,
                group: "oracle".into(),
            },
            Point {
                name: "finetune".into(),
                speedup: 8.0,
                y: 0.93,
                group: "model-agnostic".into(),
            },
        ];
        let svg = tradeoff_svg(&points, TOW_AXIS, (520, 320)).replace('\n', "");
        for text in [
            "speed-up over retraining (×, log scale)",
            "tug-of-war vs retrain",
            ">finetune<",
            ">retrain<",
            "model-agnostic",
            "oracle",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
        assert_eq!(
            svg.matches("<circle").count(),
            2 + 2,
            "two points and two legend marks"
        );
    }
}
