// assets.h - finding the folder of assets (digits, pretrained model, fonts):
// $CONVSTEP_ASSETS, then beside the program (build folder or a copy), then the
// source tree it was built from, then the install prefix.
#ifndef APP_ASSETS_H
#define APP_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

// Writes the path of assets/<name> into buf if that file exists; otherwise
// false with a message listing every place looked at.
bool app_asset_path(const char *name, char *buf, size_t size, char *err, size_t errsize);

#endif
