/* style.c - names of the semantic styles, from the X-macro in style.h.
 * Layer: render (pure). License: MIT. */
#include "trajscope/style.h"

#include <string.h>

static const char *const style_names[TS_STYLE_COUNT] = {
#define TS_STYLE_NAME(id, name, help) name,
    TS_STYLE_LIST(TS_STYLE_NAME)
#undef TS_STYLE_NAME
};

const char *ts_style_name(TsStyleId id) {
    if ((unsigned)id >= (unsigned)TS_STYLE_COUNT) return NULL;
    return style_names[id];
}

TsStyleId ts_style_from_name(const char *name) {
    if (!name) return TS_STYLE_COUNT;
    for (int i = 0; i < TS_STYLE_COUNT; i++)
        if (strcmp(style_names[i], name) == 0) return (TsStyleId)i;
    return TS_STYLE_COUNT;
}
