// runtime.c - training threads and models behind the views (see runtime.h).
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include "assets.h"
#include "fileio.h"
#include "lesson_play.h"
#include "modelfile.h"

static const int delays_[] = {0, 10, 30, 100, 250, 500, 1000};
#define N_DELAYS ((int)(sizeof delays_ / sizeof delays_[0]))

// The dashboard's architecture: a model from the list, or the --arch one.
static const char *model_arch_(const app_state *s) {
    return s->train_model == MODEL_CUSTOM && s->custom_arch[0] ? s->custom_arch
                                                                : app_train_model_arch(s->train_model);
}

static app_train_options options_(const char *arch, bool templates) {
    app_train_options o;
    app_train_options_default(&o);
    o.arch = arch;
    o.epochs = templates ? 10 : 3;
    o.threads = 1;  // the window keeps the other core
    return o;
}

#ifndef CONVSTEP_SOURCE_LESSONS
#define CONVSTEP_SOURCE_LESSONS ""
#endif

bool runtime_lessons_dir(char *buf, size_t size, char *err, size_t errsize) {
    const char *env = getenv("CONVSTEP_LESSONS");
    if (env && *env) {
        snprintf(buf, size, "%s", env);
        return true;
    }
    char path[1024];
    if (app_asset_path("README.md", path, sizeof path, err, errsize)) {
        char *slash = strrchr(path, '/');
        if (slash) *slash = '\0';
        snprintf(buf, size, "%s/../lessons", path);
        struct stat st;
        if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode)) return true;
    }
    snprintf(buf, size, "%s", CONVSTEP_SOURCE_LESSONS);
    struct stat st;
    if (buf[0] && stat(buf, &st) == 0 && S_ISDIR(st.st_mode)) return true;
    snprintf(err, errsize, "cannot find the lessons folder (set CONVSTEP_LESSONS)");
    return false;
}

static int cmp_paths_(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

// Lists lessons/*.lesson for the menu, with their titles.
static void scan_lessons_(app_runtime *rt, app_state *s) {
    char dir[800], err[300];
    s->n_lessons = 0;
    if (!runtime_lessons_dir(dir, sizeof dir, err, sizeof err)) return;
    DIR *d = opendir(dir);
    if (!d) return;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < LESSON_MAX_LESSONS;) {
        const size_t len = strlen(e->d_name);
        if (len > 7 && strcmp(e->d_name + len - 7, ".lesson") == 0)
            snprintf(rt->lesson_paths[n++], sizeof rt->lesson_paths[0], "%.780s/%.200s", dir, e->d_name);
    }
    closedir(d);
    qsort(rt->lesson_paths, (size_t)n, sizeof rt->lesson_paths[0], cmp_paths_);
    for (int i = 0; i < n; i++) {
        lesson l;
        if (lesson_load(&l, rt->lesson_paths[i], err, sizeof err)) {
            snprintf(s->lesson_titles[s->n_lessons], sizeof s->lesson_titles[0], "%.95s", l.title);
            if (s->n_lessons != i) memcpy(rt->lesson_paths[s->n_lessons], rt->lesson_paths[i], sizeof rt->lesson_paths[0]);
            s->n_lessons++;
            lesson_free(&l);
        }
    }
}

bool runtime_open_lesson(app_runtime *rt, app_state *s, const char *path, FILE *log, char *err,
                         size_t errsize) {
    lesson l;
    if (!lesson_load(&l, path, err, errsize)) return false;
    if (rt->have_lesson) lesson_free(&rt->current);
    rt->current = l;
    rt->have_lesson = true;
    lesson_start(s, rt, &rt->current, log);
    return true;
}

// Carries out what the lesson menu and the narration panel asked for.
static void lesson_requests_(app_runtime *rt, app_state *s) {
    char err[600];
    if (s->lesson_request >= 0) {
        const int i = s->lesson_request;
        s->lesson_request = -1;
        if (i < s->n_lessons && !runtime_open_lesson(rt, s, rt->lesson_paths[i], NULL, err, sizeof err))
            snprintf(s->status, sizeof s->status, "%.500s", err);
    }
    const int nav = s->lesson_nav;
    s->lesson_nav = LESSON_NAV_NONE;
    if (!s->player.l) return;
    if (nav == LESSON_NAV_NEXT) {
        if (!lesson_next(s, rt, NULL)) s->player.autoplay = false;
    } else if (nav == LESSON_NAV_BACK) {
        lesson_back(s, rt);
    } else if (nav == LESSON_NAV_RESTART) {
        lesson_start(s, rt, s->player.l, NULL);
    } else if (nav == LESSON_NAV_CLOSE) {
        lesson_close(s);
        s->view = VIEW_LESSONS;
    }
}

