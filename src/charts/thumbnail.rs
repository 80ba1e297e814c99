//! Image thumbnails: a square image (pixels row-major) as a small SVG, dark ink on a light ground.

use std::fmt::Write;

/// SVG of one `side`×`side` image drawn `size_px` pixels wide. Pixels are scaled by the image's own maximum.
pub fn thumbnail_svg(pixels: &[f32], side: usize, size_px: u32, label: &str) -> String {
    let max = pixels.iter().copied().fold(0f32, f32::max);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" width="{size_px}" height="{size_px}" role="img" aria-label="{}" shape-rendering="crispEdges"><rect width="{side}" height="{side}" class="thumb-ground"/>"#,
        escape(label)
    );
    for (i, &v) in pixels.iter().enumerate().take(side * side) {
        if max > 0.0 && v > 0.0 {
            let _ = write!(
                svg,
                r#"<rect x="{}" y="{}" width="1" height="1" class="thumb-ink" fill-opacity="{:.2}"/>"#,
                i % side,
                i / side,
                (v / max).clamp(0.0, 1.0)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rect_per_lit_pixel_plus_the_ground() {
        let svg = thumbnail_svg(&[0.0, 16.0, 8.0, 0.0], 2, 32, "digit \"1\"");
        assert_eq!(svg.matches("<rect").count(), 1 + 2);
        assert!(svg.contains(r#"fill-opacity="0.50""#));
        assert!(svg.contains("aria-label=\"digit &quot;1&quot;\""));
    }
}
