/* sig.c - the explorer's signal handling: self-pipe and crash handlers.
 * Layer: tui (no curses; calls term.h's async-signal-safe restore). License: MIT. */
#include "tui/sig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "tui/term.h"

static int pipe_fd[2] = {-1, -1};

static const int loop_signals[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGCONT};
static const unsigned loop_bits[] = {TS_SIG_WINCH, TS_SIG_INT, TS_SIG_TERM, TS_SIG_HUP, TS_SIG_CONT};
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define N_LOOP (sizeof loop_signals / sizeof loop_signals[0])
#define N_CRASH (sizeof crash_signals / sizeof crash_signals[0])
static struct sigaction old_loop[N_LOOP], old_crash[N_CRASH];
static bool installed;

static void on_loop_signal(int sig) {
    int saved = errno;
    unsigned char bit = 0;
    for (size_t i = 0; i < N_LOOP; i++)
        if (loop_signals[i] == sig) bit = (unsigned char)loop_bits[i];
    if (pipe_fd[1] >= 0) {
        ssize_t rc;
        do {
            rc = write(pipe_fd[1], &bit, 1);
        } while (rc < 0 && errno == EINTR);
    }
    errno = saved;
}

static void on_crash(int sig) {
    ts_term_emergency_restore();
    /* SA_RESETHAND restored the default action: die the way we would have. */
    raise(sig);
}

bool ts_sig_install(TsErr *err) {
    if (installed) return true;
    if (pipe(pipe_fd) != 0) {
        ts_err_set(err, "cannot create a pipe: %s", strerror(errno));
        return false;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(pipe_fd[i], F_SETFL, fcntl(pipe_fd[i], F_GETFL) | O_NONBLOCK);
        fcntl(pipe_fd[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_loop_signal;
    sa.sa_flags = 0; /* no SA_RESTART: poll() returns early */
    for (size_t i = 0; i < N_LOOP; i++) sigaction(loop_signals[i], &sa, &old_loop[i]);
    sa.sa_handler = on_crash;
    sa.sa_flags = (int)SA_RESETHAND | SA_NODEFER;
    for (size_t i = 0; i < N_CRASH; i++) sigaction(crash_signals[i], &sa, &old_crash[i]);
    installed = true;
    return true;
}

void ts_sig_uninstall(void) {
    if (!installed) return;
    for (size_t i = 0; i < N_LOOP; i++) sigaction(loop_signals[i], &old_loop[i], NULL);
    for (size_t i = 0; i < N_CRASH; i++) sigaction(crash_signals[i], &old_crash[i], NULL);
    close(pipe_fd[0]);
    close(pipe_fd[1]);
    pipe_fd[0] = pipe_fd[1] = -1;
    installed = false;
}

int ts_sig_fd(void) {
    return pipe_fd[0];
}

unsigned ts_sig_take(void) {
    unsigned bits = 0;
    unsigned char buf[64];
    for (;;) {
        ssize_t n = read(pipe_fd[0], buf, sizeof buf);
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; i++) bits |= buf[i];
    }
    return bits;
}
