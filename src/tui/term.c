/* term.c - the terminal: curses set-up, colours, input, and the frame flush.
 * Layer: tui (the ONLY file in trajscope that includes curses). License: MIT. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include "tui/term.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include <ncursesw/curses.h>

#include "tui/framediff.h"

typedef struct Term {
    bool open;
    SCREEN *screen;
    FILE *out, *in;
    bool own_streams;
    int out_fd, in_fd;
    bool utf8;
    int colours;
    bool have_saved_tios;
    struct termios saved_tios;
    /* Written by ts_term_emergency_restore(): leave the alternate screen,
     * show the cursor, reset attributes, stop mouse reports. */
    char restore_seq[256];
    size_t restore_len;
    attr_t style_attr[TS_STYLE_COUNT];
    int style_pair[TS_STYLE_COUNT];
    TsCellBuf front;
    bool clear_next;
} Term;

static Term term;

static void append_cap(const char *cap) {
    char *s = tigetstr(cap);
    if (!s || s == (char *)-1) return;
    size_t len = strlen(s);
    if (term.restore_len + len < sizeof term.restore_seq) {
        memcpy(term.restore_seq + term.restore_len, s, len);
        term.restore_len += len;
    }
}

static void build_restore_seq(bool mouse) {
    term.restore_len = 0;
    append_cap("sgr0");
    append_cap("cnorm");
    append_cap("rmkx");
    append_cap("rmcup");
    if (mouse) {
        static const char off[] = "\033[?1000l\033[?1002l\033[?1006l";
        if (term.restore_len + sizeof off - 1 < sizeof term.restore_seq) {
            memcpy(term.restore_seq + term.restore_len, off, sizeof off - 1);
            term.restore_len += sizeof off - 1;
        }
    }
}

static void setup_screen(const TsTermOptions *opts) {
    set_term(term.screen);
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    leaveok(stdscr, TRUE);
    scrollok(stdscr, FALSE);
    curs_set(0);
    set_escdelay(25);
    term.colours = 0;
    if (has_colors() && start_color() == OK) {
        use_default_colors();
        term.colours = COLORS >= 0x1000000 ? 0x1000000 : COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : COLORS >= 8 ? 8 : 0;
    }
    if (opts && opts->mouse) {
        mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
        mouseinterval(0);
    }
    build_restore_seq(opts && opts->mouse);
    term.utf8 = opts ? opts->utf8 : false;
    ts_cellbuf_init(&term.front, COLS, LINES);
    ts_frame_invalidate(&term.front);
    for (int i = 0; i < TS_STYLE_COUNT; i++) {
        term.style_attr[i] = A_NORMAL;
        term.style_pair[i] = 0;
    }
    term.clear_next = true;
    term.open = true;
}

bool ts_term_open(const TsTermOptions *opts, TsErr *err) {
    if (term.open) return true;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        ts_err_set(err, "the explorer needs a terminal (stdin and stdout must be a tty)");
        return false;
    }
    term.have_saved_tios = tcgetattr(STDIN_FILENO, &term.saved_tios) == 0;
    term.out = stdout;
    term.in = stdin;
    term.own_streams = false;
    term.out_fd = STDOUT_FILENO;
    term.in_fd = STDIN_FILENO;
    term.screen = newterm(NULL, stdout, stdin);
    if (!term.screen) {
        const char *t = getenv("TERM");
        ts_err_set(err, "cannot start the terminal (TERM=%s unknown?)", t ? t : "(unset)");
        return false;
    }
    setup_screen(opts);
    return true;
}

bool ts_term_open_stream(FILE *out, FILE *in, const char *term_type, int w, int h,
                         const TsTermOptions *opts, TsErr *err) {
    if (term.open) {
        ts_err_set(err, "a terminal is already open");
        return false;
    }
    term.have_saved_tios = false;
    term.out = out;
    term.in = in;
    term.own_streams = false;
    term.out_fd = fileno(out);
    term.in_fd = fileno(in);
    term.screen = newterm(term_type, out, in);
    if (!term.screen) {
        ts_err_set(err, "cannot start curses for terminal type '%s'", term_type ? term_type : "(null)");
        return false;
    }
    setup_screen(opts);
    resizeterm(h, w);
    ts_cellbuf_resize(&term.front, COLS, LINES);
    ts_frame_invalidate(&term.front);
    return true;
}

void ts_term_close(void) {
    if (!term.open) return;
    term.open = false;
    mousemask(0, NULL);
    curs_set(1);
    endwin();
    fflush(term.out);
    delscreen(term.screen);
    term.screen = NULL;
    ts_cellbuf_fini(&term.front);
    if (term.have_saved_tios) tcsetattr(term.in_fd, TCSADRAIN, &term.saved_tios);
}

void ts_term_emergency_restore(void) {
    if (!term.open) return;
    term.open = false;
    if (term.restore_len) {
        ssize_t rc = write(term.out_fd, term.restore_seq, term.restore_len);
        (void)rc;
    }
    if (term.have_saved_tios) tcsetattr(term.in_fd, TCSANOW, &term.saved_tios);
}

bool ts_term_is_open(void) {
    return term.open;
}

int ts_term_input_fd(void) {
    return term.in_fd;
}

void ts_term_size(int *w, int *h) {
    *w = term.open ? COLS : 0;
    *h = term.open ? LINES : 0;
}

