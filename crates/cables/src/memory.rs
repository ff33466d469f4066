//! The allocator and its one setting. Shared by the two binaries that run ingests, `cables` and
//! `cable-bench` (which takes this file by path), so that the benchmark's ingest runs with the
//! allocator `cables ingest` has.

// The parser and indexer allocate many small strings, which mimalloc serves faster.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`: its place in mimalloc 3's `mi_option_e`, which
/// libmimalloc-sys does not name. The test below checks it against the option's default.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keep the memory the process frees for its own later allocations instead of handing it back
/// to the system a second after (mimalloc's default). A command runs and exits, so holding on
/// costs nothing past its peak, while giving back costs an ingest dearly: each document is built
/// on one thread and freed on tantivy's, and every page handed back and taken again is a fresh
/// page the kernel zeroes (an ingest of 250,000 cables took 194 s with the default, 147 s
/// without; BENCHMARKS.md, session 16). The server, which runs for long, keeps the default and
/// gives back what a burst took.
pub fn keep_freed_memory() {
    // SAFETY: mi_option_set only stores the value; every option may be set at any time.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_delay_is_the_option_it_names() {
        // SAFETY: reading an option.
        let get = || unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // mimalloc 3's default purge delay, in milliseconds: no neighbouring option has it.
            assert_eq!(get(), 1000, "option {PURGE_DELAY} is not the purge delay");
        }
        keep_freed_memory();
        assert_eq!(get(), -1);
    }
}
