//! `GET /api/export`: every cable a query matches, streamed, uncapped, in constant memory.
//!
//! The archive's [`Matches`](cable_archive::Matches) iterator runs on a blocking thread and
//! writes into a small bounded channel (a few 64 KiB chunks); the response body reads from it.
//! A slow client therefore slows the export down instead of filling memory, and a client that
//! goes away stops it (the next send fails). The query is parsed and translated before the
//! response starts, so a bad one is a plain 400; a failure half-way can only cut the stream
//! (the status is sent), which the client sees as a truncated body, and the log says why.

use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use cable_archive::{Matches, CSV_COLUMNS};
use tokio::sync::mpsc;

use crate::api::{parse_query, query_error, ApiQuery};
use crate::api_schema::{ErrorBody, ExportFormatParam, ExportParams};
use crate::{ApiError, AppState, Reader};

/// Bytes gathered before a chunk goes to the client.
const CHUNK: usize = 64 * 1024;
/// Chunks waiting for the client at most: the export's memory bound.
const CHANNEL: usize = 4;

type Chunk = Result<Vec<u8>, std::io::Error>;

/// Export every matching cable.
///
/// Every cable the query matches (no cap), streamed in archive order: JSON lines (the parse,
/// `version` and the original `text`, one object a line) or CSV (a header row, then one row a
/// cable; lists joined with `; `). `X-Total-Count` says how many cables the stream holds.
#[utoipa::path(
    get,
    path = "/api/export",
    tag = "search",
    params(ExportParams),
    responses(
        (status = 200, description = "The matching cables, streamed as an attachment",
            content(
                (String = "application/x-ndjson"),
                (String = "text/csv; charset=utf-8"),
            ),
            headers(
                ("content-disposition" = String, description = "`attachment; filename=\"cables.jsonl\"` (or `.csv`)"),
                ("x-total-count" = u64, description = "How many cables the export holds"),
            )
        ),
        (status = 400, description = "A malformed query (`bad-query`, with its `position`) or format (`bad-request`)", body = ErrorBody),
        (status = 503, description = "The request took too long to start (`timeout`)", body = ErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ErrorBody),
    )
)]
pub(crate) async fn export(
    State(state): State<AppState>,
    reader: Reader,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    let query = parse_query(&p.q)?;
    let matches = state
        .read(&reader, "export", &p.q, move |a, v| {
            a.matches(&query, v).map_err(query_error)
        })
        .await?;
    let total = matches.total();
    let format = p.format;
    let (tx, rx) = mpsc::channel::<Chunk>(CHANNEL);
    tokio::task::spawn_blocking(move || write_export(matches, format, tx));

    let (content_type, file) = match format {
        ExportFormatParam::Jsonl => ("application/x-ndjson", "cables.jsonl"),
        ExportFormatParam::Csv => ("text/csv; charset=utf-8", "cables.csv"),
    };
    let mut resp = Body::from_stream(ChannelStream(rx)).into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        HeaderName::from_static("x-total-count"),
        HeaderValue::from(total),
    );
    Ok(resp)
}

/// Write every match to the channel, in chunks; stops when the client has gone.
fn write_export(matches: Matches, format: ExportFormatParam, tx: mpsc::Sender<Chunk>) {
    let mut out = ChunkWriter {
        buf: Vec::with_capacity(CHUNK),
        tx: tx.clone(),
    };
    let result = match format {
        ExportFormatParam::Jsonl => write_jsonl(matches, &mut out),
        ExportFormatParam::Csv => write_csv(matches, &mut out),
    };
    let result = result.and_then(|()| out.flush().map_err(ExportError::Io));
    match result {
        Ok(()) => {}
        Err(e) if e.client_gone() => {
            tracing::debug!("export stopped: the client went away");
        }
        Err(e) => {
            tracing::error!(error = %e, "export failed half-way; the stream is cut");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error("archive: {0}")]
    Archive(#[from] cable_archive::ArchiveError),
    #[error("writing: {0}")]
    Io(#[from] std::io::Error),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
}

impl ExportError {
    /// The send failed because the response body was dropped.
    fn client_gone(&self) -> bool {
        let io = match self {
            ExportError::Io(e) => Some(e),
            ExportError::Csv(e) => match e.kind() {
                csv::ErrorKind::Io(e) => Some(e),
                _ => None,
            },
            ExportError::Archive(_) => None,
        };
        io.is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

fn write_jsonl(matches: Matches, out: &mut ChunkWriter) -> Result<(), ExportError> {
    for rec in matches {
        let line = cable_archive::jsonl_line(rec?)?;
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn write_csv(matches: Matches, out: &mut ChunkWriter) -> Result<(), ExportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS)?;
    for rec in matches {
        w.write_record(cable_archive::csv_row(&rec?))?;
    }
    w.flush()?;
    Ok(())
}

/// Gathers bytes and sends them to the channel a chunk at a time (blocking while it is full).
struct ChunkWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<Chunk>,
}

impl ChunkWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// The receiving end of the channel as a body stream.
struct ChannelStream(mpsc::Receiver<Chunk>);

impl futures_core::Stream for ChannelStream {
    type Item = Chunk;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Chunk>> {
        self.0.poll_recv(cx)
    }
}
