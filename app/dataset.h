// dataset.h - digit images and labels from IDX files (the MNIST format),
// gzip-compressed or not: the embedded 10,000 digits in assets/, or a folder
// of standard MNIST / Fashion-MNIST files given with --data DIR.
#ifndef APP_DATASET_H
#define APP_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// What an IDX file may announce, checked against its header before anything
// is allocated: MNIST's 60,000 images of 28x28 (47 MB) fit many times over,
// and no file can make the program hold more than APP_IDX_MAX_PIXELS bytes.
#define APP_IDX_MAX_IMAGES 1000000      // images (and labels) in one file
#define APP_IDX_MAX_SIDE 256            // rows and columns of an image
#define APP_IDX_MAX_PIXELS 268435456u   // count x rows x cols of one file (256 MiB)
// The largest file read, compressed or not: the largest image file plus room
// for gzip's headers and stored blocks. A larger file is refused unread.
#define APP_IDX_MAX_FILE_BYTES (16ull + APP_IDX_MAX_PIXELS + (1ull << 20))

// Images of rows x cols bytes (0 = background, 255 = ink) with their labels.
typedef struct app_dataset {
    int count, rows, cols;
    uint8_t *images;  // [count][rows][cols]
    uint8_t *labels;  // [count]
} app_dataset;

// Reads an IDX image file (magic 0x00000803) and its IDX label file (magic
// 0x00000801), each gzip-compressed or plain (told by its first two bytes).
// The header's counts are checked against the limits above before anything
// is allocated; the data then goes into a buffer that grows as it arrives (a
// short file costs what it holds), inflated there directly for gzip, whose
// stream must end with its 8-byte trailer (CRC-32 and length), verified. False with a
// message naming the file on a missing, truncated, oversized, corrupt or
// mismatched file, or a folder.
bool app_dataset_read(app_dataset *d, const char *images_path, const char *labels_path,
                      char *err, size_t errsize);

// The train and test sets: from `dir` when it is not NULL (train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each
// optionally .gz), else the embedded digits in assets/ (records 0..7999 train,
// 8000..9999 test).
bool app_dataset_load(app_dataset *train, app_dataset *test, const char *dir, char *err,
                      size_t errsize);

// Copies records [from, from + count) of src into a new dataset.
bool app_dataset_slice(app_dataset *dst, const app_dataset *src, int from, int count);

void app_dataset_free(app_dataset *d);

#endif
