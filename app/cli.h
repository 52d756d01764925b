// cli.h - the text subcommands (conv, pool, summary), free of SDL so tests can
// run them in-process. Exit codes: 0 ok, 1 bad input or usage (or an --expect
// that differs), 2 a runtime failure (out of memory, a write that failed).
#ifndef APP_CLI_H
#define APP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "outsize.h"
#include "tensor.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_USAGE = 1, CLI_EXIT_RUNTIME = 2 };

// Runs `convstep ARGS...` (argv[0] is the program name). Writes results to
// out and "convstep: error: ..." messages to err; returns the exit code.
int cli_main(int argc, char **argv, FILE *out, FILE *err);

// Prints "convstep: error: <msg>" to err, its control characters escaped
// (text_escape), and returns code.
int cli_fail(FILE *err, const char *msg, int code);

// Parses "valid", "same" or a number of padding cells (shared by conv and views).
bool cli_parse_padding(const char *text, nn_padding *pad, char *err, size_t errsize);

// False with a message if a result is too large for a float (inf or nan),
// naming the first such cell; `per` names a map ("filter", "channel").
bool cli_check_finite(const float *v, int c, int h, int w, const char *per, char *err,
                      size_t errsize);

// Parses "HxWxC" (or "HxW" for one channel) into a (C, H, W) shape.
bool cli_parse_hwc(const char *text, nn_shape *shape, char *err, size_t errsize);

struct app_gray_image;
// Reads a picture into grey values (the program passes SDL2_image's; tests may
// pass their own). classify fails cleanly when none was set.
typedef bool (*cli_image_loader)(const char *path, struct app_gray_image *out, char *err,
                                 size_t errsize);
void cli_set_image_loader(cli_image_loader fn);

struct app_state;
struct view_run_options;
// Runs a view (the program passes window.c's app_run_view).
typedef int (*cli_view_runner)(struct app_state *s, const struct view_run_options *o, FILE *out,
                               FILE *err);
void cli_set_view_runner(cli_view_runner fn);

// The subcommands; argv holds the options after the subcommand's name.
int cmd_conv(int argc, char **argv, FILE *out, FILE *err);
int cmd_pool(int argc, char **argv, FILE *out, FILE *err);
int cmd_summary(int argc, char **argv, FILE *out, FILE *err);
int cmd_train(int argc, char **argv, FILE *out, FILE *err);
int cmd_classify(int argc, char **argv, FILE *out, FILE *err);
int cmd_view(int argc, char **argv, FILE *out, FILE *err);
int cmd_lesson(int argc, char **argv, FILE *out, FILE *err);

#endif
