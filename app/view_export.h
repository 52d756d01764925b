// view_export.h - what the convolution and pooling views hand to a teacher:
// "save as lesson" (Ctrl+S) writes a .lesson file that sets up what the
// window shows (input or test digit, kernels, biases, padding, stride,
// dilation, the animation's place), ready for captions; "PyTorch script"
// (Ctrl+P) writes pytorch_script.h's script of the view's operation. The
// window puts the files in its screenshot folder and the script on the
// clipboard; nothing here knows SDL.
#ifndef APP_VIEW_EXPORT_H
#define APP_VIEW_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"

typedef enum view_export_kind { VIEW_EXPORT_LESSON, VIEW_EXPORT_PYTORCH } view_export_kind;

// True if the view on screen can be exported (the convolution or pooling
// view with a set-up the engine accepts); else false with the reason in why.
bool view_export_possible(const app_state *s, char *why, size_t whysize);

// The lesson text for the view on screen (malloc'd, the caller frees it);
// `stamp` (may be NULL) goes into its first comment ("saved ... on STAMP").
// NULL with the reason in err when the view cannot be written as a lesson
// (not conv or pool, or an input too large for a lesson's line).
char *view_export_lesson_text(const app_state *s, const char *stamp, char *err, size_t errsize);

// Writes the export of kind `kind` into folder dir (made if missing) under a
// name no file there has yet (convstep-lesson-1.lesson, convstep-conv-1.py
// ...), atomically. msg gets the sentence for the status line ("lesson
// saved to PATH: add 'say' captions ..." or why it failed). With text not
// NULL, *text receives the file's contents (malloc'd; for the clipboard).
bool view_export_to_dir(const app_state *s, view_export_kind kind, const char *dir, char *path,
                        size_t pathsize, char **text, char *msg, size_t msgsize);

#endif
