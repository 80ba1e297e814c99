//! Where a chart's legend goes: the corner its data leaves emptiest, so that the legend does not hide points.

use plotters::prelude::SeriesLabelPosition;

/// Share of each axis a corner box spans (the legend covers about this much of a plot).
const BOX: f64 = 0.4;

/// The corner (upper right, upper left, lower right, lower left, in that order of preference on ties) whose
/// `BOX × BOX` box holds the fewest of `points`, on axes spanning `x` and `y`.
pub fn emptiest_corner(
    points: impl Iterator<Item = (f64, f64)>,
    x: (f64, f64),
    y: (f64, f64),
) -> SeriesLabelPosition {
    let (w, h) = (
        (x.1 - x.0).max(f64::MIN_POSITIVE),
        (y.1 - y.0).max(f64::MIN_POSITIVE),
    );
    // Counts for upper right, upper left, lower right, lower left.
    let mut counts = [0usize; 4];
    for (px, py) in points {
        let (u, v) = ((px - x.0) / w, (py - y.0) / h);
        if !(u.is_finite() && v.is_finite()) {
            continue;
        }
        let (right, left) = (u >= 1.0 - BOX, u <= BOX);
        let (top, bottom) = (v >= 1.0 - BOX, v <= BOX);
        counts[0] += usize::from(right && top);
        counts[1] += usize::from(left && top);
        counts[2] += usize::from(right && bottom);
        counts[3] += usize::from(left && bottom);
    }
    let best = (0..4).min_by_key(|&i| (counts[i], i)).unwrap_or(0);
    [
        SeriesLabelPosition::UpperRight,
        SeriesLabelPosition::UpperLeft,
        SeriesLabelPosition::LowerRight,
        SeriesLabelPosition::LowerLeft,
    ][best]
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(p: SeriesLabelPosition) -> &'static str {
        match p {
            SeriesLabelPosition::UpperRight => "upper right",
            SeriesLabelPosition::UpperLeft => "upper left",
            SeriesLabelPosition::LowerRight => "lower right",
            SeriesLabelPosition::LowerLeft => "lower left",
            _ => "other",
        }
    }

    /* Source: the definition. A rising accuracy curve fills the upper right and lower left; the two moons leave
    the upper left and lower right emptier; with no points the preferred upper right wins. */
    #[test]
    fn the_legend_goes_where_the_data_is_not() {
        let rising = (0..=10).map(|i| (i as f64, i as f64 * 10.0));
        assert_eq!(
            name(emptiest_corner(rising, (0.0, 10.0), (0.0, 100.0))),
            "upper left"
        );
        let top_right = [(9.0, 9.0), (8.0, 9.5), (1.0, 9.0)].into_iter();
        assert_eq!(
            name(emptiest_corner(top_right, (0.0, 10.0), (0.0, 10.0))),
            "lower right"
        );
        assert_eq!(
            name(emptiest_corner(std::iter::empty(), (0.0, 1.0), (0.0, 1.0))),
            "upper right"
        );
        let saturated = (1..=10).map(|i| (i as f64, 95.0 + i as f64 * 0.3));
        assert_eq!(
            name(emptiest_corner(saturated, (0.0, 10.0), (0.0, 100.0))),
            "lower right"
        );
    }
}
