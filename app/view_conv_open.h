// view_conv_open.h - what other modules ask of the convolution view: open it
// on one filter of a network's convolution layer (the network and CNN views'
// detail), its number of filters, and its parameter count in words.
#ifndef APP_VIEW_CONV_OPEN_H
#define APP_VIEW_CONV_OPEN_H

#include <stdbool.h>
#include <stddef.h>

#include "nn.h"
#include "state.h"

// Sets the convolution view up on filter `filter` (from 0) of convolution
// layer `layer` of a network run forward on one sample: every input channel
// of that layer (net_input, 28x28, for layer 0; else the previous layer's
// output, net->out[layer - 1]), the filter's live kernel stack and bias,
// the animation at output (row, col); then opens it (Esc returns to `back`)
// with a status line. The view's stepper reaches the same value, bit for
// bit, as net->out[layer] there. False, with the reason in why, when the
// layer is not a convolution or is larger than the view shows (nothing changes).
bool conv_open_from_net(app_state *s, const nn_net *net, const float *net_input, int layer, int filter, int row,
                        int col, app_view back, char *why, size_t why_size);

// The filter the animation is on (from 0): its cells come filter by filter.
int conv_view_filter(const conv_view *v);

// The input channel drawn when they are drawn one at a time (from 0): the
// one the newest product reads while a cell's products are being added one
// by one, else the one picked (conv_view.channel_pick).
int conv_view_channel(const conv_view *v);

// Sets the number of filters (clamped to 1..VIEW_MAX_F); each filter added
// gets the next preset of a fixed order that no other filter uses, and bias 0.
void conv_set_filters(conv_setup *c, int n);

// "F × (k × k × C + 1) = 2 × (3 × 3 × 1 + 1) = 20 parameters".
void conv_params_text(const conv_setup *c, char *out, size_t size);
// The whole formula shows that count when there is more than one channel or
// filter (one kernel and a bias need no sum); its numbers alone (a short main
// area), with several filters.
static inline bool conv_shows_params(const conv_setup *c) { return c->channels > 1 || c->filters > 1; }

#endif
