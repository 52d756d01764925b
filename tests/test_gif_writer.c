// test_gif_writer.c - the GIF writer of --gif (app/gif_export.c), in-process:
// frames laid out here by hand (BGRA with padded rows, as SDL's surfaces are),
// written, and read back with giflib's decoder (DGifSlurp), which shares no
// code with the writer's palette, rectangles or transparency. Files go to a
// private temporary folder removed at the end.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gif_lib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gif_export.h"

static char dir_[256];

static const char *path_(const char *name) {
    static char buf[4][512];
    static int next = 0;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", dir_, name);
    return p;
}

static int group_setup_(void **state) {
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir_, sizeof dir_, "%s/convstep-gif-writer-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(dir_) ? 0 : -1;
}

static int group_teardown_(void **state) {
    (void)state;
    const char *names[] = {"few.gif", "many.gif", "one.gif"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(path_(names[i]));
    return rmdir(dir_);
}

// ---- Frames laid out by hand ----------------------------------------------------------------------

enum { W = 40, H = 30, PITCH = W * 4 + 8 };  // rows padded, as a surface's may be

typedef struct rgb_ {
    uint8_t r, g, b;
} rgb_;

// A picture as BGRA bytes (the layout of SDL's ARGB8888 on a little-endian machine).
typedef struct frame_ {
    uint8_t bytes[H * PITCH];
} frame_;

static void put_(frame_ *f, int x, int y, rgb_ c) {
    uint8_t *p = f->bytes + y * PITCH + 4 * x;
    p[0] = c.b, p[1] = c.g, p[2] = c.r, p[3] = 255;
}

static rgb_ at_(const frame_ *f, int x, int y) {
    const uint8_t *p = f->bytes + y * PITCH + 4 * x;
    return (rgb_){p[2], p[1], p[0]};
}

static gif_pixels pixels_(const frame_ *f) {
    return (gif_pixels){.data = f->bytes, .width = W, .height = H, .pitch = PITCH, .bytes_per_pixel = 4,
                        .red = 2, .green = 1, .blue = 0};
}

// ---- Reading back --------------------------------------------------------------------------------

// The pictures a viewer shows: each image drawn over the one before
// (transparent pixels let it through); out[i] is picture i, W*H colours.
static void decode_(GifFileType *g, rgb_ (*out)[W * H]) {
    rgb_ canvas[W * H];
    memset(canvas, 0, sizeof canvas);
    for (int i = 0; i < g->ImageCount; i++) {
        const SavedImage *im = &g->SavedImages[i];
        GraphicsControlBlock gcb = {.TransparentColor = NO_TRANSPARENT_COLOR};
        DGifSavedExtensionToGCB(g, i, &gcb);
        const ColorMapObject *map = im->ImageDesc.ColorMap ? im->ImageDesc.ColorMap : g->SColorMap;
        assert_non_null(map);
        const GifImageDesc *d = &im->ImageDesc;
        assert_true(d->Left + d->Width <= W && d->Top + d->Height <= H);
        for (int y = 0; y < d->Height; y++)
            for (int x = 0; x < d->Width; x++) {
                const int k = im->RasterBits[y * d->Width + x];
                if (k == gcb.TransparentColor) continue;
                assert_true(k < map->ColorCount);
                const GifColorType c = map->Colors[k];
                canvas[(d->Top + y) * W + d->Left + x] = (rgb_){c.Red, c.Green, c.Blue};
            }
        memcpy(out[i], canvas, sizeof canvas);
    }
}

static GifFileType *open_gif_(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char sig[7] = {0};
    assert_int_equal(fread(sig, 1, 6, f), 6);
    fclose(f);
    assert_string_equal(sig, "GIF89a");
    int e = 0;
    GifFileType *g = DGifOpenFileName(path, &e);
    assert_non_null(g);
    assert_int_equal(DGifSlurp(g), GIF_OK);
    return g;
}

// The NETSCAPE2.0 block's loop count (-1 without one). DGifSlurp keeps the
// extensions before an image with the image: this one comes before the first.
static int loop_count_(const GifFileType *g) {
    const SavedImage *first = &g->SavedImages[0];
    for (int i = 0; i + 1 < first->ExtensionBlockCount; i++) {
        const ExtensionBlock *b = &first->ExtensionBlocks[i], *next = b + 1;
        if (b->Function == APPLICATION_EXT_FUNC_CODE && b->ByteCount == 11 && memcmp(b->Bytes, "NETSCAPE2.0", 11) == 0 &&
            next->ByteCount == 3 && next->Bytes[0] == 1)
            return next->Bytes[1] | next->Bytes[2] << 8;
    }
    return -1;
}

// ---- The checks ----------------------------------------------------------------------------------

static void test_delay(void **state) {
    (void)state;
    assert_int_equal(gif_export_delay_cs(1), 100);
    assert_int_equal(gif_export_delay_cs(2), 50);
    assert_int_equal(gif_export_delay_cs(3), 33);   // 33.3
    assert_int_equal(gif_export_delay_cs(7), 14);   // 14.29
    assert_int_equal(gif_export_delay_cs(40), 3);   // 2.5 rounds up
    assert_int_equal(gif_export_delay_cs(50), 2);
    assert_int_equal(gif_export_delay_cs(0.25), 400);  // a lesson's beat: 4 s
    assert_int_equal(gif_export_delay_cs(2.5), 40);
    assert_int_equal(gif_export_delay_cs(0.1), 1000);
}

// Five colours, three frames: the second changes a 3x2 block at (10, 5), the
// third changes nothing. The palette is exact, the second image is the
// block, the third one transparent pixel.
static void test_few_colours_exact(void **state) {
    (void)state;
    static frame_ f[3];
    static rgb_ want[3][W * H], got[3][W * H];
    const rgb_ colours[4] = {{250, 250, 250}, {20, 22, 28}, {200, 60, 80}, {60, 120, 200}};
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) put_(&f[0], x, y, colours[(x / 7 + y / 5) % 4]);
    f[1] = f[0];
    for (int y = 5; y < 7; y++)
        for (int x = 10; x < 13; x++) put_(&f[1], x, y, (rgb_){1, 2, 3});
    put_(&f[1], 11, 5, at_(&f[0], 11, 5));  // unchanged inside the block: transparent
    f[2] = f[1];
    char err[300] = "";
    gif_writer *g = gif_writer_create(W, H, 4, err, sizeof err);
    assert_non_null(g);
    for (int i = 0; i < 3; i++) {
        const gif_pixels px = pixels_(&f[i]);
        assert_true(gif_writer_add(g, &px, err, sizeof err));
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) want[i][y * W + x] = at_(&f[i], x, y);
    }
    gif_export_stats st;
    assert_true(gif_writer_save(g, path_("few.gif"), &st, err, sizeof err));
    gif_writer_free(g);
    assert_int_equal(st.frames, 3);
    assert_int_equal(st.colours, 5);
    assert_true(st.exact);
    struct stat sb;
    assert_int_equal(stat(path_("few.gif"), &sb), 0);
    assert_int_equal(st.bytes, sb.st_size);

    GifFileType *gf = open_gif_(path_("few.gif"));
    assert_int_equal(gf->SWidth, W);
    assert_int_equal(gf->SHeight, H);
    assert_int_equal(gf->ImageCount, 3);
    assert_int_equal(loop_count_(gf), 0);
    const int rects[3][4] = {{0, 0, W, H}, {10, 5, 3, 2}, {0, 0, 1, 1}};
    for (int i = 0; i < 3; i++) {
        const GifImageDesc *d = &gf->SavedImages[i].ImageDesc;
        assert_int_equal(d->Left, rects[i][0]);
        assert_int_equal(d->Top, rects[i][1]);
        assert_int_equal(d->Width, rects[i][2]);
        assert_int_equal(d->Height, rects[i][3]);
        GraphicsControlBlock gcb;
        assert_int_equal(DGifSavedExtensionToGCB(gf, i, &gcb), GIF_OK);
        assert_int_equal(gcb.DelayTime, 25);  // 4 a second
    }
    // The unchanged pixel of the block and the empty third frame: transparent.
    GraphicsControlBlock gcb;
    DGifSavedExtensionToGCB(gf, 1, &gcb);
    assert_int_equal(gf->SavedImages[1].RasterBits[1], gcb.TransparentColor);
    assert_int_equal(gf->SavedImages[2].RasterBits[0], gcb.TransparentColor);
    decode_(gf, got);
    assert_memory_equal(got, want, sizeof want);
    int e;
    DGifCloseFile(gf, &e);
}