void ts_term_resize(int *w, int *h) {
    if (!term.open) {
        *w = *h = 0;
        return;
    }
    struct winsize ws;
    if (ioctl(term.out_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0 &&
        (ws.ws_col != COLS || ws.ws_row != LINES)) {
        resizeterm(ws.ws_row, ws.ws_col);
    }
    ts_cellbuf_resize(&term.front, COLS, LINES);
    ts_frame_invalidate(&term.front);
    term.clear_next = true;
    *w = COLS;
    *h = LINES;
}

int ts_term_colours(void) {
    return term.colours;
}

static attr_t attrs_of(unsigned a) {
    attr_t r = A_NORMAL;
    if (a & TS_ATTR_BOLD) r |= A_BOLD;
    if (a & TS_ATTR_DIM) r |= A_DIM;
    if (a & TS_ATTR_UNDERLINE) r |= A_UNDERLINE;
    if (a & TS_ATTR_REVERSE) r |= A_REVERSE;
    if (a & TS_ATTR_ITALIC) r |= A_ITALIC;
    return r;
}

void ts_term_set_theme(const TsTheme *theme) {
    if (!term.open) return;
    TsTermStyle st[TS_STYLE_COUNT];
    ts_theme_resolve(theme, term.colours, st);
    for (int i = 0; i < TS_STYLE_COUNT; i++) {
        term.style_attr[i] = attrs_of(st[i].attrs);
        term.style_pair[i] = 0;
        if (term.colours >= 8 && (st[i].fg >= 0 || st[i].bg >= 0) && i + 1 < COLOR_PAIRS) {
            if (init_extended_pair(i + 1, st[i].fg, st[i].bg) == OK) term.style_pair[i] = i + 1;
        }
    }
    ts_frame_invalidate(&term.front);
}

static void emit_cell(void *ctx, int x, int y, const TsCell *cell) {
    (void)ctx;
    unsigned id = cell->style & TS_STYLE_ID_MASK;
    if (id >= TS_STYLE_COUNT) id = TS_STYLE_DEFAULT;
    attr_t a = term.style_attr[id];
    if (cell->style & TS_STYLE_DIM) a |= A_DIM;
    if (cell->style & TS_STYLE_REVERSE) a |= A_REVERSE;
    if (cell->style & TS_STYLE_BOLD) a |= A_BOLD;
    int pair = term.style_pair[id];
    wchar_t wc[2] = {(wchar_t)cell->cp, 0};
    if (wc[0] < 0x20 || wc[0] == 0x7f || (wc[0] >= 0x80 && wc[0] < 0xa0)) wc[0] = '?';
    if (!term.utf8 && wc[0] >= 0x80) wc[0] = '?';
    cchar_t cc;
    setcchar(&cc, wc, a, 0, &pair);
    /* Writing the bottom-right cell returns ERR without scrolling; ignore. */
    mvwadd_wch(stdscr, y, x, &cc);
}

size_t ts_term_present(const TsCellBuf *frame) {
    if (!term.open) return 0;
    if (frame->w != COLS || frame->h != LINES) return 0; /* stale frame: the caller re-lays out */
    if (term.clear_next) {
        clearok(curscr, TRUE);
        ts_frame_invalidate(&term.front);
        term.clear_next = false;
    }
    size_t n = ts_frame_diff(&term.front, frame, emit_cell, NULL);
    if (n) wnoutrefresh(stdscr);
    doupdate();
    return n;
}

void ts_term_force_repaint(void) {
    term.clear_next = true;
}

static TsKey map_function_key(wint_t k) {
    switch (k) {
    case KEY_LEFT: return TS_KEY_LEFT;
    case KEY_RIGHT: return TS_KEY_RIGHT;
    case KEY_UP: return TS_KEY_UP;
    case KEY_DOWN: return TS_KEY_DOWN;
    case KEY_SLEFT: return TS_KEY_SLEFT;
    case KEY_SRIGHT: return TS_KEY_SRIGHT;
    case KEY_HOME: return TS_KEY_HOME;
    case KEY_END: return TS_KEY_END;
    case KEY_PPAGE: return TS_KEY_PAGEUP;
    case KEY_NPAGE: return TS_KEY_PAGEDOWN;
    case KEY_IC: return TS_KEY_INSERT;
    case KEY_DC: return TS_KEY_DELETE;
    case KEY_BTAB: return TS_KEY_BACKTAB;
    case KEY_BACKSPACE: return TS_KEY_BACKSPACE;
    case KEY_ENTER: return TS_KEY_ENTER;
    case KEY_RESIZE: return TS_KEY_RESIZE;
    case KEY_MOUSE: return TS_KEY_MOUSE;
    default: break;
    }
    if (k >= (wint_t)KEY_F(1) && k <= (wint_t)KEY_F(12)) return TS_KEY_F1 + (TsKey)(k - KEY_F(1));
    return TS_KEY_NONE;
}

bool ts_term_read_key(TsKeyEvent *ev) {
    if (!term.open) return false;
    for (;;) {
        wint_t wch;
        int rc = wget_wch(stdscr, &wch);
        if (rc == ERR) return false;
        memset(ev, 0, sizeof *ev);
        if (rc == KEY_CODE_YES) {
            ev->key = map_function_key(wch);
            if (ev->key == TS_KEY_NONE) continue; /* a key we do not know: skip it */
            if (ev->key == TS_KEY_MOUSE) {
                MEVENT me;
                if (getmouse(&me) != OK) continue;
                ev->x = me.x;
                ev->y = me.y;
                if (me.bstate & BUTTON1_PRESSED) ev->button = 1;
                else if (me.bstate & BUTTON4_PRESSED) ev->button = 4;
#ifdef BUTTON5_PRESSED
                else if (me.bstate & BUTTON5_PRESSED) ev->button = 5;
#endif
            }
            return true;
        }
        if (wch == '\n' || wch == '\r') ev->key = TS_KEY_ENTER;
        else if (wch == 8 || wch == 127) ev->key = TS_KEY_BACKSPACE;
        else ev->key = (TsKey)wch;
        return true;
    }
}
