#ifndef TD_MAILHOSTS_H
#define TD_MAILHOSTS_H

#include "received.h"

/*
 * The mail providers shipped in data/mailhosts.txt (compiled in).  When
 * the topmost Received field was written by a provider's host, the
 * recipient's mailbox is with that provider and its relays are theirs.
 */

/*
 * Name of the provider whose host wrote the first Received field that
 * names its receiving host, or NULL.  The name is static.
 */
const char *td_mailhosts_detect(const struct td_received *r);

/*
 * Set out up as a copy of base (may be NULL) plus the relays of provider.
 * The caller releases out with td_trust_release().  Returns 0, TD_EINVAL
 * for an unknown provider, or TD_ENOMEM.
 */
int td_mailhosts_trust(struct td_trust *out, const struct td_trust *base,
		       const char *provider);

#endif