// 1024 colours (a smooth ramp) in one frame: the palette is 255 of them, and
// every pixel is drawn with a colour near its own.
static void test_many_colours_nearest(void **state) {
    (void)state;
    static frame_ f;
    static rgb_ got[1][W * H];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) put_(&f, x, y, (rgb_){(uint8_t)(x * 6), (uint8_t)(y * 8), (uint8_t)((x + y) * 3)});
    char err[300] = "";
    gif_writer *g = gif_writer_create(W, H, 2, err, sizeof err);
    assert_non_null(g);
    const gif_pixels px = pixels_(&f);
    assert_true(gif_writer_add(g, &px, err, sizeof err));
    gif_export_stats st;
    assert_true(gif_writer_save(g, path_("many.gif"), &st, err, sizeof err));
    gif_writer_free(g);
    assert_false(st.exact);
    assert_int_equal(st.colours, 255);
    GifFileType *gf = open_gif_(path_("many.gif"));
    decode_(gf, got);
    // 1200 colours into 255 boxes: a box spans a few steps of the ramp (6, 8 and 3 apart).
    int worst = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const rgb_ a = got[0][y * W + x], b = at_(&f, x, y);
            const int d[3] = {abs(a.r - b.r), abs(a.g - b.g), abs(a.b - b.b)};
            for (int k = 0; k < 3; k++) worst = d[k] > worst ? d[k] : worst;
        }
    assert_in_range(worst, 1, 32);
    int e;
    DGifCloseFile(gf, &e);
}

