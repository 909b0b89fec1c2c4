//! The table of contents every written page gets (see [`add_toc`]).

use std::fmt::Write as _;

use super::esc;

const TOC_BEGIN: &str = "<!-- backsim:toc -->";
const TOC_END: &str = "<!-- /backsim:toc -->";

/// The page with a table of contents (after the `<h1>`) listing every `<h2>` in order, its
/// link the heading's `id` or, for a heading without one, the `id` of the `<section>` it
/// opens. Any earlier table of contents is replaced, so sections added later (sweep,
/// sensitivity, trace) are listed too: call this last on any page that is written.
pub fn add_toc(page: &str) -> String {
    let mut page = page.to_string();
    if let (Some(a), Some(b)) = (page.find(TOC_BEGIN), page.find(TOC_END)) {
        let b = b + TOC_END.len();
        let b = if page[b..].starts_with('\n') {
            b + 1
        } else {
            b
        };
        page.replace_range(a..b, "");
    }
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut used_section: Option<usize> = None;
    let mut at = 0;
    while let Some(off) = page[at..].find("<h2") {
        let pos = at + off;
        // The nearest <section id="…"> before this heading, if no heading used it yet.
        let mut section_id = None;
        if let Some(s) = page[..pos].rfind("<section id=\"") {
            let start = s + "<section id=\"".len();
            if let Some(e) = page[start..].find('"') {
                if used_section != Some(s) {
                    section_id = Some((s, page[start..start + e].to_string()));
                }
            }
        }
        let Some(close) = page[pos..].find('>') else {
            break;
        };
        let tag = &page[pos..pos + close];
        let Some(end) = page[pos..].find("</h2>") else {
            break;
        };
        let inner = &page[pos + close + 1..pos + end];
        let own = tag.find("id=\"").and_then(|i| {
            tag[i + 4..]
                .find('"')
                .map(|e| tag[i + 4..i + 4 + e].to_string())
        });
        let id = match own {
            Some(id) => Some(id),
            None => section_id.map(|(s, id)| {
                used_section = Some(s);
                id
            }),
        };
        if let Some(id) = id {
            entries.push((id, strip_tags(inner)));
        }
        at = pos + end + 5;
    }
    if entries.is_empty() {
        return page;
    }
    let mut nav = format!("{TOC_BEGIN}\n<nav class=\"toc\"><b>Contents</b><ol>");
    for (id, text) in &entries {
        let _ = write!(nav, "<li><a href=\"#{}\">{}</a></li>", esc(id), text);
    }
    nav.push_str("</ol></nav>\n");
    nav.push_str(TOC_END);
    nav.push('\n');
    // After the command line when there is one, else after the title.
    let insert = page
        .find("</h1>")
        .map(|h1| {
            let after_h1 = h1 + "</h1>".len();
            let next_h2 = page[after_h1..].find("<h2").map(|x| after_h1 + x);
            let cmd = page[after_h1..]
                .find("</pre>")
                .map(|x| after_h1 + x + "</pre>".len());
            match (cmd, next_h2) {
                (Some(c), Some(n)) if c < n => c,
                _ => after_h1,
            }
        })
        .unwrap_or(0);
    let insert = if page[insert..].starts_with('\n') {
        insert + 1
    } else {
        insert
    };
    page.insert_str(insert, &nav);
    page
}

/// Text of an HTML fragment without its tags (entities kept as they are).
fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}
