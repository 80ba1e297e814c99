//! Horizontal bar charts: one row per category (a method, a class), one bar per series, with an optional reference
//! band drawn behind the bars (the retrain band) and the value written at the end of each bar.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{GRID, GROUND, INK};

/// One series of bars: a value per category (`None`: no bar, "n/a" written).
pub struct BarSeries {
    /// Legend text.
    pub name: String,
    /// One value per category.
    pub values: Vec<Option<f64>>,
    /// Bar colour.
    pub color: RGBColor,
}

/// What a bar chart shows.
pub struct BarChart<'a> {
    /// Title above the chart.
    pub title: &'a str,
    /// The value axis label, with its unit.
    pub value_desc: &'a str,
    /// Row names, top to bottom.
    pub categories: Vec<String>,
    /// The series.
    pub series: Vec<BarSeries>,
    /// The value axis range; `None` fits the data from 0.
    pub range: Option<(f64, f64)>,
    /// A reference band `(lo, hi, legend)` shaded across every row.
    pub band: Option<(f64, f64, String)>,
    /// Decimals of the value written at each bar's end.
    pub decimals: usize,
}

/// The shade of the reference band.
const BAND: RGBColor = RGBColor(255, 214, 102);

/// SVG of `chart`, `width` wide; the height follows the number of rows.
pub fn bar_svg(chart: &BarChart, width: u32) -> String {
    let rows = chart.categories.len().max(1);
    let per_row = (14 * chart.series.len().max(1) + 10) as u32;
    let height = 90 + per_row * rows as u32;
    let mut svg = String::new();
    if let Err(e) = draw(&mut svg, chart, (width, height)) {
        return format!("<p>chart error: {e}</p>");
    }
    svg
}

fn draw<'a>(
    svg: &'a mut String,
    c: &BarChart,
    size: (u32, u32),
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let n = c.categories.len().max(1) as f64;
    let range = c.range.unwrap_or_else(|| {
        let top = c
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .chain(c.band.iter().map(|b| &b.1))
            .filter(|v| v.is_finite())
            .fold(0.0f64, |a, &b| a.max(b));
        (0.0, if top > 0.0 { top * 1.15 } else { 1.0 })
    });
    let root = SVGBackend::with_string(svg, size).into_drawing_area();
    root.fill(&GROUND)?;
    let label_width = c
        .categories
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(4) as u32
        * 7
        + 14;
    let mut chart = ChartBuilder::on(&root)
        .caption(c.title, ("sans-serif", 15))
        .margin(8)
        .margin_right(40)
        .x_label_area_size(38)
        .y_label_area_size(label_width.clamp(40, 160))
        .build_cartesian_2d(range.0..range.1, 0f64..n)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(c.value_desc)
        .light_line_style(GRID)
        .label_style(("sans-serif", 12))
        .draw()?;
    if let Some((lo, hi, name)) = &c.band {
        let (lo, hi) = (lo.max(range.0), hi.min(range.1));
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(lo, 0.0), (hi, n)],
                BAND.mix(0.45).filled(),
            )))?
            .label(name.as_str())
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], BAND.mix(0.45).filled())
            });
    }
    let m = c.series.len().max(1) as f64;
    let height = 0.8 / m;
    for (j, s) in c.series.iter().enumerate() {
        let color = s.color;
        let bars = s.values.iter().enumerate().filter_map(|(i, v)| {
            let v = (*v)?;
            let top = n - i as f64 - 0.1 - j as f64 * height;
            Some(Rectangle::new(
                [
                    (range.0, top - height * 0.9),
                    (v.clamp(range.0, range.1), top),
                ],
                color.filled(),
            ))
        });
        chart
            .draw_series(bars)?
            .label(s.name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], color.filled()));
        // The value at the end of each bar ("n/a" where there is none).
        let style = ("sans-serif", 11).into_font().color(&INK);
        for (i, v) in s.values.iter().enumerate() {
            let mid = n - i as f64 - 0.1 - j as f64 * height - height * 0.45;
            let (x, text) = match v {
                Some(v) => (v.clamp(range.0, range.1), format!("{v:.*}", c.decimals)),
                None => (range.0, "n/a".to_string()),
            };
            let (px, py) = chart.backend_coord(&(x, mid));
            root.draw(&Text::new(
                text,
                (px + 3, py),
                style.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
    }
    // Row names, right-aligned left of the axis.
    let name_style = ("sans-serif", 12).into_font().color(&BLACK);
    for (i, name) in c.categories.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(range.0, n - i as f64 - 0.5));
        root.draw(&Text::new(
            name.clone(),
            (px - 6, py),
            name_style.clone().pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
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
    fn a_bar_chart_names_rows_series_band_and_values() {
        let chart = BarChart {
            title: "Forget accuracy",
            value_desc: "accuracy on the forget set (fraction)",
            categories: vec!["train".into(), "retrain".into(), "finetune".into()],
            series: vec![BarSeries {
                name: "forget_acc".into(),
                values: vec![Some(1.0), Some(0.91), None],
                color: RGBColor(31, 119, 180),
            }],
            range: Some((0.0, 1.0)),
            band: Some((0.86, 0.96, "retrain band".into())),
            decimals: 3,
        };
        let svg = bar_svg(&chart, 480).replace('\n', "");
        for text in [
            "Forget accuracy",
            "accuracy on the forget set (fraction)",
            ">train<",
            ">finetune<",
            "retrain band",
            ">0.910<",
            ">n/a<",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
        assert!(svg.matches("<rect").count() >= 4, "band and two bars");
    }
}
