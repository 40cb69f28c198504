/* marks_file.h - where marks are kept: the JSON sidecar next to a run, a
 * fallback folder for runs in read-only places, and the archive's /marks.
 * Layer: io (jansson; the /marks functions live in src/io/archive_marks.c,
 * the only part that touches HDF5). License: MIT.
 *
 * The sidecar of RUN (a file or a folder) is "RUN.marks.json": a JSON
 * object with sorted keys, indented by 2, one object per mark, and the
 * version field "trajscope_marks": 1 (docs/MARKS.md has the schema). Labels
 * keep their exact bytes (quotes, newlines, ESC, any Unicode).
 *
 * When RUN's folder is not writable, marks are saved in
 * $XDG_DATA_HOME/trajscope/marks/ (default ~/.local/share/trajscope/marks/)
 * as "<basename>-<16 hex digits of a hash of RUN's absolute path>.marks.json";
 * loading looks in both places and takes the more recently written file.
 *
 * Saves are atomic (temporary file in the same folder, fsync, rename, fsync
 * of the folder): a crash leaves the old file or the new one, never a mix. A
 * file that cannot be parsed is reported ("PATH:LINE:COLUMN: problem") and
 * never overwritten or removed; ts_marks_file_quarantine() moves it aside
 * when the user agrees.
 *
 * Returned strings and sets are owned by the caller (free() /
 * ts_marks_free()). Every fallible call fills err with one line. */
#ifndef TRAJSCOPE_MARKS_FILE_H
#define TRAJSCOPE_MARKS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/err.h"
#include "trajscope/marks.h"

/* The version written in "trajscope_marks" (files with a larger one are refused). */
#define TS_MARKS_FILE_VERSION 1
/* Sidecars larger than this are refused as not ours (64 MiB). */
#define TS_MARKS_FILE_MAX_BYTES ((size_t)64 << 20)

/* "RUN.marks.json" for run_path (trailing '/' of a folder dropped). */
char *ts_marks_file_sidecar_path(const char *run_path);

/* The fallback path for run_path under $XDG_DATA_HOME/trajscope/marks/
 * (or $HOME/.local/share/trajscope/marks/). NULL with err set when neither
 * variable gives an absolute folder. Creates nothing. */
char *ts_marks_file_fallback_path(const char *run_path, TsErr *err);

/* ---- text <-> set ---- */

/* The file's JSON text for set (sorted keys, indent 2, trailing newline).
 * run_path_note, when not NULL, is stored as "run_path" (fallback files say
 * which run they belong to; the field is informational). */
char *ts_marks_file_format(const TsMarkSet *set, const char *run_path_note);

/* Parses file text. name is used in messages: "NAME:LINE:COLUMN: problem"
 * for bad JSON, "NAME: mark 3: \"start_step\" must be an integer" for a bad
 * field. Returns a new set (undo history empty) or NULL with err set. */
TsMarkSet *ts_marks_file_parse(const char *text, size_t len, const char *name, TsErr *err);

/* Reads and parses one file. */
TsMarkSet *ts_marks_file_read(const char *path, TsErr *err);

/* ---- per run ---- */

/* The marks of run_path: the sidecar or the fallback file, whichever was
 * written last; when there is neither, the run archive's /marks group (when
 * the run is a trajscope archive that has one); else an empty set.
 * *loaded_from (may be NULL) receives the file used ("RUN.h5:/marks" for
 * the archive) or NULL when there was none. NULL with err set when the
 * chosen file cannot be read or parsed (it is left untouched). */
TsMarkSet *ts_marks_file_load(const char *run_path, char **loaded_from, TsErr *err);

/* Saves set as run_path's marks, atomically, under the marks lock: into the
 * sidecar, or into the fallback folder when the run's folder (or an existing
 * read-only sidecar) is not writable. Refuses (err set, nothing written)
 * when the target exists but cannot be parsed: it is not ours to destroy.
 * *saved_to (may be NULL) receives the path written. The file becomes set
 * exactly: a set kept in memory while other processes may write the file
 * (the explorer) is saved with ts_marks_file_save_merged() instead. */
