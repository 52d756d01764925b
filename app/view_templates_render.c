// view_templates_render.c - the weight templates of a one-layer classifier
// and why one test image gets its class: a card per class (its digit, its
// template w, the products x * w with the test image, the score z and the
// probability p with a bar), in as few rows as the labels allow, with the
// pictures as large as the space lets them be, and a legend of the colours.
#include <math.h>
#include <stdio.h>

#include "format.h"
#include "render_charts.h"
#include "render_views.h"

// How the cards are laid out: c columns (and a first one for the row names),
// r rows, pictures of side `side`, labels at `label_px`.
typedef struct cards_ {
    int cols, rows, name_w, col_w, gap, side, label_px, line, x0, y0, bottom;
    bool products;  // a test image is worked out: z and p under each template
    bool images;    // and the products x * w as pictures
} cards_;

static int line_of_(int px) { return px * 6 / 5; }

// The texts under each card (the score and the probability of class j):
// enough digits to compare the scores, narrow enough for ten columns.
static void score_text_(const templates_view *t, int j, char *z, char *p, size_t size) {
    // Two decimals under 10 ("-0.05", "3.34"), 3 significant digits above ("-12.3").
    const float v = t->z[j];
    fmt_sig(fabsf(v) < 10 ? roundf(v * 100) / 100 : v, 3, z, size);
    fmt_percent(t->p[j], p, size);
}

// The widest label a card column holds at px: the widest score and
// percentage there can be ("-0.888", "99.9%"), so the plan does not change
// from one test image to the next.
static int widest_label_(const draw_ *d, bool products, int px) {
    if (!products) return rd_width(d, FACE_BOLD, px, "8");
    return ui_max(rd_width(d, FACE_SANS, px, "-0.888"), rd_width(d, FACE_SANS, px, "99.9%"));
}

// The first column's width: its row names, and the test image beside its products.
static int names_w_(const draw_ *d, bool products, int px) {
    const int names = ui_max(rd_width(d, FACE_SANS, px, "class"), products ? rd_width(d, FACE_SANS, px, "x * w") : 0);
    return names + d->l->pad / 2;
}

// The pictures' side for c.cols columns in q with a first column name_w wide.
static void size_cards_(const draw_ *d, cards_ *c, ui_rect q, int name_w) {
    const ui_layout *l = d->l;
    c->name_w = name_w;
    c->col_w = (q.w - name_w - c->cols * c->gap) / c->cols;
    // Each row: the class, then the template (and the product, z, p and its bar).
    const int texts = c->products ? 3 * c->line + c->line / 4 + c->line / 8 : c->line;
    const int per_row_fixed = texts + l->pad + (c->images ? l->pad / 3 : 0);
    c->side = ui_min(c->col_w, (q.h - c->rows * per_row_fixed) / (c->rows * (c->images ? 2 : 1)));
}

// The number of columns (10, 5, 4, 3 or 2 a row) whose pictures come out
// largest in the rectangle q, with every label fitting its column.
static cards_ plan_cards_(const draw_ *d, ui_rect q, bool products, bool images) {
    const ui_layout *l = d->l;
    static const int choices[] = {10, 5, 4, 3, 2};
    cards_ best = {0};
    best.side = -1;
    for (int k = 0; k < 5; k++) {
        cards_ c = {.cols = choices[k], .products = products, .images = products && images, .gap = ui_max(4, l->pad / 3)};
        c.rows = (10 + c.cols - 1) / c.cols;
        // Labels at the label size when they fit, else at the readable minimum.
        c.label_px = l->small_px;
        for (int pass = 0; pass < 2; pass++) {
            c.line = line_of_(c.label_px);
            size_cards_(d, &c, q, names_w_(d, products, c.label_px));
            // The first column holds the test image too: as wide as a picture.
            if (c.images) size_cards_(d, &c, q, ui_max(c.name_w, c.side));
            if (widest_label_(d, products, c.label_px) <= c.col_w) break;
            c.label_px = l->min_px;
        }
        if (widest_label_(d, products, c.label_px) > c.col_w && k < 4) continue;
        if (c.side > best.side) best = c;
    }
    best.x0 = q.x;
    best.y0 = q.y;
    return best;
}

// One row name in the first column, centred in the box.
static void row_name_(const draw_ *d, const cards_ *c, ui_rect box, const char *name) {
    // Beside a picture shorter than a line (a short main area), from its top:
    // centred it would reach up into the row above.
    const int h = ui_max(box.h, c->line);
    rd_text_centre(d, FACE_SANS, c->label_px, rd_rect(box.x, box.y, c->name_w, h), MUTED, name);
}

