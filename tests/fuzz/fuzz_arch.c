// fuzz_arch.c - nn_model_create (nn/model.h): the bytes as an architecture
// string ("lenet5", "conv(6,5,pad=2),relu,maxpool(2),flatten,dense(10)")
// for a few input shapes. Checks the parameter and layer caps on success and,
// on failure, that the message holds no control byte (words are escaped).
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return 0;  // the model file caps architectures at 4095 bytes
    char *arch = fuzz_cstring(data, size);
    const nn_shape shapes[] = {
        nn_shape_map(1, 28, 28),
        nn_shape_map(3, 32, 32),
        nn_shape_map(2, 5, 5),
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        nn_model *m = NULL;
        nn_error e;
        const nn_status st = nn_model_create(&m, arch, shapes[i], &e);
        FUZZ_REPORT("model", st == NN_OK, e.msg);
        if (st == NN_OK) {
            if (!m || m->n_layers < 1) abort();
            long long total = 0;
            for (int l = 0; l < m->n_layers; l++) total += nn_layer_params(&m->layers[l]);
            if (total != m->params) abort();
            // Issue 10: every layer and the model within the caps.
            if (m->params > NN_MAX_PARAMS || m->n_layers > NN_MAX_LAYERS) abort();
            for (int l = 0; l < m->n_layers; l++)
                if (nn_layer_params(&m->layers[l]) > NN_MAX_PARAMS) abort();
        } else {
            // A message quotes the text escaped: never a control byte.
            for (const char *c = e.msg; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7F) abort();
        }
        nn_model_free(m);
    }
    free(arch);
    return 0;
}
