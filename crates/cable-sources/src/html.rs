//! Original cablegate.wikileaks.org cable pages: the cable text from the `<code><pre>` blocks
//! and the container's own metadata from the page's `cable` table.
//!
//! The text is rebuilt exactly as `../shared/corpus/README.md` describes, so a page and its
//! corpus `.txt` give the same bytes: `&#x000A;` becomes a newline, `<a ...>`/`</a>` tags go and
//! their text stays (linked TAGS, `¶` paragraph anchors), entities are decoded, and the heading
//! and text blocks are joined by a blank line. Any other markup inside the blocks (`<br>`,
//! `<strong>`, a stray `</td></tr></table>`) was on the page and is kept.

use crate::{RawCable, Source, SourceError};

/// Read one Cablegate page (already decoded to text).
pub(crate) fn read(page: &str, path: &str) -> Result<RawCable, SourceError> {
    let blocks: Vec<String> = code_pre_blocks(page).map(clean_block).collect();
    let text = match blocks.as_slice() {
        [] => {
            return Err(SourceError::NotACable {
                path: path.to_owned(),
                reason: "a Cablegate-style page without <code><pre> blocks (an index or \
                         article page?)"
                    .into(),
            })
        }
        // A partial extract: the heading is missing and the one block is the text.
        [body] => format!("{body}\n"),
        // More than two blocks has not been seen; keep every block rather than drop text.
        [header, body @ ..] => format!("{header}\n\n{}\n", body.join("\n\n")),
    };
    let meta = metadata_table(page);
    let value = |name: &str| {
        meta.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.clone())
            .filter(|value| !value.is_empty())
    };
    Ok(RawCable {
        text,
        source: Source {
            path: path.to_owned(),
            row: None,
            offset: None,
            container: "cablegate-html".into(),
        },
        container_id: value("Reference ID"),
        container_date: value("Created").map(|date| crate::cables_csv::normalise_date(&date)),
        container_classification: value("Classification"),
        container_origin: value("Origin"),
        container_references: Vec::new(),
    })
}

/// The raw contents of each `<code><pre>` block, in page order.
fn code_pre_blocks(page: &str) -> impl Iterator<Item = &str> {
    let mut rest = page;
    std::iter::from_fn(move || loop {
        let code = rest.find("<code")?;
        rest = &rest[code + "<code".len()..];
        // `<code>` or `<code attr=...>`, not `<codex>`.
        if !rest.starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            continue;
        }
        rest = &rest[rest.find('>')? + 1..];
        let after_ws = rest.trim_start();
        let Some(pre) = after_ws.strip_prefix("<pre") else {
            continue;
        };
        if !pre.starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            continue;
        }
        let content = &pre[pre.find('>')? + 1..];
        let end = content.find("</pre>").unwrap_or(content.len());
        rest = &content[end..];
        return Some(&content[..end]);
    })
}

/// `&#x000A;` to newline, drop `<a ...>` and `</a>` keeping their text, decode entities.
fn clean_block(block: &str) -> String {
    let block = block.replace("&#x000A;", "\n");
    let mut out = String::with_capacity(block.len());
    let mut rest = block.as_str();
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tag = &rest[lt..];
        let is_anchor = tag.starts_with("</a>")
            || (tag.starts_with("<a")
                && tag[2..].starts_with(|c: char| c == '>' || c.is_ascii_whitespace()));
        match tag.find('>') {
            Some(gt) if is_anchor => rest = &tag[gt + 1..],
            _ => {
                out.push('<');
                rest = &tag[1..];
            }
        }
    }
    out.push_str(rest);
    html_escape::decode_html_entities(&out).into_owned()
}

/// The `(heading, value)` pairs of the page's `<table class='cable'>`.
fn metadata_table(page: &str) -> Vec<(String, String)> {
    let Some(start) = ["<table class='cable'>", "<table class=\"cable\">"]
        .iter()
        .filter_map(|marker| page.find(marker))
        .min()
    else {
        return Vec::new();
    };
    let table = &page[start..];
    let table = &table[..table.find("</table>").unwrap_or(table.len())];
    let headings = cells(table, "th");
    let values = cells(table, "td");
    headings.into_iter().zip(values).collect()
}

