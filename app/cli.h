// cli.h - `convstep COMMAND ...`: the dispatcher and the subcommands it runs,
// free of SDL so tests can run them in-process. What the subcommands share
// (the error line, exit codes, option parsers) is in cli_common.h.
#ifndef APP_CLI_H
#define APP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli_common.h"
#include "state.h"

struct app_gray_image;
// Reads a picture into grey values (the program passes SDL2_image's; tests may
// pass their own).
typedef bool (*cli_image_loader)(const char *path, struct app_gray_image *out, char *err,
                                 size_t errsize);

// What a view runner is asked to do, besides showing the state's view.
typedef struct view_run_options {
    bool headless;
    int width, height;        // window or surface size (default 1280x720)
    int steps;                // headless: cells to step forward before the screenshot
    double play_seconds;      // headless: then play for this long on a fake 60 Hz clock
    const char *screenshot;   // headless: PNG of the last frame
    const char *frames_dir;   // headless: one PNG per step (frame-0000.png is the start)
    const char *gif;          // headless: the frames --frames writes (a lesson: one a beat) as an animated GIF
    double gif_fps;           // its frames a second (gif_export.h: GIF_EXPORT_FPS_MIN to _MAX)
    int bench_frames;         // draw this many frames and print median and p99 ms
    int train_steps;          // headless: train the view's model this many steps first (repeatable)
    double seconds;           // headless: let training run this long in its thread first
    const char *strokes;      // headless: pen strokes for the canvas, "x,y x,y; x,y ..." (0..111)
    const char *drop;         // headless: a picture file, as if dropped onto the window
    bool open_unit;           // headless: open the selected unit of the network view (--open)
    const struct app_dataset *train, *test;  // for live training (may be NULL)
    const char *lesson;       // a lesson file to play (headless: every beat, with its checks)
    const char *export_dir;   // headless lesson: one PNG per beat, slide-01.png ... (for slides)
    double soak_seconds;      // headless: train and draw at 60 Hz this long, printing memory use
    // headless: every element the last frame drew, as JSON (render_record.h);
    // with a lesson, a folder of one file per beat, step-01.json ...
    const char *layout_json;
} view_run_options;

// Runs the state's view in the window or headless (the program passes
// window.c's app_run_view); returns an exit status.
typedef int (*cli_view_runner)(app_state *s, const view_run_options *o, FILE *out, FILE *err);

// What the SDL-free commands need from the program's front-end. A member
// left NULL (or no front-end at all) makes the command that needs it fail
// cleanly: classify cannot read pictures, view and lesson have no window.
typedef struct cli_frontend {
    cli_image_loader load_image;
    cli_view_runner run_view;
} cli_frontend;

// Runs `convstep ARGS...` (argv[0] is the program name) with the front-end fe
// (may be NULL). Writes results to out and "convstep: error: ..." messages to
// err; returns the exit code.
int cli_main(int argc, char **argv, const cli_frontend *fe, FILE *out, FILE *err);

// The subcommands; argv holds the options after the subcommand's name.
int cmd_conv(int argc, char **argv, FILE *out, FILE *err);
// Transposed convolution (cmd_convt.c): PyTorch's ConvTranspose2d, stamp by stamp.
int cmd_convt(int argc, char **argv, FILE *out, FILE *err);
int cmd_pool(int argc, char **argv, FILE *out, FILE *err);
int cmd_summary(int argc, char **argv, FILE *out, FILE *err);
int cmd_train(int argc, char **argv, FILE *out, FILE *err);
int cmd_classify(int argc, char **argv, const cli_frontend *fe, FILE *out, FILE *err);
// These two run views: through fe->run_view.
int cmd_view(int argc, char **argv, const cli_frontend *fe, FILE *out, FILE *err);
int cmd_lesson(int argc, char **argv, const cli_frontend *fe, FILE *out, FILE *err);

struct parsed_args;
// What `convstep view` asks for once its options are read (`convstep lesson`
// asks with one too).
typedef struct view_command {
    app_view view;
    view_run_options run;  // the size, headless and its outputs, the lesson to play
    int zoom;              // percent
    bool colorblind, show_keys;
    // The view's own settings as given: --input, --kernel ... (conv and pool
    // views), --digit, --model, --arch. NULL: none.
    const struct parsed_args *settings;
} view_command;

// Runs a view_command: checks what its options need of one another, sets the
// state up and runs the view through fe->run_view; returns the exit code.
int cmd_view_run(const view_command *c, const cli_frontend *fe, FILE *out, FILE *err);

// Reads --gif FILE and --fps N (whole frames a second, default_fps when not
// given) of `convstep view` or `convstep lesson` into o; false with the
// message in err (--fps out of range, or without --gif).
bool view_gif_options(const struct parsed_args *a, double default_fps, view_run_options *o, char *err, size_t errsize);

// Reads --window WxH (320x240 to 7680x4320); false with the message in err.
bool view_window_size(const char *text, int *w, int *h, char *err, size_t errsize);

#endif
