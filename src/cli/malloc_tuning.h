#pragma once
// glibc's allocator settings for the long-running commands (serve, worker).
//
// Why: under saturated saves the server spends about a fifth of its time in glibc malloc and
// free. A save's batch allocates and frees many objects of the same few sizes on one thread,
// more than the per-thread cache keeps by default (7 per size), so most calls fall through to
// the shared arenas and their locks. With `glibc.malloc.tcache_count=200` the same runs gave
// 8.9k-9.1k saves/s against 7.0k (CPU per save 161-168 us against 207; bench/http, 2 cores,
// alternating). glibc reads its tunables only when a process starts, so the setting is made by
// running the same program again, once, with it added to GLIBC_TUNABLES.

namespace capconf::cli {

// Re-executes this program (same pid, arguments, descriptors and environment) with
// glibc.malloc.tcache_count=200 added to GLIBC_TUNABLES, unless that variable already names
// tcache_count (an operator's own choice, or this process after its re-execution). Returns
// only when nothing needed doing or the re-execution failed (the defaults then stay). Call
// first thing in main, before any thread starts.
void UseServerMallocTunables(char** argv);

}  // namespace capconf::cli
