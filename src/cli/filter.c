#include <stdlib.h>
#include <string.h>

#include "filter.h"

void
td_filter_query(struct td_caseview_query *q, const struct td_filter_opts *o,
		int all)
{
	memset(q, 0, sizeof(*q));
	q->states = o->state.v;
	q->nr_states = o->state.nr;
	q->kinds = o->kind.v;
	q->nr_kinds = o->kind.nr;
	q->role = o->role;
	q->provider = o->provider;
	q->registrar = o->registrar;
	q->domain = o->domain;
	q->label = o->label;
	q->older_than = o->older;
	q->newer_than = o->newer;
	q->escalated = o->escalated;
	q->all = all;
}

void
td_filter_opts_release(struct td_filter_opts *o)
{
	free(o->state.v);
	free(o->kind.v);
	memset(&o->state, 0, sizeof(o->state));
	memset(&o->kind, 0, sizeof(o->kind));
}
