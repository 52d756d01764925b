// gif_export.h - `--gif FILE [--fps N]` of `convstep view ... --headless` and
// `convstep lesson ... --headless`: an animated GIF (GIF89a, looping forever
// through the NETSCAPE2.0 extension) of the frames the headless run draws,
// written with giflib. SDL-free: the runner (window.c) hands over each
// frame's pixels as it draws them; the writer keeps them (only what changed
// from the frame before, deflated) and writes the file when asked, atomically
// (a temporary file renamed into place: a failed save leaves no file).
//
// Limits: at most GIF_EXPORT_MAX_FRAMES frames of at most
// GIF_EXPORT_MAX_SIDE x GIF_EXPORT_MAX_SIDE pixels.
#ifndef APP_GIF_EXPORT_H
#define APP_GIF_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GIF_EXPORT_MAX_FRAMES 2000
#define GIF_EXPORT_MAX_SIDE 4096
// --fps, frames a second (0.25: 4 s a frame, a lesson's beat): a GIF's delay
// is in hundredths of a second, and below 2 hundredths (above 50 a second)
// browsers slow it down to 10; 0.1 (10 s a frame) is the slowest.
#define GIF_EXPORT_FPS_MIN 0.1
#define GIF_EXPORT_FPS_MAX 50.0

// A frame's delay in hundredths of a second for `fps` frames a second (100/fps
// rounded, halves up).
int gif_export_delay_cs(double fps);

// One frame's pixels as the runner has them: rows of `pitch` bytes, each
// pixel `bytes_per_pixel` bytes (3 or 4) with its red, green and blue at the
// byte offsets given (the rest, alpha or padding, is ignored).
typedef struct gif_pixels {
    const uint8_t *data;
    int width, height, pitch;
    int bytes_per_pixel;
    int red, green, blue;
} gif_pixels;

typedef struct gif_export_stats {
    int frames;   // frames written
    int colours;  // entries of the global palette used (the transparent one not counted)
    bool exact;   // every pixel's colour is in the palette (else the nearest entry is used)
    long bytes;   // the file's size
} gif_export_stats;

typedef struct gif_writer gif_writer;

// A writer for frames of w x h shown 1/fps s each; NULL with the message in
// err when the size is beyond the limits or memory runs out.
gif_writer *gif_writer_create(int w, int h, double fps, char *err, size_t errsize);
// Adds a frame (the same size as the writer's); false with the message in
// err when it is the (GIF_EXPORT_MAX_FRAMES + 1)th, of another size, or
// memory runs out.
bool gif_writer_add(gif_writer *g, const gif_pixels *px, char *err, size_t errsize);
// The frames added so far.
int gif_writer_frames(const gif_writer *g);
// Makes the palette and writes the frames as the GIF `path` (at least one
// frame). stats may be NULL. False with the message in err; `path` is then
// left as it was.
bool gif_writer_save(gif_writer *g, const char *path, gif_export_stats *stats, char *err, size_t errsize);
void gif_writer_free(gif_writer *g);

#endif
