//! Colours for classes and series (Tableau 10, readable on light and dark backgrounds).

use plotters::style::RGBColor;

/// The plotting ground. The dark theme repaints it: `www/style.css` matches the SVG's `fill="#FFFFFF"`.
pub const GROUND: RGBColor = RGBColor(255, 255, 255);
/// Legend marks and borders (`#3C3C3C`, repainted in the dark theme). Text and axes are plotters' black (`#000000`).
pub const INK: RGBColor = RGBColor(60, 60, 60);
/// Light grid lines (`#EBEBEB`, repainted in the dark theme).
pub const GRID: RGBColor = RGBColor(235, 235, 235);

/// One colour per class, cycling after ten.
pub const CLASS_COLORS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of class `c`.
pub fn class_color(c: usize) -> RGBColor {
    CLASS_COLORS[c % CLASS_COLORS.len()]
}

#[cfg(test)]
mod tests {
    use crate::charts::lines::{Axes, Series, line_svg};

    /* Source: www/style.css, whose dark theme repaints these literal attribute values. If plotters changed how it
    writes colours, the dark theme would silently keep a white ground: this fails first. */
    #[test]
    fn the_svg_carries_the_colours_the_dark_theme_repaints() {
        let axes = Axes {
            title: "t",
            x_desc: "x",
            y_desc: "y",
            x_max: 2.0,
            y_range: Some((0.0, 1.0)),
        };
        let series = [Series {
            name: "s".into(),
            points: vec![(0.0, 0.2), (2.0, 0.8)],
            color: super::class_color(0),
        }];
        let svg = line_svg(&axes, &series, (300, 200));
        let css = include_str!("../../www/style.css");
        for attr in [
            r##"fill="#FFFFFF""##,
            r##"fill="#000000""##,
            r##"stroke="#000000""##,
            r##"stroke="#3C3C3C""##,
            r##"stroke="#EBEBEB""##,
        ] {
            assert!(svg.contains(attr), "the chart has no {attr}");
            assert!(
                css.contains(&format!("[{attr}]")),
                "style.css does not repaint {attr}"
            );
        }
    }
}
