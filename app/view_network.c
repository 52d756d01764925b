// view_network.c - the whole network on one screen: the live model (the
// training view's, trained in its worker) run on one input (a test digit,
// the drawing, or a dropped picture), every layer a column. Hovering a unit
// draws what feeds it; a click opens its arithmetic: the convolution view
// on that window, the pooling view on that map, or the unit view (ReLU,
// dense, softmax). Esc comes back here. Its renderer is view_network_render.c.
#include "view_network.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "update.h"
#include "view_conv_open.h"
#include "view_cnn.h"
#include "view_maps.h"
#include "view_unit.h"
#include "views.h"

// ---- The plan: columns across the room ------------------------------------------------

bool net_ends_in_softmax(const nn_model *md) {
    return md->n_layers > 0 && md->layers[md->n_layers - 1].spec.kind == NN_LAYER_SOFTMAX &&
           md->layers[md->n_layers - 1].out.rank == 1;
}

void net_col_titles(const nn_model *md, const net_col *c, char *name, char *shape, char *params, size_t size) {
    if (c->layer < 0) {
        snprintf(name, size, "input");
        snprintf(shape, size, "%dx%dx%d", md->input.h, md->input.w, md->input.c);
        snprintf(params, size, "params:");
        return;
    }
    const nn_layer *l = &md->layers[c->layer];
    char full[80];
    nn_layer_spec_format(&l->spec, full, sizeof full);
    const char *paren = strchr(full, '(');
    snprintf(name, size, "%.*s", paren ? (int)(paren - full) : (int)strlen(full), full);
    if (l->out.rank == 3)  // rows x columns x maps, as convstep summary and Keras write it
        snprintf(shape, size, "%dx%dx%d", l->out.h, l->out.w, l->out.c);
    else
        fmt_thousands(l->out.c, shape, size);
    fmt_thousands(nn_layer_params(l), params, size);
}

int net_body_y(const net_plan *p, const net_col *c) {
    const int room = p->band_h - p->title_h;
    // The input's picture sits at the top (its colour keys go under it); the
    // rest are centred in the band, so short columns meet the eye mid-height.
    const int off = c->kind == NETCOL_INPUT ? 0 : ui_max(0, (room - c->body_h) / 2);
    return p->band_y[c->band] + p->title_h + off;
}

ui_rect net_unit_rect(const net_plan *p, const net_col *c, int k) {
    const int y0 = net_body_y(p, c), x0 = c->x + (c->width - c->body_w) / 2;
    switch (c->kind) {
    case NETCOL_INPUT: return ui_rect_at(c->x + (c->width - c->side) / 2, y0, c->side, c->side);
    case NETCOL_MAPS: {
        const int line = k / c->across, col = k % c->across;
        return ui_rect_at(x0 + col * (c->side + p->gap), y0 + line * (c->side + p->gap), c->side, c->side);
    }
    case NETCOL_VECTOR: {
        const int col = k / c->lines, row = k % c->lines;
        return ui_rect_at(x0 + col * c->side, y0 + row * c->side, c->side, c->side);
    }
    case NETCOL_BARS: {
        const int col = k / c->lines, row = k % c->lines;
        return ui_rect_at(x0 + col * (c->bar_w + 2 * p->gap), y0 + row * c->side, c->bar_w, c->side);
    }
    }
    return ui_rect_at(0, 0, 0, 0);
}

ui_rect net_value_rect(ui_rect q, int h, int w, int row, int col) {
    const int x0 = q.x + col * q.w / w, x1 = q.x + (col + 1) * q.w / w;
    const int y0 = q.y + row * q.h / h, y1 = q.y + (row + 1) * q.h / h;
    return ui_rect_at(x0, y0, ui_max(1, x1 - x0), ui_max(1, y1 - y0));
}

const net_col *net_plan_col(const net_plan *p, int layer) {
    for (int i = 0; i < p->n_cols; i++)
        if (p->cols[i].layer == layer) return &p->cols[i];
    return NULL;
}

