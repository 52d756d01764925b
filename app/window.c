// window.c - the SDL side of running a view: window loop and headless frames.
#include "window.h"

#include <SDL.h>
#include <SDL_image.h>
#include <errno.h>
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


// Saves a surface as PNG; writes a message into status.
static bool save_png_(SDL_Surface *surf, const char *path, char *msg, size_t size) {
    if (IMG_SavePNG(surf, path) != 0) {
        snprintf(msg, size, "could not save %.400s: %s", path, IMG_GetError());
        return false;
    }
    snprintf(msg, size, "screenshot saved to %.400s", path);
    return true;
}

static bool window_screenshot_(SDL_Renderer *r, char *msg, size_t size) {
    int w, h;
    SDL_GetRendererOutputSize(r, &w, &h);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!surf) {
        snprintf(msg, size, "screenshot failed: %s", SDL_GetError());
        return false;
    }
    SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, surf->pixels, surf->pitch);
    char dir[900], path[1024];
    screenshot_dir_(dir, sizeof dir);
    app_make_dirs(dir);
    time_t t = time(NULL);
    struct tm tmv;
    localtime_r(&t, &tmv);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tmv);
    snprintf(path, sizeof path, "%s/convstep-%s.png", dir, stamp);
    const bool ok = save_png_(surf, path, msg, size);
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
            if (k == 0)
                snprintf(path, sizeof path, "%.900s/slide-%02d.png", dirs[k], beat);
            else
                snprintf(path, sizeof path, "%.900s/frame-%04d.png", dirs[k], beat - 1);
            if (!save_png_(surf, path, msg, sizeof msg)) {
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
        const live_snapshot *snap = s->view == VIEW_TEMPLATES ? s->tmpl_live : s->train_live;
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
    if (o->frames_dir) app_make_dirs(o->frames_dir);
    for (int step = 0; status == 0; step++) {
        if (o->frames_dir) {
            draw_(s, r, font, w, h);
            snprintf(path, sizeof path, "%s/frame-%04d.png", o->frames_dir, frame++);
            if (!save_png_(surf, path, msg, sizeof msg)) {
                fprintf(err, "convstep: error: %s\n", msg);
                status = 2;
            }
        }
        if (step >= o->steps) break;
        const app_action a = {.kind = ACT_STEP_FORWARD};
        app_update(s, &a);
    }
    // Play on a fake clock: frame N is the same on every machine.
    if (status == 0 && o->play_seconds > 0) {
        const app_action play = {.kind = ACT_PLAY_PAUSE};
        const anim_state *an = s->view == VIEW_POOL ? &s->pool_anim : &s->conv_anim;
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
            const live_snapshot *snap = s->view == VIEW_TRAIN ? s->train_live : s->tmpl_live;
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
    if (status == 0 && o->frames_dir) fprintf(out, "wrote %d frames to %s\n", frame, o->frames_dir);
    if (s->view == VIEW_DRAW && s->draw_ready) {
        int best = 0;
        for (int j = 1; j < 10; j++) best = s->draw_probs[j] > s->draw_probs[best] ? j : best;
        fprintf(out, "the drawing is a %d (%.1f%%)\n", best, 100.0 * s->draw_probs[best]);
    }
    if ((s->view == VIEW_TRAIN && s->train_live) || (s->view == VIEW_TEMPLATES && s->tmpl_live)) {
        const live_snapshot *snap = s->view == VIEW_TRAIN ? s->train_live : s->tmpl_live;
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
    // With no display SDL falls back to drivers that show nothing; a window
    // nobody can see would run forever. Unless asked for by name, refuse them.
    const char *driver = SDL_GetCurrentVideoDriver();
    const char *asked = SDL_getenv("SDL_VIDEODRIVER");
    if (driver && (!asked || !*asked) && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0)) {
        fprintf(err, "convstep: error: there is no display to open a window on (try --headless)\n");
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
            if (shot) {
                render_frame(s, &l, r, font);
                window_screenshot_(r, s->status, sizeof s->status);
            }
        }
        if (s->fullscreen != fullscreen) {
            fullscreen = s->fullscreen;
            SDL_SetWindowFullscreen(win, fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
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
