#pragma once
#include <fcgiapp.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <signal.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <poll.h>
#include <errno.h>
#ifndef _GNU_SOURCE
int accept4(int, struct sockaddr *, socklen_t *, int);
#endif

/* Variadic or macro-based C APIs do not import into Swift; these wrappers do. */

/** Ask the kernel to send `sig` to this process when its parent dies. */
static inline int tmfcgi_set_parent_death_signal(int sig) { return prctl(PR_SET_PDEATHSIG, sig); }

/** Install `handler` for `sig` without SA_RESTART, so blocking calls return EINTR. */
static inline int tmfcgi_install_interrupting_handler(int sig, void (*handler)(int)) {
    struct sigaction sa = {0};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    return sigaction(sig, &sa, 0);
}

/** Reset `sig` to its default disposition. */
static inline int tmfcgi_default_signal(int sig) {
    struct sigaction sa = {0};
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, 0);
}

/** Ignore `sig` (used for SIGPIPE: a peer closing early must not kill a worker). */
static inline int tmfcgi_ignore_signal(int sig) {
    struct sigaction sa = {0};
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, 0);
}

static inline int tmfcgi_fcntl_getfl(int fd) { return fcntl(fd, F_GETFL); }
static inline int tmfcgi_fcntl_setfl(int fd, int flags) { return fcntl(fd, F_SETFL, flags); }
static inline int tmfcgi_fcntl_getfd(int fd) { return fcntl(fd, F_GETFD); }
static inline int tmfcgi_fcntl_setfd(int fd, int flags) { return fcntl(fd, F_SETFD, flags); }
static inline int tmfcgi_dup_cloexec_above(int fd, int minimum) { return fcntl(fd, F_DUPFD_CLOEXEC, minimum); }
/** accept4 with SOCK_CLOEXEC (needs _GNU_SOURCE, which Swift does not define). */
static inline int tmfcgi_accept_cloexec(int fd) { return accept4(fd, 0, 0, SOCK_CLOEXEC); }
/** pipe with both ends close-on-exec (pipe2 needs _GNU_SOURCE). */
static inline int tmfcgi_pipe_cloexec(int fds[2]) {
    if (pipe(fds) != 0) return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

/* epoll without `struct epoll_event` in Swift (it is packed on x86_64): the event data is the fd. */

/** A close-on-exec epoll instance. */
static inline int tmfcgi_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }
/** Watches `fd` for input; with `oneshot`, one event disarms it until `tmfcgi_epoll_rearm`. */
static inline int tmfcgi_epoll_add(int epfd, int fd, int oneshot) {
    struct epoll_event event = {0};
    event.events = EPOLLIN | (oneshot ? EPOLLONESHOT : 0);
    event.data.fd = fd;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}
/** Re-arms a one-shot `fd` for the next input, adding it when it is not in the set yet
 *  (a connection served straight after its accept). */
static inline int tmfcgi_epoll_rearm(int epfd, int fd) {
    struct epoll_event event = {0};
    event.events = EPOLLIN | EPOLLONESHOT;
    event.data.fd = fd;
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &event) == 0) return 0;
    if (errno != ENOENT) return -1;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}
/** Waits for up to `max` events; writes their fds to `fds`. Returns the count, or -1 (errno). */
static inline int tmfcgi_epoll_wait(int epfd, int *fds, int max, int timeout) {
    struct epoll_event events[64];
    if (max > 64) max = 64;
    int count = epoll_wait(epfd, events, max, timeout);
    for (int i = 0; i < count; i++) fds[i] = events[i].data.fd;
    return count;
}
/** Whether `fd` has input (or EOF/error) pending right now, without waiting. */
static inline int tmfcgi_readable_now(int fd) {
    struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };
    return poll(&p, 1, 0) > 0;
}