int net_selected_index(const nn_model *md, const cell_ref *c) {
    if (c->grid != GRID_NET || c->layer < -1 || c->layer >= md->n_layers) return -1;
    const nn_shape o = c->layer < 0 ? md->input : md->layers[c->layer].out;
    if (o.rank == 1) return c->channel >= 0 && c->channel < o.c ? c->channel : -1;
    if (c->channel < 0 || c->channel >= o.c || c->row < 0 || c->row >= o.h || c->col < 0 || c->col >= o.w) return -1;
    return (c->channel * o.h + c->row) * o.w + c->col;
}

int net_percent_width(const ui_metrics *m, int px) {
    return ui_max(ui_max(maps_measure(m, "<0.1%", px, false), maps_measure(m, "99.9%", px, false)),
                  maps_measure(m, "100%", px, false));
}

// A bar's row: the class, the bar, the widest percentage fmt_percent writes.
static int bars_width_(const net_plan *p, const ui_metrics *m) {
    return maps_measure(m, "9", p->shape_px, true) + net_percent_width(m, p->shape_px) + 3 * p->name_px + 2 * p->gap;
}

// Sizes column c with pictures of side s (the input's; later maps scale
// with the square root of their size) in a body of height room; false when
// it cannot fit at all.
static bool size_col_(const net_plan *p, const ui_layout *l, const ui_metrics *m, net_col *c, int s, int room,
                      int in_h) {
    const int least = l->min_px;
    switch (c->kind) {
    case NETCOL_INPUT:
        c->side = ui_min(s, room);
        if (c->side / in_h * in_h >= least) c->side = c->side / in_h * in_h;  // every pixel the same size
        c->body_w = c->body_h = c->side;
        return c->side >= least;
    case NETCOL_MAPS: {
        int side = (int)lroundf((float)s * sqrtf((float)c->h / (float)in_h));
        side = ui_max(least, ui_min(s, side));
        if (side >= c->h && side / c->h * c->h >= least) side = side / c->h * c->h;
        const int fit = (room + p->gap) / (side + p->gap);
        if (fit < 1) return false;
        c->side = side;
        c->lines = ui_min(c->n, fit);
        c->across = (c->n + c->lines - 1) / c->lines;
        c->lines = (c->n + c->across - 1) / c->across;
        c->body_w = c->across * side + (c->across - 1) * p->gap;
        c->body_h = c->lines * side + (c->lines - 1) * p->gap;
        return true;
    }
    case NETCOL_VECTOR: {
        // Square cells, as large as the room allows (at most a readable
        // cell), the units running down one column of cells and on to the next.
        const int widest = ui_max(2 * least, s * 2 / 3);
        for (int cell = ui_min(l->min_cell, room); cell >= 2; cell--) {
            const int lines = ui_min(c->n, room / cell);
            if (lines < 1) continue;
            const int across = (c->n + lines - 1) / lines;
            if (across * cell > widest && cell > 2) continue;
            c->side = cell;
            c->lines = (c->n + across - 1) / across;
            c->across = across;
            c->body_w = across * cell;
            c->body_h = c->lines * cell;
            return true;
        }
        return false;
    }
    case NETCOL_BARS: {
        // A bar a line of type at least; in two columns (0-4, 5-9) when the band is short.
        const int line = maps_line_h(p->shape_px);
        if (room < line) return false;
        c->side = ui_min(room / c->n, 2 * line);
        c->lines = c->side >= line ? c->n : room / line;
        c->side = ui_max(c->side, line);
        c->across = (c->n + c->lines - 1) / c->lines;
        c->lines = (c->n + c->across - 1) / c->across;
        // In more than two columns the percentages give way (the headline
        // says the winner's): a bar of two letters' width after the class.
        c->compact = c->across > 2;
        c->bar_w = c->compact ? maps_measure(m, "9", p->shape_px, true) + p->gap + 2 * p->name_px : bars_width_(p, m);
        c->body_w = c->across * c->bar_w + (c->across - 1) * 2 * p->gap;
        c->body_h = c->side * c->lines;
        return true;
    }
    }
    return false;
}

