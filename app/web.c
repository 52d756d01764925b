// web.c - the browser build's few words with its page (see web.h). The page
// (web/index.html) defines Module.convstepFirstFrame and convstepDownload;
// without them (node) these calls do nothing.
#include "web.h"

#include <emscripten.h>
#include <sys/stat.h>

// Emscripten 3.1.6 starts with a umask of 0777, so every file the program
// writes (screenshots, models) would have no permissions at all, and reading
// it back (a download, "load for drawing") would be refused. The usual 022.
__attribute__((constructor)) static void web_umask_(void) { umask(022); }

EM_JS(void, web_first_frame_js_, (void), {
    if (Module.convstepFirstFrame) Module.convstepFirstFrame();
})

// The file's bytes are copied out of the in-memory file system: a Blob
// cannot be made of the (shared) wasm memory.
EM_JS(void, web_offer_download_js_, (const char *path), {
    if (!Module.convstepDownload) return;
    const p = UTF8ToString(path);
    try {
        Module.convstepDownload(p.substring(p.lastIndexOf('/') + 1), FS.readFile(p));
    } catch (e) {
        err('convstep: cannot offer ' + p + ' as a download: ' + e);
    }
})

void web_first_frame(void) { web_first_frame_js_(); }

void web_offer_download(const char *path) { web_offer_download_js_(path); }
