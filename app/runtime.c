// runtime.c - training threads and models behind the views (see runtime.h).
#include "runtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include "assets.h"
#include "fileio.h"
#include "lesson_play.h"
#include "update.h"
#include "views.h"
#include "modelfile.h"
#ifdef __EMSCRIPTEN__
#include "web.h"
#endif

static const int delays_[] = {0, 10, 30, 100, 250, 500, 1000};
#define N_DELAYS ((int)(sizeof delays_ / sizeof delays_[0]))

// The dashboard's architecture: a model from the list, or the --arch one.
static const char *model_arch_(const app_state *s) {
    return s->train_model == MODEL_CUSTOM && s->host.custom_arch[0] ? s->host.custom_arch
                                                                : app_train_model_arch(s->train_model);
}

// How a trainer trains: `convstep train`'s defaults, one thread, and the
// recipe a lesson set (dropout goes in before the last dense layer, so the
// architecture is rewritten into buf).
static app_train_options options_(const app_state *s, const char *arch, bool templates, char *buf, size_t size) {
    app_train_options o;
    app_train_options_default(&o);
    o.arch = arch;
    o.epochs = templates ? 10 : 3;
    o.threads = 1;  // the window keeps the other core
    const app_recipe *r = &s->recipe;
    o.lr = r->lr;
    o.shift = r->shift;
    o.weight_decay = r->weight_decay;
    const char *full = nn_arch_expand(arch);
    const char *last = NULL;
    for (const char *at = full; (at = strstr(at, "dense(")) != NULL; at++) last = at;
    if (r->dropout > 0 && last) {
        snprintf(buf, size, "%.*sdropout(%g),%s", (int)(last - full), full, (double)r->dropout, last);
        o.arch = buf;
    }
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

static int cmp_names_(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// A file name as the menu shows it: control characters become '?'.
static void shown_name_(char *dst, size_t size, const char *name) {
    size_t i = 0;
    for (; name[i] && i + 1 < size; i++) {
        const unsigned char ch = (unsigned char)name[i];
        dst[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    dst[i] = '\0';
}

// Every lessons/*.lesson for the menu, sorted by file name, each with its
// title or, when it does not parse, its error (file:line); the menu lists the
// first LESSON_MENU_MAX by name and counts the rest.
#define SCAN_MAX_NAMES 100000  // names sorted at most (more are only counted)
static void scan_lessons_(app_runtime *rt, app_state *s) {
    char dir[800], err[400];
    s->host.n_lessons = 0;
    s->host.lessons_unlisted = 0;
    s->host.lessons = NULL;
    free(rt->menu);
    rt->menu = NULL;
    if (!runtime_lessons_dir(dir, sizeof dir, err, sizeof err)) return;
    DIR *d = opendir(dir);
    if (!d) return;
    char **names = NULL;
    int n = 0, cap = 0, extra = 0;
    for (struct dirent *e; (e = readdir(d));) {
        const size_t len = strlen(e->d_name);
        if (len <= 7 || strcmp(e->d_name + len - 7, ".lesson") != 0) continue;
        if (n == SCAN_MAX_NAMES) {
            extra++;
            continue;
        }
        if (n == cap) {
            const int more = cap ? cap * 2 : 64;
            char **grown = realloc(names, sizeof *names * (size_t)more);
            if (!grown) break;
            names = grown;
            cap = more;
        }
        if (!(names[n] = strdup(e->d_name))) break;
        n++;
    }
    closedir(d);
    if (n > 0) qsort(names, (size_t)n, sizeof *names, cmp_names_);
    const int listed = n < LESSON_MENU_MAX ? n : LESSON_MENU_MAX;
    // n counts up from 0, so listed is never negative (GCC cannot tell).
    rt->menu = listed > 0 ? calloc((size_t)(unsigned)listed, sizeof *rt->menu) : NULL;
    for (int i = 0; i < listed && rt->menu; i++) {
        lesson_entry *m = &rt->menu[i];
        shown_name_(m->name, sizeof m->name, names[i]);
        const int w = snprintf(m->path, sizeof m->path, "%s/%s", dir, names[i]);
        lesson l;
        if (w < 0 || (size_t)w >= sizeof m->path)
            snprintf(m->error, sizeof m->error, "%.200s: the path is too long (over %zu bytes)", m->name,
                     sizeof m->path - 1);
        else if (!lesson_load(&l, m->path, m->error, sizeof m->error))
            m->title[0] = '\0';
        else {
            snprintf(m->title, sizeof m->title, "%.95s", l.title);
            m->steps = lesson_count_beats(&l);
            m->minutes = lesson_class_minutes(&l);
            lesson_free(&l);
        }
    }
    if (rt->menu) {
        s->host.lessons = rt->menu;
        s->host.n_lessons = listed;
        s->host.lessons_unlisted = n - listed + extra;
    }
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
}

// Stops a 'train N' the lesson waits for (the worker pauses where it is);
// returns the steps done of it, -1 if none was running.
static long long stop_lesson_training_(app_runtime *rt, app_state *s) {
    lesson_player *p = &s->player;
    if (!p->train_pending) return -1;
    live_trainer *lt = p->train_templates ? rt->tmpl : rt->dash;
    live_snapshot *snap = p->train_templates ? rt->tmpl_snap : rt->dash_snap;
    long long done = 0;
    if (lt) {
        live_pause(lt, true);
        live_snapshot_get(lt, snap, true);
        done = p->train_target - snap->run_left;
        s->host.train_live = rt->dash_snap;
        s->host.tmpl_live = rt->tmpl_snap;
    }
    p->train_pending = false;
    return done;
}

bool runtime_open_lesson(app_runtime *rt, app_state *s, const char *path, FILE *log, char *err,
                         size_t errsize) {
    lesson l;
    if (!lesson_load(&l, path, err, errsize)) return false;
    stop_lesson_training_(rt, s);
    if (rt->have_lesson) lesson_free(&rt->current);
    rt->current = l;
    rt->have_lesson = true;
    lesson_start(s, &rt->host, &rt->current, log);
    return true;
}

// Opens lesson i of the menu (the menu asked).
static void open_lesson_(app_runtime *rt, app_state *s, int i) {
    char err[600];
    if (i >= 0 && i < s->host.n_lessons && rt->menu && !runtime_open_lesson(rt, s, rt->menu[i].path, NULL, err, sizeof err))
        snprintf(s->status, sizeof s->status, "%.500s", err);
}

// Moves the lesson being played as its keys and buttons asked.
static void lesson_nav_(app_runtime *rt, app_state *s, int nav) {
    if (!s->player.l) return;
    if (nav == LESSON_NAV_NEXT) {
        // The beat goes on by itself when its training ends (or Esc stops it).
        if (s->player.train_pending) return;
        if (!lesson_next(s, &rt->host, NULL)) s->player.autoplay = false;
    } else if (nav == LESSON_NAV_BACK) {
        stop_lesson_training_(rt, s);
        lesson_back(s, &rt->host);
    } else if (nav == LESSON_NAV_RESTART) {
        stop_lesson_training_(rt, s);
        lesson_start(s, &rt->host, s->player.l, NULL);
    } else if (nav == LESSON_NAV_CLOSE) {
        stop_lesson_training_(rt, s);
        lesson_close(s);
        s->view = VIEW_LESSONS;
    } else if (nav == LESSON_NAV_STOP_TRAINING) {
        const long long target = s->player.train_target;
        const long long done = stop_lesson_training_(rt, s);
        if (done >= 0 && target == 0) {
            lesson_resume(s, &rt->host, NULL);
        } else if (done >= 0) {
            char note[160];
            snprintf(note, sizeof note, "(Training stopped by Esc after %lld of %lld steps.)", done, target);
            lesson_resume(s, &rt->host, note);
        }
    }
}

// A lesson's 'train N' on the worker: when it is done, the beat goes on.
static void lesson_training_(app_runtime *rt, app_state *s) {
    lesson_player *p = &s->player;
    if (!p->l || !p->train_pending) return;
    const live_snapshot *snap = p->train_templates ? s->host.tmpl_live : s->host.train_live;
    if (snap && (snap->rebuilding || (snap->run_left > 0 && !snap->paused))) return;  // still at it
    p->train_pending = false;
    lesson_resume(s, &rt->host, snap && snap->diverged ? snap->message : NULL);
}

// Why training is not available when the window has no digits: the loader's
// own message (this runs only when they are missing, so the cost is nothing).
static void data_why_(char *why, size_t size) {
    app_dataset train, test;
    char err[340];
    if (app_dataset_load(&train, &test, NULL, err, sizeof err)) {
        app_dataset_free(&train);
        app_dataset_free(&test);
        snprintf(why, size, "training is not available: the window was started without the digits");
    } else {
        snprintf(why, size, "training is not available: %s", err);
    }
}

// True if the model classifies 28x28 one-channel digits into 10 classes;
// else false with what it takes and gives instead.
static bool digit_model_ok_(const nn_net *net, const char *path, char *why, size_t size) {
    const nn_shape in = net->model->input;
    const int classes = nn_net_classes(net);
    if (in.c != 1 || in.h != 28 || in.w != 28) {
        snprintf(why, size, "%.300s takes %dx%dx%d inputs (HxWxC); drawing needs 28x28x1, one grey digit", path,
                 in.h, in.w, in.c);
        return false;
    }
    if (classes != 10) {
        snprintf(why, size, "%.300s has %d classes; drawing needs 10, one per digit", path, classes);
        return false;
    }
    return true;
}

// A trainer for the dashboard (templates false) or the templates; NULL with
// the reason in `why`.
static live_trainer *make_trainer_(app_runtime *rt, const app_state *s, bool templates, char *why, size_t size) {
    char arch[512];
    const app_train_options o = options_(s, templates ? "softmax" : model_arch_(s), templates, arch, sizeof arch);
    char err[400];
    live_trainer *lt = live_create(&o, rt->train, rt->test, err, sizeof err);
    if (!lt) {
        snprintf(why, size, "training is not available: %.370s", err);
        return NULL;
    }
    why[0] = '\0';
    // The templates form too fast to watch at full speed: start slowly.
    if (templates) live_set_delay(lt, 30);
    return lt;
}

// ---- The lesson player's host ---------------------------------------------------------------

static void host_select_model_(void *ctx, app_state *s, bool now) { runtime_select_model(ctx, s, now); }

static bool host_has_trainer_(void *ctx, bool templates) {
    const app_runtime *rt = ctx;
    return (templates ? rt->tmpl : rt->dash) != NULL;
}

static bool host_train_start_(void *ctx, app_state *s, bool templates, int n, char *why, size_t whysize) {
    return runtime_train_start(ctx, s, templates, n, why, whysize);
}

static bool host_train_steps_(void *ctx, app_state *s, bool templates, int n) {
    return runtime_train_steps(ctx, s, templates, n);
}

static void refresh_live_net_(app_runtime *rt, app_state *s);
static void network_maps_(app_runtime *rt, app_state *s);

// A lesson's 'open' needs the network's numbers of this very moment.
static void host_refresh_(void *ctx, app_state *s) {
    app_runtime *rt = ctx;
    if (rt->dash) {
        live_snapshot_get(rt->dash, rt->dash_snap, false);
        s->host.train_live = rt->dash_snap;
    }
    refresh_live_net_(rt, s);
    if (rt->live_net && (view_get(s->view)->needs & VIEW_NEEDS_NETWORK)) network_maps_(rt, s);
}

bool runtime_lesson_next(app_runtime *rt, app_state *s, FILE *log) { return lesson_next(s, &rt->host, log); }

void runtime_init(app_runtime *rt, app_state *s, const app_dataset *train, const app_dataset *test) {
    memset(rt, 0, sizeof *rt);
    rt->host = (lesson_host){rt, host_select_model_, host_has_trainer_, host_train_start_, host_train_steps_, host_refresh_};
    rt->train = train;
    rt->test = test;
    s->host.train_why[0] = s->host.tmpl_why[0] = s->host.draw_why[0] = '\0';
    char err[400], path[1024];
    if (train && test) {
        rt->dash_snap = calloc(1, sizeof *rt->dash_snap);
        rt->tmpl_snap = calloc(1, sizeof *rt->tmpl_snap);
        if (rt->dash_snap && rt->tmpl_snap) {
            rt->dash = make_trainer_(rt, s, false, s->host.train_why, sizeof s->host.train_why);
            rt->tmpl = make_trainer_(rt, s, true, s->host.tmpl_why, sizeof s->host.tmpl_why);
        } else {
            snprintf(s->host.train_why, sizeof s->host.train_why, "training is not available: out of memory");
            snprintf(s->host.tmpl_why, sizeof s->host.tmpl_why, "%s", s->host.train_why);
        }
    } else {
        data_why_(s->host.train_why, sizeof s->host.train_why);
        snprintf(s->host.tmpl_why, sizeof s->host.tmpl_why, "%s", s->host.train_why);
    }
    // The shipped model for drawing: missing, unreadable or not a digit
    // model are three different stories, each told as it is.
    if (!app_asset_path("lenet5.model", path, sizeof path, err, sizeof err)) {
        snprintf(s->host.draw_why, sizeof s->host.draw_why, "no model to classify with: %.360s", err);
    } else if (!app_model_load(path, &rt->shipped, 1, NULL, 0, err, sizeof err)) {
        rt->shipped = NULL;
        snprintf(s->host.draw_why, sizeof s->host.draw_why, "no model to classify with: %.360s", err);
    } else if (!digit_model_ok_(rt->shipped, path, err, sizeof err)) {
        nn_net_free(rt->shipped);
        rt->shipped = NULL;
        snprintf(s->host.draw_why, sizeof s->host.draw_why, "no model to classify with: %.360s", err);
    } else {
        s->host.draw_net = rt->shipped;
    }
    const char *why = s->host.draw_why[0] ? s->host.draw_why : s->host.train_why[0] ? s->host.train_why : s->host.tmpl_why;
    snprintf(rt->note, sizeof rt->note, "%s", why);
    scan_lessons_(rt, s);
    runtime_frame(rt, s);
}

// Keeps a batch-1 copy of the dashboard's model for drawing, when it takes
// 28x28 digits.
static void refresh_live_net_(app_runtime *rt, app_state *s) {
    const live_snapshot *snap = rt->dash_snap;
    // Only when the parameters changed (a pause or a new rate publishes too).
    if (!snap || snap->params_stamp == rt->live_net_version || snap->n_params == 0) return;
    if (!rt->live_net || strcmp(rt->live_net_arch, snap->arch) != 0) {
        nn_net_free(rt->live_net);
        rt->live_net = NULL;
        nn_error e;
        if (nn_net_create(&rt->live_net, snap->arch, nn_shape_map(1, 28, 28), 1, NULL, &e) != NN_OK) return;
        snprintf(rt->live_net_arch, sizeof rt->live_net_arch, "%s", snap->arch);
    }
    if (rt->live_net->n_params != snap->n_params) return;
    memcpy(rt->live_net->params, snap->params, sizeof(float) * snap->n_params);
    rt->live_net_version = snap->params_stamp;
    s->host.live_net = rt->live_net;
    if (s->draw.live && (view_get(s->view)->needs & VIEW_NEEDS_CANVAS)) app_draw_classify(s);
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
    if (app_model_save(path, net, snap->arch, note, err, sizeof err)) {
        snprintf(s->status, sizeof s->status, "saved the model to %.400s", path);
#ifdef __EMSCRIPTEN__
        web_offer_download(path);  // the page's files vanish with it: the student keeps a copy
#endif
    } else
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
    } else if (!digit_model_ok_(net, best, err, sizeof err)) {
        snprintf(s->status, sizeof s->status, "%.500s", err);
        nn_net_free(net);
    } else {
        nn_net_free(rt->shipped);
        rt->shipped = net;
        s->host.draw_net = net;
        s->host.draw_why[0] = '\0';
        s->draw.live = false;
        app_draw_classify(s);
        snprintf(s->status, sizeof s->status, "drawing now uses %.400s", best);
    }
}

// Carries out a training view's request of trainer `target` (1: the templates').
static void train_request_(app_runtime *rt, app_state *s, live_request req, int target) {
    live_trainer *lt = target ? rt->tmpl : rt->dash;
    live_snapshot *snap = target ? rt->tmpl_snap : rt->dash_snap;
    if (req == LIVE_NONE) return;
    if (req == LIVE_LOAD) {  // needs no trainer
        load_newest_(rt, s);
        return;
    }
    char *why = target ? s->host.tmpl_why : s->host.train_why;
    if (!lt) {
        // No trainer (its model could not be built, or there are no digits):
        // choosing a model or resetting tries again; anything else says why.
        if ((req == LIVE_MODEL || req == LIVE_RESET) && rt->train && rt->test && snap) {
            lt = make_trainer_(rt, s, target != 0, why, sizeof s->host.train_why);
            if (target) rt->tmpl = lt;
            else rt->dash = lt;
        }
        if (!lt) snprintf(s->status, sizeof s->status, "%.500s", why[0] ? why : "training is not available");
        return;
    }
    char err[400];
    switch (req) {
    case LIVE_TOGGLE:
        if (snap->finished || snap->diverged)
            snprintf(s->status, sizeof s->status, "%s: press R to start again", snap->message);
        live_pause(lt, !snap->paused);
        break;
    case LIVE_RESET:
    case LIVE_MODEL: {
        // Built and evaluated on the worker: the window goes on drawing.
        const char *arch = target ? "softmax" : model_arch_(s);
        char with_dropout[512];
        const app_train_options o = options_(s, arch, target != 0, with_dropout, sizeof with_dropout);
        live_pause(lt, true);
        live_reset_async(lt, &o);
        (void)err;
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
    default: break;
    }
}

// A model the worker could not build: the status says why (once).
static void reset_failures_(app_state *s, const live_snapshot *snap, int *seen) {
    if (snap->reset_failures == *seen) return;
    *seen = snap->reset_failures;
    snprintf(s->status, sizeof s->status, "cannot train that model: %.460s", snap->reset_error);
}

void runtime_select_model(app_runtime *rt, app_state *s, bool now) {
    const int target = view_get(s->view)->trains_templates ? 1 : 0;
    live_trainer *lt = target ? rt->tmpl : rt->dash;
    if (!now || !lt) {
        app_effect(s, EFFECT_TRAIN, LIVE_MODEL, target);
    } else {
        char arch[512];
        const app_train_options o = options_(s, target ? "softmax" : model_arch_(s), target != 0, arch, sizeof arch);
        char err[400];
        live_pause(lt, true);
        if (!live_reset(lt, &o, err, sizeof err))
            snprintf(s->status, sizeof s->status, "cannot train that model: %.460s", err);
    }
    runtime_frame(rt, s);
}

// The CNN view's maps: the live weights on the inspected digit, run on the
// view's own copy of the network whenever the weights or the digit change.
static void cnn_maps_(app_runtime *rt, app_state *s) {
    if (s->host.cnn_net && rt->cnn_version == rt->live_net_version && rt->cnn_digit == s->inspect) return;
    if (!rt->cnn_net || strcmp(rt->cnn_net_arch, rt->live_net_arch) != 0) {
        nn_net_free(rt->cnn_net);
        rt->cnn_net = NULL;
        s->host.cnn_net = NULL;
        nn_error e;
        if (nn_net_create(&rt->cnn_net, rt->live_net_arch, nn_shape_map(1, 28, 28), 1, NULL, &e) != NN_OK) return;
        snprintf(rt->cnn_net_arch, sizeof rt->cnn_net_arch, "%s", rt->live_net_arch);
    }
    if (rt->cnn_net->n_params != rt->live_net->n_params) return;
    memcpy(rt->cnn_net->params, rt->live_net->params, sizeof(float) * rt->live_net->n_params);
    float x[784];
    for (int i = 0; i < 784; i++) x[i] = s->host.digits[(size_t)s->inspect * 784 + i] * (1.0f / 255.0f);
    nn_net_forward(rt->cnn_net, x, 1, false, NULL);
    rt->cnn_version = rt->live_net_version;
    rt->cnn_digit = s->inspect;
    s->host.cnn_net = rt->cnn_net;
}

// The network view's input as the network reads it: a test digit (pixel /
// 255), the drawing's prepared input, or the dropped picture's.
static void network_input_(const app_state *s, float x[784]) {
    switch (s->network.source) {
    case NET_SOURCE_DRAWING: memcpy(x, s->draw.input, sizeof s->draw.input); return;
    case NET_SOURCE_DROPPED: memcpy(x, s->drop.input, sizeof s->drop.input); return;
    case NET_SOURCE_DIGIT: break;
    }
    for (int i = 0; i < 784; i++)
        x[i] = s->host.digits ? s->host.digits[(size_t)s->inspect * 784 + i] * (1.0f / 255.0f) : 0.0f;
}

// The network view's activations: the live weights on its input, run on its
// own copy of the network whenever the weights or the input change.
static void network_maps_(app_runtime *rt, app_state *s) {
    float x[784];
    network_input_(s, x);
    if (s->host.network_net && rt->network_version == rt->live_net_version &&
        memcmp(x, rt->network_input, sizeof x) == 0)
        return;
    if (!rt->network_net || strcmp(rt->network_net_arch, rt->live_net_arch) != 0) {
        nn_net_free(rt->network_net);
        rt->network_net = NULL;
        s->host.network_net = NULL;
        nn_error e;
        if (nn_net_create(&rt->network_net, rt->live_net_arch, nn_shape_map(1, 28, 28), 1, NULL, &e) != NN_OK)
            return;
        snprintf(rt->network_net_arch, sizeof rt->network_net_arch, "%s", rt->live_net_arch);
    }
    if (rt->network_net->n_params != rt->live_net->n_params) return;
    memcpy(rt->network_net->params, rt->live_net->params, sizeof(float) * rt->live_net->n_params);
    memcpy(rt->network_input, x, sizeof x);
    memcpy(s->host.network_input, x, sizeof x);
    nn_net_forward(rt->network_net, x, 1, false, NULL);
    rt->network_version = rt->live_net_version;
    s->host.network_net = rt->network_net;
}

// The dropped picture itself for the drawing canvas: fitted into it keeping
// its proportions, centred, as ink (1) on black like a drawing; each canvas
// pixel the mean of 4x4 points of the picture under it.
static void fit_picture_(const app_gray_image *img, bool inverted, float out[DRAW_SIDE][DRAW_SIDE]) {
    const float scale = fminf((float)DRAW_SIDE / (float)img->w, (float)DRAW_SIDE / (float)img->h);
    const float ox = (DRAW_SIDE - img->w * scale) / 2, oy = (DRAW_SIDE - img->h * scale) / 2;
    for (int y = 0; y < DRAW_SIDE; y++)
        for (int x = 0; x < DRAW_SIDE; x++) {
            float sum = 0;
            int n = 0;
            for (int i = 0; i < 16; i++) {
                const float px = (x + (i % 4 + 0.5f) / 4 - ox) / scale, py = (y + (i / 4 + 0.5f) / 4 - oy) / scale;
                if (px < 0 || py < 0 || px >= img->w || py >= img->h) continue;
                const float v = img->v[(size_t)py * (size_t)img->w + (size_t)px];
                sum += inverted ? 1 - v : v;
                n++;
            }
            out[y][x] = n ? sum / 16 : 0;
        }
}

// Reads and prepares the file dropped onto the window exactly as `convstep
// classify` does (the same loader and app_digit_prepare), then hands it to the
// view. A file that will not do leaves everything as it was and says why.
static void drop_image_(app_runtime *rt, app_state *s) {
    app_drop *d = &s->drop;
    const char *slash = strrchr(d->path, '/');
    const char *base = slash && slash[1] ? slash + 1 : d->path;
    char name[sizeof d->name];
    text_escape(base, strlen(base), name, sizeof name);
    if (!rt->load_image) {
        snprintf(s->status, sizeof s->status, "cannot open '%s': this build of convstep cannot read pictures", name);
        return;
    }
    char err[1400];
    app_gray_image img;
    if (!rt->load_image(d->path, &img, err, sizeof err)) {  // its message names the file
        snprintf(s->status, sizeof s->status, "cannot use the dropped file: %.440s", err);
        return;
    }
    float x[28 * 28];
    app_digit_info info;
    const bool ok = app_digit_prepare(&img, x, &info, err, sizeof err);
    if (ok) fit_picture_(&img, info.inverted, d->picture);
    app_gray_image_free(&img);
    if (!ok) {
        snprintf(s->status, sizeof s->status, "cannot use '%s': %.300s", name, err);
        return;
    }
    memcpy(d->input, x, sizeof x);
    d->inverted = info.inverted;
    snprintf(d->name, sizeof d->name, "%s", name);
    const app_action taken = {.kind = ACT_DROPPED_IMAGE};
    app_apply(s, &taken);
}

// Carries out what the views asked, in order. The queue is taken first: a
// lesson opened here may queue requests of its own for the next frame.
static void effects_(app_runtime *rt, app_state *s) {
    const app_effects todo = s->effects;
    s->effects.n = 0;
    for (int i = 0; i < todo.n; i++) {
        const app_effect_req *e = &todo.items[i];
        switch (e->kind) {
        case EFFECT_TRAIN: train_request_(rt, s, (live_request)e->value, e->target); break;
        case EFFECT_OPEN_LESSON: open_lesson_(rt, s, e->value); break;
        case EFFECT_LESSON: lesson_nav_(rt, s, e->value); break;
        case EFFECT_DROP_IMAGE: drop_image_(rt, s); break;
        }
    }
}

void runtime_frame(app_runtime *rt, app_state *s) {
    effects_(rt, s);
    // Trainers without a thread (live.h) train here, in a slice of the frame.
    live_pump(rt->dash, LIVE_PUMP_BUDGET_MS);
    live_pump(rt->tmpl, LIVE_PUMP_BUDGET_MS);
    if (rt->dash) {
        live_snapshot_get(rt->dash, rt->dash_snap, false);
        s->host.train_live = rt->dash_snap;
        reset_failures_(s, rt->dash_snap, &rt->dash_failures);
    }
    if (rt->tmpl) {
        live_snapshot_get(rt->tmpl, rt->tmpl_snap, false);
        s->host.tmpl_live = rt->tmpl_snap;
        reset_failures_(s, rt->tmpl_snap, &rt->tmpl_failures);
    }
    refresh_live_net_(rt, s);
    lesson_training_(rt, s);
    const view_def *view = view_get(s->view);
    if (view->refresh) view->refresh(s);
    // The CNN view shows the live network's maps of one digit: recompute them
    // when the weights or the digit change.
    if ((view->needs & VIEW_NEEDS_LIVE_MAPS) && rt->live_net && s->host.digits) cnn_maps_(rt, s);
    if ((view->needs & VIEW_NEEDS_NETWORK) && rt->live_net) network_maps_(rt, s);
}

bool runtime_train_start(app_runtime *rt, app_state *s, bool templates, int n, char *why, size_t whysize) {
    live_trainer *lt = templates ? rt->tmpl : rt->dash;
    if (!lt) {
        const char *w = templates ? s->host.tmpl_why : s->host.train_why;
        snprintf(why, whysize, "%s", w[0] ? w : "training is not available here");
        return false;
    }
    live_run_steps(lt, n);
    return true;
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
    nn_net_free(rt->cnn_net);
    nn_net_free(rt->network_net);
    free(rt->menu);
    s->host.lessons = NULL;
    s->host.n_lessons = 0;
    if (rt->have_lesson) lesson_free(&rt->current);
    lesson_close(s);
    s->host.draw_net = s->host.live_net = NULL;
    s->host.cnn_net = s->host.network_net = NULL;
    s->host.train_live = s->host.tmpl_live = NULL;
    memset(rt, 0, sizeof *rt);
}
