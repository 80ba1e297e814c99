//! Decision boundaries for the lab's side-by-side view (2-D data): one model's predicted class over the plane with
//! the forget points marked, or the difference between a model and the retrained one (where they disagree).

use std::collections::HashSet;

use lethe_protocol::{BoundaryGrid, DatasetView};
use plotters::prelude::*;

use super::palette::{GROUND, INK, class_color};

/// Cells where the two models disagree.
const DISAGREE: RGBColor = RGBColor(214, 39, 40);
/// Cells where they agree.
const AGREE: RGBColor = RGBColor(200, 200, 200);

/// What one panel shows.
pub struct Panel<'a> {
    /// Title above the panel.
    pub title: String,
    /// The model's grid.
    pub grid: &'a BoundaryGrid,
    /// Draw the difference against this grid (the retrained model's) instead of the classes.
    pub against: Option<&'a BoundaryGrid>,
}

/// SVG of one panel: the grid, the view's points (small), the forget points (`forget`: dataset rows) as black
/// crosses. The view's plotted features must be the grid's (2-D data: features 0 and 1).
pub fn boundary_panel_svg(
    view: &DatasetView,
    panel: &Panel,
    forget: &HashSet<u32>,
    size: (u32, u32),
) -> String {
    let mut svg = String::new();
    if let Err(e) = draw(&mut svg, view, panel, forget, size) {
        return format!("<p>chart error: {e}</p>");
    }
    svg
}

/// Fraction of the grid's cells where `a` and `b` predict different classes.
pub fn disagreement(a: &BoundaryGrid, b: &BoundaryGrid) -> f64 {
    let cells = a.class.len().min(b.class.len()).max(1);
    let differ = a.class.iter().zip(&b.class).filter(|(x, y)| x != y).count();
    differ as f64 / cells as f64
}

fn draw<'a>(
    svg: &'a mut String,
    view: &DatasetView,
    panel: &Panel,
    forget: &HashSet<u32>,
    size: (u32, u32),
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let g = panel.grid;
    let root = SVGBackend::with_string(svg, size).into_drawing_area();
    root.fill(&GROUND)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(panel.title.as_str(), ("sans-serif", 13))
        .margin(6)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(g.x_range.0..g.x_range.1, g.y_range.0..g.y_range.1)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(view.feature_names.first().map_or("x", String::as_str))
        .y_desc(view.feature_names.get(1).map_or("y", String::as_str))
        .label_style(("sans-serif", 11))
        .draw()?;
    let r = g.resolution;
    let (dx, dy) = (
        (g.x_range.1 - g.x_range.0) / r as f32,
        (g.y_range.1 - g.y_range.0) / r as f32,
    );
    chart.draw_series((0..(r * r).min(g.class.len())).map(|cell| {
        let (i, j) = (cell % r, cell / r);
        let x0 = g.x_range.0 + i as f32 * dx;
        let y0 = g.y_range.0 + j as f32 * dy;
        let color = match panel.against {
            Some(other) => {
                if other.class.get(cell) == g.class.get(cell) {
                    AGREE.mix(0.35).filled()
                } else {
                    DISAGREE.mix(0.6).filled()
                }
            }
            None => {
                let strength =
                    0.12 + 0.38 * ((g.confidence[cell] as f64 - 0.5) * 2.0).clamp(0.0, 1.0);
                class_color(g.class[cell] as usize).mix(strength).filled()
            }
        };
        Rectangle::new([(x0, y0), (x0 + dx, y0 + dy)], color)
    }))?;
    let d = view.feature_names.len().max(1);
    let point = |i: usize| (view.points[i * d], view.points[i * d + 1.min(d - 1)]);
    let n = view.labels.len();
    chart.draw_series(
        (0..n)
            .filter(|&i| !forget.contains(&view.rows[i]))
            .map(|i| Circle::new(point(i), 2, class_color(view.labels[i] as usize).filled())),
    )?;
    let forgotten = (0..n).filter(|&i| forget.contains(&view.rows[i]));
    chart
        .draw_series(forgotten.map(|i| Cross::new(point(i), 4, INK.stroke_width(2))))?
        .label(format!("forgotten ({})", forget.len()))
        .legend(|(x, y)| Cross::new((x + 6, y), 4, INK.stroke_width(2)));
    if panel.against.is_some() {
        chart
            .draw_series(std::iter::empty::<Rectangle<(f32, f32)>>())?
            .label("disagrees with retrain")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 12, y + 5)], DISAGREE.mix(0.6).filled())
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(GROUND.mix(0.85))
        .border_style(INK)
        .label_font(("sans-serif", 11))
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(classes: [u32; 4]) -> BoundaryGrid {
        BoundaryGrid {
            x_range: (0.0, 1.0),
            y_range: (0.0, 1.0),
            resolution: 2,
            class: classes.to_vec(),
            confidence: vec![0.9; 4],
        }
    }

    /* Source: closed form: one cell of four differs. */
    #[test]
    fn disagreement_counts_differing_cells() {
        assert_eq!(disagreement(&grid([0, 1, 1, 0]), &grid([0, 1, 1, 1])), 0.25);
        assert_eq!(disagreement(&grid([0, 1, 1, 0]), &grid([0, 1, 1, 0])), 0.0);
    }

    #[test]
    fn a_difference_panel_names_the_forgotten_points_and_the_disagreement() {
        let view = DatasetView {
            feature_names: vec!["x1".into(), "x2".into()],
            class_names: vec!["a".into(), "b".into()],
            points: vec![0.2, 0.2, 0.8, 0.8],
            labels: vec![0, 1],
            is_test: vec![false, false],
            rows: vec![0, 1],
            ..Default::default()
        };
        let (a, b) = (grid([0, 1, 1, 0]), grid([0, 1, 1, 1]));
        let panel = Panel {
            title: "finetune − retrain".into(),
            grid: &a,
            against: Some(&b),
        };
        let svg = boundary_panel_svg(&view, &panel, &HashSet::from([1]), (300, 260));
        for text in [
            "finetune − retrain",
            "forgotten (1)",
            "disagrees with retrain",
            "x1",
            "x2",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
    }
}
