#ifndef TD_PATHS_H
#define TD_PATHS_H

#include <sys/types.h>

#include "err.h"

/*
 * Where takedown keeps its files.
 *
 * When TAKEDOWN_HOME is set and not empty it holds everything (tests, a
 * portable install, several independent setups on one account):
 *
 *   config   $TAKEDOWN_HOME/
 *   data     $TAKEDOWN_HOME/          e.g. $TAKEDOWN_HOME/iana/
 *   cache    $TAKEDOWN_HOME/cache/
 *
 * TAKEDOWN_HOME is used as given, also when it is a relative path.
 *
 * Otherwise the XDG Base Directory Specification (0.8) is followed:
 *
 *   config   $XDG_CONFIG_HOME/takedown/  default ~/.config/takedown/
 *   data     $XDG_DATA_HOME/takedown/    default ~/.local/share/takedown/
 *   cache    $XDG_CACHE_HOME/takedown/   default ~/.cache/takedown/
 *
 * An XDG variable that is empty or not an absolute path is ignored, as the
 * specification says ("If an implementation encounters a relative path in
 * any of these variables it should consider the path invalid").  The home
 * folder is $HOME when that is an absolute path, otherwise the account's
 * home directory from the password database (getpwuid).
 *
 * Trailing slashes of a variable are dropped.  Nothing is created here;
 * see td_mkdirs().
 */

/*
 * The path of name (a file or folder name, or a relative path) in the
 * config, data or cache folder: "DIR/name", or "DIR" itself when name is
 * NULL or "".  Returns a malloc'ed string the caller frees, or NULL with
 * errno ENOENT (no home folder can be found) or ENOMEM.
 */
char *td_path_config(const char *name);
char *td_path_data(const char *name);
char *td_path_cache(const char *name);

/*
 * Create the folder dir and every missing parent (mkdir -p), each with
 * mode (takedown uses 0700; the umask applies).  A folder that already
 * exists is fine; a symbolic link to a folder counts as one.  Returns 0,
 * TD_EINVAL (dir is empty), TD_EIO (a component is not a folder or cannot
 * be created; err names it and says why) or TD_ENOMEM.
 */
int td_mkdirs(const char *dir, mode_t mode, struct td_error *err);

/*
 * Make sure the file path exists for a private database: its missing
 * parent folders are created 0700 and the file itself 0600 (never
 * following a symbolic link at the last component) when absent.  An
 * existing file is left as it is.  Returns 0, TD_EIO (err names the
 * folder or file and why) or TD_ENOMEM.
 */
int td_make_private_file(const char *path, struct td_error *err);

#endif