// The colour of the guess's frame: right or wrong by the palette.
static SDL_Color guess_colour_(const draw_ *d, const templates_view *t) {
    const app_state *s = d->s;
    const bool known = s->host.digit_labels && t->digit < s->host.n_digits;
    const bool right = known && s->host.digit_labels[t->digit] == t->best;
    return rd_colour(right ? rd_pal(d)->good : rd_pal(d)->bad);
}

// Where the parts of a row of cards go.
typedef struct row_ {
    int y, y_tmpl, y_prod, y_z, y_p, end;
} row_;

static row_ row_at_(const cards_ *c, int y, int pad) {
    const int side = ui_max(0, c->side);
    row_ r = {.y = y, .y_tmpl = y + c->line};
    r.y_prod = r.y_tmpl + side + pad / 3;
    r.y_z = (c->images ? r.y_prod + side : r.y_tmpl + side) + c->line / 8;
    r.y_p = r.y_z + c->line;
    r.end = c->products ? r.y_p + c->line + c->line / 4 : r.y_tmpl + side;
    return r;
}

// The first column: what each row shows, and the test image x beside its products.
static void row_names_(const draw_ *d, const cards_ *c, const row_ *r, bool first) {
    const int side = ui_max(0, c->side);
    row_name_(d, c, rd_rect(c->x0, r->y, 0, c->line), "class");
    row_name_(d, c, rd_rect(c->x0, r->y_tmpl, 0, side), "w");
    if (!c->products) return;
    if (c->images && first && side > 2 * c->line) {
        // The test image x, a line smaller, over the row's name.
        const int img = side - c->line;
        rd_image(d, rd_rect(c->x0 + (c->name_w - img) / 2, r->y_prod, img, img), d->s->templates.x, 28, 28, 28, false, 1);
        row_name_(d, c, rd_rect(c->x0, r->y_prod + img, 0, c->line), "x * w");
    } else if (c->images)
        row_name_(d, c, rd_rect(c->x0, r->y_prod, 0, side), "x * w");
    row_name_(d, c, rd_rect(c->x0, r->y_z, 0, c->line), "z");
    row_name_(d, c, rd_rect(c->x0, r->y_p, 0, c->line), "p");
}

// The card of class j at x: its digit, template, product, z, p and p's bar.
static void card_(const draw_ *d, const cards_ *c, const row_ *r, int x, int j, const float *w) {
    const templates_view *t = &d->s->templates;
    const int side = ui_max(0, c->side), ix = x + (c->col_w - side) / 2;
    const bool best = c->products && j == t->best;
    const SDL_Color guess = guess_colour_(d, t);
    char z[32], p[32];
    snprintf(z, sizeof z, "%d", j);
    rd_text_centre(d, FACE_BOLD, c->label_px, rd_rect(x, r->y, c->col_w, c->line), INK, z);
    if (side > 0) {
        float img[784];
        for (int i = 0; i < 784; i++) img[i] = w[(size_t)i * 10 + j];
        rd_image(d, rd_rect(ix, r->y_tmpl, side, side), img, 28, 28, 28, true, t->weight_scale);
        // On the templates' scale (|x * w| <= |w| as 0 <= x <= 1): one legend for both.
        if (c->images)
            rd_image(d, rd_rect(ix, r->y_prod, side, side), t->products[j], 28, 28, 28, true, t->weight_scale);
        if (best) {
            const int f = ui_max(3, d->l->pad / 4), fy = c->images ? r->y_prod : r->y_tmpl;
            rd_frame(d->r, rd_rect(ix - f, fy - f, side + 2 * f, side + 2 * f), guess, f);
        }
    }
    if (!c->products) return;
    score_text_(t, j, z, p, sizeof z);
    // The guess in bold where bold still fits its column.
    const bool bold = best && ui_max(rd_width(d, FACE_BOLD, c->label_px, z), rd_width(d, FACE_BOLD, c->label_px, p)) <= c->col_w;
    const font_face face = bold ? FACE_BOLD : FACE_SANS;
    rd_text_centre(d, face, c->label_px, rd_rect(x, r->y_z, c->col_w, c->line), INK, z);
    rd_text_centre(d, face, c->label_px, rd_rect(x, r->y_p, c->col_w, c->line), best ? guess : INK, p);
    // p as a bar the width of the column (the percentage agrees with it).
    const ui_rect bar = rd_rect(x, r->y_p + c->line, c->col_w, ui_max(4, c->line / 4));
    rd_fill(d->r, bar, PANEL);
    rd_fill(d->r, rd_rect(bar.x, bar.y, (int)lroundf(t->p[j] * (float)bar.w), bar.h), best ? guess : MUTED);
}

