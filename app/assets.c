// assets.c - where the assets folder is.
#include "assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CONVSTEP_SOURCE_ASSETS
#define CONVSTEP_SOURCE_ASSETS ""
#endif
#ifndef CONVSTEP_INSTALL_ASSETS
#define CONVSTEP_INSTALL_ASSETS ""
#endif

static bool exists_(const char *path) { return access(path, R_OK) == 0; }

bool app_asset_path(const char *name, char *buf, size_t size, char *err, size_t errsize) {
    char tried[4096] = "";
    char dirs[4][512];
    int n = 0;
    const char *env = getenv("CONVSTEP_ASSETS");
    if (env && *env) snprintf(dirs[n++], sizeof dirs[0], "%s", env);
    // Beside the program: <exe dir>/assets and <exe dir>/../assets.
    char exe[400];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(dirs[n++], sizeof dirs[0], "%s/assets", exe);
            snprintf(dirs[n++], sizeof dirs[0], "%s/../assets", exe);
        }
    }
    if (CONVSTEP_SOURCE_ASSETS[0]) snprintf(dirs[n++], sizeof dirs[0], "%s", CONVSTEP_SOURCE_ASSETS);
    for (int i = 0; i < n; i++) {
        snprintf(buf, size, "%s/%s", dirs[i], name);
        if (exists_(buf)) return true;
        size_t used = strlen(tried);
        snprintf(tried + used, sizeof tried - used, "%s%s", used ? ", " : "", dirs[i]);
    }
    if (CONVSTEP_INSTALL_ASSETS[0]) {
        snprintf(buf, size, "%s/%s", CONVSTEP_INSTALL_ASSETS, name);
        if (exists_(buf)) return true;
        size_t used = strlen(tried);
        snprintf(tried + used, sizeof tried - used, "%s%s", used ? ", " : "", CONVSTEP_INSTALL_ASSETS);
    }
    snprintf(err, errsize,
             "cannot find the asset '%s'; looked in: %s (set CONVSTEP_ASSETS to the assets folder)",
             name, tried);
    return false;
}
