// window.c - the SDL side of running a view: window loop and headless frames.
#include "window.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_syswm.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "font.h"
#include "input.h"
#include "layout.h"
#include "render.h"
#include "runtime.h"
#include "draw.h"
#include "lesson_play.h"

// ---- Screenshots -------------------------------------------------------------------------------

// The folder F12 writes to: $CONVSTEP_SCREENSHOTS, else ~/Pictures/convstep.
static void screenshot_dir_(char *buf, size_t size) {
    const char *env = getenv("CONVSTEP_SCREENSHOTS");
    if (env && *env) {
        snprintf(buf, size, "%s", env);
        return;
    }
    const char *home = getenv("HOME");
    snprintf(buf, size, "%s/Pictures/convstep", home && *home ? home : ".");
}

// A growing buffer the PNG is encoded into, so the file is written in one
// checked call (a full disk then says "No space left on device").
typedef struct png_buffer_ {
    unsigned char *data;
    size_t size, cap;
} png_buffer_;

static size_t SDLCALL png_buffer_write_(SDL_RWops *rw, const void *ptr, size_t size, size_t num) {
    png_buffer_ *b = rw->hidden.unknown.data1;
    if (size == 0 || num == 0) return 0;
    if (num > SIZE_MAX / size || b->size > SIZE_MAX - size * num) return 0;
    const size_t need = b->size + size * num;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        unsigned char *grown = realloc(b->data, cap);
        if (!grown) {
            SDL_OutOfMemory();
            return 0;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->size, ptr, size * num);
    b->size = need;
    return num;
}

// Writing only appends: the position is always the end.
static Sint64 SDLCALL png_buffer_seek_(SDL_RWops *rw, Sint64 offset, int whence) {
    png_buffer_ *b = rw->hidden.unknown.data1;
    if (offset == 0 && (whence == RW_SEEK_CUR || whence == RW_SEEK_END)) return (Sint64)b->size;
    return SDL_SetError("the PNG buffer cannot seek");
}

static Sint64 SDLCALL png_buffer_size_(SDL_RWops *rw) {
    return (Sint64)((png_buffer_ *)rw->hidden.unknown.data1)->size;
}

static size_t SDLCALL png_buffer_read_(SDL_RWops *rw, void *ptr, size_t size, size_t num) {
    (void)rw, (void)ptr, (void)size, (void)num;
    SDL_SetError("the PNG buffer is write-only");
    return 0;
}

static int SDLCALL png_buffer_close_(SDL_RWops *rw) {
    SDL_FreeRW(rw);
    return 0;
}

// Saves a surface as PNG: encoded in memory, then written to a temporary file
// beside `path` and renamed into place only when every write, the flush and
// the close succeeded. A full disk leaves no truncated PNG; false with the
// reason in msg.
static bool save_png_(SDL_Surface *surf, const char *path, char *msg, size_t size) {
    char why[900];
    // Refuse a bad target before the work of encoding.
    if (!app_check_save_target(path, "PNG ", why, sizeof why)) {
        snprintf(msg, size, "%s", why);
        return false;
    }
    png_buffer_ buf = {0};
    SDL_RWops *rw = SDL_AllocRW();
    bool ok = rw != NULL;
    if (rw) {
        rw->type = SDL_RWOPS_UNKNOWN;
        rw->hidden.unknown.data1 = &buf;
        rw->write = png_buffer_write_;
        rw->seek = png_buffer_seek_;
        rw->size = png_buffer_size_;
        rw->read = png_buffer_read_;
        rw->close = png_buffer_close_;
        ok = IMG_SavePNG_RW(surf, rw, 1) == 0 && buf.size > 0;
    }
    if (!ok)
        snprintf(msg, size, "cannot make the PNG for '%.400s': %s", path, IMG_GetError());
    else if (!app_write_file_atomic(path, buf.data, buf.size, "PNG ", why, sizeof why))
        ok = false, snprintf(msg, size, "%s", why);
    else
        snprintf(msg, size, "screenshot saved to %.400s", path);
    free(buf.data);
    return ok;
}

// The most screenshots one second may name (convstep-STAMP.png, -2 ... -999).
enum { SCREENSHOTS_PER_SECOND_MAX = 999 };