// The cards, row by row, as many rows as fit (zoomed in on a small window:
// fewer rows, none cut).
static void cards_draw_(const draw_ *d, const cards_ *c, const live_snapshot *snap) {
    int y = c->y0;
    for (int i = 0; i < c->rows; i++) {
        const row_ r = row_at_(c, y, d->l->pad);
        if (r.end > c->bottom) break;
        row_names_(d, c, &r, i == 0);
        for (int k = 0; k < c->cols && i * c->cols + k < 10; k++)
            card_(d, c, &r, c->x0 + c->name_w + c->gap + k * (c->col_w + c->gap), i * c->cols + k, snap->params);
        y = r.end + d->l->pad;
    }
}

// The legend's type (as rd_legend's: 9/10 of the label size, at least min_px).
static int legend_px_(const ui_layout *l) { return ui_max(l->min_px, l->small_px * 9 / 10); }

// The height rd_legend takes for these items in a width (its own wrapping).
static int legend_height_(const draw_ *d, int width, const rd_legend_item *items, int n) {
    const ui_layout *l = d->l;
    const int px = legend_px_(l), sw = px * 6 / 5, gap = l->pad;
    int x = 0, y = 0;
    for (int i = 0; i < n; i++) {
        const int w = sw + gap / 2 + rd_width(d, FACE_SANS, px, items[i].label);
        if (x > 0 && x + w > width) x = 0, y += sw + gap / 2;
        x += w + gap * 2;
    }
    return n ? y + sw : 0;
}

// What the colours mean: the pale-to-strong scale with what its ends mean
// ("counts against -0.68 [bar] +0.68 counts for the class"), on one line; the
// numbers and words drop when the line is short. Returns the height (drawn
// only if `draw`).
static int scale_line_(const draw_ *d, ui_rect q, bool draw) {
    const ui_layout *l = d->l;
    const templates_view *t = &d->s->templates;
    const int px = legend_px_(l), line = line_of_(px), bar_w = px * 4, gap = l->pad / 3;
    char lo[40], hi[40];
    fmt_screen(-t->weight_scale, lo, sizeof lo);
    fmt_screen(t->weight_scale, hi, sizeof hi);
    char left[64], right[64];
    snprintf(left, sizeof left, "counts against %s", lo);
    snprintf(right, sizeof right, "+%s counts for the class", hi);
    if (rd_width(d, FACE_SANS, px, left) + rd_width(d, FACE_SANS, px, right) + bar_w + 2 * gap > q.w) {
        snprintf(left, sizeof left, "against");
        snprintf(right, sizeof right, "for the class");
    }
    if (!draw) return line;
    int x = q.x + rd_text(d, FACE_SANS, px, q.x, q.y, INK, left) + gap;
    rd_colour_bar(d, rd_rect(x, q.y + px / 5, bar_w, px * 4 / 5));
    rd_frame(d->r, rd_rect(x, q.y + px / 5, bar_w, px * 4 / 5), LINE, 1);
    x += bar_w + gap;
    rd_fitted_line(d, FACE_SANS, px, rd_rect(x, q.y, q.x + q.w - x, line), q.y, INK, right);
    return line;
}

// The legend: the scale line, then (when `swatches`) the two ends as
// swatches and the guess's frame. Returns the height (drawn only if `draw`).
static int legend_block_(const draw_ *d, ui_rect q, bool swatches, const rd_legend_item *guess, bool draw) {
    const ui_layout *l = d->l;
    const palette *pal = rd_pal(d);
    rd_legend_item items[3] = {
        {RD_SWATCH_FILL, rd_colour(pal->positive), "ink here adds to the score"},
        {RD_SWATCH_FILL, rd_colour(pal->negative), "ink here takes away"},
    };
    int n = swatches ? 2 : 0;
    if (guess) items[n++] = *guess;
    int h = scale_line_(d, q, draw);
    if (!n) return h;
    h += l->pad / 3;
    const ui_rect rest = rd_rect(q.x, q.y + h, q.w, q.h - h);
    const int used = draw ? rd_legend(d, rest, swatches ? items : items + 0, n) : legend_height_(d, q.w, items, n);
    return h + used;
}

