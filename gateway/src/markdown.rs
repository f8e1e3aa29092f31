//! Markdown (the model card) to HTML, with any raw HTML in the source
//! escaped rather than passed through, and links limited to safe schemes.

use pulldown_cmark::{Event, Options, Parser, Tag, html};

/// Renders `markdown` to HTML that is safe to embed in a page.
pub fn to_safe_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: "#".into(),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            title,
            id,
            ..
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: "".into(),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with('#')
        || lower.starts_with('/')
        || !lower.contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped() {
        let html = to_safe_html("# Card\n\n<script>alert(1)</script>\n\nText <b>bold</b>");
        assert!(html.contains("<h1>Card</h1>"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn javascript_links_are_neutralised() {
        let html = to_safe_html("[x](javascript:alert(1)) [y](https://example.org)");
        assert!(!html.contains("javascript:"));
        assert!(html.contains("https://example.org"));
    }
}
