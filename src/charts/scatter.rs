//! The data scatter plot over two features or two principal components, with the decision boundary behind it
//! when there is one.

use lethe_protocol::{BoundaryGrid, DatasetView};
use std::collections::HashSet;

use plotters::prelude::*;

use super::legend::emptiest_corner;
use super::palette::{GROUND, INK, class_color};

/// Shades of the decision boundary between "unsure" and "sure" (cells of equal class and shade merge into one
/// rectangle).
const SHADES: u32 = 6;

fn padded(values: impl Iterator<Item = f32>) -> (f32, f32) {
    let (lo, hi) = values.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    // In f64: the span of two extreme f32 values overflows f32 (±3.3e38 gave an infinite axis, on which the
    // tick loop never ended). The engine refuses such data; this keeps any chart finite regardless.
    let (lo, hi) = (lo as f64, hi as f64);
    let pad = ((hi - lo) * 0.05).max(1e-3);
    let (a, b) = ((lo - pad) as f32, (hi + pad) as f32);
    if a.is_finite() && b.is_finite() {
        (a, b)
    } else {
        (f32::MIN, f32::MAX) // the padding itself overflowed: the widest finite axis
    }
}

/// What the two axes show: a pair of features, or the first two principal components.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plane {
    /// Features by index.
    Features([usize; 2]),
    /// PC1 and PC2 of the view's projection.
    Pca,
}

impl Plane {
    /// This plane, with features that `view` has: the experiment's plotted features can name features of the next
    /// dataset while the current view is still shown (between picking a dataset and its view arriving). Out of
    /// range, it falls back to the first two features.
    pub fn within(self, view: &DatasetView) -> Self {
        let d = view.feature_names.len();
        match self {
            Plane::Features(f) if f.iter().any(|&i| i >= d) => {
                Plane::Features([0, 1.min(d.saturating_sub(1))])
            }
            plane => plane,
        }
    }

    /// The axis labels, with units or the explained variance.
    pub fn labels(self, view: &DatasetView) -> [String; 2] {
        match (self, &view.pca) {
            (Plane::Pca, Some(p)) => [
                format!("PC1 ({:.0}% of variance)", p.explained[0] * 100.0),
                format!("PC2 ({:.0}% of variance)", p.explained[1] * 100.0),
            ],
            (Plane::Features(f), _) => f.map(|i| view.feature_names[i].clone()),
            (Plane::Pca, None) => ["PC1".into(), "PC2".into()],
        }
    }

    /// The coordinates of plotted point `i`.
    pub fn point(self, view: &DatasetView, i: usize) -> (f32, f32) {
        match (self, &view.pca) {
            (Plane::Pca, Some(p)) => (p.coords[2 * i], p.coords[2 * i + 1]),
            (Plane::Features(f), _) => (view.value(i, f[0]), view.value(i, f[1])),
            (Plane::Pca, None) => (0.0, 0.0),
        }
    }
}

/// SVG of the points of `view` on `plane` (train filled, test as rings, one colour per class), over the
/// boundary grid's predicted classes (lighter where the model is less sure).
pub fn scatter_svg(
    view: &DatasetView,
    plane: Plane,
    boundary: Option<&BoundaryGrid>,
    size: (u32, u32),
) -> String {
    let layers = Layers {
        frame: None,
        grid: boundary,
        cells: true,
        points: true,
    };
    render(view, plane, layers, &HashSet::new(), size).unwrap_or_else(|html| html)
}

/// The SVG of `layers`, or a paragraph saying why there is none.
fn render(
    view: &DatasetView,
    plane: Plane,
    layers: Layers,
    marked: &HashSet<u32>,
    size: (u32, u32),
) -> Result<String, String> {
    let mut svg = String::new();
    if view.feature_names.is_empty() {
        return Err("<p>no features to plot</p>".into());
    }
    draw(&mut svg, view, plane.within(view), layers, marked, size)
        .map_err(|e| format!("<p>chart error: {e}</p>"))?;
    Ok(svg)
}

/// The fill of the two invisible rectangles that bracket the boundary's cells in the SVG text.
const SENTINEL: RGBColor = RGBColor(1, 2, 3);
/// The element the page fills with [`boundary_layer_svg`] (the boundary's cells, under the points).
pub const BOUNDARY_LAYER: &str = r#"<g class="boundary-layer"></g>"#;

/// The axes' ranges of a 2-D chart, in data units.
pub type Frame = ((f32, f32), (f32, f32));

