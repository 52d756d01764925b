// runtime.c - training threads and models behind the views (see runtime.h).
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "modelfile.h"

static const int delays_[] = {0, 10, 30, 100, 250, 500, 1000};
#define N_DELAYS ((int)(sizeof delays_ / sizeof delays_[0]))

static app_train_options options_(const char *arch, bool templates) {
    app_train_options o;
    app_train_options_default(&o);
    o.arch = arch;
    o.epochs = templates ? 10 : 3;
    o.threads = 1;  // the window keeps the other core
    return o;
}

void runtime_init(app_runtime *rt, app_state *s, const app_dataset *train, const app_dataset *test) {
    memset(rt, 0, sizeof *rt);
    rt->train = train;
    rt->test = test;
    char err[400], path[1024];
    if (train && test) {
        rt->dash_snap = calloc(1, sizeof *rt->dash_snap);
        rt->tmpl_snap = calloc(1, sizeof *rt->tmpl_snap);
        const app_train_options d = options_(app_train_model_arch(s->train_model), false);
        const app_train_options t = options_("softmax", true);
        if (rt->dash_snap && rt->tmpl_snap) {
            rt->dash = live_create(&d, train, test, err, sizeof err);
            if (!rt->dash) snprintf(rt->note, sizeof rt->note, "%s", err);
            rt->tmpl = live_create(&t, train, test, err, sizeof err);
            // The templates form too fast to watch at full speed: start slowly.
            if (rt->tmpl) live_set_delay(rt->tmpl, 30);
        }
    }
    if (app_asset_path("lenet5.model", path, sizeof path, err, sizeof err) &&
        app_model_load(path, &rt->shipped, 1, NULL, 0, err, sizeof err))
        s->draw_net = rt->shipped;
    else
        snprintf(rt->note, sizeof rt->note, "%s", err);
    runtime_frame(rt, s);
}

// Keeps a batch-1 copy of the dashboard's model for drawing, when it takes
// 28x28 digits.
static void refresh_live_net_(app_runtime *rt, app_state *s) {
    const live_snapshot *snap = rt->dash_snap;
    if (!snap || snap->version == rt->live_net_version || snap->n_params == 0) return;
    if (!rt->live_net || strcmp(rt->live_net_arch, snap->arch) != 0) {
        nn_net_free(rt->live_net);
        rt->live_net = NULL;
        nn_error e;
        if (nn_net_create(&rt->live_net, snap->arch, nn_shape_map(1, 28, 28), 1, NULL, &e) != NN_OK) return;
        snprintf(rt->live_net_arch, sizeof rt->live_net_arch, "%s", snap->arch);
    }
    if (rt->live_net->n_params != snap->n_params) return;
    memcpy(rt->live_net->params, snap->params, sizeof(float) * snap->n_params);
    rt->live_net_version = snap->version;
    s->live_net = rt->live_net;
    if (s->draw_live && s->view == VIEW_DRAW) app_draw_classify(s);
}

static int delay_index_(int ms) {
    int best = 0;
    for (int i = 0; i < N_DELAYS; i++)
        if (delays_[i] <= ms) best = i;
    return best;
}

static void carry_out_(app_runtime *rt, app_state *s) {
    live_trainer *lt = s->request_target ? rt->tmpl : rt->dash;
    live_snapshot *snap = s->request_target ? rt->tmpl_snap : rt->dash_snap;
    const live_request req = s->request;
    s->request = LIVE_NONE;
    if (!lt || req == LIVE_NONE) return;
    char err[400];
    switch (req) {
    case LIVE_TOGGLE:
        if (snap->finished || snap->diverged)
            snprintf(s->status, sizeof s->status, "%s: press R to start again", snap->message);
        live_pause(lt, !snap->paused);
        break;
    case LIVE_RESET:
    case LIVE_MODEL: {
        const char *arch = s->request_target ? "softmax" : app_train_model_arch(s->train_model);
        const app_train_options o = options_(arch, s->request_target != 0);
        live_pause(lt, true);
        if (!live_reset(lt, &o, err, sizeof err)) snprintf(s->status, sizeof s->status, "%s", err);
        break;
    }
    case LIVE_LR_UP:
    case LIVE_LR_DOWN: {
        float lr = snap->lr * (req == LIVE_LR_UP ? 2.0f : 0.5f);
        lr = lr < 1e-4f ? 1e-4f : lr > 1.0f ? 1.0f : lr;
        live_set_lr(lt, lr);
        break;
    }
    case LIVE_SLOWER:
    case LIVE_FASTER: {
        int i = delay_index_(snap->delay_ms) + (req == LIVE_SLOWER ? 1 : -1);
        i = i < 0 ? 0 : i >= N_DELAYS ? N_DELAYS - 1 : i;
        live_set_delay(lt, delays_[i]);
        break;
    }
    default: break;
    }
}

void runtime_frame(app_runtime *rt, app_state *s) {
    carry_out_(rt, s);
    if (rt->dash) {
        live_snapshot_get(rt->dash, rt->dash_snap, false);
        s->train_live = rt->dash_snap;
    }
    if (rt->tmpl) {
        live_snapshot_get(rt->tmpl, rt->tmpl_snap, false);
        s->tmpl_live = rt->tmpl_snap;
    }
    refresh_live_net_(rt, s);
}

bool runtime_train_steps(app_runtime *rt, app_state *s, bool templates, int n) {
    live_trainer *lt = templates ? rt->tmpl : rt->dash;
    if (!lt) return false;
    char err[400];
    live_pause(lt, true);
    const bool ok = live_step_now(lt, n, err, sizeof err);
    runtime_frame(rt, s);
    return ok;
}

void runtime_destroy(app_runtime *rt, app_state *s) {
    live_destroy(rt->dash);
    live_destroy(rt->tmpl);
    free(rt->dash_snap);
    free(rt->tmpl_snap);
    nn_net_free(rt->shipped);
    nn_net_free(rt->live_net);
    s->draw_net = s->live_net = NULL;
    s->train_live = s->tmpl_live = NULL;
    memset(rt, 0, sizeof *rt);
}
