#ifndef TD_XARF_H
#define TD_XARF_H

#include <stddef.h>

#include "buf.h"
#include "draft.h"

/*
 * X-ARF v4 (xarf-spec, JSON Schema 2020-12): one content/phishing report
 * for one incident, the URL urls[0] of a draft input.  Written to follow
 * the schemas xarf-core.json, types/content-base.json and
 * types/content-phishing.json, not the prose examples: reporter and sender
 * are contact_info objects (org, contact, domain, nothing else), evidence
 * items carry a base64 payload with "sha256:HEX" hashes, dates are RFC 3339
 * date-times, report_id a UUID v4.  Fields whose value is unknown are left
 * out rather than written as null.  See docs/internals/draft.md.
 */

/*
 * Append the report for in to out (one line of ASCII JSON).  original is
 * the e-mail to include as evidence (already redacted by the caller), or
 * NULL; report_id is a UUID; now the report time.  Returns 0, TD_EINVAL
 * (in has no URL or no identity e-mail) or TD_ENOMEM.
 */
int td_xarf_phishing(struct td_buf *out, const struct td_draft_input *in,
		     const char *original, size_t original_len,
		     const char *report_id, long long now);

/* A random UUID v4 (RFC 9562 5.4), lowercase, in out.  Returns 0 or
   TD_EIO when no random bytes can be had. */
int td_xarf_uuid4(char out[37]);

/*
 * Append an RFC 3339 date-time for an ISO 8601 date as registries write
 * it ("2018-02-09T11:59:43Z", "2018-02-09T11:59:43.5+01:00", "2018-02-09",
 * "2018-02-09 11:59:43"): returns 1, or 0 (nothing appended) when s is
 * not such a date.
 */
int td_xarf_datetime(struct td_buf *out, const char *s);

#endif
