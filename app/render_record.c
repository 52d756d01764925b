// render_record.c - the recorder of what a frame drew and its JSON (see
// render_record.h). One recorder at a time, set only around the frame to
// record: the primitives test a NULL pointer and nothing else otherwise.
#include "render_record.h"

#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "json.h"
#include "views.h"

// The recorder the primitives note into (render.c draws on one thread).
static render_record *active_ = NULL;

void render_record_clear(render_record *r) {
    for (int i = 0; i < r->n; i++) free(r->items[i].text);
    r->n = 0;
    r->out_of_memory = false;
    r->layer = NULL;
}

void render_record_start(render_record *r) {
    if (r) render_record_clear(r);
    active_ = r;
}

void render_record_stop(void) { active_ = NULL; }

render_record *render_record_active(void) { return active_; }

void render_record_free(render_record *r) {
    render_record_clear(r);
    free(r->items);
    r->items = NULL;
    r->cap = 0;
    if (active_ == r) active_ = NULL;
}

rec_item *render_record_add(rec_kind kind, const char *role, const char *text, ui_rect rect, int px) {
    render_record *r = active_;
    if (!r) return NULL;
    if (r->n == r->cap) {
        const int cap = r->cap ? r->cap * 2 : 256;
        rec_item *grown = realloc(r->items, sizeof *grown * (size_t)cap);
        if (!grown) {
            r->out_of_memory = true;
            return NULL;
        }
        r->items = grown;
        r->cap = cap;
    }
    char *copy = strdup(text ? text : "");
    if (!copy) {
        r->out_of_memory = true;
        return NULL;
    }
    rec_item *it = &r->items[r->n++];
    *it = (rec_item){kind, role, copy, rect, {0, 0, 0, 0}, px, r->layer, 0};
    return it;
}

// ---- JSON ------------------------------------------------------------------------------------------

static void rect_(json_writer *w, const char *key, ui_rect q) {
    json_key(w, key);
    json_begin_array(w);
    json_int(w, q.x);
    json_int(w, q.y);
    json_int(w, q.w);
    json_int(w, q.h);
    json_end_array(w);
}

static bool contains_point_(ui_rect q, int x, int y) {
    return q.w > 0 && q.h > 0 && x >= q.x && y >= q.y && x < q.x + q.w && y < q.y + q.h;
}

// The frame's regions, the narration first: it is drawn over the others.
typedef struct named_rect_ {
    const char *name;
    ui_rect r;
} named_rect_;

static int frame_regions_(const ui_layout *l, named_rect_ *out) {
    const named_rect_ all[] = {{"narration", l->narration}, {"header", l->header}, {"footer", l->footer},
                               {"panel", l->panel},         {"main", l->main}};
    int n = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i].r.w > 0 && all[i].r.h > 0) out[n++] = all[i];
    return n;
}

// The region an item belongs to: the one it was drawn for, else the one
// holding its centre ("window" when none does).
static const char *region_of_(const rec_item *it, const named_rect_ *regions, int n) {
    if (it->region) return it->region;
    const int cx = it->rect.x + it->rect.w / 2, cy = it->rect.y + it->rect.h / 2;
    for (int i = 0; i < n; i++)
        if (contains_point_(regions[i].r, cx, cy)) return regions[i].name;
    return "window";
}

static const char *kind_name_(rec_kind k) {
    static const char *const names[] = {[REC_TEXT] = "text", [REC_CELL] = "cell", [REC_BUTTON] = "button",
                                        [REC_IMAGE] = "image"};
    return names[k];
}

static void item_(json_writer *w, const rec_item *it, const named_rect_ *regions, int n) {
    json_begin_object(w);
    json_key(w, "kind");
    json_string(w, kind_name_(it->kind));
    json_key(w, "role");
    json_string(w, it->role);
    json_key(w, "text");
    json_string(w, it->text);
    rect_(w, "rect", it->rect);
    json_key(w, "px");
    json_int(w, it->px);
    json_key(w, "region");
    json_string(w, region_of_(it, regions, n));
    // Text: the box it had to fit. Cells and buttons: where their text went.
    if (it->inner.w > 0 || it->inner.h > 0) rect_(w, it->kind == REC_TEXT ? "box" : "text_rect", it->inner);
    if (it->flags & REC_HIDDEN) json_key(w, "hidden"), json_bool(w, true);
    if (it->flags & REC_PENDING) json_key(w, "pending"), json_bool(w, true);
    if (it->flags & REC_TRUNCATED) json_key(w, "truncated"), json_bool(w, true);
    if (it->flags & REC_DISABLED) json_key(w, "disabled"), json_bool(w, true);
    if (it->flags & REC_ELLIPSIS) json_key(w, "ellipsis"), json_bool(w, true);
    json_end_object(w);
}

