#include "ccrashrecord.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char record_path[1024];
static char line_prefix[256];
static size_t prefix_length;
static struct sigaction previous[32];
static const int fatal_signals[] = {SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGSEGV, SIGBUS};

static __thread int64_t current_job;
static __thread int has_alternate_stack;

// Appends the decimal digits of `value` to `out` at `*at`.
static void put_number(char *out, size_t *at, int64_t value) {
    char digits[24];
    int n = 0;
    uint64_t magnitude = value < 0 ? (uint64_t)(-(value + 1)) + 1 : (uint64_t)value;
    if (value < 0) out[(*at)++] = '-';
    do {
        digits[n++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    while (n > 0) out[(*at)++] = digits[--n];
}

static void put_text(char *out, size_t *at, const char *text, size_t length) {
    memcpy(out + *at, text, length);
    *at += length;
}

static void on_fatal_signal(int signal_number, siginfo_t *info, void *context) {
    (void)context;
    int64_t job = current_job;
    if (job != 0) {
        char line[256 + 64];
        size_t at = 0;
        put_text(line, &at, line_prefix, prefix_length);
        put_text(line, &at, "job=", 4);
        put_number(line, &at, job);
        put_text(line, &at, " signal=", 8);
        put_number(line, &at, signal_number);
        line[at++] = '\n';
        int fd = open(record_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd >= 0) {
            ssize_t ignored = write(fd, line, at);
            (void)ignored;
            fsync(fd);
            close(fd);
        }
    }
    // What was there before (SIG_DFL, or the Swift runtime's backtracer) handles it now.
    sigaction(signal_number, &previous[signal_number], NULL);
    // A fault (si_code > 0) happens again when the handler returns; a sent signal (kill,
    // raise, abort) does not, so send it again (blocked until the handler returns).
    if (info == NULL || info->si_code <= 0) raise(signal_number);
}

int tm_crash_record_install(const char *path, const char *prefix) {
    if (strlen(path) >= sizeof record_path || strlen(prefix) >= sizeof line_prefix) return -1;
    strcpy(record_path, path);
    strcpy(line_prefix, prefix);
    prefix_length = strlen(prefix);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = on_fatal_signal;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        sigaction(fatal_signals[i], &action, &previous[fatal_signals[i]]);
    }
    return 0;
}

void tm_crash_record_enter(int64_t job_id) {
    if (!has_alternate_stack) {
        has_alternate_stack = 1;
        stack_t stack;
        stack.ss_size = 64 * 1024;
        stack.ss_sp = malloc(stack.ss_size);  // kept for the thread's life
        stack.ss_flags = 0;
        if (stack.ss_sp != NULL) sigaltstack(&stack, NULL);
    }
    current_job = job_id;
}

int64_t tm_crash_record_current(void) { return current_job; }
