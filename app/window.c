// window.c - the SDL side of running a view: the window's loop and the headless
// runs, each a series of frame_run (frame.h) drawn into SDL.
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

#include "draw.h"
#include "fileio.h"
#include "font.h"
#include "frame.h"
#include "gif_export.h"
#include "image_load.h"
#include "input.h"
#include "layout.h"
#include "lesson_play.h"
#include "render.h"
#include "render_record.h"
#include "runtime.h"
#include "update.h"
#include "view_export.h"
#include "views.h"
#ifdef __EMSCRIPTEN__
#include <emscripten.h>

#include "web.h"
#endif

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
#ifdef __EMSCRIPTEN__
    if (ok) web_offer_download(path);  // the page's files vanish with it: the student keeps a copy
#endif
    SDL_DestroyRenderer(soft);
    SDL_FreeSurface(surf);
    return ok;
}

// Ctrl+S and Ctrl+P in the convolution and pooling views: the lesson or the
// PyTorch script goes into the screenshot folder, and the script onto the
// clipboard too (a teacher pastes it into a notebook).
static void window_export_(app_state *s, view_export_kind kind) {
    char dir[900], path[1024];
    screenshot_dir_(dir, sizeof dir);
    char *text = NULL;
    const bool ok = view_export_to_dir(s, kind, dir, path, sizeof path, kind == VIEW_EXPORT_PYTORCH ? &text : NULL,
                                       s->status, sizeof s->status);
#ifdef __EMSCRIPTEN__
    if (ok) web_offer_download(path);
#endif
    if (ok && text && SDL_SetClipboardText(text) != 0)
        snprintf(s->status, sizeof s->status, "PyTorch script saved to %.300s (the clipboard refused it: %.60s)", path,
                 SDL_GetError());
    free(text);
}

// ---- Frames into SDL ---------------------------------------------------------------------------

// What a frame is drawn into: a window's renderer, or a software surface's.
typedef struct sdl_target_ {
    SDL_Renderer *renderer;
    app_font *font;
} sdl_target_;

static void paint_(void *ctx, const app_state *s, const ui_layout *l) {
    const sdl_target_ *t = ctx;
    // A recorder keeps the last frame drawn only.
    if (render_record_active()) render_record_clear(render_record_active());
    render_frame(s, l, t->renderer, t->font);
}

// Frames of s drawn into t, text measured with t's font.
static void frame_setup_(app_frame *f, sdl_target_ *t, app_state *s, app_runtime *rt, int w, int h) {
    frame_init(f, s, rt, (ui_metrics){render_text_width, t->font}, (frame_painter){paint_, t}, w, h);
}

