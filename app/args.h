// args.h - command-line options: "--name value" or "--name=value", checked
// against each subcommand's table so a typo is an error, not ignored.
// Options and file arguments may come in any order, as with GNU tools; "--"
// ends the options (what follows is a file even if it starts with '-').
#ifndef APP_ARGS_H
#define APP_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define ARGS_MAX 256

// One option a subcommand accepts.
typedef struct arg_spec {
    const char *name;  // without the dashes: "input"
    bool takes_value;  // --name VALUE; else a flag
    bool repeatable;   // may be given more than once (e.g. --kernel per filter)
} arg_spec;

// The options found on a command line, in order.
typedef struct parsed_args {
    int count;
    const arg_spec *spec[ARGS_MAX];
    const char *value[ARGS_MAX];  // NULL for flags
    int n_positional;                  // arguments that are not options, in order
    const char *positional[ARGS_MAX];  // (file names, a view's name)
} parsed_args;

// Parses argv[0..argc) against specs (terminated by a NULL name). `cmd`
// names the subcommand in messages; `max_positional` is how many arguments
// that are not options it takes (0 for none). False with a message in err on
// an unknown option, a missing value, a repeat, or one argument too many.
bool args_parse(const arg_spec *specs, int argc, char **argv, int max_positional,
                parsed_args *out, const char *cmd, char *err, size_t errsize);

// The value of an option (the last one given), or NULL.
const char *args_get(const parsed_args *a, const char *name);
// True if a flag or option was given.
bool args_has(const parsed_args *a, const char *name);
// Every value of a repeatable option, in order; returns how many.
int args_get_all(const parsed_args *a, const char *name, const char **values, int max);

// Parses a whole number in [lo, hi] for option `what`; false with a message.
bool args_int(const char *text, const char *what, int lo, int hi, int *out, char *err,
              size_t errsize);

#endif
