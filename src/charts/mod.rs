//! Charts as SVG strings, drawn with plotters from plain data (no model types), so that they render the same
//! natively (tests) and in the page.

pub mod bars;
pub mod boundaries;
pub mod heatmap;
pub mod histogram;
pub mod legend;
pub mod lines;
pub mod palette;
pub mod scatter;
pub mod thumbnail;
pub mod tradeoff;