// What the test image is and how its scores come about; returns the height used.
static int explain_head_(const draw_ *d, ui_rect q, bool draw) {
    const app_state *s = d->s;
    const templates_view *t = &s->templates;
    const ui_layout *l = d->l;
    char what[32], text[240];
    // The index is not a digit: say which image it is and what it shows.
    if (s->host.digit_labels && t->digit < s->host.n_digits)
        snprintf(what, sizeof what, "test image #%d (a %d)", t->digit, s->host.digit_labels[t->digit]);
    else
        snprintf(what, sizeof what, "test image #%d", t->digit);
    snprintf(text, sizeof text, "x = %s: score z = sum of x * w + bias, then p = softmax(z)", what);
    int px = l->small_px;
    if (rd_width(d, FACE_BOLD, px, text) > q.w) px = l->min_px;
    if (rd_width(d, FACE_BOLD, px, text) > q.w) snprintf(text, sizeof text, "x = %s: z = sum of x * w + bias", what);
    if (rd_width(d, FACE_BOLD, px, text) > q.w) snprintf(text, sizeof text, "x = %s", what);
    if (draw) rd_fitted_line(d, FACE_BOLD, px, q, q.y, INK, text);
    return line_of_(px);
}

// The legend of the frame around the guess, in the palette's right or wrong.
static rd_legend_item guess_item_(const draw_ *d, char *text, size_t size) {
    const app_state *s = d->s;
    const templates_view *t = &s->templates;
    const bool known = s->host.digit_labels && t->digit < s->host.n_digits;
    const bool right = known && s->host.digit_labels[t->digit] == t->best;
    snprintf(text, size, "highest p: the guess, %d (%s)", t->best, !known ? "label unknown" : right ? "right" : "wrong");
    return (rd_legend_item){RD_SWATCH_FRAME, guess_colour_(d, t), text};
}

// What the area above the cards holds: richest first, dropped in turn while
// the pictures would come out smaller than a readable cell.
typedef struct top_ {
    bool heading, swatches, explain, products, images;
} top_;

// The height of the part above the cards (drawn only if `draw`).
static int top_part_(const draw_ *d, ui_rect q, const top_ *o, const rd_legend_item *guess, bool draw) {
    const ui_layout *l = d->l;
    int y = q.y;
    if (o->heading) {
        if (draw) rd_fitted_line(d, FACE_BOLD, l->small_px, q, y, INK, "the ten learned templates w: a weight per pixel for each class");
        y += line_of_(l->small_px) + l->pad / 4;
    }
    y += legend_block_(d, rd_rect(q.x, y, q.w, q.y + q.h - y), o->swatches, o->products ? guess : NULL, draw) + l->pad / 2;
    if (o->explain) y += explain_head_(d, rd_rect(q.x, y, q.w, q.y + q.h - y), draw) + l->pad / 2;
    return y - q.y;
}

// The templates and, once a test image is worked out, its products, scores
// and probabilities, in the area under the progress line.
static void templates_(const draw_ *d, const live_snapshot *snap) {
    const ui_layout *l = d->l;
    const templates_view *t = &d->s->templates;
    const ui_rect q = l->templates;
    const bool ready = t->ready;
    char guess_text[96];
    const rd_legend_item guess = ready ? guess_item_(d, guess_text, sizeof guess_text) : (rd_legend_item){0};
    const top_ choices[] = {
        {true, true, ready, ready, true},    {false, false, ready, ready, true}, {false, false, ready, ready, false},
        {false, false, false, ready, false}, {false, false, false, false, false},
    };
    const int n = (int)(sizeof choices / sizeof choices[0]);
    int k = 0, top = 0;
    cards_ c;
    for (;; k++) {
        top = top_part_(d, q, &choices[k], &guess, false);
        c = plan_cards_(d, rd_rect(q.x, q.y + top, q.w, q.h - top), choices[k].products, choices[k].images);
        if (c.side >= l->min_cell || k == n - 1) break;
    }
    top_part_(d, q, &choices[k], &guess, true);
    c.bottom = q.y + q.h;
    cards_draw_(d, &c, snap);
}

void render_view_templates(const draw_ *d) {
    const app_state *s = d->s;
    const live_snapshot *snap = s->host.tmpl_live;
    rd_fill(d->r, d->l->panel, PANEL);
    rd_progress(d, snap, "softmax classifier (784 -> 10)", s->host.tmpl_why);
    // 784 x 10 weights, then 10 biases.
    if (snap && snap->n_params >= 7850 && s->templates.scale_ready) templates_(d, snap);
    rd_buttons(d);
    rd_trainer_labels(d, snap);
    rd_trainer_footer(d);
}
