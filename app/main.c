// main.c - the convstep program: hands the command line to the CLI and makes
// sure a failed write (a closed pipe, a full disk) is an error, not a signal.
#include <signal.h>
#include <stdio.h>

#include "cli.h"
#include "image_load.h"
#include "window.h"

int main(int argc, char **argv) {
    // `convstep conv ... | head` must end with an exit status, never SIGPIPE.
    signal(SIGPIPE, SIG_IGN);
    // What the SDL-free commands need of SDL: pictures read, views run.
    static const cli_frontend frontend = {.load_image = app_image_load, .run_view = app_run_view};
    int code = cli_main(argc, argv, &frontend, stdout, stderr);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        // The reader went away or the disk is full: say so if anyone listens.
        fprintf(stderr, "convstep: error: writing the output failed\n");
        if (code == CLI_EXIT_OK) code = CLI_EXIT_RUNTIME;
    }
    return code;
}