bool ts_marks_file_save(const char *run_path, const TsMarkSet *set, char **saved_to, TsErr *err);

/* One read-modify-write of run_path's marks, safe against other trajscope
 * processes doing the same: takes the lock, loads, calls edit (which
 * changes set and returns true, or returns false with err set to abort
 * without saving), saves, releases the lock. saved_to as in _save. */
typedef bool (*TsMarksEditFn)(TsMarkSet *set, void *ctx, TsErr *err);
bool ts_marks_file_update(const char *run_path, TsMarksEditFn edit, void *ctx, char **saved_to,
                          TsErr *err);

/* Saves mine without losing what others wrote: under the marks lock, loads
 * run_path's marks as they are now (the file ts_marks_file_load() would
 * choose), merges them into mine with ts_marks_merge(mine, base, now, rep)
 * (base: what mine was loaded from or last saved as; NULL = empty), saves
 * mine atomically as ts_marks_file_save() does, releases the lock. Refuses
 * (err "not saved: ... (the file is left as it is; move it aside first)",
 * nothing written, mine unchanged) when the current file cannot be read,
 * and when the save target cannot be parsed, as ts_marks_file_save()
 * does. When only the archive's /marks is unreadable there is nothing of
 * others to merge and mine is saved as it is. After a failed write mine
 * keeps what was merged (merging again later is harmless: equal marks are
 * recognised). On success the caller's new base is a clone of mine.
 * rep (may be NULL) and saved_to as in ts_marks_merge() and _save. */
bool ts_marks_file_save_merged(const char *run_path, TsMarkSet *mine, const TsMarkSet *base,
                               TsMarksMergeReport *rep, char **saved_to, TsErr *err);

/* What a run's marks files look like on disk, to notice that another
 * process changed them without reading them: for the sidecar and the
 * fallback file, whether it exists, its device, inode, size, modification
 * and status-change times (saves rename a new file into place, so the
 * inode changes with every save). */
typedef struct TsMarksFileStamp {
    struct {
        bool exists;
        uint64_t dev, ino, size;
        int64_t mtime_s, ctime_s;
        long mtime_ns, ctime_ns;
    } file[2]; /* [0] the sidecar, [1] the fallback file */
} TsMarksFileStamp;

/* Fills out for run_path (stat() only; a file that cannot be stat'ed
 * counts as absent). Take the stamp before loading, so a change made in
 * between is seen next time. */
void ts_marks_file_stamp(const char *run_path, TsMarksFileStamp *out);
/* True when nothing changed between the two stamps. */
bool ts_marks_file_stamp_equal(const TsMarksFileStamp *a, const TsMarksFileStamp *b);

/* Renames an unreadable marks file PATH to PATH.bad (PATH.bad.1, .2, ...
 * when taken; never replaces a file, never deletes). *new_path (may be NULL)
 * receives the new name. Only call this with the user's consent. */
bool ts_marks_file_quarantine(const char *path, char **new_path, TsErr *err);

/* Writes data to path atomically: a temporary file "PATH.tmp-XXXXXX" in the
 * same folder (mode of the file it replaces, else 0666 & ~umask), fwrite,
 * fflush, fsync, rename, fsync of the folder. On failure the temporary file
 * is removed and path is untouched. Used for sidecars and exports. */
bool ts_marks_file_write_atomic(const char *path, const void *data, size_t len, TsErr *err);

/* ---- the archive's /marks group (src/io/archive_marks.c) ---- */

/* Writes set into archive_path's /marks group (replacing an existing one;
 * layout in docs/FORMAT.md, section "/marks"). The archive is copied to a
 * temporary file next to it, changed there and renamed into place, so a
 * failure leaves the original intact. Do not use on a run still being
 * written. */
bool ts_marks_archive_write(const char *archive_path, const TsMarkSet *set, TsErr *err);

/* Reads archive_path's /marks. *found = false (and an empty set) when the
 * file has no /marks group or cannot be opened as HDF5; NULL with err set
 * when /marks exists but is malformed. */
TsMarkSet *ts_marks_archive_read(const char *archive_path, bool *found, TsErr *err);

#endif
