//! Hand-made SVG charts: horizontal bar charts and a heatmap. Plain markup, no script; every
//! text is escaped. Charts hold only labels and counts, never an identifier.

use std::fmt::Write;

/// Escapes text for HTML and SVG (element content and quoted attributes).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `1234567` → `1,234,567`: how counts are shown in the text and HTML reports.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// One bar: label, value, and whether to draw it as a warning (e.g. over the SIM limit).
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: u64,
    pub(crate) alert: bool,
}

impl Bar {
    pub(crate) fn new(label: impl Into<String>, value: u64) -> Self {
        Bar {
            label: label.into(),
            value,
            alert: false,
        }
    }
}

const WIDTH: u32 = 540;
const LABEL_W: u32 = 150;
const VALUE_W: u32 = 90;
const ROW: u32 = 24;
const TOP: u32 = 30;

/// A horizontal bar chart with a title, one row per bar, the value written after each bar.
pub(crate) fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let height = TOP + ROW * bars.len().max(1) as u32 + 8;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let span = WIDTH - LABEL_W - VALUE_W;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="{id}" class="chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{t}"><title>{t}</title><text class="title" x="0" y="18">{t}</text>"#,
        id = escape(id),
        t = escape(title),
    );
    if bars.is_empty() {
        let _ = write!(
            s,
            r#"<text class="label" x="0" y="{}">nothing to show</text>"#,
            TOP + 16
        );
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + ROW * i as u32;
        let w = ((bar.value as f64 / max as f64) * f64::from(span)).round() as u32;
        let w = if bar.value > 0 { w.max(3) } else { 0 };
        let class = if bar.alert { "bar alert" } else { "bar" };
        let _ = write!(
            s,
            r#"<text class="label" x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect class="{class}" x="{LABEL_W}" y="{ry}" width="{w}" height="{h}"><title>{label}: {v}</title></rect><text class="value" x="{vx}" y="{ty}">{v}</text>"#,
            lx = LABEL_W - 8,
            ty = y + 16,
            ry = y + 4,
            h = ROW - 6,
            vx = LABEL_W + w + 6,
            label = escape(&bar.label),
            v = thousands(bar.value),
        );
    }
    s.push_str("</svg>");
    s
}

/// A square heatmap: `cells[row][col]` in percent (0–100), rows and columns labelled.
pub(crate) fn heatmap(id: &str, title: &str, labels: &[String], cells: &[Vec<f64>]) -> String {
    let n = labels.len() as u32;
    let cell = 56;
    let left = 170;
    let top = 40;
    let width = left + cell * n + 10;
    let height = top + cell * n + 10;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="{id}" class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{t}"><title>{t}</title><text class="title" x="0" y="18">{t}</text>"#,
        id = escape(id),
        t = escape(title),
    );
    for (j, label) in labels.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text class="label" x="{x}" y="{y}" text-anchor="middle">#{k}</text><title>{l}</title>"#,
            x = left + cell * j as u32 + cell / 2,
            y = top - 6,
            k = j + 1,
            l = escape(label),
        );
    }
    for (i, row) in cells.iter().enumerate() {
        let y = top + cell * i as u32;
        let short = labels.get(i).map(String::as_str).unwrap_or("");
        let _ = write!(
            s,
            r#"<text class="label" x="{x}" y="{ty}" text-anchor="end">#{k} {l}</text>"#,
            x = left - 6,
            ty = y + cell / 2 + 4,
            k = i + 1,
            l = escape(&shorten(short, 20)),
        );
        for (j, &pct) in row.iter().enumerate() {
            let x = left + cell * j as u32;
            let pct = pct.clamp(0.0, 100.0);
            // White (0%) to dark blue (100%).
            let t = pct / 100.0;
            let (r, g, b) = (lerp(247, 8, t), lerp(251, 69, t), lerp(255, 148, t));
            let text = if t > 0.55 { "#ffffff" } else { "#111111" };
            let _ = write!(
                s,
                r##"<rect class="cell" x="{x}" y="{y}" width="{cell}" height="{cell}" fill="rgb({r},{g},{b})" stroke="#ffffff"><title>#{a} in #{c}: {pct:.1}%</title></rect><text x="{tx}" y="{ty}" text-anchor="middle" fill="{text}" class="cellv">{pct:.0}%</text>"##,
                a = i + 1,
                c = j + 1,
                tx = x + cell / 2,
                ty = y + cell / 2 + 4,
            );
        }
    }
    s.push_str("</svg>");
    s
}

fn lerp(a: u8, b: u8, t: f64) -> u8 {
    (f64::from(a) + (f64::from(b) - f64::from(a)) * t)
        .round()
        .clamp(0.0, 255.0) as u8
}

/// The last `max` characters of a name (the file name matters more than its directory).
fn shorten(name: &str, max: usize) -> String {
    let count = name.chars().count();
    if count <= max {
        return name.to_string();
    }
    let tail: String = name.chars().skip(count - (max - 1)).collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_formats() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(100), "100");
        assert_eq!(shorten("abcdef", 4), "…def");
    }

    #[test]
    fn charts_escape_labels_and_scale_bars() {
        let svg = bar_chart("c<1>", "T&T", &[Bar::new("<b>", 10), Bar::new("z", 5)]);
        assert!(svg.starts_with(r#"<svg id="c&lt;1&gt;""#));
        assert!(svg.contains("T&amp;T") && svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains(r#"width="300""#) && svg.contains(r#"width="150""#));
        let heat = heatmap(
            "h",
            "H",
            &["a".into(), "b".into()],
            &[vec![100.0, 50.0], vec![0.0, 100.0]],
        );
        assert_eq!(heat.matches("<rect").count(), 4);
        assert!(heat.contains("rgb(8,69,148)") && heat.contains("50%"));
    }
}