static void test_limits(void **state) {
    (void)state;
    char err[300] = "";
    assert_null(gif_writer_create(4097, 10, 2, err, sizeof err));
    assert_non_null(strstr(err, "4096x4096"));
    assert_null(gif_writer_create(10, 0, 2, err, sizeof err));
    gif_writer *g = gif_writer_create(W, H, 2, err, sizeof err);
    assert_non_null(g);
    // No frames: nothing to write, and no file.
    assert_false(gif_writer_save(g, path_("none.gif"), NULL, err, sizeof err));
    assert_int_equal(access(path_("none.gif"), F_OK), -1);
    // A frame of another size.
    static frame_ f;
    gif_pixels px = pixels_(&f);
    px.width = W - 1;
    assert_false(gif_writer_add(g, &px, err, sizeof err));
    px = pixels_(&f);
    for (int i = 0; i < GIF_EXPORT_MAX_FRAMES; i++) assert_true(gif_writer_add(g, &px, err, sizeof err));
    assert_false(gif_writer_add(g, &px, err, sizeof err));
    assert_non_null(strstr(err, "2000 frames"));
    assert_int_equal(gif_writer_frames(g), GIF_EXPORT_MAX_FRAMES);
    // A folder that is not there: false, and nothing written.
    assert_false(gif_writer_save(g, path_("missing/x.gif"), NULL, err, sizeof err));
    assert_non_null(strstr(err, "missing"));
    assert_int_equal(access(path_("missing"), F_OK), -1);
    // The 2000 frames are fine.
    gif_export_stats st;
    assert_true(gif_writer_save(g, path_("one.gif"), &st, err, sizeof err));
    assert_int_equal(st.frames, GIF_EXPORT_MAX_FRAMES);
    gif_writer_free(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delay),
        cmocka_unit_test(test_few_colours_exact),
        cmocka_unit_test(test_many_colours_nearest),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, group_setup_, group_teardown_);
}
