// cmd_lesson.c - `convstep lesson FILE`: plays a lesson in the window, or
// headless: every beat, a transcript, every expectation checked (exit 1 if
// one fails or the file does not parse), PNGs for slides.
#include <string.h>

#include "args.h"
#include "cli.h"
#include "cli_common.h"
#include "dataset.h"
#include "format.h"
#include "keys.h"
#include "lesson.h"
#include "state.h"
#include "text.h"

static const arg_spec lesson_args_[] = {
    {"headless", false, false}, {"frames", true, false}, {"export", true, false},
    {"screenshot", true, false}, {"window", true, false}, {"check", false, false},
    {"layout-json", true, false}, {"zoom", true, false}, {"help", false, false}, {"gif", true, false},
    {"fps", true, false},         {NULL, false, false},
};

static const char lesson_help_[] =
    "usage: convstep lesson [--] FILE [--headless] [--export DIR] [--frames DIR] [--screenshot F]\n"
    "                            [--window WxH] [--zoom PERCENT] [--layout-json DIR] [--check]\n"
    "                            [--gif FILE [--fps N]]\n"
    "\n"
    "Plays a lesson (lessons/*.lesson; lessons/README.md explains how to write one).\n";

// After the keys (from the lesson's key table, keys.c).
static const char lesson_options_[] =
    "\n"
    "  --headless     play every step without a display, print a transcript and check\n"
    "                 every 'expect' and quiz answer; exit 1 if one fails\n"
    "  --export DIR   headless: one PNG per step, slide-01.png ... (for slides)\n"
    "  --frames DIR   headless: the same as frame-0000.png ...\n"
    "  --screenshot F headless: the last step as PNG\n"
    "  --gif FILE     headless: an animated GIF, one frame a step (the slides of --export),\n"
    "                 looping forever; at most 2000 steps of at most 4096x4096\n"
    "  --fps N        the GIF's beats a second, 0.1 to 50 (default 0.25: 4 s a beat)\n"
    "  --layout-json DIR headless: what each step drew (texts, cells, buttons, regions) as\n"
    "                 JSON, step-01.json ... (for the layout checks)\n"
    "  --window WxH   the picture size (default 1280x720)\n"
    "  --zoom PERCENT the text and grid size, 50 to 300 (default 100), as Ctrl +/- set it\n"
    "  --check        only parse the file and report its errors (no digits, no display)\n";

int cmd_lesson(int argc, char **argv, const cli_frontend *fe, FILE *out, FILE *errf) {
    char err[800];
    parsed_args a;
    if (!args_parse(lesson_args_, argc, argv, 1, &a, "lesson", err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    const char *file = a.n_positional ? a.positional[0] : NULL;
    if (args_has(&a, "help")) {
        char keys[400];
        keys_lesson_line(keys, sizeof keys);
        fprintf(out, "%sIn the window (Esc first stops a lesson's training):\n  %s\n%s", lesson_help_, keys,
                lesson_options_);
        return 0;
    }
    if (!file) return cli_fail(errf, "convstep lesson needs a lesson file (see convstep lesson --help)", 1);
    lesson l;
    if (!lesson_load(&l, file, err, sizeof err)) return cli_fail(errf, err, CLI_EXIT_USAGE);
    if (args_has(&a, "check")) {
        // The parser refuses control characters in lessons; the file name may hold any.
        char shown_file[600], shown_title[700];
        text_escape(file, strlen(file), shown_file, sizeof shown_file);
        text_escape(l.title, strlen(l.title), shown_title, sizeof shown_title);
        fprintf(out, "%s: '%s', %d commands, well formed\n", shown_file, shown_title, l.n);
        lesson_free(&l);
        return 0;
    }
    lesson_free(&l);
    // The rest is `convstep view home` with the lesson to play.
    view_command c = {.view = VIEW_HOME, .zoom = 100,
                      .run = {.width = 1280, .height = 720, .headless = args_has(&a, "headless"), .lesson = file,
                              .screenshot = args_get(&a, "screenshot"), .frames_dir = args_get(&a, "frames"),
                              .export_dir = args_get(&a, "export"), .layout_json = args_get(&a, "layout-json")}};
    if (!view_gif_options(&a, 0.25, &c.run, err, sizeof err)) return cli_fail(errf, err, 1);
    if (!c.run.headless && (c.run.export_dir || c.run.frames_dir || c.run.screenshot || c.run.layout_json || c.run.gif))
        return cli_fail(errf, "--export, --frames, --screenshot, --gif and --layout-json go with --headless", 1);
    const char *v = args_get(&a, "window");
    if (v && !view_window_size(v, &c.run.width, &c.run.height, err, sizeof err)) return cli_fail(errf, err, 1);
    if ((v = args_get(&a, "zoom")) && !args_int(v, "--zoom", 50, 300, &c.zoom, err, sizeof err))
        return cli_fail(errf, err, 1);
    return cmd_view_run(&c, fe, out, errf);
}
