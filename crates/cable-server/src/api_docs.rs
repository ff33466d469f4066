//! `GET /api`: the API's documentation as one HTML page, rendered on the server from the OpenAPI
//! document (`openapi.rs`), so the page and the document cannot disagree. Endpoints, their
//! parameters and responses, and a `curl` line for each; no script, no other host, every value
//! HTML-escaped.

use std::fmt::Write;

use axum::http::header::HOST;
use axum::http::HeaderMap;
use axum::response::Html;
use serde_json::Value;

/// Escape text for HTML element content and quoted attribute values (`&<>"'`).
fn esc(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// Escape prose, then set its `code` spans (backquoted) in `<code>`.
fn prose(s: &str) -> String {
    let escaped = esc(s);
    let mut out = String::with_capacity(escaped.len());
    for (i, part) in escaped.split('`').enumerate() {
        // Odd parts sit between backquotes; an unpaired last one stays as written.
        let paired = i % 2 == 1 && escaped.matches('`').count() > i;
        if paired {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            if i % 2 == 1 {
                out.push('`');
            }
            out.push_str(part);
        }
    }
    out
}

/// Percent-encode a query value (everything but the unreserved characters).
fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A short name for a schema: its component name, its type, or `array of ...`.
fn schema_name(schema: &Value) -> String {
    if let Some(r) = schema["$ref"].as_str() {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(one) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        return one.iter().map(schema_name).collect::<Vec<_>>().join(" or ");
    }
    if let Some(values) = schema["enum"].as_array() {
        return values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(" | ");
    }
    let ty = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" | "),
        _ => String::from("any"),
    };
    if ty == "array" {
        return format!("array of {}", schema_name(&schema["items"]));
    }
    ty
}

/// A parameter's example, else its default, as text.
fn example(p: &Value) -> Option<String> {
    let v = if p["example"].is_null() {
        &p["schema"]["default"]
    } else {
        &p["example"]
    };
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        v => Some(v.to_string()),
    }
}