// The columns' total width per band at side s, band b holding the columns
// from split[b] on; false when one does not fit its band's height.
static bool widths_(net_plan *p, const ui_layout *l, const ui_metrics *m, const int *title_w, int s, int room,
                    int in_h, int bands, const int *split, int *band_w) {
    for (int b = 0; b < bands; b++) band_w[b] = 0;
    for (int i = 0; i < p->n_cols; i++) {
        net_col *c = &p->cols[i];
        if (!size_col_(p, l, m, c, s, room, in_h)) return false;
        c->band = 0;
        while (c->band + 1 < bands && i >= split[c->band + 1]) c->band++;
        c->width = ui_max(title_w[i], c->body_w);
        band_w[c->band] += c->width + (band_w[c->band] ? p->col_gap : 0);
    }
    return true;
}

static bool fits_(net_plan *p, const ui_layout *l, const ui_metrics *m, const int *title_w, int s, int room, int in_h,
                  int bands, const int *split, int width, int *band_w) {
    if (!widths_(p, l, m, title_w, s, room, in_h, bands, split, band_w)) return false;
    for (int b = 0; b < bands; b++)
        if (band_w[b] > width) return false;
    return true;
}

// The split of the columns into `bands` bands that fit `width` at side s
// with the narrowest widest band (split[0] = 0); false when none fits.
static bool best_split_(net_plan *p, const ui_layout *l, const ui_metrics *m, const int *title_w, int s, int room,
                        int in_h, int bands, int width, int *split) {
    int bw[NET_MAX_BANDS], best_w = -1, trial[NET_MAX_BANDS] = {0};
    const int n = p->n_cols;
    if (bands == 1) return fits_(p, l, m, title_w, s, room, in_h, 1, trial, width, bw) && (split[0] = 0, true);
    for (int a = 1; a < n; a++)
        for (int b = bands == 3 ? a + 1 : n; b <= (bands == 3 ? n - 1 : n); b++) {
            trial[1] = a;
            trial[2] = b;
            if (!fits_(p, l, m, title_w, s, room, in_h, bands, trial, width, bw)) continue;
            int widest = 0;
            for (int k = 0; k < bands; k++) widest = ui_max(widest, bw[k]);
            if (best_w < 0 || widest < best_w) {
                best_w = widest;
                for (int k = 0; k < bands; k++) split[k] = trial[k];
            }
        }
    return best_w >= 0;
}

// The titles' height and each column's title width, with or without the
// parameters' line; the input's column is wide enough for the words of the
// colour keys under its picture.
static void titles_fit_(net_plan *p, const ui_layout *l, const ui_metrics *m, const nn_model *md, bool params_line,
                        int *title_w) {
    p->params_line = params_line;
    p->title_h = maps_line_h(p->name_px) + (params_line ? 2 : 1) * maps_line_h(p->shape_px) + l->pad / 3;
    for (int i = 0; i < p->n_cols; i++) {
        char name[80], shape[80], params[80];
        net_col_titles(md, &p->cols[i], name, shape, params, sizeof name);
        title_w[i] = ui_max(maps_measure(m, name, p->name_px, true), maps_measure(m, shape, p->shape_px, false));
        if (params_line) title_w[i] = ui_max(title_w[i], maps_measure(m, params, p->shape_px, false));
    }
    title_w[0] = ui_max(title_w[0], maps_label_px(l) * 6);
}