static void region_item_(json_writer *w, const char *role, ui_rect q) {
    json_begin_object(w);
    json_key(w, "kind");
    json_string(w, "region");
    json_key(w, "role");
    json_string(w, role);
    json_key(w, "text");
    json_string(w, "");
    rect_(w, "rect", q);
    json_key(w, "px");
    json_int(w, 0);
    json_key(w, "region");
    json_string(w, role);
    json_end_object(w);
}

static const char *grid_name_(grid_id id) {
    static const char *const names[] = {[GRID_NONE] = "grid",     [GRID_INPUT] = "input", [GRID_KERNEL] = "kernel",
                                        [GRID_OUTPUT] = "output", [GRID_BIAS] = "bias",   [GRID_FMAP] = "feature-map",
                                        [GRID_NET] = "network-unit"};
    return (unsigned)id < sizeof names / sizeof names[0] ? names[id] : "grid";
}

static void document_(json_writer *w, const render_record *r, const app_state *s, const ui_layout *l) {
    named_rect_ regions[8];
    const int n_regions = frame_regions_(l, regions);
    json_begin_object(w);
    json_key(w, "window");
    json_begin_array(w);
    json_int(w, l->w);
    json_int(w, l->h);
    json_end_array(w);
    json_key(w, "zoom");
    json_int(w, s->zoom);
    json_key(w, "view");
    json_string(w, view_get(s->view)->name);
    // The layout's type sizes, for checks that scale with them.
    json_key(w, "sizes");
    json_begin_object(w);
    json_key(w, "title");
    json_int(w, l->title_px);
    json_key(w, "text");
    json_int(w, l->text_px);
    json_key(w, "small");
    json_int(w, l->small_px);
    json_end_object(w);
    json_key(w, "items");
    json_begin_array(w);
    for (int i = 0; i < n_regions; i++) region_item_(w, regions[i].name, regions[i].r);
    // The view's own areas (their use differs by view): regions of role "area".
    const named_rect_ areas[] = {
        {"formula", l->formula},     {"arithmetic", l->arithmetic}, {"legend", l->legend},
        {"chart_loss", l->chart_loss}, {"chart_acc", l->chart_acc}, {"progress", l->progress},
        {"confusion", l->confusion}, {"gallery", l->gallery},       {"templates", l->templates},
        {"explain", l->explain},     {"canvas", l->canvas},         {"prepared", l->prepared},
        {"probs", l->probs},         {"maps", l->maps},             {"list_note", l->list_note}};
    for (size_t i = 0; i < sizeof areas / sizeof areas[0]; i++) {
        if (areas[i].r.w <= 0 || areas[i].r.h <= 0) continue;
        json_begin_object(w);
        json_key(w, "kind");
        json_string(w, "region");
        json_key(w, "role");
        json_string(w, "area");
        json_key(w, "text");
        json_string(w, areas[i].name);
        rect_(w, "rect", areas[i].r);
        json_key(w, "px");
        json_int(w, 0);
        json_key(w, "region");
        json_string(w, region_of_(&(rec_item){.rect = areas[i].r}, regions, n_regions));
        json_end_object(w);
    }
    for (int i = 0; i < l->n_grids; i++) {
        const ui_grid *g = &l->grids[i];
        json_begin_object(w);
        json_key(w, "kind");
        json_string(w, "grid");
        json_key(w, "role");
        json_string(w, grid_name_(g->id));
        json_key(w, "text");
        json_string(w, g->title);
        rect_(w, "rect", g->r);
        json_key(w, "px");
        json_int(w, 0);
        json_key(w, "region");
        json_string(w, region_of_(&(rec_item){.rect = g->r}, regions, n_regions));
        json_key(w, "cell");
        json_int(w, g->cell);
        json_key(w, "rows");
        json_int(w, g->rows);
        json_key(w, "cols");
        json_int(w, g->cols);
        json_key(w, "channel");
        json_int(w, g->channel);
        json_end_object(w);
    }
    for (int i = 0; i < r->n; i++) item_(w, &r->items[i], regions, n_regions);
    json_end_array(w);
    json_end_object(w);
    json_finish(w);
}

bool render_record_save(const render_record *r, const app_state *s, const ui_layout *l, const char *path,
                        char *err, size_t errsize) {
    if (r->out_of_memory) {
        snprintf(err, errsize, "cannot save the layout to '%.400s': out of memory while recording it", path);
        return false;
    }
    app_atomic_file af;
    if (!app_atomic_open(&af, path, "layout JSON ", err, errsize)) return false;
    json_writer w;
    json_init(&w, af.f);
    document_(&w, r, s, l);
    return app_atomic_commit(&af, "layout JSON ", err, errsize);
}
