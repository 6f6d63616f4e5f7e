// The crash record of a `tm worker`: which job a thread was running when the process got a
// fatal signal (a Swift trap is SIGILL on x86_64 and SIGTRAP on arm64; SIGSEGV, SIGBUS,
// SIGFPE and SIGABRT too). The handler appends one preformatted line per crashing thread,
// `<prefix>job=<id> signal=<n>\n`, to a file with open/write/close only (async-signal-safe),
// then lets the signal take its course. Another worker reads the file once the process is gone.
#ifndef TM_CCRASHRECORD_H
#define TM_CCRASHRECORD_H
#include <stdint.h>

// Installs the handlers; `path` is the record file (created only on a crash) and `prefix`
// starts each line. Returns 0, or -1 when a path or prefix is too long.
int tm_crash_record_install(const char *path, const char *prefix);

// The calling thread now runs job `job_id` (0: none). Also gives the thread an alternate
// signal stack once, so a stack overflow (SIGSEGV on the guard page) is recorded too.
void tm_crash_record_enter(int64_t job_id);

// The job the calling thread runs (0: none).
int64_t tm_crash_record_current(void);
#endif