/// The `curl` line for an operation: path parameters and query parameters from their examples.
fn curl(base: &str, path: &str, params: &[Value]) -> String {
    let mut url = path.to_string();
    let mut query = Vec::new();
    for p in params {
        let name = p["name"].as_str().unwrap_or_default();
        let Some(ex) = example(p) else { continue };
        match p["in"].as_str() {
            Some("path") => url = url.replace(&format!("{{{name}}}"), &url_encode(&ex)),
            Some("query") if !p["example"].is_null() => {
                query.push(format!("{name}={}", url_encode(&ex)));
            }
            _ => {}
        }
    }
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    format!("curl '{base}{url}'")
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;\
padding:0 1rem;color:#222}h2{margin-top:2.5rem;border-bottom:1px solid #ccc}\
h3{font-family:monospace;font-size:1.1rem}.method{background:#2a6;color:#fff;padding:0 .4rem;\
border-radius:3px}table{border-collapse:collapse;width:100%;margin:.5rem 0}\
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}\
pre,code{font-family:monospace;background:#f4f4f4}pre{padding:.5rem;overflow-x:auto}";

/// Render the page for the document `doc`, with `curl` lines against `base`.
pub fn render(doc: &Value, base: &str) -> String {
    let mut h = String::new();
    let title = doc["info"]["title"].as_str().unwrap_or("API");
    let version = doc["info"]["version"].as_str().unwrap_or_default();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} API</title><style>{STYLE}</style></head><body>\n\
         <h1>{} API <small>{}</small></h1>\n",
        esc(title),
        esc(title),
        esc(version)
    );
    for para in doc["info"]["description"]
        .as_str()
        .unwrap_or_default()
        .split("\n\n")
    {
        let _ = writeln!(h, "<p>{}</p>", prose(para));
    }
    let _ = writeln!(
        h,
        "<p>The machine-readable description: <a href=\"/api/openapi.json\">/api/openapi.json</a> \
         (OpenAPI {}).</p>",
        esc(doc["openapi"].as_str().unwrap_or_default())
    );

    let empty = serde_json::Map::new();
    let paths = doc["paths"].as_object().unwrap_or(&empty);
    let mut ops = Vec::new();
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item[method].is_object() {
                ops.push((path.as_str(), method, &item[method]));
            }
        }
    }

    h.push_str("<h2>Endpoints</h2>\n<ul>\n");
    for (path, method, op) in &ops {
        let _ = writeln!(
            h,
            "<li><a href=\"#{}\"><code>{} {}</code></a> — {}</li>",
            esc(&anchor(method, path)),
            esc(&method.to_uppercase()),
            esc(path),
            esc(op["summary"].as_str().unwrap_or_default())
        );
    }
    h.push_str("</ul>\n");

    for (path, method, op) in &ops {
        let _ = writeln!(
            h,
            "<h2 id=\"{}\"><span class=\"method\">{}</span> <code>{}</code></h2>",
            esc(&anchor(method, path)),
            esc(&method.to_uppercase()),
            esc(path)
        );
        if let Some(s) = op["summary"].as_str() {
            let _ = writeln!(h, "<p><strong>{}</strong></p>", esc(s));
        }
        if let Some(d) = op["description"].as_str() {
            for para in d.split("\n\n") {
                let _ = writeln!(h, "<p>{}</p>", prose(para));
            }
        }
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        if !params.is_empty() {
            h.push_str(
                "<h3>Parameters</h3>\n<table><tr><th>name</th><th>in</th><th>type</th>\
                 <th>required</th><th>default</th><th>description</th></tr>\n",
            );
            for p in &params {
                let s = &p["schema"];
                let mut ty = schema_name(s);
                for (key, label) in [("minimum", "min"), ("maximum", "max")] {
                    if let Some(n) = s[key].as_f64() {
                        let _ = write!(ty, ", {label} {n}");
                    }
                }
                let default = match &s["default"] {
                    Value::Null => String::new(),
                    Value::String(d) => d.clone(),
                    d => d.to_string(),
                };
                let _ = writeln!(
                    h,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td>\
                     <td>{}</td><td>{}</td></tr>",
                    esc(p["name"].as_str().unwrap_or_default()),
                    esc(p["in"].as_str().unwrap_or_default()),
                    esc(&ty),
                    if p["required"].as_bool() == Some(true) {
                        "yes"
                    } else {
                        "no"
                    },
                    esc(&default),
                    prose(p["description"].as_str().unwrap_or_default())
                );
            }
            h.push_str("</table>\n");
        }
        h.push_str(
            "<h3>Responses</h3>\n<table><tr><th>status</th><th>description</th>\
             <th>content</th></tr>\n",
        );
        let responses = op["responses"].as_object().unwrap_or(&empty);
        for (status, r) in responses {
            let content = r["content"]
                .as_object()
                .map(|c| {
                    c.iter()
                        .map(|(ct, m)| format!("{ct}: {}", schema_name(&m["schema"])))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                esc(status),
                prose(r["description"].as_str().unwrap_or_default()),
                esc(&content)
            );
        }
        h.push_str("</table>\n<h3>Example</h3>\n");
        let _ = writeln!(h, "<pre>{}</pre>", esc(&curl(base, path, &params)));
    }

    h.push_str("<h2>Schemas</h2>\n<p>The response bodies, as JSON Schema in ");
    h.push_str("<a href=\"/api/openapi.json\">the document</a>'s <code>components</code>:</p>\n");
    h.push_str("<table><tr><th>schema</th><th>fields</th><th>description</th></tr>\n");
    let schemas = doc["components"]["schemas"].as_object().unwrap_or(&empty);
    for (name, s) in schemas {
        let fields = s["properties"]
            .as_object()
            .map(|p| {
                p.iter()
                    .map(|(k, v)| format!("{k}: {}", schema_name(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| schema_name(s));
        let _ = writeln!(
            h,
            "<tr><td id=\"schema-{}\"><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            esc(name),
            esc(name),
            esc(&fields),
            prose(s["description"].as_str().unwrap_or_default())
        );
    }
    h.push_str("</table>\n</body></html>\n");
    h
}

fn anchor(method: &str, path: &str) -> String {
    let mut a = String::from(method);
    for c in path.chars() {
        a.push(if c.is_ascii_alphanumeric() { c } else { '-' });
    }
    a
}

/// `GET /api`.
pub(crate) async fn page(headers: HeaderMap) -> Html<String> {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or("localhost:8080");
    let doc = serde_json::to_value(crate::openapi::document()).unwrap_or_default();
    Html(render(&doc, &format!("http://{host}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_escaped() {
        let doc = serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "<script>alert(1)</script>", "version": "1\"", "description": "a & b"},
            "paths": {"/api/x/{id}": {"get": {
                "summary": "<img src=x onerror=alert(1)>",
                "parameters": [{"name": "id", "in": "path", "required": true,
                    "schema": {"type": "string"}, "example": "'<b>"}],
                "responses": {"200": {"description": "<i>ok</i>"}}
            }}},
        });
        let html = render(&doc, "http://h'<x>");
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<i>ok"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn code_spans_are_set_after_escaping() {
        assert_eq!(prose("a `<b>` c"), "a <code>&lt;b&gt;</code> c");
        assert_eq!(prose("a `b` `c"), "a <code>b</code> `c");
        assert_eq!(prose("`x`"), "<code>x</code>");
    }

    #[test]
    fn curl_lines_use_the_examples() {
        let params = vec![
            serde_json::json!({"name": "id", "in": "path", "example": "09PARTO13"}),
            serde_json::json!({"name": "q", "in": "query", "example": "tag:PREL class>=C"}),
            serde_json::json!({"name": "limit", "in": "query", "schema": {"default": 20}}),
        ];
        assert_eq!(
            curl("http://h", "/api/x/{id}", &params),
            "curl 'http://h/api/x/09PARTO13?q=tag%3APREL%20class%3E%3DC'"
        );
    }
}
