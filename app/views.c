// views.c - the table of views (see views.h). Its order is the home menu's.
#include "views.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const view_def *const table_[] = {
    &view_conv, &view_pool, &view_convt, &view_backprop, &view_train, &view_templates, &view_cnn, &view_network,
    &view_draw, &view_lessons,
    &view_home, &view_unit,
};
#define N_VIEWS ((int)(sizeof table_ / sizeof table_[0]))
_Static_assert(N_VIEWS == VIEW_COUNT, "every app_view has one row in the table");

const view_def *view_get(app_view id) {
    for (int i = 0; i < N_VIEWS; i++)
        if (table_[i]->id == id) return table_[i];
    return &view_home;
}

const view_def *view_find(const char *name) {
    for (int i = 0; name && i < N_VIEWS; i++)
        if (strcmp(table_[i]->name, name) == 0) return table_[i];
    return NULL;
}

const char *view_names(bool menus_too) {
    static char names[2][200];
    char *out = names[menus_too];
    if (!out[0]) {
        const view_def *listed[N_VIEWS];
        int n = 0;
        // The unit view is opened from the network view, never by name from a menu.
        for (int i = 0; i < N_VIEWS; i++)
            if ((menus_too || table_[i]->has_panel) && (table_[i]->menu || table_[i]->id == VIEW_HOME))
                listed[n++] = table_[i];
        size_t used = 0;
        for (int i = 0; i < n; i++) {
            const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
            used += (size_t)snprintf(out + used, sizeof names[0] - used, "%s%s", sep, listed[i]->name);
        }
    }
    return out;
}

int view_menu_count(void) {
    int n = 0;
    for (int i = 0; i < N_VIEWS; i++) n += table_[i]->menu != NULL;
    return n;
}

app_view view_menu_item(int index) {
    for (int i = 0; i < N_VIEWS; i++)
        if (table_[i]->menu && index-- == 0) return table_[i]->id;
    return VIEW_HOME;
}

void view_op_of(const app_state *s, view_op *out) {
    const view_def *v = view_get(s->view);
    (v->op ? v : &view_conv)->op(s, out);
}

void view_report_trainer(const live_snapshot *snap, FILE *out) {
    if (snap)
        fprintf(out, "trained %lld steps of %s: test accuracy %.2f%%\n", snap->steps, snap->arch,
                100.0 * snap->test_accuracy);
}
