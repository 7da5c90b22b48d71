#ifndef TD_CLI_FILTER_H
#define TD_CLI_FILTER_H

#include "caseview.h"
#include "cli.h"

/* The case filters `list` and `export` share, as the user gives them. */
struct td_filter_opts {
	struct td_strlist state, kind;
	const char *role, *provider, *registrar, *domain, *label;
	const char *older, *newer;
	int escalated;
};

/* Their entries of an option table, filling o (a static struct). */
#define TD_FILTER_OPTIONS(o)                                                   \
	{"state", 's', TD_OPT_LIST, &(o).state, "STATE",                       \
	 "only cases in STATE (repeatable; \"active\": open to needs-info)"},  \
	    {"kind", 'k', TD_OPT_LIST, &(o).kind, "KIND",                      \
	     "only unknown, compromised or malicious cases (repeatable)"},     \
	    {"role", 0, TD_OPT_STRING, &(o).role, "ROLE",                      \
	     "only cases with a party in ROLE (registrar, host, cdn...)"},     \
	    {"provider", 'p', TD_OPT_STRING, &(o).provider, "NAME",            \
	     "only cases with NAME as a party (in --role, if given)"},         \
	    {"registrar", 'r', TD_OPT_STRING, &(o).registrar, "NAME",          \
	     "only cases with NAME as registrar"},                             \
	    {"domain", 'd', TD_OPT_STRING, &(o).domain, "DOMAIN",              \
	     "only cases with a URL under the registrable DOMAIN"},            \
	    {"label", 'l', TD_OPT_STRING, &(o).label, "LABEL",                 \
	     "only cases carrying LABEL"},                                     \
	    {"older-than", 0, TD_OPT_STRING, &(o).older, "AGE",                \
	     "only cases created more than AGE ago (90m, 48h, 2d, 3w)"},       \
	    {"newer-than", 0, TD_OPT_STRING, &(o).newer, "AGE",                \
	     "only cases created at most AGE ago"},                            \
	{                                                                      \
		"escalated", 'e', TD_OPT_FLAG, &(o).escalated, NULL,           \
		    "only escalated cases"                                     \
	}

/* The query for o (its strings borrowed), all as given. */
void td_filter_query(struct td_caseview_query *q,
		     const struct td_filter_opts *o, int all);

/* Free what the option parser allocated in o. */
void td_filter_opts_release(struct td_filter_opts *o);

#endif