void net_plan_make(net_plan *p, const ui_layout *l, const ui_metrics *m, const nn_model *md, ui_rect area) {
    *p = (net_plan){.name_px = l->small_px,
                    .shape_px = maps_label_px(l),
                    .gap = ui_max(2, l->pad / 4),
                    .col_gap = ui_max(6, l->pad * 2 / 3),
                    .bands = 1};
    if (!md) return;
    p->cols[p->n_cols++] = (net_col){.kind = NETCOL_INPUT, .layer = -1, .n = 1, .h = md->input.h, .w = md->input.w};
    const bool bars = net_ends_in_softmax(md);
    for (int i = 0; i < md->n_layers && p->n_cols < NET_MAX_COLS; i++) {
        const nn_shape o = md->layers[i].out;
        net_col c = {.layer = i, .n = o.c, .h = o.rank == 3 ? o.h : 1, .w = o.rank == 3 ? o.w : 1};
        c.kind = o.rank == 3 ? NETCOL_MAPS : bars && i == md->n_layers - 1 ? NETCOL_BARS : NETCOL_VECTOR;
        p->cols[p->n_cols++] = c;
    }
    const int planned = p->n_cols;
    int title_w[NET_MAX_COLS];
    const int in_h = ui_max(1, md->input.h), least = l->min_px;
    // One band if the columns fit in it at the least side, else two or three
    // (split where the bands are most even); then the same with two title
    // lines (the parameters left to the summary); else columns left out,
    // the ones just before the last two: the input and the network's answer
    // (its scores and their softmax) stay on screen, with a mark where layers are missing.
    int split[NET_MAX_BANDS] = {0}, bands = 1, bw[NET_MAX_BANDS];
    p->gap_after = -1;
    for (;;) {
        bool fits = false;
        for (int lines = 3; lines >= 2 && !fits; lines--) {
            titles_fit_(p, l, m, md, lines == 3, title_w);
            for (bands = 1; bands <= NET_MAX_BANDS && !fits; bands++) {
                const int band_h = (area.h - (bands - 1) * l->pad) / bands, room = band_h - p->title_h;
                fits = best_split_(p, l, m, title_w, least, room, in_h, bands, area.w, split);
            }
            bands--;
        }
        if (fits || p->n_cols <= 1) break;
        const int cut = p->n_cols > 3 ? p->n_cols - 3 : p->n_cols - 1;
        for (int i = cut; i + 1 < p->n_cols; i++) p->cols[i] = p->cols[i + 1];
        p->n_cols--;
        p->gap_after = cut - 1;
    }
    p->dropped = planned - p->n_cols;
    p->bands = bands;
    p->band_h = (area.h - (bands - 1) * l->pad) / bands;
    const int room = p->band_h - p->title_h;
    for (int b = 0; b < bands; b++) p->band_y[b] = area.y + b * (p->band_h + l->pad);
    // The largest side at which every band fits its width.
    int s = ui_max(least, room);
    while (s > least && !fits_(p, l, m, title_w, s, room, in_h, bands, split, area.w, bw)) s--;
    if (!widths_(p, l, m, title_w, s, room, in_h, bands, split, bw)) {
        p->n_cols = 0;  // not even the input fits: the renderer says so
        return;
    }
    // The room left over goes between the columns, so each band reads across the width.
    for (int b = 0; b < bands; b++) {
        int n = 0;
        for (int i = 0; i < p->n_cols; i++) n += p->cols[i].band == b;
        const int between = n > 1 ? (area.w - bw[b]) / (n - 1) : 0;
        int x = area.x;
        for (int i = 0; i < p->n_cols; i++) {
            net_col *c = &p->cols[i];
            if (c->band != b) continue;
            c->x = x;
            x += c->width + p->col_gap + ui_min(between, l->pad * 6);
        }
    }
}

// ---- Layout ----------------------------------------------------------------------------

// The panel holds a few buttons: as narrow as its longest label allows.
static void narrow_panel_(ui_layout *l, const ui_metrics *m, const char *const *labels, int n) {
    int label = 0;
    for (int i = 0; i < n; i++) label = ui_max(label, maps_measure(m, labels[i], l->small_px, false));
    layout_narrow_panel(l, label);
}

static const char *source_label_(net_source src) {
    return src == NET_SOURCE_DRAWING ? "input: drawing" : src == NET_SOURCE_DROPPED ? "input: dropped" : "input: digit";
}