/// What one drawing holds.
#[derive(Clone, Copy)]
struct Layers<'g> {
    /// The axes' ranges; else the grid's, else the points' own.
    frame: Option<Frame>,
    /// The boundary grid.
    grid: Option<&'g BoundaryGrid>,
    /// Draw the grid's cells.
    cells: bool,
    /// Draw the points and the legend.
    points: bool,
}

/// The byte ranges of the two sentinel rectangles in `svg`.
fn sentinels(svg: &str) -> Option<[(usize, usize); 2]> {
    let fill = format!("#{:02X}{:02X}{:02X}", SENTINEL.0, SENTINEL.1, SENTINEL.2);
    let element = |from: usize| {
        let at = from + svg[from..].find(fill.as_str())?;
        let start = svg[..at].rfind("<rect")?;
        let end = at + svg[at..].find("/>")? + 2;
        Some((start, end))
    };
    let first = element(0)?;
    let second = element(first.1)?;
    Some([first, second])
}

/// [`scatter_svg`] with the points of dataset rows `marked` crossed (the forget set being picked) and without the
/// boundary's cells: in their place an empty [`BOUNDARY_LAYER`] group, drawn
/// on the axes of `frame` (the view's `plot_ranges`, which the boundary's grid spans). The page draws this once
/// per dataset and fills the group with [`boundary_layer_svg`] at each new boundary, so that the 2,000 points are
/// not drawn again while a model trains.
pub fn scatter_base_svg(
    view: &DatasetView,
    plane: Plane,
    frame: Option<Frame>,
    marked: &HashSet<u32>,
    size: (u32, u32),
) -> String {
    let layers = Layers {
        frame,
        grid: None,
        cells: false,
        points: true,
    };
    match render(view, plane, layers, marked, size) {
        Ok(svg) => match sentinels(&svg) {
            Some([(a, _), (_, b)]) => format!("{}{BOUNDARY_LAYER}{}", &svg[..a], &svg[b..]),
            None => svg,
        },
        Err(html) => html,
    }
}

/// The boundary's cells as SVG elements in the coordinates of [`scatter_base_svg`] drawn with the same `frame`
/// and size.
pub fn boundary_layer_svg(
    view: &DatasetView,
    plane: Plane,
    frame: Option<Frame>,
    grid: &BoundaryGrid,
    size: (u32, u32),
) -> String {
    let layers = Layers {
        frame,
        grid: Some(grid),
        cells: true,
        points: false,
    };
    render(view, plane, layers, &HashSet::new(), size)
        .ok()
        .and_then(|svg| sentinels(&svg).map(|[(_, a), (b, _)]| svg[a..b].to_string()))
        .unwrap_or_default()
}

/// The plotted points' indexes in the order their circles appear in the SVG (class by class, training points then
/// test points): the page maps a clicked circle back to its point with it.
pub fn circle_order(view: &DatasetView) -> Vec<usize> {
    let n = view.n_points();
    (0..view.class_names.len())
        .flat_map(|c| {
            [false, true].into_iter().flat_map(move |test| {
                (0..n).filter(move |&i| view.labels[i] as usize == c && view.is_test[i] == test)
            })
        })
        .collect()
}

