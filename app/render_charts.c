// render_charts.c - drawing shared by the views of the live model (see
// render_charts.h); reads snapshots and the state only.
#include "render_charts.h"

#include "keys.h"

#include <math.h>
#include <stdio.h>

void rd_progress(const draw_ *d, const live_snapshot *snap, const char *what, const char *why) {
    const ui_layout *l = d->l;
    char t[400];
    if (!snap) {
        const ui_rect q = {l->progress.x, l->progress.y, l->main.x + l->main.w - l->progress.x - l->pad,
                           l->main.y + l->main.h - l->progress.y};
        rd_text_wrap(d, FACE_SANS, l->text_px, q, q.y, BAD, why && why[0] ? why : "training is not available");
        return;
    }
    const double total = (double)snap->batches_per_epoch * snap->epochs;
    if (snap->finished)  // where it ended, not "batch 0" of an epoch that never starts
        snprintf(t, sizeof t, "%s  -  finished: %d epoch%s, %lld steps  -  test accuracy %.1f%%", what, snap->epoch,
                 snap->epoch == 1 ? "" : "s", snap->steps, 100.0 * snap->test_accuracy);
    else
        snprintf(t, sizeof t,
                 "%s  -  epoch %d of %d, batch %d of %d (step %lld)  -  %.0f samples/s  -  test accuracy %.1f%%  -  %s",
                 what, snap->epoch + 1, snap->epochs, snap->batch_in_epoch, snap->batches_per_epoch, snap->steps,
                 snap->samples_per_sec, 100.0 * snap->test_accuracy,
                 snap->diverged ? "diverged" : snap->paused ? "paused" : "training");
    // Too long for the width (zoomed in): without the speed, then shrunk.
    if (!snap->finished && rd_width(d, FACE_SANS, l->small_px, t) > l->progress.w)
        snprintf(t, sizeof t, "%s  -  epoch %d of %d, step %lld  -  test accuracy %.1f%%  -  %s", what, snap->epoch + 1,
                 snap->epochs, snap->steps, 100.0 * snap->test_accuracy,
                 snap->diverged ? "diverged" : snap->paused ? "paused" : "training");
    rd_fitted_line(d, FACE_SANS, l->small_px, l->progress, l->progress.y, INK, t);
    const ui_rect bar = rd_rect(l->progress.x, l->progress.y + l->small_px * 3 / 2, l->progress.w, l->small_px * 2 / 3);
    rd_fill(d->r, bar, PANEL);
    const double done = total > 0 ? snap->steps / total : 0;
    rd_fill(d->r, rd_rect(bar.x, bar.y, (int)(bar.w * (done > 1 ? 1 : done)), bar.h), ACCENT);
    if (snap->message[0] && !snap->finished)  // the line above says it finished
        rd_text(d, FACE_SANS, l->small_px * 4 / 5, l->progress.x, bar.y + bar.h + 2,
                snap->diverged ? BAD : MUTED, snap->message);
    else if (!snap->paused && snap->seconds_left > 0) {
        snprintf(t, sizeof t, "about %.0f s left", snap->seconds_left);
        rd_text(d, FACE_SANS, l->small_px * 4 / 5, l->progress.x, bar.y + bar.h + 2, MUTED, t);
    }
}

int rd_layer_maps(const draw_ *d, const nn_net *net, ui_rect m, int from) {
    const int px = d->l->small_px;
    char t[160], name[64];
    int y = m.y;
    for (int i = from; i < net->model->n_layers && y < m.y + m.h - px * 2; i++) {
        const nn_layer *ly = &net->model->layers[i];
        if (ly->out.rank != 3) break;
        if (ly->spec.kind == NN_LAYER_RELU) continue;  // shown by the pooling after it
        nn_layer_spec_format(&ly->spec, name, sizeof name);
        snprintf(t, sizeof t, "after %s: %d maps of %dx%d", name, ly->out.c, ly->out.h, ly->out.w);
        rd_title(d, m.x, y, t);
        y += px * 3 / 2;
        const int n = ly->out.c;
        int side = (m.w - (n - 1) * 3) / n;
        side = side < px * 4 ? side : px * 4;
        const float *v = net->out[i];
        float scale = 1e-6f;
        for (size_t k = 0; k < (size_t)n * ly->out.h * ly->out.w; k++) scale = fmaxf(scale, fabsf(v[k]));
        for (int c = 0; c < n && side > 3; c++)
            rd_image(d, rd_rect(m.x + c * (side + 3), y, side, side), v + (size_t)c * ly->out.h * ly->out.w, ly->out.w,
                   ly->out.h, ly->out.w, true, scale);
        y += side + px / 2;
    }
    return y;
}

void rd_trainer_labels(const draw_ *d, const live_snapshot *snap) {
    const ui_button *b;
    char t[64];
    if ((b = rd_find_button(d->l, ACT_LR_DOWN, 0))) {
        snprintf(t, sizeof t, "learning rate %g", snap ? (double)snap->lr : 0.0);
        rd_setting_label(d, b, t);
    }
    if ((b = rd_find_button(d->l, ACT_SLOWMO_LESS, 0))) {
        if (snap && snap->delay_ms > 0)
            snprintf(t, sizeof t, "speed: %d ms a step", snap->delay_ms);
        else
            snprintf(t, sizeof t, "speed: full");
        rd_setting_label(d, b, t);
    }
}

void rd_trainer_footer(const draw_ *d) {
    char hint[300];
    keys_hint(d->s, 3, hint, sizeof hint);  // from the view's key table
    rd_footer(d, d->s->status[0] ? d->s->status : hint);
}
