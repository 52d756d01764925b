// web.c - the browser build's few words with its page (see web.h). The page
// (web/index.html) defines Module.convstepPageSize, convstepFirstFrame and
// convstepDownload; without them (node) these calls do nothing.
#include "web.h"

#include <emscripten.h>

EM_JS(int, web_page_size_js_, (int *w, int *h), {
    if (!Module.convstepPageSize) return 0;
    const size = Module.convstepPageSize();
    HEAP32[w >> 2] = size[0];
    HEAP32[h >> 2] = size[1];
    return 1;
})

EM_JS(void, web_first_frame_js_, (void), {
    if (Module.convstepFirstFrame) Module.convstepFirstFrame();
})

// The file's bytes are copied out of the in-memory file system: a Blob
// cannot be made of the (shared) wasm memory.
EM_JS(void, web_offer_download_js_, (const char *path), {
    if (!Module.convstepDownload) return;
    const p = UTF8ToString(path);
    Module.convstepDownload(p.substring(p.lastIndexOf('/') + 1), FS.readFile(p));
})

void web_page_size(int *w, int *h) {
    int pw = *w, ph = *h;
    if (web_page_size_js_(&pw, &ph) && pw > 0 && ph > 0) *w = pw, *h = ph;
}

void web_first_frame(void) { web_first_frame_js_(); }

void web_offer_download(const char *path) { web_offer_download_js_(path); }
