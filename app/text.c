// text.c - UTF-8, control characters, line ends and escaping for untrusted text.
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t text_utf8_next(const char *s, size_t n, unsigned *cp) {
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0) return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    size_t len;
    unsigned min;
    if (u[0] >= 0xC2 && u[0] <= 0xDF) len = 2, min = 0x80, *cp = u[0] & 0x1Fu;
    else if (u[0] >= 0xE0 && u[0] <= 0xEF) len = 3, min = 0x800, *cp = u[0] & 0x0Fu;
    else if (u[0] >= 0xF0 && u[0] <= 0xF4) len = 4, min = 0x10000, *cp = u[0] & 0x07u;
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) return 0;
        *cp = *cp << 6 | (u[i] & 0x3Fu);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
    return len;
}

bool text_is_control(unsigned cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

const char *text_skip_bom(const char *text) {
    const unsigned char *u = (const unsigned char *)text;
    return u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF ? text + 3 : text;
}

char *text_unify_line_ends(const char *text) {
    const size_t n = strlen(text);
    char *out = malloc(n + 1);
    if (!out) return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\r') {
            out[j++] = '\n';
            if (text[i + 1] == '\n') i++;
        } else {
            out[j++] = text[i];
        }
    }
    out[j] = '\0';
    return out;
}

void text_escape_in_place(char *buf, size_t size) {
    char *copy = malloc(size);
    if (!copy) return;
    text_escape(buf, strlen(buf), copy, size);
    memcpy(buf, copy, strlen(copy) + 1);
    free(copy);
}

bool text_find_control(const char *s, size_t n, size_t *at) {
    for (size_t i = 0; i < n;) {
        unsigned cp;
        const size_t len = text_utf8_next(s + i, n - i, &cp);
        if (len == 0 || (text_is_control(cp) && cp != '\t')) {
            *at = i;
            return true;
        }
        i += len;
    }
    return false;
}

char *text_escape(const char *s, size_t n, char *buf, size_t size) {
    if (size == 0) return buf;
    const unsigned char *u = (const unsigned char *)s;
    size_t j = 0;
    for (size_t i = 0; i < n && u[i];) {
        unsigned cp = 0;
        size_t len = text_utf8_next(s + i, n - i, &cp);
        char piece[16];
        size_t plen;
        if (len == 0 || text_is_control(cp)) {
            if (len == 0) len = 1;
            if (u[i] == '\t') snprintf(piece, sizeof piece, "\\t");
            else if (u[i] == '\n') snprintf(piece, sizeof piece, "\\n");
            else if (u[i] == '\r') snprintf(piece, sizeof piece, "\\r");
            else if (len == 2) snprintf(piece, sizeof piece, "\\x%02X\\x%02X", u[i], u[i + 1]);  // C1
            else snprintf(piece, sizeof piece, "\\x%02X", u[i]);
            plen = strlen(piece);
        } else {
            memcpy(piece, s + i, len);
            plen = len;
        }
        if (j + plen + 1 > size) break;  // never cut a character or an escape in half
        memcpy(buf + j, piece, plen);
        j += plen;
        i += len;
    }
    buf[j] = '\0';
    return buf;
}
