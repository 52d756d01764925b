// fuzz_idx.c - app_dataset_read (app/dataset.h) on an IDX image file and an
// IDX label file made from the input.
//
// Input layout:
//   byte 0          flags: bit 0 gzips the image file, bit 1 the label file
//   bytes 1..       the image file's bytes, then the label file's bytes, split
//                   at the first FF FE FD marker (dropped) or else in the middle
// The files are written to two temporary paths fixed for the process. An
// image file given already gzipped (flags bit 0 clear, bytes 1f 8b ...) that
// is accepted is inflated again here with zlib, independently: every gzip
// member must end with its verified trailer and give exactly the bytes read.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dataset.h"
#include "fuzz_common.h"

static const char *images_path_, *labels_path_;

// Inflates the gzip members in data[0..size) and checks that they end cleanly
// (trailers verified) and hold `want` bytes: the header, then `body`.
static bool gzip_holds_(const uint8_t *data, size_t size, const uint8_t *body, size_t want) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK) abort();
    uint8_t *out = malloc(want + 1);
    if (!out) abort();
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)size;
    size_t done = 0;
    bool ok = true;
    while (ok) {
        z.next_out = out + done;
        z.avail_out = (uInt)(want + 1 - done);
        const int r = inflate(&z, Z_NO_FLUSH);
        done = want + 1 - z.avail_out;
        if (r == Z_STREAM_END) {
            if (z.avail_in == 0) break;
            inflateReset(&z);
            continue;
        }
        ok = r == Z_OK && done <= want;
    }
    inflateEnd(&z);
    ok = ok && done == want && memcmp(out + 16, body, want - 16) == 0;
    free(out);
    return ok;
}

static void write_(const char *path, const uint8_t *data, size_t size, int gzip) {
    if (!gzip) {
        fuzz_write_file(path, data, size);
        return;
    }
    gzFile f = gzopen(path, "wb1");
    if (!f) abort();
    if (size && gzwrite(f, data, (unsigned)size) != (int)size) abort();
    if (gzclose(f) != Z_OK) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > (1u << 20)) return 0;
    if (!images_path_) {
        images_path_ = fuzz_temp_path("images-idx3-ubyte");
        labels_path_ = fuzz_temp_path("labels-idx1-ubyte");
    }
    const uint8_t flags = data[0];
    data++;
    size--;
    size_t cut = size / 2, rest = size / 2;
    static const uint8_t marker[3] = {0xFF, 0xFE, 0xFD};
    for (size_t i = 0; i + 3 <= size; i++) {
        if (memcmp(data + i, marker, 3) == 0) {
            cut = i;
            rest = i + 3;
            break;
        }
    }
    write_(images_path_, data, cut, flags & 1);
    write_(labels_path_, data + rest, size - rest, flags & 2);

    app_dataset d;
    char err[1024];
    const bool ok = app_dataset_read(&d, images_path_, labels_path_, err, sizeof err);
    FUZZ_REPORT("dataset", ok, err);
    if (ok) {
        if (d.count < 1 || d.rows < 1 || d.cols < 1 || !d.images || !d.labels) abort();
        // Every announced byte must be there.
        volatile unsigned sink = 0;
        const size_t n = (size_t)d.count * d.rows * d.cols;
        for (size_t i = 0; i < n; i++) sink += d.images[i];
        for (int i = 0; i < d.count; i++) sink += d.labels[i];
        (void)sink;
        if (!(flags & 1) && cut >= 2 && data[0] == 0x1f && data[1] == 0x8b &&
            !gzip_holds_(data, cut, d.images, 16 + n))
            abort();  // accepted a damaged or cut gzip file
    }
    app_dataset_free(&d);
    return 0;
}
