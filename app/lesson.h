// lesson.h - scripted lessons: plain-text files a teacher writes, one command
// a line (lessons/README.md documents every command), parsed strictly: an
// unknown command, a bad value or a missing argument is an error naming
// file:line and what was expected.
#ifndef APP_LESSON_H
#define APP_LESSON_H

#include <stdbool.h>
#include <stddef.h>
#include "text.h"


// Limits of a lesson file, checked by the parser with file:line messages
// (lessons/README.md lists them). Lines are at most TEXT_MAX_LINE bytes.
#define LESSON_MAX_BYTES (256 * 1024)  // the whole file, checked before it is read
#define LESSON_MAX_LINES 10000         // lines, comments and blank lines included
#define LESSON_MAX_COMMANDS 1000       // commands (about 4.3 KB of memory each)
#define LESSON_MAX_TRAIN 2000          // train N: steps of 32 digits in one command
#define LESSON_MAX_STEPS 10000         // step N: cells the animation moves at once
#define LESSON_MAX_WAIT 600            // wait SECONDS
#define LESSON_TEXT (TEXT_MAX_LINE + 1)

typedef enum lesson_op {
    LOP_TITLE,      // title TEXT
    LOP_VIEW,       // view conv|pool|convt|train|templates|cnn|draw   a = app_view
    LOP_INPUT,      // input MATRIX                                    text
    LOP_KERNEL,     // kernel [filter F] MATRIX                        text, b = filter (from 0)
    LOP_BIAS,       // bias [filter F] NUMBER                          value, b = filter (from 0)
    LOP_FILTERS,    // filters N (the convolution view's, 1..4)        a
    LOP_PADDING,    // padding valid|same|P                            a = -1 valid, -2 same, else P
    LOP_STRIDE,     // stride S                                        a
    LOP_DILATION,   // dilation D                                      a
    LOP_FLIP,       // flip on|off: true convolution                   a: 1 on, 2 off
    LOP_OUT_PAD,    // output-padding A (the transposed convolution's) a
    LOP_SIZE,       // size F (pooling window)                         a
    LOP_PRESET,     // preset NAME (kernel presets)                    a = app_preset
    LOP_DIGIT,      // digit N [SIZE] (a real test digit as the input) a, b = input size
    LOP_MODEL,      // model softmax|small|lenet5                      a
    LOP_TRAIN,      // train N (steps of the view's model, repeatable) a
    LOP_STROKES,    // strokes x,y x,y; ... (draw on the canvas)       text
    LOP_CLEAR,      // clear (the drawing's canvas)
    LOP_CLASSIFIER, // classifier shipped|live (the drawing's model)   a = 1 for live
    LOP_SAY,        // say TEXT (*emphasis*)                           text
    LOP_STEP,       // step N | step to R C | step end                 a = N, or b,c with a = -1, or a = -2
    LOP_RESTART,    // restart
    LOP_HIGHLIGHT,  // highlight input|output|kernel R C [R C ...]      a = grid, cells in text
    LOP_POINT,      // point input|output|kernel R C (highlight with an arrow from the caption)  a = grid, cell in text
    LOP_WAIT,       // wait | wait SECONDS                             value (0: a key or click)
    LOP_QUIZ,       // quiz size|cell R C|winner R C|guess|params ARCH HxWxC QUESTION [answer X]   a = kind, b, c; text; answer
                    // quiz choice QUESTION | OPTION | OPTION [| ...] answer N   b = options; text "QUESTION | OPTION | ..."
                    // quiz predict accuracy QUESTION [answer higher|lower]     (the next 'train' answers it)
    LOP_SELECT,     // select LAYER MAP ROW COL | select LAYER UNIT     a = layer (0 the input), b = map or unit, c, value = col; text "unit" for a unit
    LOP_OPEN,       // open (the selected unit's arithmetic, the network view)
    LOP_SUMMARY,    // show summary | hide summary (the network view)    a = 1 show
    LOP_SCALE,      // scale map|layer (the network view's colours)    a = 1 one per layer
    LOP_RECIPE,     // recipe default | recipe [lr X] [shift P] [weight-decay W] [dropout P]   recipe
    LOP_KEEP_RUN,   // keep run [LABEL] (the training view keeps the curves to compare)  text
    LOP_GRAD_OUTPUT, // grad-output MATRIX (the backpropagation view's dL/dY)  text
    LOP_BACKWARD,   // backward on|off (the pooling view's backward mode)  a: 1 on, 2 off
    LOP_LR,         // lr X (the backpropagation view's learning rate)  value
    LOP_EXPECT,     // expect size RxC | cell R C V | max R C V | avg R C V | guess D | accuracy X | params ARCH HxWxC N
} lesson_op;

typedef enum lesson_check {
    CHECK_SIZE, CHECK_CELL, CHECK_MAX, CHECK_AVG, CHECK_GUESS, CHECK_ACCURACY, CHECK_PARAMS, CHECK_WINNER,
    CHECK_CHOICE, CHECK_PREDICT
} lesson_check;

typedef struct lesson_cmd {
    lesson_op op;
    int line;               // in the file, for messages
    int a, b, c;
    double value;
    char text[LESSON_TEXT];
    char answer[64];        // quiz: the teacher's answer, checked against the engine ("" for none)
    char arch[128];         // expect params, quiz params: the architecture
    char shape[32];         // quiz params: its input, HxWxC
    struct {                // recipe: how the dashboard's model trains from the next 'model'
        double lr, weight_decay, dropout;  // -1 (and shift -1): not named, the default
        int shift;
    } recipe;
} lesson_cmd;

#define LESSON_CHOICES_MAX 4  // a choice quiz's options

typedef struct lesson {
    char title[160];
    char source[512];       // the file it came from
    int n;
    lesson_cmd *cmds;
} lesson;

// Parses lesson text; `source` names it in messages. False with
// "source:line: problem (expected ...)" in err.
bool lesson_parse(lesson *out, const char *text, const char *source, char *err, size_t errsize);

// Reads and parses a lesson file.
bool lesson_load(lesson *out, const char *path, char *err, size_t errsize);

void lesson_free(lesson *l);

// Piece i of a choice quiz's text "QUESTION | OPTION | ...": 0 the question,
// 1.. the options, trimmed ("" past the last).
void lesson_choice_text(const char *text, int i, char *buf, size_t size);

// The options of a choice quiz (or a predict quiz's "higher", "lower") on one
// line, numbered as they are typed: "*1:* box blur · *2:* Sobel vertical".
// The narration uses it when it fits the width, one line an option otherwise.
void lesson_choice_line(const char *text, bool predict, char *buf, size_t size);

#endif
