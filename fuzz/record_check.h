/*
 * The checks fuzz_rdap and fuzz_whois make of a struct td_record and of
 * every way it leaves takedown (JSON, the text form).  The includer
 * defines check_str() (what a string of its records must be) and
 * FORMAT_OK(r) (the record's format field) first.
 */
#ifndef TD_FUZZ_RECORD_CHECK_H
#define TD_FUZZ_RECORD_CHECK_H

static void
put_utf8(struct td_buf *b, unsigned cp)
{
	if (cp < 0x80) {
		td_buf_addch(b, (int)cp);
	} else if (cp < 0x800) {
		td_buf_addch(b, (int)(0xc0 | cp >> 6));
		td_buf_addch(b, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		td_buf_addch(b, (int)(0xe0 | cp >> 12));
		td_buf_addch(b, (int)(0x80 | (cp >> 6 & 0x3f)));
		td_buf_addch(b, (int)(0x80 | (cp & 0x3f)));
	} else {
		td_buf_addch(b, (int)(0xf0 | cp >> 18));
		td_buf_addch(b, (int)(0x80 | (cp >> 12 & 0x3f)));
		td_buf_addch(b, (int)(0x80 | (cp >> 6 & 0x3f)));
		td_buf_addch(b, (int)(0x80 | (cp & 0x3f)));
	}
}

/*
 * The text form of one value: td_term_escape() must give printable ASCII
 * that reads back (\\, \t, \xNN, \u{X}) to exactly the value.
 */
static void
check_text(const char *s)
{
	struct td_buf e = TD_BUF_INIT, back = TD_BUF_INIT;
	size_t i, len = strlen(s);

	CHECK(td_term_escape(&e, s, len, 0) == 0);
	for (i = 0; i < e.len; i++) {
		unsigned char c = (unsigned char)e.ptr[i];

		CHECK(c >= 0x20 && c < 0x7f);
		if (c != '\\') {
			td_buf_addch(&back, c);
		} else if (e.ptr[i + 1] == '\\') {
			td_buf_addch(&back, '\\');
			i++;
		} else if (e.ptr[i + 1] == 't') {
			td_buf_addch(&back, '\t');
			i++;
		} else if (e.ptr[i + 1] == 'x') {
			td_buf_addch(&back,
				     (int)strtoul((char[]){e.ptr[i + 2],
							   e.ptr[i + 3], 0},
						  NULL, 16));
			i += 3;
		} else {
			char *end;
			unsigned long cp;

			CHECK(e.ptr[i + 1] == 'u' && e.ptr[i + 2] == '{');
			cp = strtoul(e.ptr + i + 3, &end, 16);
			CHECK(*end == '}' && cp <= 0x10ffff);
			put_utf8(&back, (unsigned)cp);
			i = (size_t)(end - e.ptr);
		}
	}
	CHECK(!td_buf_failed(&back));
	CHECK(back.len == len && !memcmp(back.ptr, s, len));
	td_buf_release(&e);
	td_buf_release(&back);
}

static int
has_upper(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 1;
	return 0;
}

/* what a string of the includer's records must be */
static void check_str(const char *s);

/* check_str() naming the field */
#define STR(v) (field = #v, check_str(v))

static void
check_strv(char *const *v, size_t nr, int lower)
{
	size_t i;

	CHECK(!nr || v);
	for (i = 0; i < nr; i++) {
		CHECK(v[i]);
		check_str(v[i]);
		CHECK(!lower || !has_upper(v[i]));
	}
}

/* "YYYY-MM-DDTHH:MM:SSZ", and td_record_date() keeps it as it is. */
static void
check_date(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	char again[21];
	size_t i;

	if (!s)
		return;
	CHECK(strlen(s) == sizeof(pat) - 1);
	for (i = 0; pat[i]; i++)
		CHECK(pat[i] == 'd' ? s[i] >= '0' && s[i] <= '9'
				    : s[i] == pat[i]);
	CHECK(td_record_date(again, sizeof(again), s) == 0);
	CHECK(!strcmp(again, s));
}

/* The JSON string under key equals s (null when s is NULL). */
static void
check_json_str(json_t *obj, const char *key, const char *s)
{
	json_t *v = json_object_get(obj, key);

	CHECK(v);
	if (!s) {
		CHECK(json_is_null(v));
		return;
	}
	CHECK(json_is_string(v));
	CHECK(json_string_length(v) == strlen(s) &&
	      !memcmp(json_string_value(v), s, strlen(s)));
}

static void
check_json_strv(json_t *obj, const char *key, char *const *v, size_t nr)
{
	json_t *a = json_object_get(obj, key);
	size_t i;

	CHECK(json_is_array(a) && json_array_size(a) == nr);
	for (i = 0; i < nr; i++) {
		json_t *e = json_array_get(a, i);

		CHECK(json_is_string(e) && !strcmp(json_string_value(e), v[i]));
	}
}

static void
check_json(const struct td_record *r)
{
	struct td_buf out = TD_BUF_INIT;
	struct td_jw w;
	json_error_t jerr;
	json_t *j, *cs;
	size_t i;

	td_jw_init(&w, &out);
	td_record_json(&w, r);
	if (td_buf_failed(&out)) {
		td_buf_release(&out);
		return;
	}
	field = "json";
	for (i = 0; i < out.len; i++)
		CHECK((unsigned char)out.ptr[i] < 0x80);
	j = json_loadb(out.ptr, out.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		fprintf(stderr, "%s: bad JSON: %s\n", FUZZ_NAME, jerr.text);
	CHECK(json_is_object(j));
	check_json_str(j, "format", r->format);
	check_json_str(j, "source", r->source);
	check_json_str(j, "status_text", r->status_text);
	check_json_str(j, "domain", r->domain);
	check_json_str(j, "domain_unicode", r->domain_unicode);
	check_json_str(j, "registrar", r->registrar);
	check_json_str(j, "registrar_url", r->registrar_url);
	check_json_str(j, "abuse_email", r->abuse_email);
	check_json_str(j, "created", r->created);
	check_json_str(j, "name", r->name);
	check_json_str(j, "org", r->org);
	check_json_str(j, "referral", r->referral);
	check_json_strv(j, "statuses", r->statuses, r->nr_statuses);
	check_json_strv(j, "nameservers", r->nameservers, r->nr_nameservers);
	check_json_strv(j, "notes", r->notes, r->nr_notes);
	cs = json_object_get(j, "contacts");
	CHECK(json_is_array(cs) && json_array_size(cs) == r->nr_contacts);
	for (i = 0; i < r->nr_contacts; i++) {
		json_t *c = json_array_get(cs, i);

		CHECK(json_is_object(c));
		check_json_str(c, "role", r->contacts[i].role);
		check_json_str(c, "email", r->contacts[i].email);
		check_json_str(c, "address", r->contacts[i].address);
	}
	json_decref(j);
	td_buf_release(&out);
}

static void
check_record(const struct td_record *r)
{
	size_t i;

	field = "record";
	CHECK(r->kind >= TD_REC_UNKNOWN && r->kind <= TD_REC_ENTITY);
	CHECK(r->status >= TD_REC_FOUND && r->status <= TD_REC_ERROR);
	CHECK(FORMAT_OK(r));
	CHECK(td_record_kind_name(r->kind) && td_record_status_name(r->status));
	CHECK(r->registrar_iana_id >= -1 && r->origin_asn >= -1);
	STR(r->source);
	STR(r->status_text);
	STR(r->domain);
	CHECK(!r->domain || !has_upper(r->domain));
	STR(r->domain_unicode);
	STR(r->registrar);
	STR(r->registrar_url);
	STR(r->registrar_whois);
	STR(r->registrar_rdap);
	STR(r->abuse_email);
	STR(r->abuse_phone);
	STR(r->created);
	STR(r->updated);
	STR(r->expires);
	field = "dates";
	check_date(r->created);
	check_date(r->updated);
	check_date(r->expires);
	field = "statuses";
	check_strv(r->statuses, r->nr_statuses, 1);
	field = "nameservers";
	check_strv(r->nameservers, r->nr_nameservers, 1);
	for (i = 0; i < r->nr_nameservers; i++) {
		size_t n = strlen(r->nameservers[i]);

		CHECK(n && r->nameservers[i][n - 1] != '.');
	}
	STR(r->dnssec);
	STR(r->handle);
	STR(r->name);
	STR(r->start);
	STR(r->end);
	field = "cidrs";
	check_strv(r->cidrs, r->nr_cidrs, 0);
	STR(r->country);
	STR(r->org);
	STR(r->parent);
	STR(r->referral);
	CHECK(!r->nr_contacts || r->contacts);
	CHECK(r->nr_contacts <= r->alloc_contacts);
	for (i = 0; i < r->nr_contacts; i++) {
		const struct td_contact *c = &r->contacts[i];

		field = "contact";
		CHECK(c->role && *c->role && !has_upper(c->role));
		CHECK(!(c->flags & ~(TD_CONTACT_REDACTED | TD_CONTACT_PROXY |
				     TD_CONTACT_WITHHELD)));
		STR(c->role);
		STR(c->handle);
		STR(c->name);
		STR(c->org);
		STR(c->email);
		STR(c->phone);
		STR(c->country);
		STR(c->address);
		STR(c->url);
	}
	CHECK(r->nr_notes <= r->alloc_notes);
	field = "notes";
	check_strv(r->notes, r->nr_notes, 0);
	check_json(r);
}

#endif
