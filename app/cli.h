// cli.h - `convstep COMMAND ...`: the dispatcher and the subcommands it runs,
// free of SDL so tests can run them in-process. What the subcommands share
// (the error line, exit codes, option parsers) is in cli_common.h.
#ifndef APP_CLI_H
#define APP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli_common.h"

// Runs `convstep ARGS...` (argv[0] is the program name). Writes results to
// out and "convstep: error: ..." messages to err; returns the exit code.
int cli_main(int argc, char **argv, FILE *out, FILE *err);

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
