// state.c - what the views share: speeds, the dashboard's models, repeatable
// random numbers, the test digits, and the queue of requests to the runtime.
// How the state changes is update.c. No SDL here.
#include "state.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train.h"


// ---- Speeds and the dashboard's models -----------------------------------------------------

static const double speeds_[] = {0.5, 1, 2, 4, 8, 16, 32, 64};
#define N_SPEEDS ((int)(sizeof speeds_ / sizeof speeds_[0]))

int app_speed_count(void) { return N_SPEEDS; }
double app_speed_value(int index) {
    return speeds_[index < 0 ? 0 : index >= N_SPEEDS ? N_SPEEDS - 1 : index];
}

static const struct {
    const char *name, *arch;
} models_[] = {
    {"softmax", "softmax"},
    {"small CNN", "conv(8,5,pad=2),relu,maxpool(2),flatten,dense(10),softmax"},
    {"LeNet-5", "lenet5"},
};

int app_train_model_count(void) { return (int)(sizeof models_ / sizeof models_[0]); }

const char *app_train_model_name(int i) { return models_[i < 0 || i >= app_train_model_count() ? 0 : i].name; }
app_recipe app_recipe_default(void) {
    app_train_options o;
    app_train_options_default(&o);
    return (app_recipe){.lr = o.lr, .shift = o.shift, .weight_decay = o.weight_decay, .dropout = 0};
}

void app_recipe_describe(const app_recipe *r, char *buf, size_t size) {
    const app_recipe d = app_recipe_default();
    size_t n = 0;
    buf[0] = '\0';
    if (r->lr != d.lr) n += (size_t)snprintf(buf + n, size - n, "lr %g", (double)r->lr);
    if (r->shift != d.shift && n < size)
        n += (size_t)snprintf(buf + n, size - n, "%sshift %d", n ? ", " : "", r->shift);
    if (r->weight_decay != d.weight_decay && n < size)
        n += (size_t)snprintf(buf + n, size - n, "%sweight decay %g", n ? ", " : "", (double)r->weight_decay);
    if (r->dropout != d.dropout && n < size)
        n += (size_t)snprintf(buf + n, size - n, "%sdropout %g", n ? ", " : "", (double)r->dropout);
    if (n == 0) snprintf(buf, size, "the default recipe");
}

const char *app_train_model_arch(int i) { return models_[i < 0 || i >= app_train_model_count() ? 0 : i].arch; }

// ---- Helpers the views share ---------------------------------------------------------------


int app_rand_below(uint64_t *rng, int n) {
    uint64_t z = (*rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (int)(z % (uint64_t)n);
}

// One seed, split into streams by how many numbers come before each: the
// convolution view's fresh input takes the first 3x32x32, the pooling view's
// the next 32x32, and "randomise" goes on from there. (A splitmix64 state
// after n numbers is the seed plus n times its increment.)
uint64_t app_rng_stream(int which) {
    static const uint64_t seed = 20240601, step = 0x9E3779B97F4A7C15ull;
    // Three channels' worth, as when the view had at most three: the pooling
    // view's input and "randomise" stay what they always were (the conv view's
    // channels 4 to 6 reuse numbers of the streams after it, which no one sees).
    enum { CONV_SHARE = 3 * VIEW_MAX_N * VIEW_MAX_N };
    const uint64_t before[] = {0, CONV_SHARE, CONV_SHARE + VIEW_MAX_N * VIEW_MAX_N};
    return seed + step * before[which < 0 ? 0 : which > APP_RNG_SHARED ? APP_RNG_SHARED : which];
}

void app_effect(app_state *s, app_effect_kind kind, int value, int target) {
    if (s->effects.n == APP_MAX_EFFECTS) {
        snprintf(s->status, sizeof s->status, "too many requests at once: one was dropped");
        return;
    }
    s->effects.items[s->effects.n++] = (app_effect_req){kind, value, target};
}

void app_request_training(app_state *s, const app_action *a, int target) {
    static const live_request req[] = {
        [ACT_TRAIN_TOGGLE] = LIVE_TOGGLE, [ACT_TRAIN_RESET] = LIVE_RESET, [ACT_LR_UP] = LIVE_LR_UP,
        [ACT_LR_DOWN] = LIVE_LR_DOWN, [ACT_SLOWMO_MORE] = LIVE_SLOWER, [ACT_SLOWMO_LESS] = LIVE_FASTER,
        [ACT_TRAIN_MODEL] = LIVE_MODEL, [ACT_SAVE_MODEL] = LIVE_SAVE, [ACT_LOAD_MODEL] = LIVE_LOAD,
    };
    switch (a->kind) {
    case ACT_TRAIN_MODEL: {
        const bool custom_ok = a->value == MODEL_CUSTOM && s->host.custom_arch[0];
        if (a->value < 0 || (a->value >= app_train_model_count() && !custom_ok)) return;
        s->train_model = a->value;
        app_effect(s, EFFECT_TRAIN, LIVE_MODEL, target);
        return;
    }
    case ACT_TRAIN_TOGGLE: case ACT_TRAIN_RESET: case ACT_LR_UP: case ACT_LR_DOWN:
    case ACT_SLOWMO_MORE: case ACT_SLOWMO_LESS: case ACT_SAVE_MODEL: case ACT_LOAD_MODEL:
        app_effect(s, EFFECT_TRAIN, (int)req[a->kind], target);
        return;
    case ACT_INSPECT_NEXT: s->inspect = s->host.n_digits ? (s->inspect + 1) % s->host.n_digits : 0; return;
    default: return;
    }
}

bool app_pick_digit(app_state *s, int index) {
    if (!s->host.digits || s->host.n_digits == 0) {
        snprintf(s->status, sizeof s->status, "no digits are loaded (assets/ was not found)");
        return false;
    }
    s->digit = index < 0 ? (s->digit < 0 ? 0 : (s->digit + 1) % s->host.n_digits) : index % s->host.n_digits;
    snprintf(s->status, sizeof s->status, "test digit %d", s->digit);
    return true;
}

bool app_digit_shown(const app_state *s) {
    return s->digit == APP_DIGIT_DROPPED || (s->digit >= 0 && s->host.digits);
}

float app_digit_pixel(const app_state *s, int y, int x, int n_h, int n_w) {
    if (!app_digit_shown(s)) return 0.0f;
    const int sy = y + (28 - n_h) / 2, sx = x + (28 - n_w) / 2;
    if (sy < 0 || sx < 0 || sy >= 28 || sx >= 28) return 0.0f;
    const float v = s->digit == APP_DIGIT_DROPPED ? s->drop.input[sy * 28 + sx]
                                                  : s->host.digits[(size_t)s->digit * 28 * 28 + (size_t)(sy * 28 + sx)] / 255.0f;
    // Two decimals are enough to read and keep the products short.
    return roundf(v * 100.0f) / 100.0f;
}

void app_set_digit_labels(app_state *s, const uint8_t *labels) { s->host.digit_labels = labels; }

void app_set_digits(app_state *s, const uint8_t *digits, int count) {
    s->host.digits = digits;
    s->host.n_digits = digits ? count : 0;
}