// A name in dir no file has yet: convstep-YYYYmmdd-HHMMSS.png, or with -2,
// -3 ... added when F12 is pressed again within the second. A save never
// replaces an earlier screenshot.
static bool free_screenshot_name_(const char *dir, char *path, size_t size) {
    time_t t = time(NULL);
    struct tm tmv;
    localtime_r(&t, &tmv);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tmv);
    for (int n = 1; n <= SCREENSHOTS_PER_SECOND_MAX; n++) {
        int len = n == 1 ? snprintf(path, size, "%s/convstep-%s.png", dir, stamp)
                         : snprintf(path, size, "%s/convstep-%s-%d.png", dir, stamp, n);
        if (len < 0 || (size_t)len >= size) return false;
        struct stat st;
        if (lstat(path, &st) != 0 && errno == ENOENT) return true;
    }
    return false;
}

#if defined(SDL_VIDEO_DRIVER_X11) && defined(__linux__)
// X11's own idea of the window's size. Without a window manager a request for
// fullscreen is never carried out, yet SDL takes the desktop's size as the
// window's: asking the X server is the only way to know the truth. libX11 is
// already loaded by SDL, so it is looked up, not linked.
static bool x11_window_size_(SDL_Window *win, int *w, int *h) {
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (!SDL_GetWindowWMInfo(win, &info) || info.subsystem != SDL_SYSWM_X11) return false;
    static int (*get_geometry)(Display *, Drawable, Window *, int *, int *, unsigned *, unsigned *,
                               unsigned *, unsigned *) = NULL;
    static bool looked_up = false;
    if (!looked_up) {
        looked_up = true;
        void *lib = dlopen("libX11.so.6", RTLD_LAZY | RTLD_NOLOAD);
        if (lib) *(void **)&get_geometry = dlsym(lib, "XGetGeometry");
    }
    if (!get_geometry) return false;
    Window root;
    int x, y;
    unsigned width, height, border, depth;
    if (!get_geometry(info.info.x11.display, info.info.x11.window, &root, &x, &y, &width, &height,
                      &border, &depth))
        return false;
    *w = (int)width;
    *h = (int)height;
    return width > 0 && height > 0;
}
#else
static bool x11_window_size_(SDL_Window *win, int *w, int *h) {
    (void)win, (void)w, (void)h;
    return false;
}
#endif

// The size in pixels of what the window really shows: the window system's
// size where it can be asked (scaled by the renderer's pixels per point), else
// the renderer's output size.
static void window_pixel_size_(SDL_Window *win, SDL_Renderer *r, int *w, int *h) {
    SDL_GetRendererOutputSize(r, w, h);
    int real_w, real_h, points_w, points_h;
    if (!x11_window_size_(win, &real_w, &real_h)) return;
    SDL_GetWindowSize(win, &points_w, &points_h);
    if (points_w <= 0 || points_h <= 0) return;
    *w = (int)((long long)real_w * *w / points_w);
    *h = (int)((long long)real_h * *h / points_h);
}

// F12: draws the current state again at the window's real pixel size with the
// software renderer (the headless path's drawing, so the picture is complete
// and right side up whatever the GPU's buffers hold) and saves it under a
// name no other screenshot has.
static bool window_screenshot_(app_state *s, SDL_Window *win, SDL_Renderer *r, app_font *font,
                               char *msg, size_t size) {
    int w, h;
    window_pixel_size_(win, r, &w, &h);
    SDL_Surface *surf = w > 0 && h > 0 ? SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888)
                                       : NULL;
    SDL_Renderer *soft = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!soft) {
        snprintf(msg, size, "screenshot failed: %s", SDL_GetError());
        if (surf) SDL_FreeSurface(surf);
        return false;
    }
    ui_layout l;
    ui_metrics m = {render_text_width, font};
    layout_compute(&l, s, w, h, &m);
    render_frame(s, &l, soft, font);
    font_flush(font);  // the cached text belongs to the software renderer now
    char dir[900], path[1024];
    screenshot_dir_(dir, sizeof dir);
    app_make_dirs(dir);
    bool ok = free_screenshot_name_(dir, path, sizeof path);
    if (!ok)
        snprintf(msg, size, "screenshot failed: no free name in %.400s (at most %d a second)", dir,
                 SCREENSHOTS_PER_SECOND_MAX);
    else
        ok = save_png_(surf, path, msg, size);
    SDL_DestroyRenderer(soft);
    SDL_FreeSurface(surf);
    return ok;
}