// The headline's lines: what the input is, what the network says, how far
// it has trained (or that it has not), and what the mouse does.
void net_headline(const app_state *s, char *head, size_t head_size, char *sub, size_t sub_size) {
    const nn_net *net = s->host.network_net;
    head[0] = sub[0] = '\0';
    if (!net) return;
    char input[200];
    if (s->network.source == NET_SOURCE_DRAWING)
        snprintf(input, sizeof input, "your drawing");
    else if (s->network.source == NET_SOURCE_DROPPED)
        snprintf(input, sizeof input, "the dropped picture %s", s->drop.name);
    else
        cnn_image_name(s, input, sizeof input);
    float p = 0;
    const int best = cnn_guess(net, &p);
    char pct[32], params[32];
    fmt_percent(p, pct, sizeof pct);
    fmt_thousands(net->model->params, params, sizeof params);
    const live_snapshot *snap = s->host.train_live;
    const long long steps = snap ? snap->steps : -1;
    if (quiz_hides(s, QUIZ_GUESS))  // (the input's name could say its class too)
        snprintf(head, head_size, "What the network says stays hidden until the quiz is answered");
    else if (steps == 0)
        snprintf(head, head_size, "%s: the network is UNTRAINED (random weights), so its answer %d (%s) means nothing yet",
                 input, best, pct);
    else
        snprintf(head, head_size, "%s: the network says %d (%s)", input, best, pct);
    if (steps == 0)
        snprintf(sub, sub_size, "%s, %s parameters. Space trains it, live, and every column changes as it learns.",
                 app_train_model_name(s->train_model), params);
    else if (steps > 0)
        snprintf(sub, sub_size, "%s, %s parameters, after %lld training step%s: test accuracy %.1f%%%s",
                 app_train_model_name(s->train_model), params, steps, steps == 1 ? "" : "s",
                 100.0 * snap->test_accuracy, snap->running && !snap->paused ? " (training)" : "");
    else
        snprintf(sub, sub_size, "%s, %s parameters", app_train_model_name(s->train_model), params);
}

const char *net_hint(void) {
    return "Hover a unit to see what feeds it; click it to see its arithmetic (Esc comes back).";
}

