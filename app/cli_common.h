// cli_common.h - what the subcommands share: exit codes, the one-line error
// message, and the parsers of option values that several commands take.
// Exit codes: 0 ok, 1 bad input or usage (or an --expect that differs),
// 2 a runtime failure (out of memory, a write that failed); always < 128.
#ifndef APP_CLI_COMMON_H
#define APP_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "outsize.h"
#include "tensor.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_USAGE = 1, CLI_EXIT_RUNTIME = 2 };

// Prints "convstep: error: <msg>" to err, its control characters escaped
// (text_escape), and returns code.
int cli_fail(FILE *err, const char *msg, int code);

// Parses "valid", "same" or a number of padding cells (conv and the views).
bool cli_parse_padding(const char *text, nn_padding *pad, char *err, size_t errsize);

// False with a message if a result is too large for a float (inf or nan),
// naming the first such cell; `per` names a map ("filter", "channel").
bool cli_check_finite(const float *v, int c, int h, int w, const char *per, char *err,
                      size_t errsize);

// Parses "HxWxC" (or "HxW" for one channel) into a (C, H, W) shape.
bool cli_parse_hwc(const char *text, nn_shape *shape, char *err, size_t errsize);

#endif
