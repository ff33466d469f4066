//! The archive-scale benchmark of issue 6, as a library so that a smoke test in the normal test
//! build runs the same code as `cargo run --release -p cable-bench` (see BENCHMARKS.md):
//!
//! - parse throughput on the real corpus, one thread and every core ([`parse`]);
//! - ingest of generated cables ([`corpus`]) against the ceiling, tantivy alone on the same
//!   documents ([`ingest`]);
//! - the query mix ([`mix`]) as the search page runs it, as the owner and under access control
//!   ([`query`]);
//! - the same cables and queries in SQLite FTS5 and PostgreSQL ([`peers`]);
//! - the server under load from `wrk` on loopback, and a paced soak ([`load`]).

pub mod corpus;
pub mod ingest;
pub mod load;
pub mod measure;
pub mod mix;
pub mod parse;
pub mod peer_docs;
pub mod peers;
pub mod query;
pub mod report;
pub mod run;
