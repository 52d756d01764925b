// draw.c - strokes on the canvas and their classification.
#include "draw.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "digit.h"

// Ink of a round pen of radius r along the segment (x0,y0)-(x1,y1): each
// pixel takes the larger of its ink and the pen's coverage (soft at the rim).
static void stamp_segment_(app_state *s, float x0, float y0, float x1, float y1) {
    const float r = (float)s->draw.brush;
    const int lo_x = (int)floorf(fminf(x0, x1) - r - 1), hi_x = (int)ceilf(fmaxf(x0, x1) + r + 1);
    const int lo_y = (int)floorf(fminf(y0, y1) - r - 1), hi_y = (int)ceilf(fmaxf(y0, y1) + r + 1);
    const float dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    for (int y = lo_y < 0 ? 0 : lo_y; y <= hi_y && y < DRAW_SIDE; y++)
        for (int x = lo_x < 0 ? 0 : lo_x; x <= hi_x && x < DRAW_SIDE; x++) {
            const float px = x + 0.5f, py = y + 0.5f;
            float t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            const float ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
            const float d = sqrtf(ex * ex + ey * ey);
            const float ink = d <= r - 0.5f ? 1.0f : d >= r + 0.5f ? 0.0f : r + 0.5f - d;
            if (ink > s->draw.canvas[y][x]) s->draw.canvas[y][x] = ink;
        }
}

// Draws every stroke again (after an undo).
static void repaint_(app_state *s) {
    memset(s->draw.canvas, 0, sizeof s->draw.canvas);
    for (int k = 0; k < s->draw.n_strokes; k++) {
        const int from = s->draw.stroke_start[k];
        const int to = k + 1 < s->draw.n_strokes ? s->draw.stroke_start[k + 1] : s->draw.n_points;
        for (int i = from; i < to; i++)
            stamp_segment_(s, s->draw.point_x[i > from ? i - 1 : i], s->draw.point_y[i > from ? i - 1 : i], s->draw.point_x[i],
                           s->draw.point_y[i]);
    }
}

static float clampf_(float v) { return v < 0 ? 0 : v > DRAW_SIDE - 1 ? DRAW_SIDE - 1 : v; }

void draw_pen_down(app_state *s, float x, float y) {
    if (s->draw.n_strokes == DRAW_MAX_STROKES || s->draw.n_points == DRAW_MAX_POINTS) {
        snprintf(s->draw.note, sizeof s->draw.note, "the canvas is full: clear it (C) or undo (U)");
        return;
    }
    x = clampf_(x);
    y = clampf_(y);
    s->draw.stroke_start[s->draw.n_strokes++] = s->draw.n_points;
    s->draw.point_x[s->draw.n_points] = x;
    s->draw.point_y[s->draw.n_points] = y;
    s->draw.n_points++;
    s->draw.pen_down = true;
    stamp_segment_(s, x, y, x, y);
}

void draw_pen_move(app_state *s, float x, float y) {
    if (!s->draw.pen_down || s->draw.n_points == 0 || s->draw.n_points == DRAW_MAX_POINTS) return;
    x = clampf_(x);
    y = clampf_(y);
    const float px = s->draw.point_x[s->draw.n_points - 1], py = s->draw.point_y[s->draw.n_points - 1];
    if (fabsf(x - px) + fabsf(y - py) < 0.5f) return;
    s->draw.point_x[s->draw.n_points] = x;
    s->draw.point_y[s->draw.n_points] = y;
    s->draw.n_points++;
    stamp_segment_(s, px, py, x, y);
    app_draw_classify(s);
}

void draw_pen_up(app_state *s) {
    s->draw.pen_down = false;
    app_draw_classify(s);
}

void draw_undo(app_state *s) {
    if (s->draw.n_strokes == 0) return;
    s->draw.n_points = s->draw.stroke_start[--s->draw.n_strokes];
    s->draw.pen_down = false;
    repaint_(s);
    app_draw_classify(s);
}

void draw_clear(app_state *s) {
    s->draw.n_points = s->draw.n_strokes = 0;
    s->draw.pen_down = false;
    memset(s->draw.canvas, 0, sizeof s->draw.canvas);
    app_draw_classify(s);
}

bool draw_strokes(app_state *s, const char *text, char *err, size_t errsize) {
    const char *p = text;
    while (*p) {
        bool first = true;
        while (*p == ' ') p++;
        while (*p && *p != ';') {
            char *end;
            const double x = strtod(p, &end);
            if (end == p || *end != ',' || !isfinite(x) || fabs(x) > 1e6) {
                snprintf(err, errsize, "strokes: expected x,y at '%.20s'", p);
                return false;
            }
            p = end + 1;
            const double y = strtod(p, &end);
            if (end == p || !isfinite(y) || fabs(y) > 1e6) {
                snprintf(err, errsize, "strokes: expected a y after the comma at '%.20s'", p);
                return false;
            }
            p = end;
            if (first)
                draw_pen_down(s, (float)x, (float)y);
            else
                draw_pen_move(s, (float)x, (float)y);
            first = false;
            while (*p == ' ') p++;
        }
        if (!first) draw_pen_up(s);
        if (*p == ';') p++;
    }
    return true;
}

void app_draw_classify(app_state *s) {
    s->draw.ready = false;
    nn_net *net = s->draw.live && s->host.live_net ? s->host.live_net : s->host.draw_net;
    if (s->draw.n_points == 0 && !s->draw.dropped) {
        snprintf(s->draw.note, sizeof s->draw.note, "draw a digit with the mouse");
        return;
    }
    if (!net) {
        // The reason the runner recorded (missing, unreadable, not a digit model).
        snprintf(s->draw.note, sizeof s->draw.note, "%s",
                 s->draw.live ? "there is no live model yet (train one first)"
                 : s->host.draw_why[0] ? s->host.draw_why : "no model to classify with");
        return;
    }
    app_gray_image img = {DRAW_SIDE, DRAW_SIDE, &s->draw.canvas[0][0]};
    app_digit_info info;
    char err[150];
    // A dropped picture was prepared from the file itself (runtime.c).
    if (!s->draw.dropped && !app_digit_prepare(&img, s->draw.input, &info, err, sizeof err)) {
        snprintf(s->draw.note, sizeof s->draw.note, "%s", err);
        return;
    }
    const int classes = nn_net_classes(net);
    const float *out = nn_net_forward(net, s->draw.input, 1, false, NULL);
    const bool probs = net->model->layers[net->model->n_layers - 1].spec.kind == NN_LAYER_SOFTMAX;
    float p[10] = {0};
    if (classes == 10) {
        if (probs)
            memcpy(p, out, sizeof p);
        else
            nn_softmax_forward(p, out, 1, 10);
    }
    memcpy(s->draw.probs, p, sizeof p);
    s->draw.ready = classes == 10;
    s->draw.note[0] = '\0';
}
