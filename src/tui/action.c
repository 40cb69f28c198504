/* action.c - names, default keys and help of the explorer's actions.
 * Layer: tui (pure table). License: MIT. */
#include "tui/action.h"

#include <string.h>

typedef struct ActionInfo {
    const char *name, *group, *keys, *help;
} ActionInfo;

static const ActionInfo actions[TS_ACTION_COUNT] = {
    [TS_ACTION_NONE] = {NULL, NULL, NULL, NULL},
#define TS_ACTION_ROW(id, name, group, keys, help) [TS_ACTION_##id] = {name, group, keys, help},
    TS_ACTION_LIST(TS_ACTION_ROW)
#undef TS_ACTION_ROW
};

static const ActionInfo *info(TsAction a) {
    if ((int)a <= TS_ACTION_NONE || a >= TS_ACTION_COUNT) return NULL;
    return &actions[a];
}

const char *ts_action_name(TsAction a) {
    const ActionInfo *i = info(a);
    return i ? i->name : NULL;
}

const char *ts_action_group(TsAction a) {
    const ActionInfo *i = info(a);
    return i ? i->group : NULL;
}

const char *ts_action_default_keys(TsAction a) {
    const ActionInfo *i = info(a);
    return i ? i->keys : NULL;
}

const char *ts_action_help(TsAction a) {
    const ActionInfo *i = info(a);
    return i ? i->help : NULL;
}

TsAction ts_action_from_name(const char *name) {
    if (!name) return TS_ACTION_NONE;
    for (int a = TS_ACTION_NONE + 1; a < TS_ACTION_COUNT; a++)
        if (strcmp(actions[a].name, name) == 0) return (TsAction)a;
    return TS_ACTION_NONE;
}
