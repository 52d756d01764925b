// web.h - what only the browser build (Emscripten) needs of the page around
// it; web.c is compiled for that build alone, and every call is inside
// #ifdef __EMSCRIPTEN__.
#ifndef CONVSTEP_WEB_H
#define CONVSTEP_WEB_H

// Tells the page the window has drawn its first frame (its title becomes
// "convstep ready"; see index.html).
void web_first_frame(void);

// Offers a file the program has just written (in the page's memory) to the
// student as a download: screenshots, saved models, exported lessons.
void web_offer_download(const char *path);

#endif