// ---- Headless ------------------------------------------------------------------------------------

static double now_ms_(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int cmp_double_(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void draw_(app_state *s, SDL_Renderer *r, app_font *font, int w, int h) {
    ui_layout l;
    ui_metrics m = {render_text_width, font};
    layout_compute(&l, s, w, h, &m);
    render_frame(s, &l, r, font);
}

// The path of a PNG in dir ("frame-0001.png" and the like). False,
// with a message, if it does not fit: a name cut short would land outside dir.
static bool frame_path_(char *path, size_t size, const char *dir, const char *name, char *msg, size_t msgsize) {
    const int len = snprintf(path, size, "%s/%s", dir, name);
    if (len < 0 || (size_t)len >= size) {
        snprintf(msg, msgsize, "the folder name '%.100s...' is too long for %s (at most %zu bytes)", dir, name,
                 size - strlen(name) - 2);
        return false;
    }
    return true;
}

// True if a step left an animation where it was.
static bool same_place_(const anim_state *before, const anim_state *after) {
    return before->pos == after->pos && before->reveal == after->reveal;
}

// Plays a lesson headless: every beat, a transcript, the checks, PNGs.
static int run_lesson_(app_state *s, app_runtime *rt, const view_run_options *o, FILE *out, FILE *err,
                       SDL_Renderer *r, SDL_Surface *surf, app_font *font) {
    char msg[1200], path[1100];
    if (!runtime_open_lesson(rt, s, o->lesson, out, msg, sizeof msg)) {
        fprintf(err, "convstep: error: %s\n", msg);
        return 1;
    }
    if (o->export_dir) app_make_dirs(o->export_dir);
    if (o->frames_dir) app_make_dirs(o->frames_dir);
    int beat = 0, status = 0;
    do {
        beat++;
        const char *dirs[2] = {o->export_dir, o->frames_dir};
        for (int k = 0; k < 2 && status == 0; k++) {
            if (!dirs[k]) continue;
            draw_(s, r, font, o->width, o->height);
            char name[64];
            if (k == 0)
                snprintf(name, sizeof name, "slide-%02d.png", beat);
            else
                snprintf(name, sizeof name, "frame-%04d.png", beat - 1);
            if (!frame_path_(path, sizeof path, dirs[k], name, msg, sizeof msg) || !save_png_(surf, path, msg, sizeof msg)) {
                fprintf(err, "convstep: error: %s\n", msg);
                status = 2;
            }
        }
    } while (status == 0 && lesson_next(s, rt, out));
    if (status == 0 && o->screenshot) {
        draw_(s, r, font, o->width, o->height);
        if (!save_png_(surf, o->screenshot, msg, sizeof msg)) {
            fprintf(err, "convstep: error: %s\n", msg);
            status = 2;
        }
    }
    const int failures = s->player.failures;
    fprintf(out, "%s: %d beat(s), %d expectation(s) failed\n", rt->current.title, beat, failures);
    if (o->export_dir && status == 0) fprintf(out, "wrote %d slide(s) to %s\n", beat, o->export_dir);
    if (failures > 0) {
        fprintf(err, "convstep: error: %s\n", s->player.last_failure);
        if (status == 0) status = 1;
    }
    return status;
}

// Resident memory in MiB (Linux /proc; 0 where it cannot be read).
static double rss_mib_(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

// The soak: training in its thread (started again whenever it finishes) while
// frames are drawn at 60 Hz, with the resident memory every minute.
static void soak_(app_state *s, app_runtime *rt, const view_run_options *o, FILE *out, SDL_Renderer *r,
                  app_font *font) {
    const double start = now_ms_();
    double next_report = start;
    const app_action go = {.kind = ACT_TRAIN_TOGGLE}, again = {.kind = ACT_TRAIN_RESET};
    app_update(s, &go);
    long long frames = 0, steps = 0, last_steps = 0;
    fprintf(out, "soak: %.0f s of training with frames drawn at 60 Hz\n", o->soak_seconds);
    while (now_ms_() - start < o->soak_seconds * 1000) {
        const double t0 = now_ms_();
        runtime_frame(rt, s);
        const live_snapshot *snap = s->view == VIEW_TEMPLATES ? s->host.tmpl_live : s->host.train_live;
        if (snap && snap->finished) {  // keep training: start afresh, and go on
            steps += snap->steps;
            app_update(s, &again);
            runtime_frame(rt, s);
            app_update(s, &go);
        }
        app_tick(s, 1000.0 / 60);
        draw_(s, r, font, o->width, o->height);
        frames++;
        if (t0 >= next_report) {
            const long long total = steps + (snap ? snap->steps : 0);
            fprintf(out, "soak: t %6.0f s  rss %7.1f MiB  frames %lld  training steps %lld (+%lld)\n",
                    (t0 - start) / 1000, rss_mib_(), frames, total, total - last_steps);
            fflush(out);
            last_steps = total;
            next_report += 60000;
        }
        const double spent = now_ms_() - t0;
        if (spent < 1000.0 / 60) SDL_Delay((Uint32)(1000.0 / 60 - spent));
    }
    fprintf(out, "soak: end  rss %.1f MiB after %lld frames\n", rss_mib_(), frames);
    app_update(s, &go);
    runtime_frame(rt, s);
}

static int run_headless_(app_state *s, const view_run_options *o, FILE *out, FILE *err, app_font *font) {
    const int w = o->width, h = o->height;
    app_runtime rt;
    runtime_init(&rt, s, o->train, o->test);
    const bool templates = s->view == VIEW_TEMPLATES;
    if (o->train_steps > 0 && !runtime_train_steps(&rt, s, templates, o->train_steps))
        fprintf(err, "convstep: note: training stopped early (see the picture)\n");
    if (o->seconds > 0) {
        const app_action go = {.kind = ACT_TRAIN_TOGGLE};
        app_update(s, &go);
        runtime_frame(&rt, s);
        SDL_Delay((Uint32)(o->seconds * 1000));
        app_update(s, &go);
        runtime_frame(&rt, s);
        SDL_Delay(50);  // the worker publishes its last step
        runtime_frame(&rt, s);
    }
    char why[300];
    if (o->strokes && !draw_strokes(s, o->strokes, why, sizeof why)) {
        fprintf(err, "convstep: error: --%s\n", why);
        runtime_destroy(&rt, s);
        return 1;
    }
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!r) {
        fprintf(err, "convstep: error: cannot make a %dx%d software surface: %s\n", w, h, SDL_GetError());
        if (surf) SDL_FreeSurface(surf);
        runtime_destroy(&rt, s);
        return 2;
    }
    if (o->lesson) {
        const int st = run_lesson_(s, &rt, o, out, err, r, surf, font);
        runtime_destroy(&rt, s);
        font_flush(font);
        SDL_DestroyRenderer(r);
        SDL_FreeSurface(surf);
        return st;
    }
    char msg[1200], path[1100];
    int status = 0, frame = 0;
    bool ended = false;  // the animation reached its end before --steps ran out
    if (o->frames_dir) app_make_dirs(o->frames_dir);
    for (int step = 0; status == 0; step++) {
        if (o->frames_dir) {
            draw_(s, r, font, w, h);
            char name[64];
            snprintf(name, sizeof name, "frame-%04d.png", frame++);
            if (!frame_path_(path, sizeof path, o->frames_dir, name, msg, sizeof msg) ||
                !save_png_(surf, path, msg, sizeof msg)) {
                fprintf(err, "convstep: error: %s\n", msg);
                status = 2;
            }
        }
        if (step >= o->steps) break;
        // A step past the last cell changes nothing: every further frame
        // would be the same picture again, so stop here.
        const anim_state conv_before = s->conv.anim, pool_before = s->pool.anim;
        const app_action a = {.kind = ACT_STEP_FORWARD};
        app_update(s, &a);
        if (same_place_(&conv_before, &s->conv.anim) && same_place_(&pool_before, &s->pool.anim)) {
            ended = true;
            break;
        }
    }
    // Play on a fake clock: frame N is the same on every machine.
    if (status == 0 && o->play_seconds > 0) {
        const app_action play = {.kind = ACT_PLAY_PAUSE};
        const anim_state *an = s->view == VIEW_POOL ? &s->pool.anim : &s->conv.anim;
        if (!an->playing) app_update(s, &play);
        for (double t = 0; t < o->play_seconds * 1000; t += 1000.0 / 60) app_tick(s, 1000.0 / 60);
    }
    if (status == 0 && o->soak_seconds > 0) soak_(s, &rt, o, out, r, font);
    if (status == 0 && o->bench_frames > 0) {
        double *ms = malloc(sizeof(double) * (size_t)o->bench_frames);
        // Animate what the view animates: the stepper, or training in its thread.
        const bool training = s->view == VIEW_TRAIN || s->view == VIEW_TEMPLATES;
        const app_action play = {.kind = training ? ACT_TRAIN_TOGGLE : ACT_PLAY_PAUSE};
        app_update(s, &play);
        runtime_frame(&rt, s);
        for (int i = 0; ms && i < o->bench_frames; i++) {
            const double t0 = now_ms_();
            runtime_frame(&rt, s);
            app_tick(s, 1000.0 / 60);
            draw_(s, r, font, w, h);
            ms[i] = now_ms_() - t0;
            // Hold 60 frames a second, as the window does, so training gets its share.
            const double spent = now_ms_() - t0;
            if (training && spent < 1000.0 / 60) SDL_Delay((Uint32)(1000.0 / 60 - spent));
        }
        if (training) {
            const live_snapshot *snap = s->view == VIEW_TRAIN ? s->host.train_live : s->host.tmpl_live;
            if (snap) fprintf(out, "training meanwhile: %.0f samples/s\n", snap->samples_per_sec);
            app_update(s, &play);
            runtime_frame(&rt, s);
        }
        if (ms) {
            qsort(ms, (size_t)o->bench_frames, sizeof *ms, cmp_double_);
            fprintf(out, "frames %d at %dx%d: median %.2f ms, p99 %.2f ms per frame\n", o->bench_frames, w, h,
                    ms[o->bench_frames / 2], ms[(o->bench_frames * 99) / 100]);
            free(ms);
        }
    }
    if (status == 0 && o->screenshot) {
        draw_(s, r, font, w, h);
        if (!save_png_(surf, o->screenshot, msg, sizeof msg)) {
            fprintf(err, "convstep: error: %s\n", msg);
            status = 2;
        } else {
            fprintf(out, "%s\n", msg);
        }
    }
    if (status == 0 && o->frames_dir)
        fprintf(out, "wrote %d frames to %s%s\n", frame, o->frames_dir,
                ended ? " (the animation ends there: no more steps to show)" : "");
    if (s->view == VIEW_DRAW && s->draw.ready) {
        int best = 0;
        for (int j = 1; j < 10; j++) best = s->draw.probs[j] > s->draw.probs[best] ? j : best;
        fprintf(out, "the drawing is a %d (%.1f%%)\n", best, 100.0 * s->draw.probs[best]);
    }
    if ((s->view == VIEW_TRAIN && s->host.train_live) || (s->view == VIEW_TEMPLATES && s->host.tmpl_live)) {
        const live_snapshot *snap = s->view == VIEW_TRAIN ? s->host.train_live : s->host.tmpl_live;
        fprintf(out, "trained %lld steps of %s: test accuracy %.2f%%\n", snap->steps, snap->arch,
                100.0 * snap->test_accuracy);
    }
    runtime_destroy(&rt, s);
    font_flush(font);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
    return status;
}

// ---- The window ------------------------------------------------------------------------------------

// True if a display may be there: X11 or Wayland named in the environment,
// or a video driver chosen by hand (SDL_VIDEODRIVER).
static bool display_expected_(void) {
    const char *names[] = {"DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v && *v) return true;
    }
    return false;
}

// How long a window manager gets to carry out a fullscreen request (ms).
enum { FULLSCREEN_SETTLE_MS = 1000 };

static int run_window_(app_state *s, const view_run_options *o, FILE *err, app_font *font) {
#if defined(__linux__)
    if (!display_expected_()) {
        fprintf(err, "convstep: error: there is no display to open a window on (DISPLAY and "
                     "WAYLAND_DISPLAY are unset; try --headless)\n");
        return 2;
    }
#endif
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        fprintf(err, "convstep: error: cannot open a window: %s (try --headless)\n", SDL_GetError());
        return 2;
    }
    // The offscreen and dummy drivers show nothing: a window nobody can see
    // (and nobody can close) would run until killed. Whether SDL fell back to
    // them or SDL_VIDEODRIVER named them, that is no display; --headless is
    // the way to draw without one.
    const char *driver = SDL_GetCurrentVideoDriver();
    if (!driver || strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0) {
        fprintf(err, "convstep: error: there is no display to open a window on (the video driver '%s' "
                     "shows nothing; try --headless)\n", driver ? driver : "none");
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return 2;
    }
    SDL_Window *win = SDL_CreateWindow("convstep", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o->width,
                                       o->height, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    SDL_Renderer *r = win ? SDL_CreateRenderer(win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC) : NULL;
    if (win && !r) r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    if (!r) {
        fprintf(err, "convstep: error: cannot create a renderer: %s\n", SDL_GetError());
        if (win) SDL_DestroyWindow(win);
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return 2;
    }
    SDL_StartTextInput();
    app_runtime rt;
    runtime_init(&rt, s, o->train, o->test);
    if (o->lesson) {
        char msg[1200];
        if (!runtime_open_lesson(&rt, s, o->lesson, NULL, msg, sizeof msg)) {
            fprintf(err, "convstep: error: %s\n", msg);
            runtime_destroy(&rt, s);
            SDL_DestroyRenderer(r);
            SDL_DestroyWindow(win);
            SDL_QuitSubSystem(SDL_INIT_VIDEO);
            return 1;
        }
    }
    bool fullscreen = false;
    double fullscreen_since = 0;  // when fullscreen was asked for, until it is checked
    double last = now_ms_();
    ui_layout l;
    ui_metrics m = {render_text_width, font};
    while (!s->quit) {
        int w, h;
        SDL_GetRendererOutputSize(r, &w, &h);
        layout_compute(&l, s, w, h, &m);
        SDL_Event e;
        while (SDL_PollEvent(&e)) {
            bool shot = false;
            // Mouse coordinates are in window points; the layout is in pixels.
            int ww, wh;
            SDL_GetWindowSize(win, &ww, &wh);
            if (e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_MOUSEBUTTONUP) {
                e.button.x = e.button.x * w / (ww ? ww : 1);
                e.button.y = e.button.y * h / (wh ? wh : 1);
            } else if (e.type == SDL_MOUSEMOTION) {
                e.motion.x = e.motion.x * w / (ww ? ww : 1);
                e.motion.y = e.motion.y * h / (wh ? wh : 1);
            }
            const app_action a = input_action(s, &l, &e, &shot);
            if (a.kind != ACT_NONE) {
                s->status[0] = '\0';
                app_update(s, &a);
                layout_compute(&l, s, w, h, &m);
            }
            if (shot) window_screenshot_(s, win, r, font, s->status, sizeof s->status);
        }
        if (s->fullscreen != fullscreen) {
            fullscreen = s->fullscreen;
            SDL_SetWindowFullscreen(win, fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
            fullscreen_since = now_ms_();
        }
        // Without a window manager nobody carries out a fullscreen request, yet
        // SDL takes the desktop's size as the window's and draws for a surface
        // that is not there. If the window system still disagrees a moment
        // later, go back to the window and say why.
        if (fullscreen && fullscreen_since > 0 && now_ms_() - fullscreen_since > FULLSCREEN_SETTLE_MS) {
            fullscreen_since = 0;
            int real_w, real_h, ww, wh;
            SDL_GetWindowSize(win, &ww, &wh);
            if (x11_window_size_(win, &real_w, &real_h) && (real_w != ww || real_h != wh)) {
                SDL_SetWindowFullscreen(win, 0);
                fullscreen = s->fullscreen = false;
                snprintf(s->status, sizeof s->status,
                         "fullscreen did not happen (no window manager carried it out): back in the window");
            }
        }
        runtime_frame(&rt, s);
        const double now = now_ms_();
        app_tick(s, now - last);
        last = now;
        render_frame(s, &l, r, font);
        SDL_RenderPresent(r);
        // Without vsync, hold the loop near 60 frames a second.
        const double spent = now_ms_() - now;
        if (spent < 16.0) SDL_Delay((Uint32)(16.0 - spent));
    }
    SDL_StopTextInput();
    runtime_destroy(&rt, s);
    font_flush(font);
    SDL_DestroyRenderer(r);
    SDL_DestroyWindow(win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    return 0;
}

int app_run_view(app_state *s, const view_run_options *o, FILE *out, FILE *err) {
    char msg[1200];
    app_font *font = font_open(msg, sizeof msg);
    if (!font) {
        fprintf(err, "convstep: error: %s\n", msg);
        return 2;
    }
    const int status = o->headless ? run_headless_(s, o, out, err, font) : run_window_(s, o, err, font);
    font_close(font);
    return status;
}