fn draw<'a>(
    svg: &'a mut String,
    view: &DatasetView,
    plane: Plane,
    layers: Layers,
    marked: &HashSet<u32>,
    size: (u32, u32),
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let boundary = layers.grid;
    let n = view.n_points();
    let points: Vec<(f32, f32)> = (0..n).map(|i| plane.point(view, i)).collect();
    let [x_label, y_label] = plane.labels(view);
    let (xr, yr) = match layers.frame.or(boundary.map(|g| (g.x_range, g.y_range))) {
        Some(frame) => frame,
        None => (
            padded(points.iter().map(|p| p.0)),
            padded(points.iter().map(|p| p.1)),
        ),
    };
    let root = SVGBackend::with_string(svg, size).into_drawing_area();
    root.fill(&GROUND)?;
    let what = match plane {
        Plane::Pca => format!("{}, principal components", view.name),
        Plane::Features(_) => view.name.clone(),
    };
    let caption = if view.sampled_from > n {
        format!("{what} — {n} of {} points shown", view.sampled_from)
    } else {
        format!("{what} — {n} points")
    };
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 15))
        .margin(8)
        .x_label_area_size(38)
        .y_label_area_size(52)
        .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(x_label.as_str())
        .y_desc(y_label.as_str())
        .label_style(("sans-serif", 12))
        .draw()?;
    // A drawing of one layer brackets the cells' place with two sentinels (zero size, nearly transparent, found by
    // their fill in the SVG text); a whole drawing has none.
    let layered = !(layers.cells && layers.points);
    let sentinel = || {
        layered.then(|| Rectangle::new([(xr.0, yr.0), (xr.0, yr.0)], SENTINEL.mix(0.01).filled()))
    };
    chart.draw_series(sentinel())?;
    if let Some(g) = boundary.filter(|_| layers.cells) {
        let r = g.resolution;
        let (dx, dy) = (
            (g.x_range.1 - g.x_range.0) / r as f32,
            (g.y_range.1 - g.y_range.0) / r as f32,
        );
        // One rectangle per run of equal cells along a grid row (same class, same shade): a 48×48 grid drew 2,304
        // SVG elements on every redraw, the page's longest task while training.
        let level = |cell: usize| {
            let sure = ((g.confidence[cell] as f64 - 0.5) * 2.0).clamp(0.0, 1.0);
            (g.class[cell], (sure * SHADES as f64).round() as u32)
        };
        let mut runs = Vec::new();
        for j in 0..r {
            let mut start = 0;
            for i in 1..=r {
                if i == r || level(j * r + i) != level(j * r + start) {
                    runs.push((j, start, i, level(j * r + start)));
                    start = i;
                }
            }
        }
        chart.draw_series(runs.into_iter().map(|(j, from, to, (class, shade))| {
            let y0 = g.y_range.0 + j as f32 * dy;
            let (x0, x1) = (g.x_range.0 + from as f32 * dx, g.x_range.0 + to as f32 * dx);
            let strength = 0.12 + 0.38 * shade as f64 / SHADES as f64;
            let color = class_color(class as usize).mix(strength).filled();
            Rectangle::new([(x0, y0), (x1, y0 + dy)], color)
        }))?;
    }
    chart.draw_series(sentinel())?;
    if !layers.points {
        root.present()?;
        return Ok(());
    }
    for (c, name) in view.class_names.iter().enumerate() {
        let color = class_color(c);
        let points = &points;
        let of_class = move |test: bool| {
            (0..n)
                .filter(move |&i| view.labels[i] as usize == c && view.is_test[i] == test)
                .map(move |i| points[i])
        };
        chart
            .draw_series(of_class(false).map(|p| Circle::new(p, 3, color.filled())))?
            .label(format!(
                "{name} ({})",
                view.class_counts.get(c).copied().unwrap_or(0)
            ))
            .legend(move |(x, y)| Circle::new((x, y), 4, color.filled()));
        chart.draw_series(of_class(true).map(|p| Circle::new(p, 3, color.stroke_width(2))))?;
    }
    // Crosses, not circles: the circles stay one per point, in `circle_order`.
    if !marked.is_empty() {
        chart
            .draw_series(
                (0..n)
                    .filter(|&i| marked.contains(&view.rows[i]))
                    .map(|i| Cross::new(points[i], 5, INK.stroke_width(2))),
            )?
            .label(format!("to forget ({})", marked.len()))
            .legend(|(x, y)| Cross::new((x, y), 4, INK.stroke_width(2)));
    }
    chart
        .draw_series(std::iter::empty::<Circle<(f32, f32), i32>>())?
        .label(format!("train ({}), filled", view.n_train))
        .legend(move |(x, y)| Circle::new((x, y), 4, INK.filled()));
    chart
        .draw_series(std::iter::empty::<Circle<(f32, f32), i32>>())?
        .label(format!("test ({}), ring", view.n_test))
        .legend(move |(x, y)| Circle::new((x, y), 4, INK.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(emptiest_corner(
            points.iter().map(|&(x, y)| (x as f64, y as f64)),
            (xr.0 as f64, xr.1 as f64),
            (yr.0 as f64, yr.1 as f64),
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

    /* Source: closed form. The span of ±3.3e38 is 6.6e38, beyond f32::MAX (3.4e38): computed in f32 the axis was
    infinite. */
    #[test]
    fn extreme_values_give_a_finite_axis() {
        let (a, b) = padded([-3.3e38f32, 3.3e38].into_iter());
        assert!(a.is_finite() && b.is_finite() && a < b, "{a} {b}");
        assert_eq!(padded([f32::NAN].into_iter()), (0.0, 1.0));
        let (a, b) = padded([1.0f32, 1.0].into_iter());
        assert!(
            (a - 0.999).abs() < 1e-6 && (b - 1.001).abs() < 1e-6,
            "{a} {b}"
        );
    }

    fn view() -> DatasetView {
        DatasetView {
            name: "toy".into(),
            feature_names: vec!["width (cm)".into(), "height (cm)".into()],
            class_names: vec!["cat".into(), "dog".into()],
            n_train: 3,
            n_test: 1,
            class_counts: vec![2, 2],
            checksum: "0".into(),
            points: vec![0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0],
            labels: vec![0, 0, 1, 1],
            is_test: vec![false, false, false, true],
            sampled_from: 4,
            rows: vec![0, 1, 2, 3],
            image_side: None,
            plot_ranges: vec![],
            pca: Some(lethe_protocol::Projection {
                coords: vec![0.0, 0.0, 1.0, 0.5, 2.0, 1.0, 3.0, 1.5],
                explained: [0.6, 0.25],
            }),
        }
    }

    #[test]
    fn the_chart_names_its_axes_and_classes() {
        let svg = scatter_svg(&view(), Plane::Features([0, 1]), None, (400, 300));
        assert!(svg.starts_with("<svg"), "{svg}");
        for text in [
            "width (cm)",
            "height (cm)",
            "cat (2)",
            "dog (2)",
            "train (3), filled",
            "test (1), ring",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
        assert_eq!(
            svg.matches("<circle").count(),
            4 + 4,
            "four points and four legend marks"
        );
    }

    #[test]
    fn the_pca_plane_names_the_explained_variance() {
        let svg = scatter_svg(&view(), Plane::Pca, None, (400, 300));
        assert!(svg.contains("PC1 (60% of variance)"), "{svg}");
        assert!(svg.contains("PC2 (25% of variance)"));
    }

    #[test]
    fn the_boundary_draws_one_rectangle_per_run_of_equal_cells_in_a_row() {
        let grid = BoundaryGrid {
            x_range: (-1.0, 2.0),
            y_range: (-1.0, 2.0),
            resolution: 3,
            class: vec![0, 1, 1, 0, 1, 1, 0, 0, 1],
            confidence: vec![0.9; 9],
        };
        let with = scatter_svg(&view(), Plane::Features([0, 1]), Some(&grid), (400, 300));
        let without = scatter_svg(&view(), Plane::Features([0, 1]), None, (400, 300));
        // Rows [0, 1, 1], [0, 1, 1], [0, 0, 1]: two runs each.
        assert_eq!(
            with.matches("<rect").count() - without.matches("<rect").count(),
            6
        );
    }

    #[test]
    fn the_base_and_its_boundary_layer_together_are_the_full_chart() {
        let grid = BoundaryGrid {
            x_range: (-1.0, 2.0),
            y_range: (-1.0, 2.0),
            resolution: 3,
            class: vec![0, 1, 1, 0, 1, 1, 0, 0, 1],
            confidence: vec![0.9; 9],
        };
        let plane = Plane::Features([0, 1]);
        let full = scatter_svg(&view(), plane, Some(&grid), (400, 300));
        let frame = Some((grid.x_range, grid.y_range));
        let base = scatter_base_svg(&view(), plane, frame, &HashSet::new(), (400, 300));
        let layer = boundary_layer_svg(&view(), plane, frame, &grid, (400, 300));
        assert_eq!(layer.matches("<rect").count(), 6, "{layer}");
        assert!(
            base.contains(BOUNDARY_LAYER) && !base.contains("#010203"),
            "{base}"
        );
        // Filling the group reproduces the whole drawing, which carries no sentinels (up to blank lines).
        assert!(sentinels(&full).is_none());
        let lines = |s: &str| {
            s.lines()
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(lines(&base.replace(BOUNDARY_LAYER, &layer)), lines(&full));
    }

    /* Source: the page's order of events. Picking digits sets the plotted features to [33, 26] before the digits
    view arrives, so for a moment they name features the two-feature view lacks; that drew with an index out of
    bounds and killed the page. */
    #[test]
    fn features_the_view_lacks_fall_back_to_the_first_two() {
        let svg = scatter_svg(&view(), Plane::Features([33, 26]), None, (400, 300));
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("width (cm)") && svg.contains("height (cm)"));
        assert_eq!(
            Plane::Features([1, 0]).within(&view()),
            Plane::Features([1, 0])
        );
    }
}
