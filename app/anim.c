// anim.c - the output-cell animation (see anim.h).
#include "anim.h"

// Below this speed index each product appears on its own beat.
#define SLOW_SPEEDS 3  // at 0.5, 1 and 2 cells a second the products appear one by one

static int clampi_(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// ---- The glide ---------------------------------------------------------------------------------
// Its clock is in the anim_state: the cell left, the time gone, the length.

// ~200 ms at normal speed (2 cells a second), at most 0.4 of a cell's time
// at higher speeds, none at the top speed.
static double glide_ms_(const anim_state *a) {
    if (a->speed >= app_speed_count() - 1) return 0;
    const double cell_ms = 1000.0 / app_speed_value(a->speed);
    return cell_ms * 0.4 < ANIM_GLIDE_MS ? cell_ms * 0.4 : ANIM_GLIDE_MS;
}

static void glide_start_(anim_state *a, int from) {
    a->glide_from = from;
    a->glide_elapsed_ms = 0;
    a->glide_ms = glide_ms_(a);
}

double anim_glide(const anim_state *a, int *from) {
    *from = a->pos;
    if (a->glide_ms <= 0 || a->last_tick_ms <= 0 || a->glide_elapsed_ms >= a->glide_ms || a->glide_from == a->pos)
        return 1;
    *from = a->glide_from;
    const double t = a->glide_elapsed_ms / a->glide_ms;
    return t * t * (3 - 2 * t);  // smoothstep: starts and stops gently
}

int app_cells_done(const anim_state *a, int count) {
    return a->total == 0 ? 0 : a->pos + (a->reveal >= count ? 1 : 0);
}

void anim_restart_at(anim_state *a, int keep, int count) {
    a->pos = keep < 0 ? 0 : keep < a->total ? keep : a->total - 1;
    a->reveal = keep < 0 ? 0 : count;
    a->stop_after = 0;
    a->glide_from = a->pos;  // a new set-up: no glide from the old one
    a->glide_elapsed_ms = a->glide_ms;
}

void anim_goto(app_state *s, const anim_target *t, int pos, int reveal) {
    anim_state *a = t->a;
    if (a->total == 0) return;
    pos = pos < 0 ? 0 : pos >= a->total ? a->total - 1 : pos;
    const bool moved = pos != a->pos;
    if (moved) glide_start_(a, a->pos);
    a->pos = pos;
    a->reveal = reveal;
    if (moved || !t->loaded) t->load(s, a->pos);
}

// One beat of the animation: the next product (slow speeds) or the next cell.
static bool advance_(app_state *s, const anim_target *t) {
    anim_state *a = t->a;
    if (a->stop_after > 0 && a->pos + 1 >= a->stop_after && a->reveal >= t->count) {
        a->stop_after = 0;  // a lesson's 'step N' has arrived
        return false;
    }
    if (a->reveal < t->count) {
        // Slow: the next product; fast: the whole cell at once.
        a->reveal = a->speed < SLOW_SPEEDS ? a->reveal + 1 : t->count;
        return true;
    }
    if (a->pos + 1 >= a->total) {
        a->reveal = t->count;
        return false;
    }
    anim_target moved = *t;
    moved.loaded = false;
    anim_goto(s, &moved, a->pos + 1, a->speed < SLOW_SPEEDS ? 0 : t->count);
    return true;
}

void anim_tick(app_state *s, const anim_target *t, double ms) {
    anim_state *a = t->a;
    a->glide_elapsed_ms += ms;
    a->last_tick_ms = ms;
    if (!a->playing || a->total == 0) return;
    const double cell_ms = 1000.0 / app_speed_value(a->speed);
    // At slow speeds a cell's time is shared by its products and its sum.
    const double beat_ms = a->speed < SLOW_SPEEDS ? cell_ms / (t->count + 1) : cell_ms;
    a->clock_ms += ms;
    for (int guard = 0; a->clock_ms >= beat_ms && guard < 100000; guard++) {
        a->clock_ms -= beat_ms;
        if (!advance_(s, t)) {
            a->playing = false;
            a->clock_ms = 0;
            break;
        }
    }
}

bool anim_update(app_state *s, const anim_target *t, const app_action *act) {
    anim_state *an = t->a;
    const int count = t->count;
    switch (act->kind) {
    case ACT_PLAY_PAUSE:
    case ACT_STEP_FORWARD:
    case ACT_STEP_BACK:
    case ACT_RESTART:
    case ACT_TO_END:
    case ACT_JUMP_TO_OUTPUT: an->stop_after = 0; break;  // the class took over from the lesson
    default: break;
    }
    switch (act->kind) {
    case ACT_PLAY_PAUSE:
        if (an->total == 0) return true;
        if (!an->playing && an->pos + 1 >= an->total && an->reveal >= count) anim_goto(s, t, 0, 0);
        an->playing = !an->playing;
        an->clock_ms = 0;
        if (an->playing && act->value > 0) an->stop_after = act->value;
        return true;
    case ACT_STEP_FORWARD:
        an->playing = false;
        if (act->value == ANIM_ONE_PRODUCT) {
            // By hand, one product at a time: the next cell starts with its first.
            if (an->reveal < count)
                an->reveal++;
            else if (an->pos + 1 < an->total)
                anim_goto(s, t, an->pos + 1, 1);
        } else if (an->reveal < count)
            an->reveal = count;
        else
            anim_goto(s, t, an->pos + 1, count);
        return true;
    case ACT_STEP_BACK:
        an->playing = false;
        if (an->pos == 0)
            an->reveal = 0;
        else
            anim_goto(s, t, an->pos - 1, count);
        return true;
    case ACT_RESTART: an->playing = false; anim_goto(s, t, 0, 0); return true;
    case ACT_TO_END: an->playing = false; anim_goto(s, t, an->total - 1, count); return true;
    case ACT_FASTER: an->speed = clampi_(an->speed + 1, 0, app_speed_count() - 1); return true;
    case ACT_SLOWER: an->speed = clampi_(an->speed - 1, 0, app_speed_count() - 1); return true;
    case ACT_JUMP_TO_OUTPUT: {
        const int out_w = t->out_w;
        const int out_h = an->total / (out_w ? out_w : 1);
        if (act->row < 0 || act->col < 0 || act->row >= out_h || act->col >= out_w) return true;
        an->playing = false;
        anim_goto(s, t, act->row * out_w + act->col, count);
        return true;
    }
    default: return false;
    }
}
