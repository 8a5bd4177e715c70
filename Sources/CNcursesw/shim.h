#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <ncursesw/curses.h>

// Global C state is rejected by Swift 6 strict concurrency: read it through getters.
static inline WINDOW *deft_stdscr(void) { return stdscr; }
static inline int deft_lines(void) { return LINES; }
static inline int deft_cols(void) { return COLS; }
static inline int deft_colors(void) { return COLORS; }
static inline int deft_color_pairs(void) { return COLOR_PAIRS; }
static inline mmask_t deft_all_mouse_events(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
