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
static inline mmask_t deft_button1_pressed(void) { return BUTTON1_PRESSED | BUTTON1_CLICKED; }
static inline mmask_t deft_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t deft_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t deft_button5_pressed(void) { return BUTTON5_PRESSED; }
static inline mmask_t deft_report_position(void) { return REPORT_MOUSE_POSITION; }
static inline int deft_key_f0(void) { return KEY_F0; }
static inline attr_t deft_a_bold(void) { return A_BOLD; }
static inline attr_t deft_a_dim(void) { return A_DIM; }
static inline attr_t deft_a_underline(void) { return A_UNDERLINE; }
static inline attr_t deft_a_reverse(void) { return A_REVERSE; }
static inline int deft_rgb_flag(void) { return tigetflag((char *)"RGB"); }
// newterm with the process's stdout and stdin (globals Swift 6 will not read directly).
static inline SCREEN *deft_newterm(const char *type) { return newterm(type, stdout, stdin); }
