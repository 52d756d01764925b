// view_cnn.h - what the CNN view says in words, for its layout (which makes
// room for the lines) and its renderer alike: the network's guess for the
// inspected test image, as a probability, and whether it was ever trained.
// Header-only, no SDL.
#ifndef APP_VIEW_CNN_H
#define APP_VIEW_CNN_H

#include <math.h>
#include <stdio.h>

#include "format.h"
#include "state.h"
#include "view_maps.h"

// The height of the keys under the input: the grey scale of the input and
// the colour scale of the maps, each a caption, a bar and the bar's ends.
static inline int cnn_keys_height(const ui_layout *l) { return 2 * maps_key_height(l) + l->pad; }

// The class with the highest output of net's last forward pass and its
// probability (the outputs are probabilities when the model ends in softmax,
// else logits, turned into probabilities here as training does).
static inline int cnn_guess(const nn_net *net, float *prob) {
    const int classes = nn_net_classes(net);
    const nn_model *m = net->model;
    const float *out = net->out[m->n_layers - 1];
    int best = 0;
    for (int j = 1; j < classes; j++) best = out[j] > out[best] ? j : best;
    if (m->layers[m->n_layers - 1].spec.kind == NN_LAYER_SOFTMAX) {
        *prob = out[best];
        return best;
    }
    double sum = 0;
    for (int j = 0; j < classes; j++) sum += exp((double)out[j] - out[best]);
    *prob = (float)(1.0 / sum);
    return best;
}

// The training steps the live network has had (0: untrained, -1: unknown).
static inline long long cnn_steps(const app_state *s) {
    return s->host.train_live ? s->host.train_live->steps : -1;
}

// The test image being shown, as an index and not as a digit: "test image #0 (a 7)".
static inline void cnn_image_name(const app_state *s, char *buf, size_t size) {
    if (s->host.digit_labels)
        snprintf(buf, size, "test image #%d (a %d)", s->inspect, s->host.digit_labels[s->inspect]);
    else
        snprintf(buf, size, "test image #%d", s->inspect);
}

// The headline: which image, what the network says and how sure, and, for a
// network never trained, that its answer means nothing yet. "" before the maps.
static inline void cnn_headline(const app_state *s, char *buf, size_t size) {
    const nn_net *net = s->host.cnn_net;
    buf[0] = '\0';
    if (!net || nn_net_classes(net) <= 0) return;
    char name[64], pct[32];
    float p = 0;
    const int best = cnn_guess(net, &p);
    cnn_image_name(s, name, sizeof name);
    fmt_percent(p, pct, sizeof pct);
    const long long steps = cnn_steps(s);
    if (steps == 0)
        snprintf(buf, size, "%s: the network is untrained (random weights), so its answer %d (%s) is only a guess: "
                            "train it with Space.", name, best, pct);
    else if (steps > 0)
        snprintf(buf, size, "%s: after %lld training step%s the network says %d (%s)", name, steps,
                 steps == 1 ? "" : "s", best, pct);
    else
        snprintf(buf, size, "%s: the network says %d (%s)", name, best, pct);
}

// The line under it: what a click does.
static inline const char *cnn_click_hint(void) {
    return "Click a cell of a first-layer map to see its window worked out in the convolution view.";
}

#endif
