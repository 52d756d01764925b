// test_files.c - the program's files, in-process: model files (app/modelfile.c),
// IDX digit sets (app/dataset.c) and the MNIST-style preparation of a digit
// picture (app/digit.c). Every file a test reads is written by the test itself
// (model bytes checked against an independent CRC-32 from zlib, IDX bytes laid
// out here by hand), in a private temporary folder removed at the end.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "assets.h"
#include "dataset.h"
#include "digit.h"
#include "modelfile.h"
#include "nn.h"
#include "net.h"
#include "train.h"

// ---- Scratch files -------------------------------------------------------------------

static char dir_[256];  // this run's temporary folder

static const char *path_(const char *name) {
    static char buf[8][512];
    static int next = 0;
    char *p = buf[next++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", dir_, name);
    return p;
}

// Buffers a test allocates are freed at the end of the group, so a test that
// fails half-way (cmocka jumps out of it) leaks nothing.
static void *owned_[1024];
static int n_owned_ = 0;

static void *own_(void *p) {
    assert_non_null(p);
    assert_true(n_owned_ < (int)(sizeof owned_ / sizeof owned_[0]));
    owned_[n_owned_++] = p;
    return p;
}

static void write_file_(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n) assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void write_gz_(const char *path, const void *data, size_t n) {
    gzFile f = gzopen(path, "wb");
    assert_non_null(f);
    if (n) assert_int_equal(gzwrite(f, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(f), Z_OK);
}

// The whole file, malloc'd; *n its size.
static unsigned char *read_file_(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = own_(malloc((size_t)size + 1));
    assert_int_equal(fread(b, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *n = (size_t)size;
    return b;
}

static bool exists_(const char *path) { return access(path, F_OK) == 0; }

// How many names in the folder contain `part`.
static int count_names_(const char *dir, const char *part) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, part)) n++;
    closedir(d);
    return n;
}

static void remove_tree_(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree_(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int group_setup_(void **state) {
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir_, sizeof dir_, "%s/convstep-files-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(dir_) ? 0 : -1;
}

static int group_teardown_(void **state) {
    (void)state;
    remove_tree_(dir_);
    for (int i = 0; i < n_owned_; i++) free(owned_[i]);
    n_owned_ = 0;
    return 0;
}

// Fails unless the message contains every needle, printing it otherwise.
#define assert_msg_has(err, needle)                                                        \
    do {                                                                                   \
        if (!strstr((err), (needle))) {                                                    \
            print_error("message does not contain \"%s\"\n  message: \"%s\"\n", (needle), \
                        (err));                                                            \
            fail();                                                                        \
        }                                                                                  \
    } while (0)

// ---- Little-endian / big-endian fields -------------------------------------------------

static uint32_t le32_(const unsigned char *b) {
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static void put_le32_(unsigned char *b, uint32_t v) {
    for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
}
static void put_be32_(unsigned char *b, uint32_t v) {
    for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (24 - 8 * i));
}

// Recomputes the trailing CRC-32 of a model file's bytes (zlib, independently).
static void fix_crc_(unsigned char *b, size_t n) {
    put_le32_(b + n - 4, (uint32_t)crc32(crc32(0L, Z_NULL, 0), b, (uInt)(n - 4)));
}

// ---- Model files ---------------------------------------------------------------------------

static nn_net *make_net_(const char *arch, int c, int h, int w, uint64_t seed) {
    nn_net *net = NULL;
    nn_error e;
    if (nn_net_create(&net, arch, nn_shape_map(c, h, w), 4, NULL, &e) != NN_OK) {
        print_error("cannot build '%s': %s\n", arch, e.msg);
        fail();
    }
    nn_net_init_params(net, seed);
    return net;
}

// The layout of a saved model, found by walking its fields.
typedef struct model_layout {
    size_t arch_len_at, arch_at, note_len_at, count_at, params_at, size;
} model_layout;

static model_layout layout_(const unsigned char *b, size_t n) {
    model_layout L;
    L.arch_len_at = 8 + 4 + 12;
    L.arch_at = L.arch_len_at + 4;
    L.note_len_at = L.arch_at + le32_(b + L.arch_len_at);
    L.count_at = L.note_len_at + 4 + le32_(b + L.note_len_at);
    L.params_at = L.count_at + 8;
    L.size = n;
    return L;
}

// A model file written by app_model_save, read back as bytes.
static unsigned char *saved_model_(const char *name, const char *arch, int c, int h, int w,
                                   size_t *n) {
    nn_net *net = make_net_(arch, c, h, w, 5);
    char err[600];
    assert_true(app_model_save(path_(name), net, arch, "a note", err, sizeof err));
    nn_net_free(net);
    return read_file_(path_(name), n);
}

// Writes bytes as `name`, expects app_model_load to refuse them with a message
// naming the file and containing `needle` (NULL: any message).
static void expect_load_fails_(const char *name, const unsigned char *b, size_t n,
                               const char *needle) {
    write_file_(path_(name), b, n);
    nn_net *net = (nn_net *)0x1;
    char err[700] = "";
    if (app_model_load(path_(name), &net, 1, NULL, 0, err, sizeof err)) {
        print_error("'%s' (%zu bytes) was loaded\n", name, n);
        nn_net_free(net);
        fail();
    }
    assert_null(net);
    assert_msg_has(err, path_(name));
    if (needle) assert_msg_has(err, needle);
}

// Save then load LeNet-5: parameters bit-identical, note and architecture
// (layer count, every layer's kind and shapes) preserved.
static void test_model_round_trip(void **state) {
    (void)state;
    nn_net *net = make_net_("lenet5", 1, 28, 28, 42);
    char err[600], note[256];
    const char *text = "trained by test_files.c: \"quotes\", tabs\tand UTF-8 \xc3\xa9";
    assert_true(app_model_save(path_("lenet5.model"), net, nn_arch_expand("lenet5"), text, err,
                               sizeof err));
    nn_net *back = NULL;
    if (!app_model_load(path_("lenet5.model"), &back, 3, note, sizeof note, err, sizeof err)) {
        print_error("%s\n", err);
        fail();
    }
    assert_string_equal(note, text);
    assert_int_equal(back->n_params, net->n_params);
    assert_int_equal(back->n_params, 61706);
    assert_int_equal(memcmp(back->params, net->params, net->n_params * sizeof(float)), 0);
    assert_int_equal(back->max_batch, 3);
    const nn_model *a = net->model, *b = back->model;
    assert_int_equal(b->n_layers, a->n_layers);
    assert_int_equal(b->n_layers, 13);
    assert_int_equal(b->input.c, 1);
    assert_int_equal(b->input.h, 28);
    assert_int_equal(b->input.w, 28);
    for (int i = 0; i < a->n_layers; i++) {
        assert_int_equal(b->layers[i].spec.kind, a->layers[i].spec.kind);
        assert_memory_equal(&b->layers[i].out, &a->layers[i].out, sizeof(nn_shape));
        assert_int_equal(b->layers[i].weights, a->layers[i].weights);
    }
    nn_net_free(net);
    nn_net_free(back);
}

// A net with several input channels and a non-square input comes back with the
// same shape, and computes the same outputs as the net that was saved.
static void test_model_round_trip_outputs(void **state) {
    (void)state;
    const char *arch = "conv(4,3,pad=same),tanh,avgpool(2),flatten,dropout(0.5),dense(7)";
    nn_net *net = make_net_(arch, 3, 12, 10, 9);
    char err[600];
    assert_true(app_model_save(path_("rgb.model"), net, arch, NULL, err, sizeof err));
    nn_net *back = NULL;
    char note[16] = "junk";
    assert_true(app_model_load(path_("rgb.model"), &back, 2, note, sizeof note, err, sizeof err));
    assert_string_equal(note, "");  // a NULL note is saved as an empty one
    assert_int_equal(back->model->input.c, 3);
    assert_int_equal(back->model->input.h, 12);
    assert_int_equal(back->model->input.w, 10);
    assert_int_equal(nn_net_classes(back), 7);
    float x[2 * 3 * 12 * 10];
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) x[i] = (float)((i * 37) % 101) / 100.0f;
    const float *p = nn_net_forward(net, x, 2, false, NULL);
    float want[14];
    memcpy(want, p, sizeof want);
    const float *q = nn_net_forward(back, x, 2, false, NULL);
    assert_memory_equal(q, want, sizeof want);
    nn_net_free(net);
    nn_net_free(back);
}

// A long note is cut to the caller's buffer, always NUL-terminated.
static void test_model_note_truncated(void **state) {
    (void)state;
    nn_net *net = make_net_("softmax", 1, 4, 4, 1);
    char err[600], note[6];
    memset(note, 'x', sizeof note);
    assert_true(app_model_save(path_("note.model"), net, "softmax", "0123456789", err, sizeof err));
    nn_net *back = NULL;
    assert_true(app_model_load(path_("note.model"), &back, 1, note, sizeof note, err, sizeof err));
    assert_string_equal(note, "01234");
    nn_net_free(net);
    nn_net_free(back);
}

// The bytes on disk follow modelfile.h exactly: magic, version 1, shape, arch,
// note, u64 count, float32 params, and a CRC-32 of everything before it.
static void test_model_layout(void **state) {
    (void)state;
    nn_net *net = make_net_("flatten,dense(3)", 2, 3, 5, 7);
    char err[600];
    assert_true(app_model_save(path_("layout.model"), net, "flatten,dense(3)", "hi", err, sizeof err));
    size_t n;
    unsigned char *b = read_file_(path_("layout.model"), &n);
    const size_t params = 3 * (2 * 3 * 5 + 1);
    assert_int_equal(net->n_params, params);
    assert_int_equal(n, 8 + 4 + 12 + 4 + 16 + 4 + 2 + 8 + 4 * params + 4);
    assert_memory_equal(b, "CONVSTEP", 8);
    assert_int_equal(le32_(b + 8), 1);
    assert_int_equal(le32_(b + 12), 2);
    assert_int_equal(le32_(b + 16), 3);
    assert_int_equal(le32_(b + 20), 5);
    assert_int_equal(le32_(b + 24), 16);
    assert_memory_equal(b + 28, "flatten,dense(3)", 16);
    assert_int_equal(le32_(b + 44), 2);
    assert_memory_equal(b + 48, "hi", 2);
    assert_int_equal(le32_(b + 50), params);
    assert_int_equal(le32_(b + 54), 0);
    for (size_t i = 0; i < params; i++) {
        const uint32_t u = le32_(b + 58 + 4 * i);
        float f;
        memcpy(&f, &u, 4);
        assert_memory_equal(&f, &net->params[i], 4);
    }
    assert_int_equal(le32_(b + n - 4), (uint32_t)crc32(crc32(0L, Z_NULL, 0), b, (uInt)(n - 4)));
    nn_net_free(net);
}

// A save leaves only FILE (no FILE.tmp-*), with 0666 less the umask, not 0600.
static void test_model_save_files(void **state) {
    (void)state;
    nn_net *net = make_net_("softmax", 1, 28, 28, 2);
    char err[600];
    const mode_t old = umask(022);
    const bool ok = app_model_save(path_("perm.model"), net, "softmax", "", err, sizeof err);
    umask(old);
    assert_true(ok);
    struct stat st;
    assert_int_equal(stat(path_("perm.model"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(count_names_(dir_, "perm.model.tmp-"), 0);
    nn_net_free(net);
}

// Saving over an existing file replaces its content whole.
static void test_model_save_replaces(void **state) {
    (void)state;
    write_file_(path_("old.model"), "not a model, an old file", 24);
    nn_net *net = make_net_("softmax", 1, 28, 28, 3);
    char err[600];
    assert_true(app_model_save(path_("old.model"), net, "softmax", "new", err, sizeof err));
    nn_net *back = NULL;
    char note[8];
    assert_true(app_model_load(path_("old.model"), &back, 1, note, sizeof note, err, sizeof err));
    assert_string_equal(note, "new");
    assert_int_equal(memcmp(back->params, net->params, net->n_params * sizeof(float)), 0);
    assert_int_equal(count_names_(dir_, "old.model.tmp-"), 0);
    nn_net_free(net);
    nn_net_free(back);
}

// Saving into a folder that does not exist fails with a message naming the
// path and creates nothing; so does saving onto an existing folder.
static void test_model_save_fails(void **state) {
    (void)state;
    nn_net *net = make_net_("softmax", 1, 28, 28, 3);
    char err[600] = "";
    const char *missing = path_("no-such-folder/m.model");
    assert_false(app_model_save(missing, net, "softmax", "", err, sizeof err));
    assert_msg_has(err, missing);
    assert_false(exists_(path_("no-such-folder")));

    const char *folder = path_("a-folder");
    assert_int_equal(mkdir(folder, 0755), 0);
    err[0] = '\0';
    assert_false(app_model_save(folder, net, "softmax", "", err, sizeof err));
    assert_msg_has(err, folder);
    struct stat st;
    assert_int_equal(stat(folder, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(count_names_(dir_, "a-folder.tmp-"), 0);
    nn_net_free(net);
}

// Loading a file that does not exist names it.
static void test_model_missing(void **state) {
    (void)state;
    nn_net *net = (nn_net *)0x1;
    char err[600] = "";
    assert_false(app_model_load(path_("absent.model"), &net, 1, NULL, 0, err, sizeof err));
    assert_null(net);
    assert_msg_has(err, path_("absent.model"));
}

// One flipped byte in the parameters is caught by the checksum.
static void test_model_flipped_param(void **state) {
    (void)state;
    size_t n;
    unsigned char *b = saved_model_("flip_src.model", "softmax", 1, 28, 28, &n);
    const model_layout L = layout_(b, n);
    b[L.params_at + 4 * 3000 + 2] ^= 0x01;
    expect_load_fails_("flip.model", b, n, "checksum");
}

// Every single-bit flip anywhere in a (small) model file is refused, and every
// message names the file: nothing corrupt is ever loaded silently.
static void test_model_every_bit_flip(void **state) {
    (void)state;
    size_t n;
    unsigned char *b = saved_model_("bits_src.model", "flatten,dense(2)", 1, 2, 2, &n);
    for (size_t i = 0; i < n; i++)
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (unsigned char)(1u << bit);
            expect_load_fails_("bits.model", b, n, NULL);
            b[i] ^= (unsigned char)(1u << bit);
        }
}

// Every truncation (all lengths from 0 to size-1) is refused naming the file.
static void test_model_every_truncation(void **state) {
    (void)state;
    size_t n;
    unsigned char *b = saved_model_("trunc_src.model", "flatten,dense(3)", 1, 3, 3, &n);
    for (size_t len = 0; len < n; len++) expect_load_fails_("trunc.model", b, len, NULL);
    expect_load_fails_("trunc.model", b, 20, "truncated");
    expect_load_fails_("trunc.model", b, n - 9, "truncated");
}

// An empty file and a foreign file (a PNG) are "not a convstep model file".
static void test_model_empty_and_foreign(void **state) {
    (void)state;
    expect_load_fails_("empty.model", (const unsigned char *)"", 0, "not a convstep model");
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                        'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0};
    expect_load_fails_("picture.png", png, sizeof png, "not a convstep model");
    expect_load_fails_("short.model", (const unsigned char *)"CONV", 4, "not a convstep model");
}

// Version 2 (with a valid CRC, so only the version is wrong) is refused as such.
static void test_model_wrong_version(void **state) {
    (void)state;
    size_t n;
    unsigned char *b = saved_model_("v_src.model", "softmax", 1, 28, 28, &n);
    put_le32_(b + 8, 2);
    fix_crc_(b, n);
    expect_load_fails_("v2.model", b, n, "version 2");
}

// A parameter count that does not match the architecture (valid CRC) is refused,
// the message giving both counts; so are bytes beyond the announced parameters.
static void test_model_wrong_count(void **state) {
    (void)state;
    size_t n;
    unsigned char *b = saved_model_("c_src.model", "softmax", 1, 28, 28, &n);
    const model_layout L = layout_(b, n);
    put_le32_(b + L.count_at, 7849);
    fix_crc_(b, n);
    expect_load_fails_("count.model", b, n, "7849");
    {
        char err[700];
        nn_net *net;
        assert_false(app_model_load(path_("count.model"), &net, 1, NULL, 0, err, sizeof err));
        assert_msg_has(err, "7850");
    }
    // Count right, one float too many before the CRC.
    unsigned char *c = own_(malloc(n + 4));
    memcpy(c, b, n - 4);
    put_le32_(c + L.count_at, 7850);
    memset(c + n - 4, 0, 4);
    fix_crc_(c, n + 4);
    expect_load_fails_("extra.model", c, n + 4, "corrupt");
    // The count's high word set (count 2^32 + 7850).
    put_le32_(b + L.count_at, 7850);
    put_le32_(b + L.count_at + 4, 1);
    fix_crc_(b, n);
    expect_load_fails_("high.model", b, n, "parameters");
}

// An unknown architecture string (valid CRC) is refused as one convstep cannot build.
static void test_model_unknown_arch(void **state) {
    (void)state;
    size_t n;
    unsigned char *b = saved_model_("a_src.model", "flatten,dense(10),softmax", 1, 28, 28, &n);
    const model_layout L = layout_(b, n);
    assert_memory_equal(b + L.arch_at, "flatten,dense(10),softmax", 25);
    memcpy(b + L.arch_at + 17, "softmux", 7);  // same length, unknown layer
    fix_crc_(b, n);
    expect_load_fails_("arch.model", b, n, "architecture");
}

// Header fields out of range (valid CRC): an input of 0 rows, a NUL inside the
// architecture, an architecture length of 4 GB. Each refused, none crashes.
static void test_model_bad_header_fields(void **state) {
    (void)state;
    size_t n;
    unsigned char *b = saved_model_("h_src.model", "softmax", 1, 28, 28, &n);
    const model_layout L = layout_(b, n);
    unsigned char *c = own_(malloc(n));

    memcpy(c, b, n);
    put_le32_(c + 16, 0);
    fix_crc_(c, n);
    expect_load_fails_("rows0.model", c, n, "input shape");

    memcpy(c, b, n);
    put_le32_(c + 12, 5000);
    fix_crc_(c, n);
    expect_load_fails_("chan.model", c, n, "input shape");

    memcpy(c, b, n);
    c[L.arch_at + 2] = '\0';
    fix_crc_(c, n);
    expect_load_fails_("nul.model", c, n, "NUL");

    memcpy(c, b, n);
    put_le32_(c + L.arch_len_at, 0xffffffffu);
    fix_crc_(c, n);
    expect_load_fails_("len.model", c, n, "architecture");

    memcpy(c, b, n);
    put_le32_(c + L.note_len_at, 100000);
    fix_crc_(c, n);
    expect_load_fails_("note.model", c, n, "note");
}

// ---- IDX files -----------------------------------------------------------------------------

#define IMG_N 3
#define IMG_R 4
#define IMG_C 5
static const uint8_t labels_[IMG_N] = {7, 0, 9};

static uint8_t pixel_(int i, int y, int x) { return (uint8_t)(i * 80 + y * 13 + x * 3 + 1); }

// An IDX image file's bytes for `count` records of rows x cols (header fields
// as given, the body from pixel_), optionally with extra bytes.
static unsigned char *idx_images_(uint32_t magic, uint32_t count, uint32_t rows, uint32_t cols,
                                  size_t body_records, size_t extra, size_t *n) {
    *n = 16 + body_records * rows * cols + extra;
    unsigned char *b = own_(calloc(1, *n));
    put_be32_(b, magic);
    put_be32_(b + 4, count);
    put_be32_(b + 8, rows);
    put_be32_(b + 12, cols);
    for (size_t i = 0; i < body_records; i++)
        for (uint32_t y = 0; y < rows; y++)
            for (uint32_t x = 0; x < cols; x++)
                b[16 + (i * rows + y) * cols + x] = pixel_((int)i, (int)y, (int)x);
    return b;
}

static unsigned char *idx_labels_(uint32_t magic, uint32_t count, size_t body, size_t extra,
                                  size_t *n) {
    *n = 8 + body + extra;
    unsigned char *b = own_(calloc(1, *n));
    put_be32_(b, magic);
    put_be32_(b + 4, count);
    for (size_t i = 0; i < body; i++) b[8 + i] = labels_[i % IMG_N];
    return b;
}

// Writes the good image and label files (gz or plain) as img_name / lab_name.
static void write_good_idx_(const char *img_name, bool img_gz, const char *lab_name, bool lab_gz) {
    size_t n;
    unsigned char *b = idx_images_(0x803, IMG_N, IMG_R, IMG_C, IMG_N, 0, &n);
    (img_gz ? write_gz_ : write_file_)(path_(img_name), b, n);
    b = idx_labels_(0x801, IMG_N, IMG_N, 0, &n);
    (lab_gz ? write_gz_ : write_file_)(path_(lab_name), b, n);
}

static void expect_good_set_(const app_dataset *d) {
    assert_int_equal(d->count, IMG_N);
    assert_int_equal(d->rows, IMG_R);
    assert_int_equal(d->cols, IMG_C);
    for (int i = 0; i < IMG_N; i++) {
        assert_int_equal(d->labels[i], labels_[i]);
        for (int y = 0; y < IMG_R; y++)
            for (int x = 0; x < IMG_C; x++)
                assert_int_equal(d->images[(i * IMG_R + y) * IMG_C + x], pixel_(i, y, x));
    }
}

// Plain IDX files are read exactly: count, size, every pixel and label.
static void test_idx_plain(void **state) {
    (void)state;
    write_good_idx_("p-img", false, "p-lab", false);
    app_dataset d;
    char err[600];
    assert_true(app_dataset_read(&d, path_("p-img"), path_("p-lab"), err, sizeof err));
    expect_good_set_(&d);
    app_dataset_free(&d);
    assert_null(d.images);
    assert_int_equal(d.count, 0);
}

// gzip-compressed IDX files (written with gzwrite), and a mix of both, read the same.
static void test_idx_gzip(void **state) {
    (void)state;
    app_dataset d;
    char err[600];
    write_good_idx_("g-img.gz", true, "g-lab.gz", true);
    assert_true(app_dataset_read(&d, path_("g-img.gz"), path_("g-lab.gz"), err, sizeof err));
    expect_good_set_(&d);
    app_dataset_free(&d);
    write_good_idx_("m-img.gz", true, "m-lab", false);
    assert_true(app_dataset_read(&d, path_("m-img.gz"), path_("m-lab"), err, sizeof err));
    expect_good_set_(&d);
    app_dataset_free(&d);
}

// Reads img/lab expecting failure: the message names `named` and contains needle.
static void expect_idx_fails_(const char *img, const char *lab, const char *named,
                              const char *needle) {
    app_dataset d;
    memset(&d, 0x5a, sizeof d);
    char err[700] = "";
    if (app_dataset_read(&d, path_(img), path_(lab), err, sizeof err)) {
        print_error("%s + %s were read (%d records)\n", img, lab, d.count);
        app_dataset_free(&d);
        fail();
    }
    assert_null(d.images);
    assert_null(d.labels);
    assert_msg_has(err, path_(named));
    if (needle) assert_msg_has(err, needle);
}

// Writes an image file built by idx_images_ (plain or gz) under `name`.
static void put_images_(const char *name, bool gz, uint32_t magic, uint32_t count, uint32_t rows,
                        uint32_t cols, size_t body_records, size_t extra) {
    size_t n;
    unsigned char *b = idx_images_(magic, count, rows, cols, body_records, extra, &n);
    (gz ? write_gz_ : write_file_)(path_(name), b, n);
}

static void put_labels_(const char *name, bool gz, uint32_t magic, uint32_t count, size_t body,
                        size_t extra) {
    size_t n;
    unsigned char *b = idx_labels_(magic, count, body, extra, &n);
    (gz ? write_gz_ : write_file_)(path_(name), b, n);
}

// Each corruption of an image file is refused with a message naming it.
static void test_idx_bad_images(void **state) {
    (void)state;
    write_good_idx_("ok-img", false, "ok-lab", false);
    for (int gz = 0; gz <= 1; gz++) {
        const char *bad = gz ? "bad-img.gz" : "bad-img";
        put_images_(bad, gz, 0x804, IMG_N, IMG_R, IMG_C, IMG_N, 0);  // wrong magic
        expect_idx_fails_(bad, "ok-lab", bad, "not an IDX image file");
        put_images_(bad, gz, 0x803, IMG_N, IMG_R, IMG_C, IMG_N - 1, 7);  // truncated data
        expect_idx_fails_(bad, "ok-lab", bad, "truncated");
        put_images_(bad, gz, 0x803, IMG_N, IMG_R, IMG_C, IMG_N, 1);  // one byte too many
        expect_idx_fails_(bad, "ok-lab", bad, "bytes after");
        put_images_(bad, gz, 0x803, 0, IMG_R, IMG_C, 0, 0);  // no records
        expect_idx_fails_(bad, "ok-lab", bad, "out of range");
        put_images_(bad, gz, 0x803, 1, 1025, 1, 1, 0);  // rows beyond 1024
        expect_idx_fails_(bad, "ok-lab", bad, "out of range");
        put_labels_(bad, gz, 0x801, 40, 40, 0);  // a label file given as images
        expect_idx_fails_(bad, "ok-lab", bad, "not an IDX image file");
    }
    write_file_(path_("head-img"), "\0\0\x08\x03\0\0\0\x03", 8);  // header cut short
    expect_idx_fails_("head-img", "ok-lab", "head-img", "truncated");
    write_file_(path_("zero-img"), "", 0);
    expect_idx_fails_("zero-img", "ok-lab", "zero-img", "truncated");
    expect_idx_fails_("absent-img", "ok-lab", "absent-img", "cannot open");
}

// Each corruption of a label file is refused with a message naming it.
static void test_idx_bad_labels(void **state) {
    (void)state;
    write_good_idx_("ok2-img", false, "ok2-lab", false);
    for (int gz = 0; gz <= 1; gz++) {
        const char *bad = gz ? "bad-lab.gz" : "bad-lab";
        put_labels_(bad, gz, 0x803, IMG_N, IMG_N, 0);  // wrong magic
        expect_idx_fails_("ok2-img", bad, bad, "not an IDX label file");
        put_labels_(bad, gz, 0x801, IMG_N, IMG_N - 1, 0);  // truncated
        expect_idx_fails_("ok2-img", bad, bad, "truncated");
        put_labels_(bad, gz, 0x801, IMG_N, IMG_N, 2);  // trailing bytes
        expect_idx_fails_("ok2-img", bad, bad, "bytes after");
        put_labels_(bad, gz, 0x801, IMG_N + 1, IMG_N + 1, 0);  // more labels than images
        expect_idx_fails_("ok2-img", bad, bad, "labels");
        expect_idx_fails_("ok2-img", bad, "ok2-img", "images");
        put_images_(bad, gz, 0x803, IMG_N, IMG_R, IMG_C, IMG_N, 0);  // images given as labels
        expect_idx_fails_("ok2-img", bad, bad, "not an IDX label file");
    }
    expect_idx_fails_("ok2-img", "absent-lab", "absent-lab", "cannot open");
}

// Every truncation of a plain image file and of a label file is refused
// naming the file; none crashes.
static void test_idx_every_truncation(void **state) {
    (void)state;
    write_good_idx_("t-img", false, "t-lab", false);
    size_t n;
    unsigned char *b = read_file_(path_("t-img"), &n);
    for (size_t len = 0; len < n; len++) {
        write_file_(path_("t-img-cut"), b, len);
        expect_idx_fails_("t-img-cut", "t-lab", "t-img-cut", NULL);
    }
    b = read_file_(path_("t-lab"), &n);
    for (size_t len = 0; len < n; len++) {
        write_file_(path_("t-lab-cut"), b, len);
        expect_idx_fails_("t-img", "t-lab-cut", "t-lab-cut", NULL);
    }
}

// Every truncation of a gzip-compressed image file is refused naming the file,
// including a cut into the last 8 bytes (the gzip trailer: the CRC-32 and size
// that vouch for the data).
static void test_idx_gzip_truncation(void **state) {
    (void)state;
    write_good_idx_("tz-img.gz", true, "tz-lab.gz", true);
    size_t n;
    unsigned char *b = read_file_(path_("tz-img.gz"), &n);
    for (size_t len = 0; len < n; len++) {
        write_file_(path_("tz-img-cut.gz"), b, len);
        app_dataset d;
        char err[700] = "";
        if (app_dataset_read(&d, path_("tz-img-cut.gz"), path_("tz-lab.gz"), err, sizeof err)) {
            app_dataset_free(&d);
            print_error("the first %zu of %zu bytes of a .gz image file were accepted\n", len, n);
            fail();
        }
        assert_msg_has(err, path_("tz-img-cut.gz"));
    }
}

// Issue 10, finding 13: a gzip image file whose data fills the caller's
// buffer in one read (78,400 bytes here, past zlib's 8 KiB internal buffer)
// and that misses 1..8 bytes of its trailer was accepted through gzread().
static void test_idx_gzip_trailer_large(void **state) {
    (void)state;
    enum { N = 100, SIDE = 28 };
    size_t n = 16 + (size_t)N * SIDE * SIDE;
    unsigned char *b = own_(calloc(1, n));
    put_be32_(b, 0x803);
    put_be32_(b + 4, N);
    put_be32_(b + 8, SIDE);
    put_be32_(b + 12, SIDE);
    uint32_t x = 12345;  // pseudo-random pixels: the data barely compresses
    for (size_t i = 16; i < n; i++) x = x * 1103515245u + 12345u, b[i] = (unsigned char)(x >> 16);
    write_gz_(path_("big-img.gz"), b, n);
    put_labels_("big-lab", false, 0x801, N, N, 0);
    app_dataset d;
    char err[700];
    assert_true(app_dataset_read(&d, path_("big-img.gz"), path_("big-lab"), err, sizeof err));
    assert_memory_equal(d.images, b + 16, n - 16);
    app_dataset_free(&d);
    size_t gz_n;
    unsigned char *gz = read_file_(path_("big-img.gz"), &gz_n);
    for (size_t cut = 1; cut <= 8; cut++) {
        write_file_(path_("big-img-cut.gz"), gz, gz_n - cut);
        expect_idx_fails_("big-img-cut.gz", "big-lab", "big-img-cut.gz", "truncated");
    }
    // Two gzip members one after the other (`cat a.gz b.gz`) are one stream.
    size_t half = 16 + (size_t)N / 2 * SIDE * SIDE;
    write_gz_(path_("half1.gz"), b, half);
    write_gz_(path_("half2.gz"), b + half, n - half);
    size_t n1, n2;
    unsigned char *g1 = read_file_(path_("half1.gz"), &n1), *g2 = read_file_(path_("half2.gz"), &n2);
    unsigned char *cat = own_(malloc(n1 + n2));
    memcpy(cat, g1, n1);
    memcpy(cat + n1, g2, n2);
    write_file_(path_("cat-img.gz"), cat, n1 + n2);
    assert_true(app_dataset_read(&d, path_("cat-img.gz"), path_("big-lab"), err, sizeof err));
    assert_memory_equal(d.images, b + 16, n - 16);
    app_dataset_free(&d);
    // Garbage after the gzip data is refused, not ignored as gzread() does.
    memcpy(cat + n1, "junk", 4);
    write_file_(path_("junk-img.gz"), cat, n1 + 4);
    expect_idx_fails_("junk-img.gz", "big-lab", "junk-img.gz", "corrupt");
}

// Issue 10, finding 8a: every count a header declares is checked against the
// limits before anything is allocated; a folder is named as one.
static void test_idx_limits(void **state) {
    (void)state;
    assert_int_equal(APP_IDX_MAX_IMAGES, 1000000);
    assert_int_equal(APP_IDX_MAX_SIDE, 256);
    assert_int_equal(APP_IDX_MAX_PIXELS, 268435456u);
    put_labels_("lim-lab", false, 0x801, 1, 1, 0);
    put_images_("lim-img", false, 0x803, 1000001, 1, 1, 0, 0);
    expect_idx_fails_("lim-img", "lim-lab", "lim-img", "out of range");
    put_images_("lim-img", false, 0x803, 1, 257, 1, 0, 0);
    expect_idx_fails_("lim-img", "lim-lab", "lim-img", "out of range");
    put_images_("lim-img", false, 0x803, 1000000, 16, 17, 0, 0);  // 272,000,000 pixels
    expect_idx_fails_("lim-img", "lim-lab", "lim-img", "268435456");
    put_images_("lim-img", false, 0x803, 1000000, 16, 16, 0, 0);  // 256,000,000: allowed
    expect_idx_fails_("lim-img", "lim-lab", "lim-img", "truncated");
    put_images_("lim-img", false, 0x803, 1, 256, 256, 1, 0);  // the largest side reads
    put_labels_("lim-lab", false, 0x801, 1, 1, 0);
    app_dataset d;
    char err[700];
    assert_true(app_dataset_read(&d, path_("lim-img"), path_("lim-lab"), err, sizeof err));
    assert_int_equal(d.rows, 256);
    app_dataset_free(&d);
    assert_int_equal(mkdir(path_("dir-img"), 0755), 0);
    expect_idx_fails_("dir-img", "lim-lab", "dir-img", "is a folder");
}

// app_dataset_load reads a folder's four files, taking NAME.gz when NAME is
// absent and NAME when both exist; a missing file is named.
static void test_idx_folder(void **state) {
    (void)state;
    assert_int_equal(mkdir(path_("set"), 0755), 0);
    write_good_idx_("set/train-images-idx3-ubyte", false, "set/train-labels-idx1-ubyte.gz", true);
    // The test set: plain with 2 records and .gz with 3; the plain one wins.
    put_images_("set/t10k-images-idx3-ubyte", false, 0x803, 2, IMG_R, IMG_C, 2, 0);
    put_images_("set/t10k-images-idx3-ubyte.gz", true, 0x803, 3, IMG_R, IMG_C, 3, 0);
    put_labels_("set/t10k-labels-idx1-ubyte", false, 0x801, 2, 2, 0);
    app_dataset train, test;
    char err[700];
    if (!app_dataset_load(&train, &test, path_("set"), err, sizeof err)) {
        print_error("%s\n", err);
        fail();
    }
    expect_good_set_(&train);
    assert_int_equal(test.count, 2);
    assert_int_equal(test.labels[1], labels_[1]);
    app_dataset_free(&train);
    app_dataset_free(&test);

    assert_int_equal(unlink(path_("set/t10k-labels-idx1-ubyte")), 0);
    assert_false(app_dataset_load(&train, &test, path_("set"), err, sizeof err));
    assert_msg_has(err, path_("set/t10k-labels-idx1-ubyte"));
    assert_null(train.images);
    assert_null(test.images);

    // Test images of another size than the training ones.
    put_labels_("set/t10k-labels-idx1-ubyte", false, 0x801, 2, 2, 0);
    put_images_("set/t10k-images-idx3-ubyte", false, 0x803, 2, IMG_C, IMG_R, 2, 0);
    assert_false(app_dataset_load(&train, &test, path_("set"), err, sizeof err));
    assert_msg_has(err, "5x4");
    assert_msg_has(err, "4x5");
}

// The embedded digits load as 8000 + 2000 records of 28x28, equal byte for
// byte to records 0..7999 and 8000..9999 of the asset read here with zlib.
static void test_idx_embedded(void **state) {
    (void)state;
    app_dataset train, test;
    char err[700], path[1024];
    assert_true(app_dataset_load(&train, &test, NULL, err, sizeof err));
    assert_int_equal(train.count, 8000);
    assert_int_equal(test.count, 2000);
    assert_int_equal(train.rows, 28);
    assert_int_equal(test.cols, 28);
    assert_true(app_asset_path("mnist10k-images-idx3-ubyte.gz", path, sizeof path, err, sizeof err));
    gzFile f = gzopen(path, "rb");
    assert_non_null(f);
    unsigned char *all = own_(malloc(16 + 10000 * 784));
    assert_int_equal(gzread(f, all, 16 + 10000 * 784), 16 + 10000 * 784);
    gzclose(f);
    assert_memory_equal(train.images, all + 16, 8000 * 784);
    assert_memory_equal(test.images, all + 16 + 8000 * 784, 2000 * 784);
    assert_true(app_asset_path("mnist10k-labels-idx1-ubyte.gz", path, sizeof path, err, sizeof err));
    f = gzopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(gzread(f, all, 8 + 10000), 8 + 10000);
    gzclose(f);
    assert_memory_equal(train.labels, all + 8, 8000);
    assert_memory_equal(test.labels, all + 8 + 8000, 2000);
    for (int i = 0; i < 10000; i++) assert_in_range(all[8 + i], 0, 9);

    // A slice copies the records it names.
    app_dataset s;
    assert_true(app_dataset_slice(&s, &test, 10, 5));
    assert_int_equal(s.count, 5);
    assert_memory_equal(s.images, test.images + 10 * 784, 5 * 784);
    assert_memory_equal(s.labels, test.labels + 10, 5);
    app_dataset_free(&s);
    app_dataset_free(&train);
    app_dataset_free(&test);
}

// Pixels become floats in [0, 1]: 0 -> 0, 51 -> 0.2, 255 -> 1.
static void test_images_to_floats(void **state) {
    (void)state;
    const uint8_t px[4] = {0, 51, 255, 128};
    float f[4];
    app_images_to_floats(f, px, 4);
    assert_true(f[0] == 0.0f && f[2] == 1.0f);
    assert_true(fabsf(f[1] - 0.2f) < 1e-6f && fabsf(f[3] - 128.0f / 255.0f) < 1e-6f);
}

// A label above what the model outputs is refused before training, saying which
// dense layer to end with (a label 12 with 10 outputs: dense(13)).
static void test_trainer_label_range(void **state) {
    (void)state;
    app_dataset train = {0}, test = {0};
    char err[700] = "";
    write_good_idx_("lr-img", false, "lr-lab", false);
    assert_true(app_dataset_read(&train, path_("lr-img"), path_("lr-lab"), err, sizeof err));
    assert_true(app_dataset_read(&test, path_("lr-img"), path_("lr-lab"), err, sizeof err));
    test.labels[2] = 12;
    app_train_options o;
    app_train_options_default(&o);
    o.arch = "softmax";
    app_trainer t;
    assert_false(app_trainer_init(&t, &o, &train, &test, err, sizeof err));
    assert_msg_has(err, "dense(13)");
    test.labels[2] = 9;
    assert_true(app_trainer_init(&t, &o, &train, &test, err, sizeof err));
    app_trainer_destroy(&t);
    app_dataset_free(&train);
    app_dataset_free(&test);
}

// A model trained (one epoch on 600 embedded digits), saved and loaded again
// classifies the test digits exactly as well as before.
static void test_trained_model_round_trip(void **state) {
    (void)state;
    app_dataset train_all, test_all, train, test;
    char err[700];
    assert_true(app_dataset_load(&train_all, &test_all, NULL, err, sizeof err));
    assert_true(app_dataset_slice(&train, &train_all, 0, 600));
    assert_true(app_dataset_slice(&test, &test_all, 0, 300));
    app_dataset_free(&train_all);
    app_dataset_free(&test_all);
    app_train_options o;
    app_train_options_plain(&o);  // 19 steps: the reference's constant, larger rate
    o.arch = "softmax";
    o.epochs = 1;
    app_trainer t;
    assert_true(app_trainer_init(&t, &o, &train, &test, err, sizeof err));
    bool done = false;
    app_epoch_stats st;
    while (!done) assert_true(app_trainer_step(&t, &done, &st, err, sizeof err));
    assert_true(st.test_accuracy > 0.6f);
    assert_true(app_model_save(path_("trained.model"), t.net, nn_arch_expand("softmax"), "t", err,
                               sizeof err));
    nn_net *back;
    assert_true(app_model_load(path_("trained.model"), &back, 32, NULL, 0, err, sizeof err));
    assert_true(app_evaluate(back, &test) == st.test_accuracy);
    nn_net_free(back);
    app_trainer_destroy(&t);
    app_dataset_free(&train);
    app_dataset_free(&test);
}

// ---- Digit preparation -----------------------------------------------------------------

// A w x h picture filled with `paper`.
static app_gray_image picture_(int w, int h, float paper) {
    app_gray_image img = {w, h, malloc(sizeof(float) * (size_t)(w > 0 ? w : 1) * (h > 0 ? h : 1))};
    assert_non_null(img.v);
    for (int i = 0; i < w * h; i++) img.v[i] = paper;
    return img;
}

// An asymmetric "L" in a 12-wide, 20-tall box: a 4-wide stem and a 4-tall foot,
// scaled by s with its box's top-left corner at (x0, y0).
static void draw_l_(app_gray_image *img, int x0, int y0, int s, float ink) {
    for (int y = 0; y < 20 * s; y++)
        for (int x = 0; x < 12 * s; x++) {
            const int by = y / s, bx = x / s;
            if (bx < 4 || by >= 16) img->v[(y0 + y) * img->w + x0 + x] = ink;
        }
}

// The centre of mass of a 28x28 result, worked out here.
static void com_(const float *out, double *cx, double *cy) {
    double m = 0, sx = 0, sy = 0;
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++) {
            m += out[y * 28 + x];
            sx += out[y * 28 + x] * x;
            sy += out[y * 28 + x] * y;
        }
    assert_true(m > 0);
    *cx = sx / m;
    *cy = sy / m;
}

static void prepare_ok_(const app_gray_image *img, float *out, app_digit_info *info) {
    char err[300];
    if (!app_digit_prepare(img, out, info, err, sizeof err)) {
        print_error("app_digit_prepare: %s\n", err);
        fail();
    }
    for (int i = 0; i < 28 * 28; i++) assert_true(out[i] >= 0.0f && out[i] <= 1.0f);
}

// An MNIST-like 28x28 picture (light ink on black) comes out with its centre of
// mass within 0.5 px of (13.5, 13.5), its box 12x20, not inverted.
static void test_digit_centred(void **state) {
    (void)state;
    app_gray_image img = picture_(28, 28, 0.0f);
    draw_l_(&img, 9, 4, 1, 1.0f);
    float out[784];
    app_digit_info info;
    prepare_ok_(&img, out, &info);
    double cx, cy;
    com_(out, &cx, &cy);
    assert_true(fabs(cx - 13.5) <= 0.5 && fabs(cy - 13.5) <= 0.5);
    assert_true(fabs(info.com_x - cx) < 1e-3 && fabs(info.com_y - cy) < 1e-3);
    assert_false(info.inverted);
    assert_int_equal(info.ink_x, 9);
    assert_int_equal(info.ink_y, 4);
    assert_int_equal(info.ink_w, 12);
    assert_int_equal(info.ink_h, 20);
    assert_int_equal(info.box_w, 12);
    assert_int_equal(info.box_h, 20);
    app_gray_image_free(&img);
    assert_null(img.v);
}

// The same L drawn dark on light grey paper at 3x, off-centre in a 100x70
// picture, gives (nearly) the same 28x28 result, and is reported inverted.
static void test_digit_scaled_inverted(void **state) {
    (void)state;
    app_gray_image small = picture_(28, 28, 0.0f);
    draw_l_(&small, 9, 4, 1, 1.0f);
    app_gray_image big = picture_(100, 70, 0.92f);
    draw_l_(&big, 61, 7, 3, 0.08f);
    float a[784], b[784];
    app_digit_info ia, ib;
    prepare_ok_(&small, a, &ia);
    prepare_ok_(&big, b, &ib);
    assert_true(ib.inverted);
    assert_int_equal(ib.ink_x, 61);
    assert_int_equal(ib.ink_w, 36);
    assert_int_equal(ib.ink_h, 60);
    assert_int_equal(ib.box_w, 12);
    assert_int_equal(ib.box_h, 20);
    double worst = 0;
    for (int i = 0; i < 784; i++) worst = fmax(worst, fabs((double)a[i] - b[i]));
    if (worst >= 0.15) {
        print_error("the 3x dark-on-light L differs from the 1x L by up to %.3f\n", worst);
        fail();
    }
    app_gray_image_free(&small);
    app_gray_image_free(&big);
}

// The longer side of the ink's box becomes 20, the other keeps the proportion:
// a 40x10 bar becomes 20x5, a 6x30 bar 4x20.
static void test_digit_box_20(void **state) {
    (void)state;
    app_gray_image img = picture_(60, 50, 0.0f);
    for (int y = 20; y < 30; y++)
        for (int x = 5; x < 45; x++) img.v[y * 60 + x] = 1.0f;
    float out[784];
    app_digit_info info;
    prepare_ok_(&img, out, &info);
    assert_int_equal(info.box_w, 20);
    assert_int_equal(info.box_h, 5);
    int inked = 0;
    for (int i = 0; i < 784; i++) inked += out[i] > 0.5f;
    assert_int_equal(inked, 100);  // 20 x 5 full-ink pixels
    app_gray_image_free(&img);

    img = picture_(40, 40, 1.0f);
    for (int y = 3; y < 33; y++)
        for (int x = 30; x < 36; x++) img.v[y * 40 + x] = 0.0f;
    prepare_ok_(&img, out, &info);
    assert_true(info.inverted);
    assert_int_equal(info.box_w, 4);
    assert_int_equal(info.box_h, 20);
    double cx, cy;
    com_(out, &cx, &cy);
    assert_true(fabs(cx - 13.5) <= 0.5 && fabs(cy - 13.5) <= 0.5);
    app_gray_image_free(&img);
}

// A blank picture (white, black, mid-grey, or ink fainter than a tenth) is
// refused with "no ink"; a 0x0 picture is refused as empty.
static void test_digit_blank(void **state) {
    (void)state;
    const float shades[] = {1.0f, 0.0f, 0.5f};
    float out[784];
    app_digit_info info;
    char err[300];
    for (size_t k = 0; k < sizeof shades / sizeof shades[0]; k++) {
        app_gray_image img = picture_(30, 20, shades[k]);
        err[0] = '\0';
        assert_false(app_digit_prepare(&img, out, &info, err, sizeof err));
        assert_msg_has(err, "no ink");
        app_gray_image_free(&img);
    }
    app_gray_image img = picture_(30, 20, 1.0f);
    img.v[10 * 30 + 15] = 0.95f;
    assert_false(app_digit_prepare(&img, out, &info, err, sizeof err));
    assert_msg_has(err, "no ink");
    app_gray_image_free(&img);
    app_gray_image empty = {0, 0, NULL};
    assert_false(app_digit_prepare(&empty, out, &info, err, sizeof err));
    assert_msg_has(err, "empty");
}

// Tiny pictures never crash: 1x1 (either shade) is refused or prepared, and a
// 1x7 or 7x1 strip with one ink pixel is prepared with its ink at the centre.
static void test_digit_tiny(void **state) {
    (void)state;
    float out[784];
    app_digit_info info;
    char err[300];
    for (int k = 0; k < 2; k++) {
        app_gray_image one = picture_(1, 1, (float)k);
        err[0] = '\0';
        if (!app_digit_prepare(&one, out, &info, err, sizeof err)) assert_true(err[0] != '\0');
        app_gray_image_free(&one);
    }
    for (int k = 0; k < 2; k++) {
        app_gray_image strip = picture_(k ? 7 : 1, k ? 1 : 7, 0.0f);
        strip.v[3] = 1.0f;
        prepare_ok_(&strip, out, &info);
        double cx, cy;
        com_(out, &cx, &cy);
        assert_true(fabs(cx - 13.5) <= 0.5 && fabs(cy - 13.5) <= 0.5);
        app_gray_image_free(&strip);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_round_trip),
        cmocka_unit_test(test_model_round_trip_outputs),
        cmocka_unit_test(test_model_note_truncated),
        cmocka_unit_test(test_model_layout),
        cmocka_unit_test(test_model_save_files),
        cmocka_unit_test(test_model_save_replaces),
        cmocka_unit_test(test_model_save_fails),
        cmocka_unit_test(test_model_missing),
        cmocka_unit_test(test_model_flipped_param),
        cmocka_unit_test(test_model_every_bit_flip),
        cmocka_unit_test(test_model_every_truncation),
        cmocka_unit_test(test_model_empty_and_foreign),
        cmocka_unit_test(test_model_wrong_version),
        cmocka_unit_test(test_model_wrong_count),
        cmocka_unit_test(test_model_unknown_arch),
        cmocka_unit_test(test_model_bad_header_fields),
        cmocka_unit_test(test_idx_plain),
        cmocka_unit_test(test_idx_gzip),
        cmocka_unit_test(test_idx_bad_images),
        cmocka_unit_test(test_idx_bad_labels),
        cmocka_unit_test(test_idx_every_truncation),
        cmocka_unit_test(test_idx_gzip_truncation),
        cmocka_unit_test(test_idx_gzip_trailer_large),
        cmocka_unit_test(test_idx_limits),
        cmocka_unit_test(test_idx_folder),
        cmocka_unit_test(test_idx_embedded),
        cmocka_unit_test(test_images_to_floats),
        cmocka_unit_test(test_trainer_label_range),
        cmocka_unit_test(test_trained_model_round_trip),
        cmocka_unit_test(test_digit_centred),
        cmocka_unit_test(test_digit_scaled_inverted),
        cmocka_unit_test(test_digit_box_20),
        cmocka_unit_test(test_digit_blank),
        cmocka_unit_test(test_digit_tiny),
    };
    return cmocka_run_group_tests(tests, group_setup_, group_teardown_);
}
