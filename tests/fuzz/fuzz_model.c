// fuzz_model.c - app_model_load (app/modelfile.h) on a temporary file holding
// the input.
//
// Every input is loaded twice: as it is, and with its last four bytes replaced
// by the right CRC-32 of the bytes before them, so that mutations get past the
// checksum and reach the architecture, shape and parameter checks.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz_common.h"
#include "modelfile.h"

static const char *path_;

static void load_(const uint8_t *data, size_t size) {
    fuzz_write_file(path_, data, size);
    nn_net *net = NULL;
    char note[256], err[1024];
    const bool ok = app_model_load(path_, &net, 1, note, sizeof note, err, sizeof err);
    FUZZ_REPORT("model", ok, err);
    if (ok) {
        if (!net || !net->model) abort();
        volatile float sink = 0.0f;
        for (size_t i = 0; i < net->n_params; i++) sink += net->params[i];
        (void)sink;
    }
    nn_net_free(net);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > (4u << 20)) return 0;
    if (!path_) path_ = fuzz_temp_path("fuzz.model");
    load_(data, size);
    if (size >= 4) {
        uint8_t *fixed = malloc(size);
        if (!fixed) abort();
        memcpy(fixed, data, size);
        const uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), fixed, (uInt)(size - 4));
        fixed[size - 4] = (uint8_t)crc;
        fixed[size - 3] = (uint8_t)(crc >> 8);
        fixed[size - 2] = (uint8_t)(crc >> 16);
        fixed[size - 1] = (uint8_t)(crc >> 24);
        if (memcmp(fixed, data, size) != 0) load_(fixed, size);
        free(fixed);
    }
    return 0;
}
