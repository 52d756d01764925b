// dataset.h - digit images and labels from IDX files (the MNIST format),
// gzip-compressed or not: the embedded 10,000 digits in assets/, or a folder
// of standard MNIST / Fashion-MNIST files given with --data DIR.
#ifndef APP_DATASET_H
#define APP_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Images of rows x cols bytes (0 = background, 255 = ink) with their labels.
typedef struct app_dataset {
    int count, rows, cols;
    uint8_t *images;  // [count][rows][cols]
    uint8_t *labels;  // [count]
} app_dataset;

// Reads an IDX image file (magic 0x00000803) and its IDX label file (magic
// 0x00000801), each gzip-compressed or plain. False with a message naming the
// file on a missing, truncated, oversized or mismatched file.
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
