#ifndef TD_LE_H
#define TD_LE_H

#include <stddef.h>

#include "err.h"

/*
 * Law-enforcement guidance for reports: per country, the national
 * cybercrime reporting channel, the national CERT/CSIRT, a national
 * phishing-report channel where there is one, and what they will ask
 * reporters for.  The data is data/le.txt, compiled in and parsed once on
 * first use; docs/internals/le.md describes the format and the sources
 * policy.
 *
 * Every pointer returned here points into static data that lives as long
 * as the program: the caller never frees it.  The functions are safe to
 * call from several threads.
 */

/* One way to reach an organisation.  A member is NULL when not known. */
struct td_le_channel {
	const char *name;  /* "Internet Crime Complaint Center (IC3), FBI";
			      NULL when the entry has no such channel */
	const char *url;   /* reporting page (http or https) */
	const char *email; /* only where the official page gives one */
	const char *phone; /* as the source gives it: international form
			      where known, else the national number */
};

#define TD_LE_MAX_ALSO 4

struct td_le {
	const char *country; /* ISO 3166-1 alpha-2, upper case; "EU" for the
				European Union, "ZZ" for the fallback */
	const char *name;    /* "United States" */
	const char *alias;   /* another code it is known by ("UK"), or NULL */
	struct td_le_channel police; /* national cybercrime reporting */
	struct td_le_channel cert;   /* national CERT/CSIRT */
	struct td_le_channel phish;  /* national phishing-report channel */
	/*
	 * What this country's police or CERT ask reporters for, beyond the
	 * general list, which is the fallback entry's asks.
	 */
	const char *const *asks;
	size_t nr_asks;
	const char *const *notes; /* caveats for the reporter */
	size_t nr_notes;
	const char *const *sources; /* pages the facts were taken from; at
				       least one */
	size_t nr_sources;
	const char *checked; /* "YYYY-MM-DD": when checked against them */
	/* Other entries that also apply (the EU entry for its members). */
	const struct td_le *also[TD_LE_MAX_ALSO];
	size_t nr_also;
};

/*
 * The entry for country: an ISO 3166-1 alpha-2 code (any case) or an
 * alias such as "UK".  NULL when the country has no entry (or country is
 * NULL or malformed); the caller then uses td_le_fallback().
 */
const struct td_le *td_le_lookup(const char *country);

/*
 * The fallback entry ("ZZ"): what to do when the country is unknown or
 * has no entry, and the general list of what law enforcement asks for.
 * NULL only if the compiled-in data failed to load (the tests forbid it).
 */
const struct td_le *td_le_fallback(void);

/* The i-th entry in file order, or NULL past the end; for listing them. */
const struct td_le *td_le_get(size_t i);

/* The number of entries. */
size_t td_le_count(void);

/*
 * Check a guidance file in the data/le.txt format: text[0..len), named
 * name in messages.  Returns 0 when every line parses and every entry is
 * complete (see docs/internals/le.md), else TD_EPARSE with err giving
 * "name:LINE: what is wrong", or TD_ENOMEM.  *nr (may be NULL) gets the
 * number of entries.  Used by the tests on the shipped file.
 */
int td_le_check(const char *name, const char *text, size_t len, size_t *nr,
		struct td_error *err);

/* The compiled-in data/le.txt, with its length in *len (may be NULL). */
const char *td_le_data(size_t *len);

#endif