static double now_ms_(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

// ---- Headless ------------------------------------------------------------------------------------

// A fake 60 Hz clock: frame N is the same on every machine.
#define FAKE_FRAME_MS (1000.0 / 60)

// A headless run: frames drawn on a software surface, saved as PNG.
typedef struct headless_ {
    app_frame frame;
    sdl_target_ target;
    SDL_Surface *surface;
    gif_writer *gif;  // --gif: collects the frames saved, written at the end
    // Every frame was drawn and saved: the GIF is written even when a
    // lesson's expectation failed (the slides are, and both show the failure).
    bool frames_complete;
    const view_run_options *o;
    FILE *out, *err;
} headless_;

static int cmp_double_(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// Saves the last frame drawn as dir/name ("frame-0001.png" and the like);
// false with the error printed. A path that does not fit is refused: cut
// short, it would land outside dir.
static bool save_frame_(headless_ *h, const char *dir, const char *name) {
    char path[1100], msg[1200];
    const int len = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (len < 0 || (size_t)len >= sizeof path) {
        snprintf(msg, sizeof msg, "the folder name '%.100s...' is too long for %s (at most %zu bytes)", dir, name,
                 sizeof path - strlen(name) - 2);
    } else if (save_png_(h->surface, path, msg, sizeof msg)) {
        return true;
    }
    fprintf(h->err, "convstep: error: %s\n", msg);
    return false;
}

// --gif: hands the last frame drawn to the GIF writer; the exit status
// (1 past the frame limit, with the error printed).
static int gif_add_(headless_ *h) {
    char msg[600];
    SDL_Surface *surf = h->surface;
    const SDL_PixelFormat *f = surf->format;
    // A channel's byte within a pixel, from its shift in the pixel's 32-bit value.
#if SDL_BYTEORDER == SDL_LIL_ENDIAN
#define BYTE_OF_(shift) ((int)(shift) / 8)
#else
#define BYTE_OF_(shift) (f->BytesPerPixel - 1 - (int)(shift) / 8)
#endif
    if (SDL_LockSurface(surf) != 0) {
        fprintf(h->err, "convstep: error: --gif: cannot read the frame: %s\n", SDL_GetError());
        return 2;
    }
    const gif_pixels px = {.data = surf->pixels, .width = surf->w, .height = surf->h, .pitch = surf->pitch,
                           .bytes_per_pixel = f->BytesPerPixel, .red = BYTE_OF_(f->Rshift),
                           .green = BYTE_OF_(f->Gshift), .blue = BYTE_OF_(f->Bshift)};
#undef BYTE_OF_
    const bool full = gif_writer_frames(h->gif) >= GIF_EXPORT_MAX_FRAMES;
    const bool ok = gif_writer_add(h->gif, &px, msg, sizeof msg);
    SDL_UnlockSurface(surf);
    if (ok) return 0;
    fprintf(h->err, "convstep: error: %s\n", msg);
    return full ? 1 : 2;
}

// --layout-json: saves what the frame just drawn into rec drew, as JSON at
// path; false with the error printed.
static bool save_layout_(headless_ *h, const render_record *rec, const char *path) {
    char msg[1200];
    if (render_record_save(rec, h->frame.state, frame_layout(&h->frame), path, msg, sizeof msg)) return true;
    fprintf(h->err, "convstep: error: %s\n", msg);
    return false;
}

// --screenshot: one more frame, drawn and saved (its message printed when
// `say`); the exit status.
static int screenshot_(headless_ *h, bool say) {
    char msg[1200];
    frame_run_actions(&h->frame, NULL, 0, 0, true);
    if (!save_png_(h->surface, h->o->screenshot, msg, sizeof msg)) {
        fprintf(h->err, "convstep: error: %s\n", msg);
        return 2;
    }
    if (say) fprintf(h->out, "%s\n", msg);
    return 0;
}

// Plays a lesson headless: a frame for every beat (saved as a slide and a
// frame when asked), a transcript, the checks. The exit status.
static int run_lesson_(headless_ *h) {
    const view_run_options *o = h->o;
    app_state *s = h->frame.state;
    app_runtime *rt = h->frame.runtime;
    char msg[1200];
    if (!runtime_open_lesson(rt, s, o->lesson, h->out, msg, sizeof msg)) {
        fprintf(h->err, "convstep: error: %s\n", msg);
        return 1;
    }
    if (o->export_dir) app_make_dirs(o->export_dir);
    if (o->frames_dir) app_make_dirs(o->frames_dir);
    if (o->layout_json) app_make_dirs(o->layout_json);
    int beat = 0, status = 0;
    render_record rec = {0};
    do {
        beat++;
        // The beat's own frame is the one recorded: no extra frame that could move anything.
        if (o->layout_json) render_record_start(&rec);
        frame_run_actions(&h->frame, NULL, 0, 0, o->export_dir || o->frames_dir || o->layout_json || h->gif);
        render_record_stop();
        char name[64];
        snprintf(name, sizeof name, "slide-%02d.png", beat);
        if (o->export_dir && !save_frame_(h, o->export_dir, name)) status = 2;
        snprintf(name, sizeof name, "frame-%04d.png", beat - 1);
        if (status == 0 && o->frames_dir && !save_frame_(h, o->frames_dir, name)) status = 2;
        if (status == 0 && h->gif) status = gif_add_(h);
        if (status == 0 && o->layout_json) {
            char path[1100];
            const int len = snprintf(path, sizeof path, "%s/step-%02d.json", o->layout_json, beat);
            if (len < 0 || (size_t)len >= sizeof path) {
                fprintf(h->err, "convstep: error: the folder name '%.100s...' is too long for --layout-json\n",
                        o->layout_json);
                status = 2;
            } else if (!save_layout_(h, &rec, path)) {
                status = 2;
            }
        }
    } while (status == 0 && runtime_lesson_next(rt, s, h->out));  // the beat, with its transcript
    render_record_free(&rec);
    if (status == 0 && o->screenshot) status = screenshot_(h, false);
    h->frames_complete = status == 0;
    const int failures = s->player.failures;
    fprintf(h->out, "%s: %d beat(s), %d expectation(s) failed\n", rt->current.title, beat, failures);
    if (o->export_dir && status == 0) fprintf(h->out, "wrote %d slide(s) to %s\n", beat, o->export_dir);
    if (failures > 0) {
        fprintf(h->err, "convstep: error: %s\n", s->player.last_failure);
        if (status == 0) status = 1;
    }
    return status;
}

// True if a step left an animation where it was.
static bool same_place_(const anim_state *before, const anim_state *after) {
    return before->pos == after->pos && before->reveal == after->reveal;
}

// --steps (with --frames, frame-0000.png is the start and one PNG follows
// each step; --gif gets the same frames). Sets *written to the frames saved
// and *ended when the animation reached its end first: a step past the last
// cell changes nothing, and every further frame would be the same picture
// again. The exit status.
static int step_(headless_ *h, int *written, bool *ended) {
    const view_run_options *o = h->o;
    const app_state *s = h->frame.state;
    const bool save = o->frames_dir != NULL || h->gif;
    if (o->frames_dir) app_make_dirs(o->frames_dir);
    const app_action step = {.kind = ACT_STEP_FORWARD};
    for (int i = 0; i <= o->steps; i++) {
        // The animation of the view shown (the convolution view's for views with none).
        view_op op;
        view_op_of(s, &op);
        const anim_state before = *op.anim;
        frame_run_actions(&h->frame, &step, i > 0, 0, save);  // frame 0 has no step
        if (i > 0 && same_place_(&before, op.anim)) {
            *ended = true;
            return 0;
        }
        if (o->frames_dir) {
            char name[64];
            snprintf(name, sizeof name, "frame-%04d.png", *written);
            if (!save_frame_(h, o->frames_dir, name)) return 2;
        }
        if (h->gif) {
            const int status = gif_add_(h);
            if (status != 0) return status;
        }
        if (save) (*written)++;
    }
    return 0;
}

// --play-seconds: plays the current animation on the fake clock.
static void play_(app_frame *f, double seconds) {
    const app_action play = {.kind = ACT_PLAY_PAUSE};
    view_op op;
    view_op_of(f->state, &op);
    const anim_state *an = op.anim;
    int n = an->playing ? 0 : 1;  // the first frame starts it
    for (double t = 0; t < seconds * 1000; t += FAKE_FRAME_MS, n = 0)
        frame_run_actions(f, &play, n, FAKE_FRAME_MS, false);
}

// --seconds: lets the view's model train that long, then pauses it: in its
// thread, or in the frames (undrawn, at 60 Hz) where it trains time-sliced.
static void train_for_(app_frame *f, double seconds) {
    const app_action toggle = {.kind = ACT_TRAIN_TOGGLE};
    frame_run_actions(f, &toggle, 1, 0, false);
    const double until = now_ms_() + seconds * 1000;
    while (now_ms_() < until) {
        const double left = until - now_ms_();
        SDL_Delay((Uint32)(left > 16 ? 16 : left > 0 ? left : 0));
        frame_run_actions(f, NULL, 0, 0, false);
    }
    frame_run_actions(f, &toggle, 1, 0, false);
    SDL_Delay(50);  // the worker publishes its last step
    frame_run_actions(f, NULL, 0, 0, false);
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

// Holds a loop near 60 frames a second, as the window does (training gets its share).
static void hold_60_hz_(double frame_start_ms) {
    const double spent = now_ms_() - frame_start_ms;
    if (spent < FAKE_FRAME_MS) SDL_Delay((Uint32)(FAKE_FRAME_MS - spent));
}

// --soak: training in its thread (started again whenever it finishes) while
// frames are drawn at 60 Hz, with the resident memory every minute.
static void soak_(headless_ *h) {
    app_frame *f = &h->frame;
    const double start = now_ms_();
    double next_report = start;
    const app_action toggle = {.kind = ACT_TRAIN_TOGGLE}, reset = {.kind = ACT_TRAIN_RESET};
    int start_training = 1;  // the next frame starts training
    long long frames = 0, steps = 0, last_steps = 0;
    fprintf(h->out, "soak: %.0f s of training with frames drawn at 60 Hz\n", h->o->soak_seconds);
    while (now_ms_() - start < h->o->soak_seconds * 1000) {
        const double t0 = now_ms_();
        frame_run_actions(f, &toggle, start_training, FAKE_FRAME_MS, true);
        start_training = 0;
        frames++;
        const live_snapshot *snap = f->state->view == VIEW_TEMPLATES ? f->state->host.tmpl_live : f->state->host.train_live;
        if (snap && snap->finished) {  // keep training: start afresh (a frame carries it out), and go on
            steps += snap->steps;
            frame_run_actions(f, &reset, 1, 0, false);
            start_training = 1;
        }
        if (t0 >= next_report) {
            const long long total = steps + (snap ? snap->steps : 0);
            fprintf(h->out, "soak: t %6.0f s  rss %7.1f MiB  frames %lld  training steps %lld (+%lld)\n",
                    (t0 - start) / 1000, rss_mib_(), frames, total, total - last_steps);
            fflush(h->out);
            last_steps = total;
            next_report += 60000;
        }
        hold_60_hz_(t0);
    }
    fprintf(h->out, "soak: end  rss %.1f MiB after %lld frames\n", rss_mib_(), frames);
    if (!start_training) frame_run_actions(f, &toggle, 1, 0, false);  // pause (unless it waits to start)
}

// --bench-frames: times whole frames, animating what the view animates (the
// stepper, or training in its thread), and prints the median and p99.
static void bench_(headless_ *h) {
    app_frame *f = &h->frame;
    const int n = h->o->bench_frames;
    double *ms = malloc(sizeof(double) * (size_t)n);
    const bool training =
        f->state->view == VIEW_TRAIN || f->state->view == VIEW_TEMPLATES || f->state->view == VIEW_NETWORK;
    const app_action play = {.kind = training ? ACT_TRAIN_TOGGLE : ACT_PLAY_PAUSE};
    const live_snapshot *before =
        f->state->view == VIEW_TEMPLATES ? f->state->host.tmpl_live : f->state->host.train_live;
    const long long steps0 = before ? before->steps : 0;
    const long long samples0 = before ? before->train_samples : 0;
    const double seconds0 = before ? before->train_seconds : 0;
    const double start = now_ms_();
    frame_run_actions(f, &play, 1, 0, false);
    for (int i = 0; ms && i < n; i++) {
        const double t0 = now_ms_();
        frame_run_actions(f, NULL, 0, FAKE_FRAME_MS, true);
        ms[i] = now_ms_() - t0;
        if (training) hold_60_hz_(t0);
    }
    if (training) {
        const live_snapshot *snap =
            f->state->view == VIEW_TEMPLATES ? f->state->host.tmpl_live : f->state->host.train_live;
        // The step rate (what the dashboard shows), and the steps over the wall
        // time, which also counts the test evaluations and any wait for the lock.
        if (snap)
            fprintf(h->out, "training meanwhile: %.0f samples/s\ntraining steps: %lld in %.2f s\n",
                    snap->samples_per_sec, snap->steps - steps0, (now_ms_() - start) / 1000);
        if (snap && snap->train_seconds > seconds0)  // the rate over all of this run's steps
            fprintf(h->out, "training step rate: %.0f samples/s over %lld samples\n",
                    (snap->train_samples - samples0) / (snap->train_seconds - seconds0),
                    snap->train_samples - samples0);
        frame_run_actions(f, &play, 1, 0, false);
    }
    if (ms) {
        qsort(ms, (size_t)n, sizeof *ms, cmp_double_);
        fprintf(h->out, "frames %d at %dx%d: median %.2f ms, p99 %.2f ms per frame\n", n, f->width, f->height,
                ms[n / 2], ms[(n * 99) / 100]);
        free(ms);
    }
}

// What the drawing and the training views ended with.
static void report_results_(const app_state *s, FILE *out) {
    const view_def *v = view_get(s->view);
    if (v->report) v->report(s, out);
}

// The headless options in their order: steps (and frames), play, soak,
// bench, screenshot. The exit status.
static int run_script_(headless_ *h) {
    const view_run_options *o = h->o;
    int frames = 0;
    bool ended = false;  // the animation reached its end before --steps ran out
    int status = step_(h, &frames, &ended);
    if (status == 0 && o->play_seconds > 0) play_(&h->frame, o->play_seconds);
    if (status == 0 && o->soak_seconds > 0) soak_(h);
    if (status == 0 && o->bench_frames > 0) bench_(h);
    // --layout-json records the screenshot's frame, or one more like it.
    render_record rec = {0};
    if (status == 0 && o->layout_json) render_record_start(&rec);
    if (status == 0 && o->screenshot)
        status = screenshot_(h, true);
    else if (status == 0 && o->layout_json)
        frame_run_actions(&h->frame, NULL, 0, 0, true);
    render_record_stop();
    if (status == 0 && o->layout_json && !save_layout_(h, &rec, o->layout_json)) status = 2;
    render_record_free(&rec);
    if (status == 0 && o->frames_dir)
        fprintf(h->out, "wrote %d frames to %s%s\n", frames, o->frames_dir,
                ended ? " (the animation ends there: no more steps to show)" : "");
    report_results_(h->frame.state, h->out);
    return status;
}

// --drop: the file goes the way a dropped one does (app_update, then the
// runtime reads it); false, with the status line's message, when it was refused.
static bool drop_(app_runtime *rt, app_state *s, const char *file, FILE *err) {
    rt->load_image = app_image_load;
    const app_action a = {.kind = ACT_DROP_FILE, .text = file};
    s->status[0] = '\0';
    app_update(s, &a);
    runtime_frame(rt, s);
    const bool taken = s->view == VIEW_DRAW      ? s->draw.dropped
                       : s->view == VIEW_NETWORK ? s->network.source == NET_SOURCE_DROPPED
                                                 : s->digit == APP_DIGIT_DROPPED;
    if (taken) return true;
    fprintf(err, "convstep: error: --drop: %s\n", s->status[0] ? s->status : "the picture was not taken");
    return false;
}

// --open: the selected unit of the network view opens as a click opens it,
// once the network has run on its input; false with the reason when it cannot.
static bool open_unit_(app_runtime *rt, app_state *s, FILE *err) {
    runtime_frame(rt, s);
    s->status[0] = '\0';
    const app_action a = {.kind = ACT_NET_OPEN};
    app_update(s, &a);
    runtime_frame(rt, s);
    if (s->view != VIEW_NETWORK) return true;
    fprintf(err, "convstep: error: --open: %s\n", s->status[0] ? s->status : "there is no live network to open");
    return false;
}

// --gif: writes the frames collected; the exit status (2 when the file
// cannot be written, which leaves no file).
static int save_gif_(headless_ *h) {
    char msg[1200];
    gif_export_stats st;
    if (!gif_writer_save(h->gif, h->o->gif, &st, msg, sizeof msg)) {
        fprintf(h->err, "convstep: error: %s\n", msg);
        return 2;
    }
    fprintf(h->out, "wrote %s: %d frame(s) of %dx%d, %g a second, %d colours (%s), %ld bytes\n", h->o->gif, st.frames,
            h->o->width, h->o->height, h->o->gif_fps, st.colours,
            st.exact ? "exact" : "each pixel the nearest of them", st.bytes);
    return 0;
}

static int run_headless_(app_state *s, const view_run_options *o, FILE *out, FILE *err, app_font *font) {
    headless_ h = {.target = {NULL, font}, .o = o, .out = out, .err = err};
    app_runtime rt;
    runtime_init(&rt, s, o->train, o->test);
    // Set-up frames are not drawn: the renderer comes with the surface below.
    frame_setup_(&h.frame, &h.target, s, &rt, o->width, o->height);
    const bool templates = view_get(s->view)->trains_templates;
    if (o->train_steps > 0 && !runtime_train_steps(&rt, s, templates, o->train_steps))
        fprintf(err, "convstep: note: training stopped early (see the picture)\n");
    if (o->seconds > 0) train_for_(&h.frame, o->seconds);
    char why[300];
    int status = 0;
    if (o->strokes && !draw_strokes(s, o->strokes, why, sizeof why)) {
        fprintf(err, "convstep: error: --%s\n", why);
        status = 1;
    }
    if (status == 0 && o->drop && !drop_(&rt, s, o->drop, err)) status = 1;
    if (status == 0 && o->open_unit && !open_unit_(&rt, s, err)) status = 1;
    if (status == 0) {
        h.surface = SDL_CreateRGBSurfaceWithFormat(0, o->width, o->height, 32, SDL_PIXELFORMAT_ARGB8888);
        h.target.renderer = h.surface ? SDL_CreateSoftwareRenderer(h.surface) : NULL;
        if (!h.target.renderer) {
            fprintf(err, "convstep: error: cannot make a %dx%d software surface: %s\n", o->width, o->height,
                    SDL_GetError());
            status = 2;
        }
    }
    if (status == 0 && o->gif) {
        h.gif = gif_writer_create(o->width, o->height, o->gif_fps, why, sizeof why);
        if (!h.gif) {
            fprintf(err, "convstep: error: %s\n", why);
            status = 2;
        }
    }
    if (status == 0) {
        status = o->lesson ? run_lesson_(&h) : run_script_(&h);
        if (!o->lesson) h.frames_complete = status == 0;
    }
    if (h.gif && h.frames_complete) {
        const int saved = save_gif_(&h);
        if (status == 0) status = saved;
    }
    gif_writer_free(h.gif);
    runtime_destroy(&rt, s);
    font_flush(font);
    if (h.target.renderer) SDL_DestroyRenderer(h.target.renderer);
    if (h.surface) SDL_FreeSurface(h.surface);
    return status;
}

// ---- The window ------------------------------------------------------------------------------------

#if defined(__linux__)
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
#endif

// How long a window manager gets to carry out a fullscreen request (ms).
enum { FULLSCREEN_SETTLE_MS = 1000 };

typedef struct window_ {
    SDL_Window *win;
    sdl_target_ target;
    bool fullscreen;
    double fullscreen_since;  // when fullscreen was asked for, until it is checked
} window_;

// Opens the window and its renderer; false with the error printed.
static bool window_open_(window_ *w, const view_run_options *o, FILE *err) {
#if defined(__linux__)
    if (!display_expected_()) {
        fprintf(err, "convstep: error: there is no display to open a window on (DISPLAY and "
                     "WAYLAND_DISPLAY are unset; try --headless)\n");
        return false;
    }
#endif
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        fprintf(err, "convstep: error: cannot open a window: %s (try --headless)\n", SDL_GetError());
        return false;
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
        return false;
    }
    // In the browser SDL takes the canvas's size from the page (index.html).
    w->win = SDL_CreateWindow("convstep", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o->width, o->height,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    SDL_Renderer *r =
        w->win ? SDL_CreateRenderer(w->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC) : NULL;
    if (w->win && !r) r = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_SOFTWARE);
    if (!r) {
        fprintf(err, "convstep: error: cannot create a renderer: %s\n", SDL_GetError());
        if (w->win) SDL_DestroyWindow(w->win);
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return false;
    }
    w->target.renderer = r;
    return true;
}

static void window_close_(window_ *w) {
    font_flush(w->target.font);
    SDL_DestroyRenderer(w->target.renderer);
    SDL_DestroyWindow(w->win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

// The window's source of a frame's actions: its events, through input.c,
// against the layout of the moment. F12 is answered here.
static bool window_next_action_(void *ctx, app_frame *f, app_action *a) {
    window_ *w = ctx;
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        // Mouse coordinates are in window points; the layout is in pixels.
        int ww, wh;
        SDL_GetWindowSize(w->win, &ww, &wh);
        if (e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_MOUSEBUTTONUP) {
            e.button.x = e.button.x * f->width / (ww ? ww : 1);
            e.button.y = e.button.y * f->height / (wh ? wh : 1);
        } else if (e.type == SDL_MOUSEMOTION) {
            e.motion.x = e.motion.x * f->width / (ww ? ww : 1);
            e.motion.y = e.motion.y * f->height / (wh ? wh : 1);
        }
        bool shot = false;
        *a = input_action(f->state, frame_layout(f), &e, &shot);
        if (shot)
            window_screenshot_(f->state, w->win, w->target.renderer, w->target.font, f->state->status,
                               sizeof f->state->status);
        if (a->kind == ACT_EXPORT) {
            window_export_(f->state, (view_export_kind)a->value);
            a->kind = ACT_NONE;
        }
        if (a->kind != ACT_NONE) {
            f->state->status[0] = '\0';  // a new action: the last message is done with
            return true;
        }
    }
    return false;
}

// Makes the window what s->fullscreen asks for. Without a window manager
// nobody carries out a fullscreen request, yet SDL takes the desktop's size
// as the window's and draws for a surface that is not there. If the window
// system still disagrees a moment later, go back to the window and say why.
static void window_follow_fullscreen_(window_ *w, app_state *s) {
    if (s->fullscreen != w->fullscreen) {
        w->fullscreen = s->fullscreen;
        SDL_SetWindowFullscreen(w->win, w->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        w->fullscreen_since = now_ms_();
    }
    if (w->fullscreen && w->fullscreen_since > 0 && now_ms_() - w->fullscreen_since > FULLSCREEN_SETTLE_MS) {
        w->fullscreen_since = 0;
        int real_w, real_h, ww, wh;
        SDL_GetWindowSize(w->win, &ww, &wh);
        if (x11_window_size_(w->win, &real_w, &real_h) && (real_w != ww || real_h != wh)) {
            SDL_SetWindowFullscreen(w->win, 0);
            w->fullscreen = s->fullscreen = false;
            snprintf(s->status, sizeof s->status,
                     "fullscreen did not happen (no window manager carried it out): back in the window");
        }
    }
}

// A window's run: what one frame hands to the next.
typedef struct window_run_ {
    window_ w;
    app_runtime rt;
    app_frame f;
    double last;  // when the last frame began (ms)
#ifdef __EMSCRIPTEN__
    bool first_frame_told;  // the page knows the window has drawn
#endif
} window_run_;

// One frame of the window: the events, the update, the picture. The desktop
// calls it in a loop, the browser once per animation frame.
static void window_tick_(window_run_ *r) {
    SDL_GetRendererOutputSize(r->w.target.renderer, &r->f.width, &r->f.height);
    const double now = now_ms_();
    frame_run(&r->f, window_next_action_, &r->w, now - r->last, true);
    r->last = now;
    SDL_RenderPresent(r->w.target.renderer);
    window_follow_fullscreen_(&r->w, r->f.state);
#ifdef __EMSCRIPTEN__
    if (!r->first_frame_told) {
        r->first_frame_told = true;
        web_first_frame();
    }
#endif
}

// The end of a window's run, however it ended.
static void window_finish_(window_run_ *r) {
    SDL_StopTextInput();
    runtime_destroy(&r->rt, r->f.state);
    window_close_(&r->w);
}

#ifdef __EMSCRIPTEN__
// The browser's frame: a tick, and at the end (Escape, the home screen's
// quit) the program's exit, since the page's main loop never returns to main.
static void window_browser_frame_(void *ctx) {
    window_run_ *r = ctx;
    if (!r->f.state->quit) window_tick_(r);
    if (!r->f.state->quit) return;
    emscripten_cancel_main_loop();
    app_font *font = r->w.target.font;
    window_finish_(r);
    font_close(font);
    fflush(stdout);
    emscripten_force_exit(0);
}
#endif

static int run_window_(app_state *s, const view_run_options *o, FILE *err, app_font *font) {
    window_run_ r = {.w = {.target = {NULL, font}}};
    if (!window_open_(&r.w, o, err)) return 2;
    SDL_StartTextInput();
    runtime_init(&r.rt, s, o->train, o->test);
    r.rt.load_image = app_image_load;  // pictures dropped onto the window
    char msg[1200];
    int status = 0;
    if (o->lesson && !runtime_open_lesson(&r.rt, s, o->lesson, NULL, msg, sizeof msg)) {
        fprintf(err, "convstep: error: %s\n", msg);
        status = 1;
    }
    frame_setup_(&r.f, &r.w.target, s, &r.rt, o->width, o->height);
    r.last = now_ms_();
#ifdef __EMSCRIPTEN__
    // The page calls window_browser_frame_ per animation frame; r stays
    // valid, as this call never returns (the stack is kept, not unwound).
    if (status == 0) emscripten_set_main_loop_arg(window_browser_frame_, &r, 0, 1);
#else
    while (status == 0 && !s->quit) {
        const double start = now_ms_();
        window_tick_(&r);
        // Without vsync, hold the loop near 60 frames a second.
        const double spent = now_ms_() - start;
        if (spent < 16.0) SDL_Delay((Uint32)(16.0 - spent));
    }
#endif
    window_finish_(&r);
    return status;
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