void runtime_init(app_runtime *rt, app_state *s, const app_dataset *train, const app_dataset *test) {
    memset(rt, 0, sizeof *rt);
    rt->train = train;
    rt->test = test;
    char err[400], path[1024];
    if (train && test) {
        rt->dash_snap = calloc(1, sizeof *rt->dash_snap);
        rt->tmpl_snap = calloc(1, sizeof *rt->tmpl_snap);
        const app_train_options d = options_(model_arch_(s), false);
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
    scan_lessons_(rt, s);
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

// The folder models are saved to from the window: $CONVSTEP_MODELS, else
// ~/convstep/models.
static void models_dir_(char *buf, size_t size) {
    const char *env = getenv("CONVSTEP_MODELS");
    const char *home = getenv("HOME");
    if (env && *env)
        snprintf(buf, size, "%s", env);
    else
        snprintf(buf, size, "%s/convstep/models", home && *home ? home : ".");
}


// Saves the dashboard's model as it is now (atomically: see modelfile.h).
static void save_(app_runtime *rt, app_state *s, const live_snapshot *snap) {
    if (!snap || snap->n_params == 0) return;
    nn_net *net;
    nn_error e;
    if (nn_net_create(&net, snap->arch, nn_shape_map(1, 28, 28), 1, NULL, &e) != NN_OK) {
        snprintf(s->status, sizeof s->status, "cannot save: %.400s", e.msg);
        return;
    }
    memcpy(net->params, snap->params, sizeof(float) * snap->n_params);
    char dir[800], path[1024], note[400], err[600];
    models_dir_(dir, sizeof dir);
    app_make_dirs(dir);
    const time_t now = time(NULL);
    struct tm tmv;
    localtime_r(&now, &tmv);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tmv);
    snprintf(path, sizeof path, "%s/live-%s.model", dir, stamp);
    snprintf(note, sizeof note, "trained live in the window: %lld steps, test accuracy %.4f", snap->steps,
             (double)snap->test_accuracy);
    if (app_model_save(path, net, snap->arch, note, err, sizeof err))
        snprintf(s->status, sizeof s->status, "saved the model to %.400s", path);
    else
        snprintf(s->status, sizeof s->status, "%.480s", err);
    nn_net_free(net);
    (void)rt;
}

// Loads the newest .model in the models folder as the drawing's model.
static void load_newest_(app_runtime *rt, app_state *s) {
    char dir[800], path[1100], best[1100] = "", err[600];
    models_dir_(dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(s->status, sizeof s->status, "no saved models in %.400s (save one first)", dir);
        return;
    }
    time_t newest = 0;
    for (struct dirent *e; (e = readdir(d));) {
        const size_t n = strlen(e->d_name);
        if (n < 7 || strcmp(e->d_name + n - 6, ".model") != 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && st.st_mtime >= newest) {
            newest = st.st_mtime;
            snprintf(best, sizeof best, "%s", path);
        }
    }
    closedir(d);
    nn_net *net;
    if (!best[0]) {
        snprintf(s->status, sizeof s->status, "no saved models in %.400s (save one first)", dir);
    } else if (!app_model_load(best, &net, 1, NULL, 0, err, sizeof err)) {
        snprintf(s->status, sizeof s->status, "%.480s", err);
    } else if (net->model->input.h != 28 || net->model->input.w != 28 || nn_net_classes(net) != 10) {
        snprintf(s->status, sizeof s->status, "%.400s is not a 28x28 digit model", best);
        nn_net_free(net);
    } else {
        nn_net_free(rt->shipped);
        rt->shipped = net;
        s->draw_net = net;
        s->draw_live = false;
        app_draw_classify(s);
        snprintf(s->status, sizeof s->status, "drawing now uses %.400s", best);
    }
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
        const char *arch = s->request_target ? "softmax" : model_arch_(s);
        const app_train_options o = options_(arch, s->request_target != 0);
        live_pause(lt, true);
        if (!live_reset(lt, &o, err, sizeof err)) snprintf(s->status, sizeof s->status, "%.480s", err);
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
    case LIVE_SAVE: save_(rt, s, snap); break;
    case LIVE_LOAD: load_newest_(rt, s); break;
    default: break;
    }
}

void runtime_frame(app_runtime *rt, app_state *s) {
    carry_out_(rt, s);
    lesson_requests_(rt, s);
    if (rt->dash) {
        live_snapshot_get(rt->dash, rt->dash_snap, false);
        s->train_live = rt->dash_snap;
    }
    if (rt->tmpl) {
        live_snapshot_get(rt->tmpl, rt->tmpl_snap, false);
        s->tmpl_live = rt->tmpl_snap;
    }
    refresh_live_net_(rt, s);
    // The CNN view shows the live network's maps of one digit: recompute them
    // when the weights or the digit change.
    if (s->view == VIEW_CNN && rt->live_net && s->digits &&
        (rt->cnn_version != rt->live_net_version || rt->cnn_digit != s->inspect || !rt->cnn_fresh)) {
        float x[784];
        for (int i = 0; i < 784; i++) x[i] = s->digits[(size_t)s->inspect * 784 + i] * (1.0f / 255.0f);
        nn_net_forward(rt->live_net, x, 1, false, NULL);
        rt->cnn_version = rt->live_net_version;
        rt->cnn_digit = s->inspect;
        rt->cnn_fresh = true;
    }
    if (s->view != VIEW_CNN) rt->cnn_fresh = false;  // drawing may reuse the net's buffers
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
    if (rt->have_lesson) lesson_free(&rt->current);
    lesson_close(s);
    s->draw_net = s->live_net = NULL;
    s->train_live = s->tmpl_live = NULL;
    memset(rt, 0, sizeof *rt);
}