/// The text of each `<tag>...</tag>` cell: inner tags stripped, entities decoded, trimmed.
fn cells(table: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = table;
    while let Some(i) = rest.find(&open) {
        let cell = &rest[i + open.len()..];
        if !cell.starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            rest = cell;
            continue;
        }
        let Some(gt) = cell.find('>') else { break };
        let cell = &cell[gt + 1..];
        let end = cell.find(&close).unwrap_or(cell.len());
        out.push(html_escape::decode_html_entities(strip_tags(&cell[..end]).trim()).into_owned());
        rest = &cell[end..];
    }
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(blocks: &[&str]) -> String {
        let mut page = String::from(
            "<?xml version='1.0' encoding='utf-8' ?>\n<html><head><title>Cable Viewer</title></head><body>\n\
             <table class='cable'>\n<tr>\n<th>Reference ID</th>\n<th>Created</th>\n<th>Released</th>\n\
             <th>Classification</th>\n<th>Origin</th>\n</tr>\n<tr>\n\
             <td>\n<a href='/cable/2009/01/09XYZ1.html'>09XYZ1</a>\n</td>\n\
             <td>\n<a href='/date/2009-01_0.html'>2009-01-02 03:03</a>\n</td>\n\
             <td>\n<a href='/reldate/2010-12-08_0.html'>2010-12-08 21:09</a>\n</td>\n\
             <td>\n<a href='/classification/1_0.html' title='x'>SECRET//NOFORN</a>\n</td>\n\
             <td>\n<a href='/origin/1_0.html'>Embassy A &amp; B</a>\n</td>\n</tr>\n</table>\n",
        );
        for block in blocks {
            page.push_str(&format!("<code><pre>{block}</pre></code>\n"));
        }
        page.push_str("</body></html>\n");
        page
    }

    #[test]
    fn two_blocks_with_anchors_and_entities() {
        let html = page(&[
            "VZCZCXYZ0000&#x000A;PP RUEHWEB&#x000A;&#x000A;DE RUEHXX #0001",
            "S E C R E T XYZ 000001 &#x000A;TAGS: <a href='/tag/PREL_0.html'>PREL</a> <a href='/tag/XX_0.html'>XX</a>&#x000A;&#x000A;\
             <a id='par1' href='#par1'>¶</a>1. (S) Caf&eacute; &#8220;Q&#8221; &lt;b&gt; 5 &gt; 3<br>&#x000A;NAME",
        ]);
        let cable = read(&html, "p.html").unwrap();
        assert_eq!(
            cable.text,
            "VZCZCXYZ0000\nPP RUEHWEB\n\nDE RUEHXX #0001\n\n\
             S E C R E T XYZ 000001 \nTAGS: PREL XX\n\n¶1. (S) Café “Q” <b> 5 > 3<br>\nNAME\n"
        );
        assert_eq!(cable.source.container, "cablegate-html");
        assert_eq!(cable.source.path, "p.html");
        assert_eq!(cable.container_id.as_deref(), Some("09XYZ1"));
        assert_eq!(cable.container_date.as_deref(), Some("2009-01-02 03:03"));
        assert_eq!(
            cable.container_classification.as_deref(),
            Some("SECRET//NOFORN")
        );
        assert_eq!(cable.container_origin.as_deref(), Some("Embassy A & B"));
    }

    #[test]
    fn one_block_is_the_body() {
        let html = page(&["C O N F I D E N T I A L X 000002&#x000A;&#x000A;1. Text"]);
        assert_eq!(
            read(&html, "p").unwrap().text,
            "C O N F I D E N T I A L X 000002\n\n1. Text\n"
        );
    }

    #[test]
    fn no_block_is_not_a_cable() {
        let err = read(&page(&[]), "index.html").unwrap_err();
        assert!(matches!(err, SourceError::NotACable { ref path, .. } if path == "index.html"));
    }

    #[test]
    fn anchor_removal_keeps_other_tags() {
        assert_eq!(
            clean_block("<a>x</a> <abbr>y</abbr> <a\thref=1>z</a> <strong>w</strong> a < b"),
            "x <abbr>y</abbr> z <strong>w</strong> a < b"
        );
        assert_eq!(clean_block("unclosed <a href="), "unclosed <a href=");
    }

    #[test]
    fn missing_table_gives_no_metadata() {
        let html = "<html><body><code><pre>A</pre></code><code><pre>B</pre></code></body></html>";
        let cable = read(html, "p").unwrap();
        assert_eq!(cable.text, "A\n\nB\n");
        assert_eq!(cable.container_id, None);
        assert_eq!(cable.container_date, None);
    }

    #[test]
    fn unterminated_pre_takes_the_rest() {
        let html = "<html><code><pre>A&#x000A;B";
        assert_eq!(read(html, "p").unwrap().text, "A\nB\n");
    }
}
