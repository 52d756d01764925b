// text.h - untrusted text: the text files convstep reads (lessons, matrix
// files) and the names and messages it prints. One UTF-8 decoder, one rule
// for what a terminal must never receive raw, one escaper.
#ifndef APP_TEXT_H
#define APP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

// The longest line, in bytes without its line end, of every text file
// convstep reads: lessons and matrix files alike (lessons/README.md says so).
#define TEXT_MAX_LINE 4096

// The length (1 to 4) of the valid UTF-8 sequence at s (at most n bytes) and
// its code point in *cp, or 0 if there is none there (a stray continuation
// byte, 0xC0, 0xC1, 0xF5-0xFF, an overlong form, a surrogate, past U+10FFFF,
// or a sequence cut short).
size_t text_utf8_next(const char *s, size_t n, unsigned *cp);

// True for the code points a terminal may act on: C0, DEL, and C1
// (U+0080..U+009F, which some terminals read as escape sequences).
bool text_is_control(unsigned cp);

// Skips a UTF-8 byte order mark at the start of a file's text.
const char *text_skip_bom(const char *text);

// A malloc'd copy of text with every line end ("\r\n", a lone "\r" as old Macs
// write, "\n") turned into "\n", so the parsers see one kind; NULL if out of memory.
char *text_unify_line_ends(const char *text);

// Copies at most n bytes of s into buf (always NUL-terminated) so that it can
// be shown on a terminal: control characters (C0, DEL, C1) and bytes that are
// not UTF-8 become \xHH (or \t, \n, \r), so lesson or file text can never
// send escape sequences. Valid UTF-8 is kept as it is; an escape or a
// character is never cut in two. Escaping the result again changes nothing.
// Returns buf.
char *text_escape(const char *s, size_t n, char *buf, size_t size);

// text_escape of buf over itself (buf holds size bytes), for a message that
// quotes untrusted text and goes on to the screen or the terminal.
void text_escape_in_place(char *buf, size_t size);

// True if [s, s+n) holds a control character (other than tab) or a byte that
// is not UTF-8; *at is then its offset.
bool text_find_control(const char *s, size_t n, size_t *at);

#endif
