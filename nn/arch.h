// arch.h - architecture strings: "conv(6,5,pad=2),relu,maxpool(2),flatten,dense(10)".
//
//   conv(F,K[,stride=S][,pad=valid|same|P][,dilation=D])
//   convt(F,K[,stride=S][,pad=P][,out_pad=A][,dilation=D])   (transposed, convt.h)
//   maxpool(K[,stride=S][,pad=P])      avgpool(K[,stride=S][,pad=P])
//   relu  sigmoid  tanh  dropout(P)  flatten  dense(N)  softmax
//
// Presets (the whole string): lenet5, softmax. Defaults as in Keras: conv
// padding valid, stride 1, dilation 1; pooling stride = window, padding 0;
// convt stride 1, padding 0, output padding 0, dilation 1 (PyTorch's).
#ifndef NN_ARCH_H
#define NN_ARCH_H

#include "layer.h"
#include "status.h"

// The most layers an architecture string may list.
#define NN_MAX_LAYERS 256

// The layer kinds (nn_layer_kind, NN_LAYER_CONV, ...) and a layer's spec
// (nn_layer_spec) are in layer.h, below the table of kinds this parser reads.

// The architecture string a preset name stands for, or NULL if it is not one
// (case and surrounding spaces do not matter: " LeNet5 " is lenet5).
const char *nn_arch_preset(const char *name);

// The text an architecture argument stands for: the preset's expansion, or
// the text itself. Columns in error messages count in this text.
const char *nn_arch_expand(const char *text);

// The text of a layer as it would be written ("conv(6,5,pad=2)") into buf.
void nn_layer_spec_format(const nn_layer_spec *s, char *buf, int size);

// Parses an architecture string (or preset name) into a malloc'd array of
// *count layers, which the caller frees. NN_ERR_PARSE with a sentence naming
// the column on malformed text, unknown layers, options or values, an option
// given twice in one layer, or more than NN_MAX_LAYERS layers. Columns count
// characters (UTF-8), and a word quoted from the text has every byte that is
// not a printable character written as \xNN, so the message is safe to print.
nn_status nn_arch_parse(const char *text, nn_layer_spec **layers, int *count, nn_error *err);

#endif
