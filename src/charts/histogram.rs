//! Two overlaid histograms on shared bins: the membership attack's losses on the forget set (members) and on
//! their test partners (non-members). The further apart, the easier the attack.

use plotters::prelude::*;

use super::palette::{GRID, GROUND, INK};

/// Bins of the loss axis.
const BINS: usize = 20;
/// Members' colour.
const MEMBERS: RGBColor = RGBColor(214, 39, 40);
/// Non-members' colour.
const NON_MEMBERS: RGBColor = RGBColor(31, 119, 180);

/// Counts of `values` in `BINS` equal bins over `[0, top]` (values above `top` go in the last bin).
pub fn bin(values: &[f64], top: f64) -> Vec<usize> {
    let mut counts = vec![0; BINS];
    for &v in values.iter().filter(|v| v.is_finite()) {
        let b = ((v.max(0.0) / top) * BINS as f64) as usize;
        counts[b.min(BINS - 1)] += 1;
    }
    counts
}

/// The loss axis' end shared by several panels: the 95th percentile of every loss, so that one outlier does not
/// squeeze the rest into a bin.
pub fn shared_top<'a>(all: impl Iterator<Item = &'a f64>) -> f64 {
    let mut v: Vec<f64> = all.copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 1.0;
    }
    v.sort_by(f64::total_cmp);
    v[(v.len() as f64 * 0.95) as usize % v.len()].max(1e-3)
}

/// SVG of the two histograms, titled `title`, on `[0, top]` nats.
pub fn histogram_svg(
    title: &str,
    members: &[f64],
    non_members: &[f64],
    top: f64,
    size: (u32, u32),
) -> String {
    let mut svg = String::new();
    if let Err(e) = draw(&mut svg, title, members, non_members, top, size) {
        return format!("<p>chart error: {e}</p>");
    }
    svg
}

fn draw<'a>(
    svg: &'a mut String,
    title: &str,
    members: &[f64],
    non_members: &[f64],
    top: f64,
    size: (u32, u32),
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let (m, n) = (bin(members, top), bin(non_members, top));
    // Shares of each side, so that unequal sides compare.
    let share = |c: &[usize], total: usize| -> Vec<f64> {
        c.iter().map(|&x| x as f64 / total.max(1) as f64).collect()
    };
    let (m, n) = (share(&m, members.len()), share(&n, non_members.len()));
    let y_top = m.iter().chain(&n).fold(0.0f64, |a, &b| a.max(b)).max(0.05) * 1.15;
    let root = SVGBackend::with_string(svg, size).into_drawing_area();
    root.fill(&GROUND)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 13))
        .margin(6)
        .margin_right(14)
        .x_label_area_size(32)
        .y_label_area_size(44)
        .build_cartesian_2d(0f64..top, 0f64..y_top)?;
    chart
        .configure_mesh()
        .x_desc("loss (cross-entropy, nats)")
        .y_desc("share of points")
        .light_line_style(GRID)
        .label_style(("sans-serif", 11))
        .draw()?;
    let width = top / BINS as f64;
    for (values, color, name, count) in [
        (&m, MEMBERS, "forget set (members)", members.len()),
        (
            &n,
            NON_MEMBERS,
            "test partners (non-members)",
            non_members.len(),
        ),
    ] {
        chart
            .draw_series(values.iter().enumerate().map(|(b, &v)| {
                Rectangle::new(
                    [(b as f64 * width, 0.0), ((b + 1) as f64 * width, v)],
                    color.mix(0.45).filled(),
                )
            }))?
            .label(format!("{name}, {count}"))
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.mix(0.45).filled())
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
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

    /* Source: closed form: 20 bins over [0, 2] are 0.1 wide; 2.5 is past the top and goes in the last bin. */
    #[test]
    fn binning_is_by_equal_widths_with_the_overflow_in_the_last_bin() {
        let counts = bin(&[0.05, 0.15, 0.15, 1.95, 2.5, f64::NAN], 2.0);
        assert_eq!((counts[0], counts[1], counts[19]), (1, 2, 2));
        assert_eq!(counts.iter().sum::<usize>(), 5);
    }

    #[test]
    fn the_histogram_names_both_sides_and_the_axes() {
        let svg = histogram_svg("finetune", &[0.1, 0.2], &[1.0, 1.5, 2.0], 2.0, (320, 220));
        for text in [
            "finetune",
            "forget set (members), 2",
            "test partners (non-members), 3",
            "loss (cross-entropy, nats)",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
    }
}
