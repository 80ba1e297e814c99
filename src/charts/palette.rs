//! Colours for classes and series (Tableau 10, readable on light and dark backgrounds).

use plotters::style::RGBColor;

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