static void layout_(ui_layout *l, const app_state *s, const ui_metrics *m) {
    static const char *const labels[] = {"next digit", "input: dropped", "scale: per layer", "summary", "training"};
    narrow_panel_(l, m, labels, 5);
    ui_panel p = layout_panel_fit(l, 6);
    const struct {
        const char *label;
        app_action_kind kind;
        int value;
        bool active;
    } rows[] = {
        {"next digit", ACT_INSPECT_NEXT, 0, false},
        {source_label_(s->network.source), ACT_NET_SOURCE, -1, false},
        {s->network.global_scale ? "scale: per layer" : "scale: per map", ACT_NET_SCALE, 0, s->network.global_scale},
        {"summary", ACT_NET_SUMMARY, 0, s->network.summary},
        {"training", ACT_OPEN_VIEW, VIEW_TRAIN, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ui_button *b = layout_button(l, ui_rect_at(p.x, p.y, p.w, p.row_h), rows[i].label, rows[i].kind, rows[i].value);
        b->active = rows[i].active;
        p.y += p.row_h + p.gap;
    }
    const ui_rect mr = l->main;
    const int w = mr.w - 2 * l->pad;
    // Two lines of headline and the hint, each one line (the renderer fits them).
    const int line = maps_line_h(l->text_px) + 2, small = maps_line_h(l->small_px) + 2;
    // The summary needs neither the hint nor the line under the columns: its rows get the room.
    const bool table = s->network.summary;
    l->progress = ui_rect_at(mr.x + l->pad, mr.y + l->pad / 2, w, line + (table ? 1 : 2) * small);
    const int foot = table ? 0 : maps_line_h(maps_label_px(l)) * 2 + l->pad / 2;
    const int top = l->progress.y + l->progress.h + l->pad / 2;
    l->maps = ui_rect_at(mr.x + l->pad, top, w, mr.y + mr.h - top - foot - l->pad / 2);
    l->explain = ui_rect_at(mr.x + l->pad, l->maps.y + l->maps.h + l->pad / 4, w, foot);
    const nn_net *net = s->host.network_net;
    if (!net || s->network.summary) return;
    net_plan plan;
    net_plan_make(&plan, l, m, net->model, l->maps);
    // Short of room for every layer: a lesson's caption holds only this step's.
    if ((plan.dropped || plan.n_cols == 0) && s->player.l) l->narration_short_wanted = true;
    // Every unit is a grid of its values, so a click lands on one.
    for (int i = 0; i < plan.n_cols; i++) {
        const net_col *c = &plan.cols[i];
        if (c->kind == NETCOL_MAPS || c->kind == NETCOL_INPUT) {
            for (int k = 0; k < c->n; k++) {
                const ui_rect q = net_unit_rect(&plan, c, k);
                const bool exact = q.w % c->h == 0 && q.w >= c->h && c->h == c->w;
                ui_grid *g = exact ? layout_grid(l, GRID_NET, k, c->h, c->w, 0, 0, q.x, q.y, q.w / c->h, "")
                                   : layout_grid(l, GRID_NET, k, 1, 1, 0, 0, q.x, q.y, q.w, "");
                if (g) g->layer = c->layer;
            }
        } else if (c->kind == NETCOL_VECTOR) {
            // A vector's cells column by column; channel carries the column's
            // length, so a click's (row, col) becomes unit col * lines + row.
            const ui_rect q = net_unit_rect(&plan, c, 0);
            ui_grid *g = layout_grid(l, GRID_NET, c->lines, c->lines, c->across, 0, 0, q.x, q.y, c->side, "");
            if (g) g->layer = c->layer;
        } else {
            // A column of bars a grid: its start (the class) is clickable, and
            // its column index rides in col0, so the unit comes out the same way.
            for (int j = 0; j < c->across; j++) {
                const ui_rect q = net_unit_rect(&plan, c, j * c->lines);
                const int shown = ui_min(c->lines, c->n - j * c->lines);
                ui_grid *g = layout_grid(l, GRID_NET, c->lines, shown, 1, 0, j, q.x, q.y, c->side, "");
                if (!g) continue;
                g->layer = c->layer;
                g->data_cols = j + 1;
            }
        }
    }
}

// ---- Actions ---------------------------------------------------------------------------

// A clicked grid cell as a unit: (channel, row, col) of a map, or the unit
// of a vector (channel; row = col = 0). False when it is no unit (past a
// vector's last cell, a map drawn smaller than its values).
bool net_unit_of_cell(const nn_model *md, const cell_ref *hit, cell_ref *unit) {
    if (hit->grid != GRID_NET || hit->layer < -1 || hit->layer >= md->n_layers) return false;
    const nn_shape o = hit->layer < 0 ? md->input : md->layers[hit->layer].out;
    *unit = *hit;
    if (o.rank == 1) {
        unit->channel = hit->col * hit->channel + hit->row;
        unit->row = unit->col = 0;
    } else if (hit->row == 0 && hit->col == 0 && o.h > 1) {
        // A map drawn smaller than its values was one cell: its middle stands for it.
        unit->row = o.h / 2;
        unit->col = o.w / 2;
    }
    return net_selected_index(md, unit) >= 0;
}

// Opens the arithmetic behind the selected unit: the view that works it out.
static void open_selected_(app_state *s) {
    const nn_net *net = s->host.network_net;
    if (!net || !s->network.has_selection) {
        snprintf(s->status, sizeof s->status, "select a unit first: click it");
        return;
    }
    const cell_ref *c = &s->network.selected;
    if (c->layer < 0) {
        snprintf(s->status, sizeof s->status, "input pixel (%d, %d) = %.4g: the picture itself, nothing computes it",
                 c->row, c->col, (double)s->host.network_input[c->row * 28 + c->col]);
        return;
    }
    char why[320] = "";
    bool ok = true;
    switch (net->model->layers[c->layer].spec.kind) {
    case NN_LAYER_CONV:
        ok = conv_open_from_net(s, net, s->host.network_input, c->layer, c->channel, c->row, c->col, VIEW_NETWORK, why,
                                sizeof why);
        break;
    case NN_LAYER_MAXPOOL:
    case NN_LAYER_AVGPOOL:
        ok = unit_open_pool(s, net, s->host.network_input, c->layer, c->channel, c->row, c->col, VIEW_NETWORK, why,
                            sizeof why);
        break;
    default: unit_open(s, VIEW_NETWORK); break;
    }
    if (!ok) snprintf(s->status, sizeof s->status, "%s", why);
}

static void select_(app_state *s, const cell_ref *hit, bool open) {
    const nn_net *net = s->host.network_net;
    cell_ref unit;
    if (!net || !net_unit_of_cell(net->model, hit, &unit)) return;
    s->network.selected = unit;
    s->network.has_selection = true;
    if (open) open_selected_(s);
}

static void update_(app_state *s, const app_action *a) {
    switch (a->kind) {
    case ACT_SELECT_CELL:
        if (a->cell.grid == GRID_NET) select_(s, &a->cell, true);
        return;
    case ACT_NET_SELECT:
        // From a lesson or the command line: already a unit, checked by them.
        s->network.selected = a->cell;
        s->network.has_selection = true;
        return;
    case ACT_NET_OPEN: open_selected_(s); return;
    case ACT_NET_SCALE: s->network.global_scale = !s->network.global_scale; return;
    case ACT_NET_SUMMARY: s->network.summary = !s->network.summary; return;
    case ACT_NET_SOURCE: {
        // Only the sources there are: a drawing with ink, a dropped picture.
        const bool drawn = s->draw.ready && s->draw.n_points > 0, dropped = s->drop.name[0] != '\0';
        int next = a->value;
        if (next < 0) {
            next = s->network.source;
            for (int i = 0; i < 3; i++) {
                next = (next + 1) % 3;
                if (next == NET_SOURCE_DIGIT || (next == NET_SOURCE_DRAWING && drawn) ||
                    (next == NET_SOURCE_DROPPED && dropped))
                    break;
            }
            if (next == (int)s->network.source)
                snprintf(s->status, sizeof s->status,
                         "draw a digit in the drawing view, or drop a picture here, to give the network another input");
        }
        s->network.source = (net_source)next;
        return;
    }
    case ACT_DROPPED_IMAGE:
        s->network.source = NET_SOURCE_DROPPED;
        return;
    case ACT_LOAD_DIGIT:
        if (s->host.n_digits > 0)
            s->inspect = a->value < 0 ? (s->inspect + 1) % s->host.n_digits : a->value % s->host.n_digits;
        s->network.source = NET_SOURCE_DIGIT;
        return;
    case ACT_INSPECT_NEXT: s->network.source = NET_SOURCE_DIGIT; break;
    default: break;
    }
    app_request_training(s, a, 0);
}

static void report_(const app_state *s, FILE *out) {
    const nn_net *net = s->host.network_net;
    if (!net) {
        fprintf(out, "network: no live model (%s)\n", s->host.train_why[0] ? s->host.train_why : "not computed");
        return;
    }
    char head[400], sub[400];
    net_headline(s, head, sizeof head, sub, sizeof sub);
    fprintf(out, "network: %s\n%s\n", head, sub);
    if (!s->network.has_selection) return;
    const cell_ref *c = &s->network.selected;
    const int i = net_selected_index(net->model, c);
    if (i < 0) return;
    const float v = c->layer < 0 ? s->host.network_input[i] : net->out[c->layer][i];
    char name[80] = "input";
    if (c->layer >= 0) nn_layer_spec_format(&net->model->layers[c->layer].spec, name, sizeof name);
    const nn_shape o = c->layer < 0 ? net->model->input : net->model->layers[c->layer].out;
    if (o.rank == 3)
        fprintf(out, "selected: layer %d %s, map %d, (%d, %d) = %.9g\n", c->layer + 1, name, c->channel + 1, c->row, c->col,
                (double)v);
    else
        fprintf(out, "selected: layer %d %s, unit %d = %.9g\n", c->layer + 1, name, c->channel, (double)v);
}

static const key_binding keys_[] = {
    TRAINER_KEYS,
    INSPECT_KEYS,
    {'i', 0, ACT_NET_SOURCE, -1, NULL, 0, "the input: a test digit, your drawing, a dropped picture"},
    {'l', 0, ACT_NET_SCALE, 0, NULL, 0, "colour scale: each map its own, or one per layer"},
    {'m', 0, ACT_NET_SUMMARY, 0, NULL, 0, "the model's summary: layers, shapes, parameters"},
    {'o', 0, ACT_NET_OPEN, 0, NULL, 0, "open the selected unit's arithmetic"},
};

static void reset_(app_state *s) { s->network = (network_view){.source = NET_SOURCE_DIGIT}; }

const view_def view_network = {
    .id = VIEW_NETWORK,
    .name = "network",
    .title = "the whole network",
    .menu = "The whole network",
    .keys = KEY_TABLE("the whole network", keys_),
    .mouse = "hover a unit to see what feeds it; click it to open its arithmetic",
    .has_panel = true,
    .needs = VIEW_NEEDS_NETWORK,
    .layout = layout_,
    .update = update_,
    .report = report_,
    .reset = reset_,
};
