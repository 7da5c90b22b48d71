/*
 * The case store (store.h) on SQLite.  Schema, state machine and indexes:
 * docs/internals/store.md.  Statements are prepared once in
 * td_store_open(), their column lists generated from the field tables
 * below (fixed names, never input); the case list builds its WHERE clause
 * from fixed fragments by which filter fields are set.  Every value is a
 * bound parameter.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "paths.h"
#include "sqldb.h"
#include "store.h"
#include "banned.h"

/* PRAGMA user_version of the schema written here. */
#define SCHEMA_VERSION 2
/* PRAGMA application_id: 0x74645374 "tdSt", marks a takedown store. */
#define APPLICATION_ID 1952732020
#define STR_(x) #x
#define STR(x) STR_(x)
/* Longest string, blob or row SQLite may handle for this handle. */
#define SQL_MAX_LENGTH (16 * 1024 * 1024)
/* How many filtered case-list statements are kept prepared. */
#define LIST_CACHE 8

/* ---- schema ---- */

/*
 * The per-provider statistics, kept by triggers on party: R is "NEW" to
 * add a row's contribution, "OLD" to take it away.  Metric 1 is the time
 * to the first human answer, 2 the time to mitigation; hist_bucket maps
 * a duration to the lower bound of its histogram bucket.
 */
#define STATS_ADD(R)                                                           \
	"INSERT INTO provider_stats (provider_id, role, cases, reported,"      \
	" answered, mitigated) VALUES (" R ".provider_id, " R ".role, 1, " R   \
	".first_sent IS NOT NULL, " R ".answer_secs IS NOT NULL, " R           \
	".down_secs IS NOT NULL) ON CONFLICT (provider_id, role) DO UPDATE"    \
	" SET cases = cases + 1, reported = reported + excluded.reported,"     \
	" answered = answered + excluded.answered,"                            \
	" mitigated = mitigated + excluded.mitigated;"                         \
	"INSERT INTO provider_hist (provider_id, role, metric, lo, n) "        \
	"SELECT " R ".provider_id, " R                                         \
	".role, 1, (SELECT max(lo) FROM hist_bucket"                           \
	" WHERE lo <= " R ".answer_secs), 1 WHERE " R ".answer_secs IS NOT"    \
	" NULL ON CONFLICT (provider_id, role, metric, lo) DO UPDATE"          \
	" SET n = n + 1;"                                                      \
	"INSERT INTO provider_hist (provider_id, role, metric, lo, n) "        \
	"SELECT " R ".provider_id, " R                                         \
	".role, 2, (SELECT max(lo) FROM hist_bucket"                           \
	" WHERE lo <= " R ".down_secs), 1 WHERE " R ".down_secs IS NOT NULL"   \
	" ON CONFLICT (provider_id, role, metric, lo) DO UPDATE"               \
	" SET n = n + 1;"
#define STATS_SUB(R)                                                           \
	"UPDATE provider_stats SET cases = cases - 1,"                         \
	" reported = reported - (" R ".first_sent IS NOT NULL),"               \
	" answered = answered - (" R ".answer_secs IS NOT NULL),"              \
	" mitigated = mitigated - (" R ".down_secs IS NOT NULL)"               \
	" WHERE provider_id = " R ".provider_id AND role = " R ".role;"        \
	"UPDATE provider_hist SET n = n - 1 WHERE provider_id = " R            \
	".provider_id AND role = " R ".role AND metric = 1 AND lo ="           \
	" (SELECT max(lo) FROM hist_bucket WHERE lo <= " R ".answer_secs);"    \
	"UPDATE provider_hist SET n = n - 1 WHERE provider_id = " R            \
	".provider_id AND role = " R ".role AND metric = 2 AND lo ="           \
	" (SELECT max(lo) FROM hist_bucket WHERE lo <= " R ".down_secs);"

/* clang-format off */
static const char schema_sql[] =
    "CREATE TABLE cases ("
    " id INTEGER PRIMARY KEY,"
    " tag TEXT NOT NULL COLLATE NOCASE UNIQUE,"
    " created INTEGER NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN ('open', 'reported',"
    "  'acknowledged', 'auto-acknowledged', 'needs-info', 'mitigated',"
    "  'closed')),"
    " state_since INTEGER NOT NULL,"
    " escalated INTEGER NOT NULL DEFAULT 0 CHECK (escalated IN (0, 1)),"
    " kind TEXT NOT NULL DEFAULT 'unknown'"
    "  CHECK (kind IN ('unknown', 'compromised', 'malicious')),"
    " kind_reasons TEXT,"
    " mitigation TEXT,"
    " mitigated INTEGER,"
    " first_sent INTEGER,"
    " first_human INTEGER,"
    " closed INTEGER,"
    " closed_reason TEXT,"
    " CHECK ((mitigation IS NULL) = (mitigated IS NULL)),"
    " CHECK (state <> 'mitigated' OR mitigated IS NOT NULL),"
    " CHECK ((state = 'closed') = (closed IS NOT NULL))) STRICT;"
    "CREATE INDEX cases_state ON cases (state);"
    "CREATE INDEX cases_created ON cases (created);"
    "CREATE INDEX cases_escalated ON cases (id) WHERE escalated = 1;"
    "CREATE TABLE tag_counter ("
    " year INTEGER PRIMARY KEY,"
    " last INTEGER NOT NULL) STRICT;"
    "CREATE TABLE case_label ("
    " case_id INTEGER NOT NULL REFERENCES cases (id),"
    " label TEXT NOT NULL COLLATE NOCASE,"
    " PRIMARY KEY (case_id, label)) STRICT, WITHOUT ROWID;"
    "CREATE INDEX case_label_label ON case_label (label, case_id);"

    "CREATE TABLE case_url ("
    " id INTEGER PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases (id),"
    " url TEXT NOT NULL,"
    " norm TEXT NOT NULL,"
    " host TEXT NOT NULL,"
    " domain TEXT COLLATE NOCASE,"
    " UNIQUE (case_id, url)) STRICT;"
    "CREATE INDEX case_url_norm ON case_url (norm);"
    "CREATE INDEX case_url_domain ON case_url (domain, case_id);"
    "CREATE TABLE case_mail ("
    " id INTEGER PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases (id),"
    " path TEXT NOT NULL,"
    " sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
    " message_id TEXT,"
    " UNIQUE (case_id, sha256)) STRICT;"

    "CREATE TABLE provider ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL COLLATE NOCASE UNIQUE) STRICT;"
    "CREATE TABLE party ("
    " id INTEGER PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases (id),"
    " provider_id INTEGER NOT NULL REFERENCES provider (id),"
    " role TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " target TEXT,"
    " abuse_email TEXT,"
    " phone TEXT,"
    " web_form TEXT,"
    " country TEXT,"
    " provenance TEXT,"
    " ticket TEXT,"
    " first_sent INTEGER,"
    " last_sent INTEGER,"
    " first_reply INTEGER,"
    " first_human INTEGER,"
    " bounced INTEGER,"
    " answer_secs INTEGER CHECK (answer_secs >= 0),"
    " down_secs INTEGER CHECK (down_secs >= 0),"
    " UNIQUE (case_id, provider_id, role)) STRICT;"
    "CREATE INDEX party_provider ON party (provider_id, role, case_id);"
    "CREATE INDEX party_provider_case ON party (provider_id, case_id);"
    "CREATE INDEX party_ticket ON party (ticket) WHERE ticket IS NOT NULL;"
    "CREATE INDEX party_answer ON party (provider_id, role, answer_secs)"
    " WHERE answer_secs IS NOT NULL;"
    "CREATE INDEX party_down ON party (provider_id, role, down_secs)"
    " WHERE down_secs IS NOT NULL;"

    "CREATE TABLE provider_stats ("
    " provider_id INTEGER NOT NULL REFERENCES provider (id),"
    " role TEXT NOT NULL,"
    " cases INTEGER NOT NULL,"
    " reported INTEGER NOT NULL,"
    " answered INTEGER NOT NULL,"
    " mitigated INTEGER NOT NULL,"
    " PRIMARY KEY (provider_id, role)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE provider_hist ("
    " provider_id INTEGER NOT NULL,"
    " role TEXT NOT NULL,"
    " metric INTEGER NOT NULL,"
    " lo INTEGER NOT NULL,"
    " n INTEGER NOT NULL,"
    " PRIMARY KEY (provider_id, role, metric, lo)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE hist_bucket (lo INTEGER PRIMARY KEY) STRICT;"
    /* 0..15 exactly, then 8 buckets per power of two up to 2^41 s */
    "WITH RECURSIVE s (v) AS (SELECT 0 UNION ALL SELECT v + 1 FROM s"
    "  WHERE v < 15),"
    " p (x) AS (SELECT 16 UNION ALL SELECT x * 2 FROM p"
    "  WHERE x < 1099511627776),"
    " k (j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 7)"
    " INSERT INTO hist_bucket (lo) SELECT v FROM s"
    " UNION SELECT x + x * j / 8 FROM p, k;"
    "CREATE TRIGGER party_stats_insert AFTER INSERT ON party BEGIN "
    STATS_ADD("NEW") " END;"
    "CREATE TRIGGER party_stats_update AFTER UPDATE OF provider_id, role,"
    " first_sent, answer_secs, down_secs ON party"
    " WHEN OLD.provider_id IS NOT NEW.provider_id"
    "  OR OLD.role IS NOT NEW.role"
    "  OR (OLD.first_sent IS NULL) <> (NEW.first_sent IS NULL)"
    "  OR OLD.answer_secs IS NOT NEW.answer_secs"
    "  OR OLD.down_secs IS NOT NEW.down_secs BEGIN "
    STATS_SUB("OLD") STATS_ADD("NEW") " END;"
    "CREATE TRIGGER party_stats_delete AFTER DELETE ON party BEGIN "
    STATS_SUB("OLD") " END;"

    "CREATE TABLE evidence ("
    " id INTEGER PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases (id),"
    " url_id INTEGER REFERENCES case_url (id),"
    " url TEXT NOT NULL,"
    " profile TEXT NOT NULL,"
    " fetched INTEGER NOT NULL,"
    " final_url TEXT,"
    " status INTEGER,"
    " redirects TEXT,"
    " headers TEXT,"
    " tls_subject TEXT,"
    " tls_issuer TEXT,"
    " tls_not_before INTEGER,"
    " tls_not_after INTEGER,"
    " body_sha256 TEXT CHECK (length(body_sha256) = 64),"
    " body_len INTEGER NOT NULL,"
    " body_path TEXT,"
    " title TEXT,"
    " forms TEXT,"
    " error TEXT,"
    " verdict TEXT) STRICT;"
    "CREATE INDEX evidence_case ON evidence (case_id, fetched);"
    "CREATE TRIGGER evidence_url_of_case BEFORE INSERT ON evidence"
    " WHEN NEW.url_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM case_url"
    "  WHERE id = NEW.url_id AND case_id = NEW.case_id) BEGIN"
    " SELECT RAISE(ABORT, 'url_id is not a URL of this case'); END;"

    "CREATE TABLE message ("
    " id INTEGER PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases (id),"
    " party_id INTEGER NOT NULL REFERENCES party (id),"
    " role TEXT NOT NULL,"
    " purpose TEXT NOT NULL,"
    " recipient TEXT NOT NULL COLLATE NOCASE,"
    " subject TEXT NOT NULL,"
    " message_id TEXT NOT NULL UNIQUE,"
    " in_reply_to TEXT,"
    " path TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN ('draft', 'sending', 'sent',"
    "  'failed')),"
    " created INTEGER NOT NULL,"
    " claimed INTEGER,"
    " sent INTEGER,"
    " smtp_reply TEXT,"
    " CHECK ((state = 'sent') = (sent IS NOT NULL))) STRICT;"
    "CREATE UNIQUE INDEX message_once ON message (case_id, recipient,"
    " purpose) WHERE state IN ('sending', 'sent');"
    "CREATE INDEX message_case ON message (case_id);"
    "CREATE TRIGGER message_party_of_case BEFORE INSERT ON message"
    " WHEN NOT EXISTS (SELECT 1 FROM party WHERE id = NEW.party_id"
    "  AND case_id = NEW.case_id) BEGIN"
    " SELECT RAISE(ABORT, 'party_id is not a party of this case'); END;"
    "CREATE TRIGGER message_sent_is_final BEFORE UPDATE ON message"
    " WHEN OLD.state = 'sent' BEGIN"
    " SELECT RAISE(ABORT, 'a sent message cannot change'); END;"
    "CREATE TRIGGER message_sent_is_kept BEFORE DELETE ON message"
    " WHEN OLD.state IN ('sending', 'sent') BEGIN"
    " SELECT RAISE(ABORT, 'a sent message is kept'); END;"

    "CREATE TABLE received ("
    " id INTEGER PRIMARY KEY,"
    " case_id INTEGER REFERENCES cases (id),"
    " party_id INTEGER REFERENCES party (id),"
    " message INTEGER REFERENCES message (id),"
    " matched_by TEXT,"
    " from_addr TEXT,"
    " subject TEXT,"
    " message_id TEXT,"
    " date INTEGER,"
    " imported INTEGER NOT NULL,"
    " classification TEXT NOT NULL CHECK (classification IN ('human',"
    "  'auto', 'bounce')),"
    " ticket TEXT,"
    " path TEXT NOT NULL,"
    " sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),"
    " CHECK ((case_id IS NULL) = (matched_by IS NULL))) STRICT;"
    "CREATE INDEX received_case ON received (case_id);"
    "CREATE INDEX received_message_id ON received (message_id)"
    " WHERE message_id IS NOT NULL;"
    "CREATE TRIGGER received_of_case BEFORE UPDATE OF case_id, party_id,"
    " message ON received"
    " WHEN (NEW.party_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM party"
    "  WHERE id = NEW.party_id AND case_id = NEW.case_id))"
    " OR (NEW.message IS NOT NULL AND NOT EXISTS (SELECT 1 FROM message"
    "  WHERE id = NEW.message AND case_id = NEW.case_id)) BEGIN"
    " SELECT RAISE(ABORT, 'party or message of another case'); END;"

    "CREATE TABLE event ("
    " id INTEGER PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases (id),"
    " at INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " source TEXT NOT NULL,"
    " detail TEXT) STRICT;"
    "CREATE INDEX event_case ON event (case_id, at);"
    "CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN"
    " SELECT RAISE(ABORT, 'the event history is append-only'); END;"
    "CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN"
    " SELECT RAISE(ABORT, 'the event history is append-only'); END;"

    /*
     * Fixed planner statistics for the shape the store is built for
     * (1,000,000 cases, 3 parties and 10 events each), so that every
     * file gets the same plans whatever it holds yet; nothing runs
     * ANALYZE over them.  docs/internals/store.md, "Query plans".
     */
    "ANALYZE sqlite_schema;"
    "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES"
    " ('cases', 'sqlite_autoindex_cases_1', '1000000 1'),"
    " ('cases', 'cases_state', '1000000 150000'),"
    " ('cases', 'cases_created', '1000000 1'),"
    " ('cases', 'cases_escalated', '20000 1'),"
    " ('tag_counter', NULL, '10'),"
    " ('case_label', 'case_label', '50000 1 1'),"
    " ('case_label', 'case_label_label', '50000 500 1'),"
    " ('case_url', 'sqlite_autoindex_case_url_1', '1500000 2 1'),"
    " ('case_url', 'case_url_norm', '1500000 2'),"
    " ('case_url', 'case_url_domain', '1500000 3 1'),"
    " ('case_mail', 'sqlite_autoindex_case_mail_1', '1000000 1 1'),"
    " ('provider', 'sqlite_autoindex_provider_1', '10000 1'),"
    " ('party', 'sqlite_autoindex_party_1', '3000000 3 1 1'),"
    " ('party', 'party_provider', '3000000 300 150 1'),"
    " ('party', 'party_provider_case', '3000000 300 1'),"
    " ('party', 'party_ticket', '100000 1'),"
    " ('party', 'party_answer', '1000000 100 100 2'),"
    " ('party', 'party_down', '2000000 200 200 2'),"
    " ('provider_stats', 'provider_stats', '10000 2 1'),"
    " ('provider_hist', 'provider_hist', '250000 25 25 12 1'),"
    " ('hist_bucket', NULL, '312'),"
    " ('evidence', 'evidence_case', '3000000 3 1'),"
    " ('message', 'sqlite_autoindex_message_1', '2000000 1'),"
    " ('message', 'message_once', '2000000 2 1 1'),"
    " ('message', 'message_case', '2000000 2'),"
    " ('received', 'sqlite_autoindex_received_1', '1000000 1'),"
    " ('received', 'received_case', '1000000 2'),"
    " ('received', 'received_message_id', '1000000 1'),"
    " ('event', 'event_case', '10000000 10 1');"
    "ANALYZE sqlite_schema;"
    "PRAGMA application_id = " STR(APPLICATION_ID) ";"
    "PRAGMA user_version = " STR(SCHEMA_VERSION) ";";
/* clang-format on */

/*
 * From each version to the next, in order (upgrades[0]: 1 to 2).
 * 2: an index for a provider in any role and one of the escalated cases,
 * so that lists filtered on them read only the page they show.
 */
/* clang-format off */
static const char upgrade_1_2[] =
    "CREATE INDEX party_provider_case ON party (provider_id, case_id);"
    "CREATE INDEX cases_escalated ON cases (id) WHERE escalated = 1;"
    "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES"
    " ('cases', 'cases_escalated', '20000 1'),"
    " ('party', 'party_provider_case', '3000000 300 1');"
    "ANALYZE sqlite_schema;"
    "PRAGMA user_version = 2;";
/* clang-format on */
static const char *const upgrades[] = {upgrade_1_2, NULL};

/* ---- vocabularies ---- */

struct vocab {
	const char *what;
	const char *const *names;
	int nr;
};

static const char *const state_names[TD_STATE_NR] = {
    [TD_STATE_OPEN] = "open",
    [TD_STATE_REPORTED] = "reported",
    [TD_STATE_ACKNOWLEDGED] = "acknowledged",
    [TD_STATE_AUTO_ACKNOWLEDGED] = "auto-acknowledged",
    [TD_STATE_NEEDS_INFO] = "needs-info",
    [TD_STATE_MITIGATED] = "mitigated",
    [TD_STATE_CLOSED] = "closed",
};
static const char *const mitigation_names[TD_MIT_NR] = {
    [TD_MIT_NONE] = "none",
    [TD_MIT_CLEANED] = "cleaned",
    [TD_MIT_SUSPENDED] = "suspended",
    [TD_MIT_DNS_REMOVED] = "dns-removed",
    [TD_MIT_CDN_BLOCKED] = "cdn-blocked",
    [TD_MIT_CONTENT_REMOVED] = "content-removed",
    [TD_MIT_OTHER] = "other",
};
static const char *const role_names[TD_ROLE_NR] = {
    [TD_ROLE_NONE] = "none",
    [TD_ROLE_REGISTRAR] = "registrar",
    [TD_ROLE_HOST] = "host",
    [TD_ROLE_CDN] = "cdn",
    [TD_ROLE_PLATFORM] = "platform",
    [TD_ROLE_REGISTRANT] = "registrant",
    [TD_ROLE_REGISTRY] = "registry",
    [TD_ROLE_UPSTREAM] = "upstream",
    [TD_ROLE_LE] = "le",
    [TD_ROLE_BLOCKLIST] = "blocklist",
    [TD_ROLE_OTHER] = "other",
};
static const char *const event_names[TD_EV_NR] = {
    [TD_EV_CREATED] = "created", [TD_EV_KIND] = "kind",
    [TD_EV_STATE] = "state",	 [TD_EV_ESCALATED] = "escalated",
    [TD_EV_LABEL] = "label",	 [TD_EV_DRAFTED] = "drafted",
    [TD_EV_SENT] = "sent",	 [TD_EV_SEND_FAILED] = "send-failed",
    [TD_EV_REPLY] = "reply",	 [TD_EV_AUTO_REPLY] = "auto-reply",
    [TD_EV_BOUNCE] = "bounce",	 [TD_EV_SUBMITTED] = "submitted",
    [TD_EV_CALL] = "call",	 [TD_EV_NOTE] = "note",
    [TD_EV_CHECK] = "check",
};
static const char *const msg_state_names[TD_MSG_NR] = {
    [TD_MSG_DRAFT] = "draft",
    [TD_MSG_SENDING] = "sending",
    [TD_MSG_SENT] = "sent",
    [TD_MSG_FAILED] = "failed",
};
static const char *const reply_names[TD_REPLY_NR] = {
    [TD_REPLY_HUMAN] = "human",
    [TD_REPLY_AUTO] = "auto",
    [TD_REPLY_BOUNCE] = "bounce",
};
static const char *const match_names[TD_MATCH_NR] = {
    [TD_MATCH_NONE] = "none",
    [TD_MATCH_IN_REPLY_TO] = "in-reply-to",
    [TD_MATCH_REFERENCES] = "references",
    [TD_MATCH_TAG] = "tag",
    [TD_MATCH_TICKET] = "ticket",
    [TD_MATCH_MANUAL] = "manual",
};
/* The store's own names for classify.h's kinds: the file format. */
#define KIND_NR (TD_KIND_MALICIOUS + 1)
static const char *const kind_names[KIND_NR] = {
    [TD_KIND_UNKNOWN] = "unknown",
    [TD_KIND_COMPROMISED] = "compromised",
    [TD_KIND_MALICIOUS] = "malicious",
};

#define VOCAB(what, names)                                                     \
	{                                                                      \
		what, names, (int)(sizeof(names) / sizeof(names[0]))           \
	}
static const struct vocab v_state = VOCAB("state", state_names);
static const struct vocab v_mitigation = VOCAB("mitigation", mitigation_names);
static const struct vocab v_role = VOCAB("role", role_names);
static const struct vocab v_event = VOCAB("event kind", event_names);
static const struct vocab v_msg_state = VOCAB("message state", msg_state_names);
static const struct vocab v_reply = VOCAB("classification", reply_names);
static const struct vocab v_match = VOCAB("match", match_names);
static const struct vocab v_kind = VOCAB("kind", kind_names);

static const char *
vocab_name(const struct vocab *v, int i)
{
	return i >= 0 && i < v->nr ? v->names[i] : NULL;
}

static int
vocab_parse(const struct vocab *v, const char *name)
{
	int i;

	if (!name)
		return -1;
	for (i = 0; i < v->nr; i++)
		if (v->names[i] && !strcmp(v->names[i], name))
			return i;
	return -1;
}

const char *
td_store_state_name(enum td_case_state v)
{
	return vocab_name(&v_state, (int)v);
}

int
td_store_state_parse(const char *name)
{
	return vocab_parse(&v_state, name);
}

const char *
td_store_mitigation_name(enum td_mitigation v)
{
	return vocab_name(&v_mitigation, (int)v);
}

int
td_store_mitigation_parse(const char *name)
{
	return vocab_parse(&v_mitigation, name);
}

const char *
td_store_role_name(enum td_party_role v)
{
	return vocab_name(&v_role, (int)v);
}

int
td_store_role_parse(const char *name)
{
	return vocab_parse(&v_role, name);
}

const char *
td_store_event_name(enum td_event_kind v)
{
	return vocab_name(&v_event, (int)v);
}

int
td_store_event_parse(const char *name)
{
	return vocab_parse(&v_event, name);
}

const char *
td_store_msg_state_name(enum td_msg_state v)
{
	return vocab_name(&v_msg_state, (int)v);
}

const char *
td_store_reply_name(enum td_reply_class v)
{
	return vocab_name(&v_reply, (int)v);
}

int
td_store_reply_parse(const char *name)
{
	return vocab_parse(&v_reply, name);
}

const char *
td_store_match_name(enum td_match v)
{
	return vocab_name(&v_match, (int)v);
}

/* ---- the state machine (docs/internals/store.md) ---- */

#define S(x) (1u << TD_STATE_##x)
static const unsigned next_states[TD_STATE_NR] = {
    [TD_STATE_OPEN] = S(REPORTED) | S(MITIGATED) | S(CLOSED),
    [TD_STATE_REPORTED] = S(ACKNOWLEDGED) | S(AUTO_ACKNOWLEDGED) |
			  S(NEEDS_INFO) | S(MITIGATED) | S(CLOSED),
    [TD_STATE_AUTO_ACKNOWLEDGED] =
	S(ACKNOWLEDGED) | S(NEEDS_INFO) | S(MITIGATED) | S(CLOSED),
    [TD_STATE_ACKNOWLEDGED] = S(NEEDS_INFO) | S(MITIGATED) | S(CLOSED),
    [TD_STATE_NEEDS_INFO] =
	S(REPORTED) | S(ACKNOWLEDGED) | S(MITIGATED) | S(CLOSED),
    [TD_STATE_MITIGATED] = S(OPEN) | S(CLOSED),
    [TD_STATE_CLOSED] = S(OPEN),
};
#undef S

int
td_store_transition_allowed(enum td_case_state from, enum td_case_state to)
{
	if ((unsigned)from >= TD_STATE_NR || (unsigned)to >= TD_STATE_NR)
		return 0;
	return (next_states[from] >> to) & 1u;
}

/* ---- field tables: one per struct, in column order ---- */

enum ftype {
	FT_I64,	 /* long long */
	FT_INT,	 /* int */
	FT_ENUM, /* an enum (int-sized), stored as its name */
	FT_TEXT	 /* char *, malloc'ed */
};

#define FF_OUT 1u    /* kept by the store: not written by an add */
#define FF_REQ 2u    /* text: not NULL or empty; number: > 0; enum: not 0 */
#define FF_NULL0 4u  /* number or enum 0 is stored as NULL */
#define FF_SHA256 8u /* 64 lowercase hex digits */
#define FF_JSON 16u  /* valid JSON */
#define FF_MSGID 32u /* a Message-ID: one pair of <> around it dropped */

struct field {
	const char *col;
	unsigned char type;
	unsigned char flags;
	size_t off;
	size_t max; /* text: longest accepted */
	const struct vocab *vocab;
};

struct table {
	const char *name; /* SQL table */
	const char *what; /* in messages */
	const struct field *f;
	size_t nr;
	size_t size; /* of the struct */
};

_Static_assert(sizeof(enum td_case_state) == sizeof(int), "enum size");
_Static_assert(sizeof(enum td_party_role) == sizeof(int), "enum size");
_Static_assert(sizeof(enum td_case_kind) == sizeof(int), "enum size");

#define FLD(st, col, member, type, flags, max, vocab)                          \
	{                                                                      \
		col, type, flags, offsetof(struct st, member), max, vocab      \
	}
#define I64(st, m, fl) FLD(st, #m, m, FT_I64, fl, 0, NULL)
#define INT(st, m, fl) FLD(st, #m, m, FT_INT, fl, 0, NULL)
#define ENUM(st, m, fl, v) FLD(st, #m, m, FT_ENUM, fl, 0, v)
#define TEXT(st, m, fl, max) FLD(st, #m, m, FT_TEXT, fl, max, NULL)
#define TABLE(name, what, st, f)                                               \
	{                                                                      \
		name, what, f, sizeof(f) / sizeof(f[0]), sizeof(struct st)     \
	}

static const struct field case_fields[] = {
    I64(td_store_case, id, FF_OUT),
    TEXT(td_store_case, tag, FF_OUT, TD_STORE_MAX_WORD),
    I64(td_store_case, created, FF_OUT),
    ENUM(td_store_case, state, FF_OUT, &v_state),
    I64(td_store_case, state_since, FF_OUT),
    INT(td_store_case, escalated, FF_OUT),
    ENUM(td_store_case, kind, FF_OUT, &v_kind),
    TEXT(td_store_case, kind_reasons, FF_OUT, TD_STORE_MAX_LONG),
    ENUM(td_store_case, mitigation, FF_OUT | FF_NULL0, &v_mitigation),
    I64(td_store_case, mitigated, FF_OUT | FF_NULL0),
    I64(td_store_case, first_sent, FF_OUT | FF_NULL0),
    I64(td_store_case, first_human, FF_OUT | FF_NULL0),
    I64(td_store_case, closed, FF_OUT | FF_NULL0),
    TEXT(td_store_case, closed_reason, FF_OUT, TD_STORE_MAX_LONG),
};

static const struct field url_fields[] = {
    I64(td_store_url, id, FF_OUT),
    I64(td_store_url, case_id, FF_REQ),
    TEXT(td_store_url, url, FF_REQ, TD_STORE_MAX_URL),
    TEXT(td_store_url, norm, FF_REQ, TD_STORE_MAX_URL),
    TEXT(td_store_url, host, FF_REQ, TD_STORE_MAX_SHORT),
    TEXT(td_store_url, domain, 0, TD_STORE_MAX_SHORT),
};

static const struct field mail_fields[] = {
    I64(td_store_mail, id, FF_OUT),
    I64(td_store_mail, case_id, FF_REQ),
    TEXT(td_store_mail, path, FF_REQ, TD_STORE_MAX_PATH),
    TEXT(td_store_mail, sha256, FF_REQ | FF_SHA256, 64),
    TEXT(td_store_mail, message_id, FF_MSGID, TD_STORE_MAX_SHORT),
};

static const struct field party_fields[] = {
    I64(td_store_party, id, FF_OUT),
    I64(td_store_party, case_id, FF_REQ),
    ENUM(td_store_party, role, FF_REQ, &v_role),
    TEXT(td_store_party, name, FF_REQ, TD_STORE_MAX_SHORT),
    TEXT(td_store_party, target, 0, TD_STORE_MAX_SHORT),
    TEXT(td_store_party, abuse_email, 0, TD_STORE_MAX_SHORT),
    TEXT(td_store_party, phone, 0, TD_STORE_MAX_SHORT),
    TEXT(td_store_party, web_form, 0, TD_STORE_MAX_URL),
    TEXT(td_store_party, country, 0, TD_STORE_MAX_SHORT),
    TEXT(td_store_party, provenance, FF_JSON, TD_STORE_MAX_JSON),
    TEXT(td_store_party, ticket, 0, TD_STORE_MAX_SHORT),
    I64(td_store_party, first_sent, FF_OUT | FF_NULL0),
    I64(td_store_party, last_sent, FF_OUT | FF_NULL0),
    I64(td_store_party, first_reply, FF_OUT | FF_NULL0),
    I64(td_store_party, first_human, FF_OUT | FF_NULL0),
    I64(td_store_party, bounced, FF_OUT | FF_NULL0),
};

static const struct field evidence_fields[] = {
    I64(td_store_evidence, id, FF_OUT),
    I64(td_store_evidence, case_id, FF_REQ),
    I64(td_store_evidence, url_id, FF_NULL0),
    TEXT(td_store_evidence, url, FF_REQ, TD_STORE_MAX_URL),
    TEXT(td_store_evidence, profile, FF_REQ, TD_STORE_MAX_SHORT),
    I64(td_store_evidence, fetched, FF_REQ),
    TEXT(td_store_evidence, final_url, 0, TD_STORE_MAX_URL),
    INT(td_store_evidence, status, FF_NULL0),
    TEXT(td_store_evidence, redirects, FF_JSON, TD_STORE_MAX_JSON),
    TEXT(td_store_evidence, headers, FF_JSON, TD_STORE_MAX_JSON),
    TEXT(td_store_evidence, tls_subject, 0, TD_STORE_MAX_SHORT),
    TEXT(td_store_evidence, tls_issuer, 0, TD_STORE_MAX_SHORT),
    I64(td_store_evidence, tls_not_before, FF_NULL0),
    I64(td_store_evidence, tls_not_after, FF_NULL0),
    TEXT(td_store_evidence, body_sha256, FF_SHA256, 64),
    I64(td_store_evidence, body_len, 0),
    TEXT(td_store_evidence, body_path, 0, TD_STORE_MAX_PATH),
    TEXT(td_store_evidence, title, 0, TD_STORE_MAX_SHORT),
    TEXT(td_store_evidence, forms, FF_JSON, TD_STORE_MAX_JSON),
    TEXT(td_store_evidence, error, 0, TD_STORE_MAX_LONG),
    TEXT(td_store_evidence, verdict, 0, TD_STORE_MAX_SHORT),
};

static const struct field message_fields[] = {
    I64(td_store_message, id, FF_OUT),
    I64(td_store_message, case_id, FF_REQ),
    I64(td_store_message, party_id, FF_REQ),
    ENUM(td_store_message, role, FF_REQ, &v_role),
    TEXT(td_store_message, purpose, FF_REQ, TD_STORE_MAX_WORD),
    TEXT(td_store_message, recipient, FF_REQ, TD_STORE_MAX_SHORT),
    TEXT(td_store_message, subject, FF_REQ, TD_STORE_MAX_SHORT),
    TEXT(td_store_message, message_id, FF_REQ | FF_MSGID, TD_STORE_MAX_SHORT),
    TEXT(td_store_message, in_reply_to, FF_MSGID, TD_STORE_MAX_SHORT),
    TEXT(td_store_message, path, FF_REQ, TD_STORE_MAX_PATH),
    ENUM(td_store_message, state, 0, &v_msg_state),
    I64(td_store_message, created, FF_REQ),
    I64(td_store_message, claimed, FF_OUT | FF_NULL0),
    I64(td_store_message, sent, FF_OUT | FF_NULL0),
    TEXT(td_store_message, smtp_reply, FF_OUT, TD_STORE_MAX_LONG),
};

static const struct field received_fields[] = {
    I64(td_store_received, id, FF_OUT),
    I64(td_store_received, case_id, FF_OUT | FF_NULL0),
    I64(td_store_received, party_id, FF_OUT | FF_NULL0),
    I64(td_store_received, message, FF_OUT | FF_NULL0),
    ENUM(td_store_received, matched_by, FF_OUT | FF_NULL0, &v_match),
    FLD(td_store_received, "from_addr", from, FT_TEXT, 0, TD_STORE_MAX_SHORT,
	NULL),
    TEXT(td_store_received, subject, 0, TD_STORE_MAX_SHORT),
    TEXT(td_store_received, message_id, FF_MSGID, TD_STORE_MAX_SHORT),
    I64(td_store_received, date, FF_NULL0),
    I64(td_store_received, imported, FF_REQ),
    ENUM(td_store_received, classification, 0, &v_reply),
    TEXT(td_store_received, ticket, 0, TD_STORE_MAX_SHORT),
    TEXT(td_store_received, path, FF_REQ, TD_STORE_MAX_PATH),
    TEXT(td_store_received, sha256, FF_REQ | FF_SHA256, 64),
};

static const struct field event_fields[] = {
    I64(td_store_event, id, FF_OUT),
    I64(td_store_event, case_id, FF_REQ),
    I64(td_store_event, at, FF_REQ),
    ENUM(td_store_event, kind, 0, &v_event),
    TEXT(td_store_event, source, FF_REQ, TD_STORE_MAX_WORD),
    TEXT(td_store_event, detail, 0, TD_STORE_MAX_LONG),
};

static const struct table t_case =
    TABLE("cases", "case", td_store_case, case_fields);
static const struct table t_url =
    TABLE("case_url", "URL", td_store_url, url_fields);
static const struct table t_mail =
    TABLE("case_mail", "e-mail", td_store_mail, mail_fields);
static const struct table t_party =
    TABLE("party", "party", td_store_party, party_fields);
static const struct table t_evidence =
    TABLE("evidence", "evidence", td_store_evidence, evidence_fields);
static const struct table t_message =
    TABLE("message", "message", td_store_message, message_fields);
static const struct table t_received =
    TABLE("received", "received message", td_store_received, received_fields);
static const struct table t_event =
    TABLE("event", "event", td_store_event, event_fields);

/* ---- statements ---- */

enum {
	ST_BEGIN,
	ST_BEGIN_READ,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_JSON_VALID,
	ST_TAG_NEXT,
	ST_CASE_INSERT,
	ST_CASE_GET,
	ST_CASE_GET_TAG,
	ST_CASE_SET_STATE,
	ST_CASE_SET_KIND,
	ST_CASE_SET_ESCALATED,
	ST_CASE_FIRST_SENT,
	ST_CASE_FIRST_HUMAN,
	ST_PARTY_REFRESH,
	ST_LABEL_ADD,
	ST_LABEL_DEL,
	ST_LABEL_LIST,
	ST_URL_ADD,
	ST_URL_FIND,
	ST_URL_LIST,
	ST_MAIL_ADD,
	ST_MAIL_FIND,
	ST_MAIL_LIST,
	ST_PROVIDER_ADD,
	ST_PROVIDER_ID,
	ST_PARTY_ADD,
	ST_PARTY_FIND,
	ST_PARTY_GET,
	ST_PARTY_LIST,
	ST_PARTY_SET_TICKET,
	ST_PARTY_FIND_TICKET,
	ST_PARTY_CASE,
	ST_PARTY_SENT,
	ST_PARTY_REPLY,
	ST_EVIDENCE_ADD,
	ST_EVIDENCE_GET,
	ST_EVIDENCE_LIST,
	ST_MSG_ADD,
	ST_MSG_GET,
	ST_MSG_FIND,
	ST_MSG_LIST,
	ST_MSG_INFO,
	ST_MSG_CONFLICT,
	ST_MSG_CLAIM,
	ST_MSG_SENT,
	ST_MSG_FAILED,
	ST_RCV_ADD,
	ST_RCV_FIND_SHA,
	ST_RCV_GET,
	ST_RCV_LIST,
	ST_RCV_UNMATCHED,
	ST_RCV_INFO,
	ST_RCV_MATCH,
	ST_EVENT_ADD,
	ST_EVENT_LIST,
	ST_STATS,
	ST_STATS_HIST,
	ST_STATS_NTH_ANSWER,
	ST_STATS_NTH_DOWN,
	ST_STATS_ALL_ANSWER,
	ST_STATS_ALL_DOWN,
	ST_NR
};

/*
 * A statement is fixed text (sql), or a SELECT of every column of sel
 * followed by tail, or an INSERT of the columns of ins that are not
 * FF_OUT, after the extra leading columns in extra, followed by tail.
 */
struct statement {
	const char *sql;
	const struct table *sel;
	const struct table *ins;
	const char *extra;
	const char *tail;
};

#define SEL(t, tail)                                                           \
	{                                                                      \
		NULL, t, NULL, NULL, tail                                      \
	}
#define INS(t, extra, tail)                                                    \
	{                                                                      \
		NULL, NULL, t, extra, tail                                     \
	}
#define SQL(text)                                                              \
	{                                                                      \
		text, NULL, NULL, NULL, NULL                                   \
	}

/* clang-format off */
static const struct statement statements[ST_NR] = {
    [ST_BEGIN] = SQL("BEGIN IMMEDIATE"),
    [ST_BEGIN_READ] = SQL("BEGIN"),
    [ST_COMMIT] = SQL("COMMIT"),
    [ST_ROLLBACK] = SQL("ROLLBACK"),
    [ST_SAVEPOINT] = SQL("SAVEPOINT td_store"),
    [ST_RELEASE] = SQL("RELEASE td_store"),
    [ST_ROLLBACK_TO] = SQL("ROLLBACK TO td_store"),
    [ST_JSON_VALID] = SQL("SELECT json_valid(?1)"),
    [ST_TAG_NEXT] = SQL("INSERT INTO tag_counter (year, last) VALUES (?1, 1)"
	" ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last"),
    [ST_CASE_INSERT] = SQL("INSERT INTO cases (tag, created, state,"
	" state_since, kind) VALUES (?1, ?2, 'open', ?2, 'unknown')"),
    [ST_CASE_GET] = SEL(&t_case, " WHERE cases.id = ?1"),
    [ST_CASE_GET_TAG] = SEL(&t_case, " WHERE cases.tag = ?1"),
    [ST_CASE_SET_STATE] = SQL("UPDATE cases SET state = ?2,"
	" state_since = ?3,"
	" mitigation = CASE ?2 WHEN 'mitigated' THEN ?4"
	"  WHEN 'open' THEN NULL ELSE mitigation END,"
	" mitigated = CASE ?2 WHEN 'mitigated' THEN ?3"
	"  WHEN 'open' THEN NULL ELSE mitigated END,"
	" closed = CASE ?2 WHEN 'closed' THEN ?3 END,"
	" closed_reason = CASE ?2 WHEN 'closed' THEN ?5 END"
	" WHERE id = ?1 AND state = ?6"),
    [ST_CASE_SET_KIND] = SQL("UPDATE cases SET kind = ?2,"
	" kind_reasons = ?3 WHERE id = ?1"),
    [ST_CASE_SET_ESCALATED] = SQL("UPDATE cases SET escalated = ?2"
	" WHERE id = ?1"),
    [ST_CASE_FIRST_SENT] = SQL("UPDATE cases SET"
	" first_sent = min(coalesce(first_sent, ?2), ?2) WHERE id = ?1"),
    [ST_CASE_FIRST_HUMAN] = SQL("UPDATE cases SET"
	" first_human = min(coalesce(first_human, ?2), ?2) WHERE id = ?1"),
    /* the durations the statistics triggers count, from the times */
    [ST_PARTY_REFRESH] = SQL("UPDATE party SET"
	" answer_secs = CASE WHEN first_sent IS NULL OR first_human IS NULL"
	"  THEN NULL ELSE max(0, first_human - first_sent) END,"
	" down_secs = (SELECT CASE WHEN cases.mitigated IS NULL"
	"  OR party.first_sent IS NULL THEN NULL"
	"  ELSE max(0, cases.mitigated - party.first_sent) END"
	"  FROM cases WHERE cases.id = party.case_id)"
	" WHERE case_id = ?1"),
    [ST_LABEL_ADD] = SQL("INSERT INTO case_label (case_id, label)"
	" VALUES (?1, ?2) ON CONFLICT DO NOTHING"),
    [ST_LABEL_DEL] = SQL("DELETE FROM case_label WHERE case_id = ?1"
	" AND label = ?2"),
    [ST_LABEL_LIST] = SQL("SELECT label FROM case_label WHERE case_id = ?1"
	" ORDER BY label"),
    [ST_URL_ADD] = INS(&t_url, NULL, " ON CONFLICT (case_id, url) DO NOTHING"),
    [ST_URL_FIND] = SQL("SELECT id FROM case_url WHERE case_id = ?1"
	" AND url = ?2"),
    [ST_URL_LIST] = SEL(&t_url, " WHERE case_id = ?1 ORDER BY id"),
    [ST_MAIL_ADD] = INS(&t_mail, NULL,
	" ON CONFLICT (case_id, sha256) DO NOTHING"),
    [ST_MAIL_FIND] = SQL("SELECT id FROM case_mail WHERE case_id = ?1"
	" AND sha256 = ?2"),
    [ST_MAIL_LIST] = SEL(&t_mail, " WHERE case_id = ?1 ORDER BY id"),
    [ST_PROVIDER_ADD] = SQL("INSERT INTO provider (name) VALUES (?1)"
	" ON CONFLICT (name) DO NOTHING"),
    [ST_PROVIDER_ID] = SQL("SELECT id FROM provider WHERE name = ?1"),
    [ST_PARTY_ADD] = INS(&t_party, "provider_id",
	" ON CONFLICT (case_id, provider_id, role) DO NOTHING"),
    [ST_PARTY_FIND] = SQL("SELECT id FROM party WHERE case_id = ?1"
	" AND provider_id = ?2 AND role = ?3"),
    [ST_PARTY_GET] = SEL(&t_party, " WHERE party.id = ?1"),
    [ST_PARTY_LIST] = SEL(&t_party, " WHERE case_id = ?1 ORDER BY id"),
    [ST_PARTY_SET_TICKET] = SQL("UPDATE party SET ticket = ?2"
	" WHERE id = ?1"),
    [ST_PARTY_FIND_TICKET] = SEL(&t_party, " WHERE party.ticket = ?1"
	" ORDER BY party.id DESC LIMIT 1"),
    [ST_PARTY_CASE] = SQL("SELECT case_id, role FROM party WHERE id = ?1"),
    [ST_PARTY_SENT] = SQL("UPDATE party SET"
	" first_sent = min(coalesce(first_sent, ?2), ?2),"
	" last_sent = max(coalesce(last_sent, ?2), ?2) WHERE id = ?1"),
    [ST_PARTY_REPLY] = SQL("UPDATE party SET"
	" first_reply = CASE WHEN ?3 = 'bounce' THEN first_reply"
	"  ELSE min(coalesce(first_reply, ?2), ?2) END,"
	" first_human = CASE WHEN ?3 = 'human'"
	"  THEN min(coalesce(first_human, ?2), ?2) ELSE first_human END,"
	" bounced = CASE WHEN ?3 = 'bounce'"
	"  THEN max(coalesce(bounced, ?2), ?2) ELSE bounced END,"
	" ticket = coalesce(ticket, ?4) WHERE id = ?1"),
    [ST_EVIDENCE_ADD] = INS(&t_evidence, NULL, NULL),
    [ST_EVIDENCE_GET] = SEL(&t_evidence, " WHERE evidence.id = ?1"),
    [ST_EVIDENCE_LIST] = SEL(&t_evidence, " WHERE case_id = ?1"
	" ORDER BY fetched, id"),
    [ST_MSG_ADD] = INS(&t_message, NULL, NULL),
    [ST_MSG_GET] = SEL(&t_message, " WHERE message.id = ?1"),
    [ST_MSG_FIND] = SEL(&t_message, " WHERE message.message_id = ?1"),
    [ST_MSG_LIST] = SEL(&t_message, " WHERE case_id = ?1 ORDER BY id"),
    [ST_MSG_INFO] = SQL("SELECT state, case_id, party_id, role, purpose,"
	" recipient, message_id, claimed, sent FROM message WHERE id = ?1"),
    [ST_MSG_CONFLICT] = SQL("SELECT id, message_id FROM message"
	" WHERE case_id = ?1 AND recipient = ?2 AND purpose = ?3"
	" AND state IN ('sending', 'sent') AND id <> ?4"),
    [ST_MSG_CLAIM] = SQL("UPDATE message SET state = 'sending',"
	" claimed = ?2 WHERE id = ?1 AND state IN ('draft', 'failed')"),
    [ST_MSG_SENT] = SQL("UPDATE message SET state = 'sent', sent = ?2,"
	" smtp_reply = ?3 WHERE id = ?1"
	" AND state IN ('draft', 'sending', 'failed')"),
    [ST_MSG_FAILED] = SQL("UPDATE message SET state = 'failed',"
	" smtp_reply = ?2 WHERE id = ?1 AND state = 'sending'"),
    [ST_RCV_ADD] = INS(&t_received, NULL, " ON CONFLICT (sha256) DO NOTHING"),
    [ST_RCV_FIND_SHA] = SQL("SELECT id FROM received WHERE sha256 = ?1"),
    [ST_RCV_GET] = SEL(&t_received, " WHERE received.id = ?1"),
    [ST_RCV_LIST] = SEL(&t_received, " WHERE received.case_id = ?1"
	" ORDER BY id"),
    [ST_RCV_UNMATCHED] = SEL(&t_received, " WHERE received.case_id IS NULL"
	" ORDER BY id"),
    [ST_RCV_INFO] = SQL("SELECT case_id, classification, from_addr,"
	" subject, ticket, date, imported FROM received WHERE id = ?1"),
    [ST_RCV_MATCH] = SQL("UPDATE received SET case_id = ?2, party_id = ?3,"
	" message = ?4, matched_by = ?5 WHERE id = ?1 AND case_id IS NULL"),
    [ST_EVENT_ADD] = INS(&t_event, NULL, NULL),
    [ST_EVENT_LIST] = SEL(&t_event, " WHERE case_id = ?1 ORDER BY at, id"),
    [ST_STATS] = SQL("SELECT provider_stats.provider_id, provider_stats.role,"
	" provider.name, cases, reported, answered, mitigated"
	" FROM provider_stats JOIN provider"
	" ON provider.id = provider_stats.provider_id"
	" WHERE (?1 IS NULL OR provider_stats.role = ?1) AND cases >= ?2"
	" AND cases > 0 ORDER BY cases DESC, provider.name, provider_stats.role"
	" LIMIT ?3"),
    [ST_STATS_HIST] = SQL("SELECT metric, lo, n FROM provider_hist"
	" WHERE provider_id = ?1 AND role = ?2 AND n > 0"
	" ORDER BY metric, lo"),
    [ST_STATS_NTH_ANSWER] = SQL("SELECT answer_secs FROM party"
	" WHERE provider_id = ?1 AND role = ?2 AND answer_secs >= ?3"
	" ORDER BY answer_secs LIMIT 1 OFFSET ?4"),
    [ST_STATS_NTH_DOWN] = SQL("SELECT down_secs FROM party"
	" WHERE provider_id = ?1 AND role = ?2 AND down_secs >= ?3"
	" ORDER BY down_secs LIMIT 1 OFFSET ?4"),
    [ST_STATS_ALL_ANSWER] = SQL("SELECT answer_secs FROM party"
	" WHERE provider_id = ?1 AND role = ?2 AND answer_secs >= 0"
	" ORDER BY answer_secs LIMIT ?3"),
    [ST_STATS_ALL_DOWN] = SQL("SELECT down_secs FROM party"
	" WHERE provider_id = ?1 AND role = ?2 AND down_secs >= 0"
	" ORDER BY down_secs LIMIT ?3"),
};
/* clang-format on */

/* A prepared filtered case list, by which filter fields it uses. */
struct list_stmt {
	sqlite3_stmt *st;
	unsigned key;
	unsigned long used;
	int busy; /* stepping in td_store_case_each() */
};

struct td_store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_NR];
	struct list_stmt lists[LIST_CACHE];
	unsigned long clock;
	char *path;
	char source[TD_STORE_MAX_WORD + 1];
};

/* ---- errors ---- */


/*
 * Turn the SQLite result rc of the last call on s->db into a TD_E code and
 * a message "path: what: sqlite's reason".  Call it before resetting the
 * statement, which may change the connection's message.
 */
static int
db_error(const struct td_store *s, struct td_error *err, int rc,
	 const char *what)
{
	return td_sqldb_error(s->db, s->path, err, rc, what);
}

static int
nomem(const struct td_store *s, struct td_error *err)
{
	return td_error_set(err, TD_ENOMEM, "%s: out of memory", s->path);
}

/* Rewind st for the next use, dropping the bound (borrowed) values. */
static void
done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Step a statement that returns no row.  Returns 0 or an error. */
static int
step_done(struct td_store *s, sqlite3_stmt *st, const char *what,
	  struct td_error *err)
{
	int rc = sqlite3_step(st);

	rc = rc == SQLITE_DONE ? 0 : db_error(s, err, rc, what);
	done(st);
	return rc;
}

static int
run(struct td_store *s, int which, const char *what, struct td_error *err)
{
	return step_done(s, s->st[which], what, err);
}

/* ---- binding and reading ---- */

/* Bind text, or NULL for a NULL pointer (borrowed until done()). */
static int
bind_text(sqlite3_stmt *st, int i, const char *p)
{
	if (!p)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, p, -1, SQLITE_STATIC);
}

/* A Message-ID without one pair of angle brackets around it. */
static const char *
msgid_start(const char *p)
{
	size_t len = strlen(p);

	return len >= 2 && p[0] == '<' && p[len - 1] == '>' ? p + 1 : p;
}

static int
msgid_len(const char *p)
{
	size_t len = strlen(p);

	return (int)(len >= 2 && p[0] == '<' && p[len - 1] == '>' ? len - 2
								  : len);
}

/* Bind a Message-ID without one pair of angle brackets around it. */
static int
bind_msgid(sqlite3_stmt *st, int i, const char *p)
{
	if (!p)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, msgid_start(p), msgid_len(p),
				 SQLITE_STATIC);
}

/* Bind a number, NULL for 0. */
static int
bind_null0(sqlite3_stmt *st, int i, long long v)
{
	if (!v)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_int64(st, i, v);
}

static char *
column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *p = sqlite3_column_text(st, i);
	size_t len = (size_t)sqlite3_column_bytes(st, i);

	if (!p)
		return NULL;
	return td_strndup((const char *)p, len);
}

static void *
at(const void *obj, size_t off)
{
	return (char *)obj + off;
}

/* Free the strings of obj and zero it. */
static void
release_row(const struct table *t, void *obj)
{
	size_t i;

	if (!obj)
		return;
	for (i = 0; i < t->nr; i++)
		if (t->f[i].type == FT_TEXT)
			free(*(char **)at(obj, t->f[i].off));
	memset(obj, 0, t->size);
}

static void
free_rows(const struct table *t, void *v, size_t nr)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < nr; i++)
		release_row(t, (char *)v + i * t->size);
	free(v);
}

/*
 * Fill obj (zeroed) from the current row of st, whose columns from col on
 * are those of t in order.  Returns 0, TD_ENOMEM or TD_EPARSE (a name
 * this takedown does not know: a damaged file).
 */
static int
read_row(struct td_store *s, const struct table *t, sqlite3_stmt *st, int col,
	 void *obj, struct td_error *err)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		const struct field *f = &t->f[i];
		int c = col + (int)i;
		int null = sqlite3_column_type(st, c) == SQLITE_NULL;
		void *p = at(obj, f->off);
		int v;

		switch (f->type) {
		case FT_I64:
			*(long long *)p = sqlite3_column_int64(st, c);
			break;
		case FT_INT:
			*(int *)p = sqlite3_column_int(st, c);
			break;
		case FT_ENUM:
			if (null && (f->flags & FF_NULL0)) {
				*(int *)p = 0;
				break;
			}
			v = vocab_parse(
			    f->vocab, (const char *)sqlite3_column_text(st, c));
			if (v < 0)
				return td_error_set(
				    err, TD_EPARSE,
				    "%s: %s %s: unknown %s \"%.40s\"", s->path,
				    t->what, f->col, f->vocab->what,
				    null ? "NULL"
					 : (const char *)sqlite3_column_text(
					       st, c));
			*(int *)p = v;
			break;
		case FT_TEXT:
			if (null)
				break;
			*(char **)p = column_dup(st, c);
			if (!*(char **)p)
				return nomem(s, err);
			break;
		}
	}
	return 0;
}

static int
is_sha256(const char *p)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		      (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return p[64] == '\0';
}

/* Is text valid JSON, as SQLite's json_valid() says? */
static int
check_json(struct td_store *s, const char *text, const char *what,
	   const char *col, struct td_error *err)
{
	sqlite3_stmt *st = s->st[ST_JSON_VALID];
	int rc = bind_text(st, 1, text);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0)
			 ? 0
			 : td_error_set(err, TD_EINVAL,
					"%s: %s: %s is not valid JSON", s->path,
					what, col);
	else
		rc = db_error(s, err, rc, "cannot check JSON");
	done(st);
	return rc;
}

/*
 * Check the fields of obj an add writes (those not FF_OUT): required
 * ones there, text within its limit, enums in range, hashes and JSON well
 * formed.  Returns 0, TD_EINVAL or TD_ELIMIT with err naming the field.
 */
static int
check_row(struct td_store *s, const struct table *t, const void *obj,
	  struct td_error *err)
{
	size_t i, len;

	if (!obj)
		return td_error_set(err, TD_EINVAL, "%s: no %s given", s->path,
				    t->what);
	for (i = 0; i < t->nr; i++) {
		const struct field *f = &t->f[i];
		const void *p = at(obj, f->off);
		const char *text;
		int v;

		if (f->flags & FF_OUT)
			continue;
		switch (f->type) {
		case FT_I64:
			if ((f->flags & FF_REQ) && *(const long long *)p <= 0)
				goto missing;
			break;
		case FT_INT:
			if ((f->flags & FF_REQ) && *(const int *)p <= 0)
				goto missing;
			break;
		case FT_ENUM:
			v = *(const int *)p;
			if (!vocab_name(f->vocab, v))
				return td_error_set(err, TD_EINVAL,
						    "%s: %s: %s %d out of "
						    "range",
						    s->path, t->what,
						    f->vocab->what, v);
			if ((f->flags & FF_REQ) && !v)
				goto missing;
			break;
		case FT_TEXT:
			text = *(char *const *)p;
			if (!text) {
				if (f->flags & FF_REQ)
					goto missing;
				break;
			}
			len = strnlen(text, f->max + 1);
			if (len > f->max)
				return td_error_set(err, TD_ELIMIT,
						    "%s: %s: %s over the "
						    "%zu-byte limit",
						    s->path, t->what, f->col,
						    f->max);
			if ((f->flags & FF_REQ) && !len)
				goto missing;
			if ((f->flags & FF_SHA256) && !is_sha256(text))
				return td_error_set(err, TD_EINVAL,
						    "%s: %s: %s is not 64 "
						    "lowercase hex digits",
						    s->path, t->what, f->col);
			if ((f->flags & FF_JSON) &&
			    check_json(s, text, t->what, f->col, err))
				return err ? err->code : TD_EINVAL;
			break;
		}
		continue;
	missing:
		return td_error_set(err, TD_EINVAL, "%s: %s: %s is required",
				    s->path, t->what, f->col);
	}
	return 0;
}

/*
 * Bind the fields of obj an add writes to st, from parameter first on.
 * Returns an SQLite code.
 */
static int
bind_row(sqlite3_stmt *st, int first, const struct table *t, const void *obj)
{
	int rc = SQLITE_OK, i = first;
	size_t k;

	for (k = 0; k < t->nr && rc == SQLITE_OK; k++) {
		const struct field *f = &t->f[k];
		const void *p = at(obj, f->off);
		long long v;

		if (f->flags & FF_OUT)
			continue;
		switch (f->type) {
		case FT_I64:
		case FT_INT:
			v = f->type == FT_I64 ? *(const long long *)p
					      : *(const int *)p;
			rc = (f->flags & FF_NULL0)
				 ? bind_null0(st, i, v)
				 : sqlite3_bind_int64(st, i, v);
			break;
		case FT_ENUM:
			v = *(const int *)p;
			if (!v && (f->flags & FF_NULL0))
				rc = sqlite3_bind_null(st, i);
			else
				rc = bind_text(st, i,
					       vocab_name(f->vocab, (int)v));
			break;
		case FT_TEXT:
			rc = (f->flags & FF_MSGID)
				 ? bind_msgid(st, i, *(char *const *)p)
				 : bind_text(st, i, *(char *const *)p);
			break;
		}
		i++;
	}
	return rc;
}

/*
 * Insert obj with statement which (an INS statement of t), after the
 * extra leading values.  Returns 0 with the new row id in *out, 1 when an
 * ON CONFLICT DO NOTHING kept an existing row, or a negative code.
 */
static int
insert_row(long long *out, struct td_store *s, int which, const struct table *t,
	   const void *obj, const long long *extra, int nextra,
	   struct td_error *err)
{
	sqlite3_stmt *st = s->st[which];
	char what[64];
	int i, rc = SQLITE_OK;

	for (i = 0; i < nextra && rc == SQLITE_OK; i++)
		rc = sqlite3_bind_int64(st, i + 1, extra[i]);
	if (rc == SQLITE_OK)
		rc = bind_row(st, nextra + 1, t, obj);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		if (sqlite3_changes(s->db) == 0) {
			rc = 1;
		} else {
			*out = sqlite3_last_insert_rowid(s->db);
			rc = 0;
		}
	} else {
		snprintf(what, sizeof(what), "cannot add %s", t->what);
		rc = db_error(s, err, rc, what);
	}
	done(st);
	return rc;
}

/*
 * Step st (bound by the caller) for one row of t into out.  Returns 0,
 * TD_ENOTFOUND or a negative code; out is zeroed unless 0 is returned.
 */
static int
get_row(void *out, struct td_store *s, sqlite3_stmt *st, const struct table *t,
	const char *key, struct td_error *err)
{
	int rc = sqlite3_step(st);

	memset(out, 0, t->size);
	if (rc == SQLITE_ROW)
		rc = read_row(s, t, st, 0, out, err);
	else if (rc == SQLITE_DONE)
		rc = td_error_set(err, TD_ENOTFOUND, "%s: no %s %s", s->path,
				  t->what, key);
	else
		rc = db_error(s, err, rc, "cannot read");
	done(st);
	if (rc)
		release_row(t, out);
	return rc;
}

static int
get_by_id(void *out, struct td_store *s, int which, const struct table *t,
	  long long id, struct td_error *err)
{
	sqlite3_stmt *st = s->st[which];
	char key[32];

	snprintf(key, sizeof(key), "%lld", id);
	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK) {
		done(st);
		memset(out, 0, t->size);
		return db_error(s, err, SQLITE_RANGE, "cannot read");
	}
	return get_row(out, s, st, t, key, err);
}

/*
 * Step st (bound by the caller) for every row of t into a malloc'ed
 * array.  Returns 0 with *out (NULL when empty) and *nr, or a negative
 * code with *out NULL and *nr 0.
 */
static int
list_rows(void **out, size_t *nr, struct td_store *s, sqlite3_stmt *st,
	  const struct table *t, struct td_error *err)
{
	char *v = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (td_array_grow((void **)&v, &alloc, n + 1, t->size)) {
			rc = nomem(s, err);
			break;
		}
		memset(v + n * t->size, 0, t->size);
		rc = read_row(s, t, st, 0, v + n * t->size, err);
		n++;
		if (rc)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = db_error(s, err, rc, "cannot list");
	done(st);
	if (rc) {
		free_rows(t, v, n);
		v = NULL;
		n = 0;
	}
	*out = v;
	*nr = n;
	return rc;
}

static int
list_by_case(void **out, size_t *nr, struct td_store *s, int which,
	     const struct table *t, long long case_id, struct td_error *err)
{
	sqlite3_stmt *st = s->st[which];

	*out = NULL;
	*nr = 0;
	if (sqlite3_bind_int64(st, 1, case_id) != SQLITE_OK) {
		done(st);
		return db_error(s, err, SQLITE_RANGE, "cannot list");
	}
	return list_rows(out, nr, s, st, t, err);
}

/* Step a one-integer query: 0 with *val, 1 when no row, or an error. */
static int
query_id(long long *val, struct td_store *s, sqlite3_stmt *st,
	 struct td_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		*val = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = db_error(s, err, rc, "cannot read");
	}
	done(st);
	return rc;
}

/* ---- statement text ---- */

static void
add_columns(struct td_buf *b, const struct table *t, int qualified,
	    int skip_out)
{
	size_t i;
	int first = 1;

	for (i = 0; i < t->nr; i++) {
		if (skip_out && (t->f[i].flags & FF_OUT))
			continue;
		td_buf_adds(b, first ? "" : ", ");
		if (qualified) {
			td_buf_adds(b, t->name);
			td_buf_addch(b, '.');
		}
		td_buf_adds(b, t->f[i].col);
		first = 0;
	}
}

/* Append "SELECT t.col, ... FROM t". */
static void
add_select(struct td_buf *b, const struct table *t)
{
	td_buf_adds(b, "SELECT ");
	add_columns(b, t, 1, 0);
	td_buf_adds(b, " FROM ");
	td_buf_adds(b, t->name);
}

static void
statement_text(struct td_buf *b, const struct statement *d)
{
	size_t i, n = 0;

	if (d->sql) {
		td_buf_adds(b, d->sql);
		return;
	}
	if (d->sel) {
		add_select(b, d->sel);
	} else {
		td_buf_printf(b, "INSERT INTO %s (", d->ins->name);
		if (d->extra) {
			td_buf_adds(b, d->extra);
			td_buf_adds(b, ", ");
			n++;
		}
		add_columns(b, d->ins, 0, 1);
		td_buf_adds(b, ") VALUES (");
		for (i = 0; i < d->ins->nr; i++)
			if (!(d->ins->f[i].flags & FF_OUT))
				n++;
		for (i = 1; i <= n; i++)
			td_buf_printf(b, "%s?%zu", i > 1 ? ", " : "", i);
		td_buf_addch(b, ')');
	}
	if (d->tail)
		td_buf_adds(b, d->tail);
}

/* ---- opening ---- */

/* Run a statement that returns one integer (a PRAGMA), into *val. */
static int
query_int(struct td_store *s, const char *sql, long long *val, const char *what,
	  struct td_error *err)
{
	return td_sqldb_int(s->db, s->path, sql, val, what, err);
}

/* Run fixed SQL text (never built from input).  Returns 0 or an error. */
static int
exec_fixed(struct td_store *s, const char *sql, const char *what,
	   struct td_error *err)
{
	return td_sqldb_exec(s->db, s->path, sql, what, err);
}

/* Check the file is ours, writing the schema into a new one. */
static int
check_schema(struct td_store *s, struct td_error *err)
{
	static const struct td_sqldb_schema sc = {
	    SCHEMA_VERSION, APPLICATION_ID, schema_sql, "case store",
	    upgrades};

	return td_sqldb_check_schema(s->db, s->path, &sc, err);
}

static int
prepare_all(struct td_store *s, struct td_error *err)
{
	struct td_buf b;
	int i, rc = 0;

	td_buf_init(&b, 0);
	for (i = 0; i < ST_NR && !rc; i++) {
		td_buf_reset(&b);
		statement_text(&b, &statements[i]);
		if (td_buf_failed(&b)) {
			rc = nomem(s, err);
			break;
		}
		rc = sqlite3_prepare_v3(s->db, b.ptr, (int)b.len,
					SQLITE_PREPARE_PERSISTENT, &s->st[i],
					NULL);
		if (rc != SQLITE_OK) {
			int code = td_sqldb_code(rc);

			/* a marked file without our tables is damaged */
			if ((rc & 0xff) == SQLITE_ERROR)
				code = TD_EPARSE;
			rc = td_error_set(err, code,
					  "%s: not a usable case store: %s",
					  s->path, sqlite3_errmsg(s->db));
		}
	}
	td_buf_release(&b);
	return rc;
}

int
td_store_open(struct td_store **out, const char *path, struct td_error *err)
{
	struct td_store *s = NULL;
	long long dummy;
	int rc;

	if (!out)
		return td_error_set(err, TD_EINVAL, "store: no handle");
	*out = NULL;
	if (!path || !*path)
		return td_error_set(err, TD_EINVAL, "store: empty path");
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = td_strndup(path, strlen(path)))) {
		free(s);
		return td_error_set(err, TD_ENOMEM, "%s: out of memory", path);
	}
	snprintf(s->source, sizeof(s->source), "takedown");
	rc = td_make_private_file(path, err);
	if (rc)
		goto fail;

	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				 SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		rc = s->db ? db_error(s, err, rc, "cannot open")
			   : td_error_set(err, TD_ENOMEM, "%s: out of memory",
					  path);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, TD_STORE_BUSY_MS);
	sqlite3_limit(s->db, SQLITE_LIMIT_LENGTH, SQL_MAX_LENGTH);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		rc = td_error_set(err, TD_EIO, "%s: read-only", path);
		goto fail;
	}

	/* The first read: a file that is not SQLite fails here. */
	rc = query_int(s, "PRAGMA user_version", &dummy,
		       "cannot read schema version", err);
	if (rc)
		goto fail;
	/*
	 * WAL: readers never wait for the writer.  FULL: a commit is on
	 * disk before it returns, so a "sending" claim or a "sent" mark
	 * survives a power loss, not only a crash.
	 */
	rc = exec_fixed(s, "PRAGMA journal_mode = WAL", "cannot set WAL mode",
			err);
	if (!rc)
		rc = exec_fixed(s, "PRAGMA synchronous = FULL",
				"cannot set synchronous mode", err);
	if (!rc)
		rc = exec_fixed(s, "PRAGMA cache_size = -32768",
				"cannot set cache size", err);
	/*
	 * Pages read through a shared mapping: a new process (every
	 * command) starts with a cold page cache, and pread() per page is
	 * what made its first queries slow.  SQLite reads past 1 GiB as
	 * before.
	 */
	if (!rc)
		rc = exec_fixed(s, "PRAGMA mmap_size = 1073741824",
				"cannot set mmap size", err);
	/*
	 * The savepoint every change opens inside a caller's transaction
	 * journals the pages it touches: in memory, not in /var/tmp.
	 */
	if (!rc)
		rc = exec_fixed(s, "PRAGMA temp_store = MEMORY",
				"cannot set temp store", err);
	if (!rc)
		rc = exec_fixed(s, "PRAGMA foreign_keys = ON",
				"cannot enable foreign keys", err);
	if (!rc)
		rc = check_schema(s, err);
	if (!rc)
		rc = prepare_all(s, err);
	if (rc)
		goto fail;
	*out = s;
	return 0;
fail:
	td_store_close(s);
	return rc;
}

void
td_store_close(struct td_store *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < ST_NR; i++)
		sqlite3_finalize(s->st[i]);
	for (i = 0; i < LIST_CACHE; i++)
		sqlite3_finalize(s->lists[i].st);
	/* closing rolls back an open transaction */
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

void
td_store_busy_timeout(struct td_store *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms < 0 ? 0 : ms);
}

void
td_store_set_source(struct td_store *s, const char *source)
{
	size_t len;

	if (!source || !*source)
		return;
	len = strnlen(source, TD_STORE_MAX_WORD + 1);
	if (len > TD_STORE_MAX_WORD)
		return;
	memcpy(s->source, source, len + 1);
}

/* ---- transactions ---- */

int
td_store_begin(struct td_store *s, struct td_error *err)
{
	if (!sqlite3_get_autocommit(s->db))
		return td_error_set(err, TD_EINVAL,
				    "%s: a transaction is already open",
				    s->path);
	return run(s, ST_BEGIN, "cannot begin transaction", err);
}

int
td_store_commit(struct td_store *s, struct td_error *err)
{
	int rc;

	if (sqlite3_get_autocommit(s->db))
		return td_error_set(err, TD_EINVAL, "%s: no transaction open",
				    s->path);
	rc = run(s, ST_COMMIT, "cannot commit", err);
	if (rc && !sqlite3_get_autocommit(s->db))
		run(s, ST_ROLLBACK, "cannot roll back", NULL);
	return rc;
}

int
td_store_rollback(struct td_store *s, struct td_error *err)
{
	if (sqlite3_get_autocommit(s->db))
		return td_error_set(err, TD_EINVAL, "%s: no transaction open",
				    s->path);
	return run(s, ST_ROLLBACK, "cannot roll back", err);
}

/*
 * Make what follows atomic: a transaction of its own (taking the write
 * lock at once), or a savepoint inside the caller's.  *nested says which,
 * for tx_leave().  Returns 0 or a negative code.
 */
static int
tx_enter(struct td_store *s, int *nested, struct td_error *err)
{
	*nested = !sqlite3_get_autocommit(s->db);
	if (*nested)
		return run(s, ST_SAVEPOINT, "cannot start savepoint", err);
	return run(s, ST_BEGIN, "cannot begin transaction", err);
}

/*
 * End what tx_enter() began: keep it when rc >= 0, drop it otherwise.
 * Returns rc, or the commit's error.
 */
static int
tx_leave(struct td_store *s, int nested, int rc, struct td_error *err)
{
	int rc2;

	if (rc >= 0) {
		rc2 = run(s, nested ? ST_RELEASE : ST_COMMIT, "cannot commit",
			  err);
		if (!rc2)
			return rc;
		rc = rc2;
	}
	/* SQLite may have rolled back by itself (disk full, I/O error) */
	if (nested) {
		if (run(s, ST_ROLLBACK_TO, "cannot roll back", NULL) == 0)
			run(s, ST_RELEASE, "cannot roll back", NULL);
	} else if (!sqlite3_get_autocommit(s->db)) {
		run(s, ST_ROLLBACK, "cannot roll back", NULL);
	}
	return rc;
}

/* ---- checks of plain arguments ---- */

static int
check_now(struct td_store *s, long long now, struct td_error *err)
{
	if (now <= 0)
		return td_error_set(err, TD_EINVAL,
				    "%s: time %lld is not "
				    "after 1970",
				    s->path, now);
	return 0;
}

static int
check_text(struct td_store *s, const char *what, const char *text, size_t max,
	   int required, struct td_error *err)
{
	if (!text || !*text) {
		if (required)
			return td_error_set(err, TD_EINVAL,
					    "%s: %s is required", s->path,
					    what);
		return 0;
	}
	if (strnlen(text, max + 1) > max)
		return td_error_set(err, TD_ELIMIT,
				    "%s: %s over the %zu-byte limit", s->path,
				    what, max);
	return 0;
}

/* ---- events ---- */

/* Append an event; detail may be NULL.  Returns 0 or a negative code. */
static int
event_insert(struct td_store *s, long long case_id, enum td_event_kind kind,
	     long long when, const char *source, const char *detail,
	     long long *out, struct td_error *err)
{
	struct td_store_event ev = {0};
	long long id = 0;
	int rc;

	ev.case_id = case_id;
	ev.at = when;
	ev.kind = kind;
	ev.source = (char *)(source ? source : s->source);
	ev.detail = (char *)detail;
	rc = check_row(s, &t_event, &ev, err);
	if (!rc)
		rc = insert_row(&id, s, ST_EVENT_ADD, &t_event, &ev, NULL, 0,
				err);
	if (!rc && out)
		*out = id;
	return rc;
}

/*
 * Append an event whose detail is made from fmt (at most
 * TD_STORE_MAX_LONG bytes; longer is cut).
 */
static int event_addf(struct td_store *s, long long case_id,
		      enum td_event_kind kind, long long when,
		      struct td_error *err, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int
event_addf(struct td_store *s, long long case_id, enum td_event_kind kind,
	   long long when, struct td_error *err, const char *fmt, ...)
{
	struct td_buf b;
	va_list ap;
	int rc;

	td_buf_init(&b, TD_STORE_MAX_LONG);
	va_start(ap, fmt);
	td_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (td_buf_failed(&b) & TD_BUF_OOM)
		rc = nomem(s, err);
	else
		rc = event_insert(s, case_id, kind, when, NULL, b.ptr, NULL,
				  err);
	td_buf_release(&b);
	return rc;
}

int
td_store_event_add(long long *out, struct td_store *s,
		   const struct td_store_event *in, struct td_error *err)
{
	long long id = 0;
	int rc;

	if (!in)
		return td_error_set(err, TD_EINVAL, "%s: no event given",
				    s->path);
	switch (in->kind) {
	case TD_EV_SUBMITTED:
	case TD_EV_CALL:
	case TD_EV_NOTE:
	case TD_EV_CHECK:
		break;
	default:
		return td_error_set(err, TD_EINVAL,
				    "%s: \"%s\" events are recorded by the "
				    "store itself",
				    s->path,
				    td_store_event_name(in->kind)
					? td_store_event_name(in->kind)
					: "unknown");
	}
	rc = event_insert(s, in->case_id, in->kind, in->at, in->source,
			  in->detail, &id, err);
	if (!rc && out)
		*out = id;
	return rc;
}

int
td_store_event_list(struct td_store_event **out, size_t *nr, struct td_store *s,
		    long long case_id, struct td_error *err)
{
	return list_by_case((void **)out, nr, s, ST_EVENT_LIST, &t_event,
			    case_id, err);
}

void
td_store_event_release(struct td_store_event *e)
{
	release_row(&t_event, e);
}

void
td_store_event_list_free(struct td_store_event *v, size_t nr)
{
	free_rows(&t_event, v, nr);
}

/* ---- cases ---- */

int
td_store_case_new(struct td_store_case *out, struct td_store *s, long long now,
		  struct td_error *err)
{
	sqlite3_stmt *st;
	struct tm tm;
	time_t t = (time_t)now;
	char tag[64];
	long long seq = 0, id = 0;
	int nested, rc;

	memset(out, 0, sizeof(*out));
	rc = check_now(s, now, err);
	if (rc)
		return rc;
	if (!gmtime_r(&t, &tm))
		return td_error_set(err, TD_EINVAL,
				    "%s: time %lld out of range", s->path, now);
	rc = tx_enter(s, &nested, err);
	if (rc)
		return rc;

	st = s->st[ST_TAG_NEXT];
	rc = sqlite3_bind_int64(st, 1, (long long)tm.tm_year + 1900);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = db_error(s, err, rc, "cannot number the case");
	}
	done(st);
	if (!rc) {
		snprintf(tag, sizeof(tag), TD_STORE_TAG_PREFIX "-%04d-%06lld",
			 tm.tm_year + 1900, seq);
		st = s->st[ST_CASE_INSERT];
		rc = bind_text(st, 1, tag);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, 2, now);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			id = sqlite3_last_insert_rowid(s->db);
			rc = 0;
		} else {
			rc = db_error(s, err, rc, "cannot add case");
		}
		done(st);
	}
	if (!rc)
		rc = event_addf(s, id, TD_EV_CREATED, now, err, "%s", tag);
	rc = tx_leave(s, nested, rc, err);
	if (rc)
		return rc;
	return td_store_case_get(out, s, id, err);
}

int
td_store_case_get(struct td_store_case *out, struct td_store *s, long long id,
		  struct td_error *err)
{
	return get_by_id(out, s, ST_CASE_GET, &t_case, id, err);
}

int
td_store_case_get_tag(struct td_store_case *out, struct td_store *s,
		      const char *tag, struct td_error *err)
{
	sqlite3_stmt *st = s->st[ST_CASE_GET_TAG];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = check_text(s, "tag", tag, TD_STORE_MAX_SHORT, 1, err);
	if (rc)
		return rc;
	if (bind_text(st, 1, tag) != SQLITE_OK) {
		done(st);
		return nomem(s, err);
	}
	return get_row(out, s, st, &t_case, tag, err);
}

void
td_store_case_release(struct td_store_case *c)
{
	release_row(&t_case, c);
}

void
td_store_case_list_free(struct td_store_case *v, size_t nr)
{
	free_rows(&t_case, v, nr);
}

/* Recompute the durations of the parties of a case (see the schema). */
static int
refresh_parties(struct td_store *s, long long case_id, struct td_error *err)
{
	sqlite3_stmt *st = s->st[ST_PARTY_REFRESH];

	if (sqlite3_bind_int64(st, 1, case_id) != SQLITE_OK) {
		done(st);
		return nomem(s, err);
	}
	return step_done(s, st, "cannot update statistics", err);
}

int
td_store_set_state(struct td_store *s, long long id, enum td_case_state to,
		   enum td_mitigation how, const char *detail, long long now,
		   struct td_error *err)
{
	struct td_store_case c;
	sqlite3_stmt *st;
	enum td_case_state from;
	int nested, rc;

	rc = check_now(s, now, err);
	if (rc)
		return rc;
	if (!td_store_state_name(to))
		return td_error_set(err, TD_EINVAL, "%s: state %d out of range",
				    s->path, (int)to);
	if (!td_store_mitigation_name(how))
		return td_error_set(err, TD_EINVAL,
				    "%s: mitigation %d out of range", s->path,
				    (int)how);
	if (to == TD_STATE_MITIGATED && how == TD_MIT_NONE)
		return td_error_set(err, TD_EINVAL,
				    "%s: mitigated needs how it was mitigated",
				    s->path);
	if (to != TD_STATE_MITIGATED && how != TD_MIT_NONE)
		return td_error_set(err, TD_EINVAL,
				    "%s: a mitigation only goes with the "
				    "mitigated state",
				    s->path);
	rc = check_text(s, "detail", detail, TD_STORE_MAX_LONG,
			to == TD_STATE_CLOSED, err);
	if (rc) {
		if (rc == TD_EINVAL && err)
			td_error_set(err, TD_EINVAL,
				     "%s: closing a case needs a reason",
				     s->path);
		return rc;
	}

	rc = tx_enter(s, &nested, err);
	if (rc)
		return rc;
	rc = td_store_case_get(&c, s, id, err);
	if (rc)
		goto out;
	from = c.state;
	if (from == to) {
		rc = 1;
		goto out;
	}
	if (!td_store_transition_allowed(from, to)) {
		rc = td_error_set(err, TD_EINVAL,
				  "%s: case %s: cannot go from %s to %s",
				  s->path, c.tag, td_store_state_name(from),
				  td_store_state_name(to));
		goto out;
	}
	st = s->st[ST_CASE_SET_STATE];
	rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 2, td_store_state_name(to));
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, now);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 4,
			       how ? td_store_mitigation_name(how) : NULL);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 5, detail);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 6, td_store_state_name(from));
	if (rc != SQLITE_OK) {
		done(st);
		rc = db_error(s, err, rc, "cannot change state");
		goto out;
	}
	rc = step_done(s, st, "cannot change state", err);
	/* the mitigated time moved: the takedown durations follow */
	if (!rc && (to == TD_STATE_MITIGATED || c.mitigated))
		rc = refresh_parties(s, id, err);
	if (!rc)
		rc = event_addf(s, id, TD_EV_STATE, now, err,
				"%s -> %s%s%s%s%s%s", td_store_state_name(from),
				td_store_state_name(to), how ? " (" : "",
				how ? td_store_mitigation_name(how) : "",
				how ? ")" : "", detail && *detail ? ": " : "",
				detail ? detail : "");
out:
	td_store_case_release(&c);
	return tx_leave(s, nested, rc, err);
}

int
td_store_set_escalated(struct td_store *s, long long id, int on,
		       const char *detail, long long now, struct td_error *err)
{
	struct td_store_case c;
	sqlite3_stmt *st;
	int nested, rc;

	rc = check_now(s, now, err);
	if (!rc)
		rc = check_text(s, "detail", detail, TD_STORE_MAX_LONG, 0, err);
	if (rc)
		return rc;
	on = !!on;
	rc = tx_enter(s, &nested, err);
	if (rc)
		return rc;
	rc = td_store_case_get(&c, s, id, err);
	if (!rc && c.escalated == on)
		rc = 1;
	if (!rc) {
		st = s->st[ST_CASE_SET_ESCALATED];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, on);
		rc = step_done(s, st, "cannot set escalated", err);
	}
	if (!rc)
		rc = event_addf(s, id, TD_EV_ESCALATED, now, err, "%s%s%s",
				on ? "escalated" : "no longer escalated",
				detail && *detail ? ": " : "",
				detail ? detail : "");
	td_store_case_release(&c);
	return tx_leave(s, nested, rc, err);
}

static int
same_text(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && !strcmp(a, b);
}

int
td_store_case_set_kind(struct td_store *s, long long id, enum td_case_kind kind,
		       const char *reasons, long long now, struct td_error *err)
{
	struct td_store_case c;
	sqlite3_stmt *st;
	int nested, rc;

	rc = check_now(s, now, err);
	if (!rc)
		rc = check_text(s, "kind reasons", reasons, TD_STORE_MAX_LONG,
				0, err);
	if (rc)
		return rc;
	if (!vocab_name(&v_kind, (int)kind))
		return td_error_set(err, TD_EINVAL, "%s: kind %d out of range",
				    s->path, (int)kind);
	rc = tx_enter(s, &nested, err);
	if (rc)
		return rc;
	rc = td_store_case_get(&c, s, id, err);
	if (!rc && c.kind == kind && same_text(c.kind_reasons, reasons))
		rc = 1;
	if (!rc) {
		st = s->st[ST_CASE_SET_KIND];
		sqlite3_bind_int64(st, 1, id);
		bind_text(st, 2, vocab_name(&v_kind, (int)kind));
		bind_text(st, 3, reasons && *reasons ? reasons : NULL);
		rc = step_done(s, st, "cannot set kind", err);
	}
	if (!rc)
		rc = event_addf(s, id, TD_EV_KIND, now, err, "%s -> %s%s%s",
				vocab_name(&v_kind, (int)c.kind),
				vocab_name(&v_kind, (int)kind),
				reasons && *reasons ? ": " : "",
				reasons ? reasons : "");
	td_store_case_release(&c);
	return tx_leave(s, nested, rc, err);
}

/* ---- labels ---- */

static int
check_label(struct td_store *s, const char *label, struct td_error *err)
{
	const unsigned char *p;
	int rc = check_text(s, "label", label, TD_STORE_MAX_WORD, 1, err);

	if (rc)
		return rc;
	for (p = (const unsigned char *)label; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return td_error_set(err, TD_EINVAL,
					    "%s: a label has no spaces or "
					    "control characters",
					    s->path);
	return 0;
}

static int
label_change(struct td_store *s, int which, long long case_id,
	     const char *label, long long now, struct td_error *err)
{
	sqlite3_stmt *st = s->st[which];
	int nested, rc;

	rc = check_now(s, now, err);
	if (!rc)
		rc = check_label(s, label, err);
	if (rc)
		return rc;
	rc = tx_enter(s, &nested, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, case_id);
	bind_text(st, 2, label);
	rc = step_done(s, st, "cannot change label", err);
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = 1;
	if (!rc)
		rc = event_addf(s, case_id, TD_EV_LABEL, now, err, "%c%s",
				which == ST_LABEL_ADD ? '+' : '-', label);
	return tx_leave(s, nested, rc, err);
}

int
td_store_label_add(struct td_store *s, long long case_id, const char *label,
		   long long now, struct td_error *err)
{
	return label_change(s, ST_LABEL_ADD, case_id, label, now, err);
}

int
td_store_label_remove(struct td_store *s, long long case_id, const char *label,
		      long long now, struct td_error *err)
{
	return label_change(s, ST_LABEL_DEL, case_id, label, now, err);
}

void
td_store_strings_free(char **v, size_t nr)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

int
td_store_label_list(char ***out, size_t *nr, struct td_store *s,
		    long long case_id, struct td_error *err)
{
	sqlite3_stmt *st = s->st[ST_LABEL_LIST];
	char **v = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	sqlite3_bind_int64(st, 1, case_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (TD_ARRAY_GROW(v, n + 1, alloc) ||
		    !(v[n] = column_dup(st, 0))) {
			rc = nomem(s, err);
			break;
		}
		n++;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = db_error(s, err, rc, "cannot list labels");
	done(st);
	if (rc) {
		td_store_strings_free(v, n);
		return rc;
	}
	*out = v;
	*nr = n;
	return 0;
}

/* ---- listing cases ---- */

/* Which filter fields a statement uses: its key in the cache. */
enum {
	K_STATE = 1u << 0,
	K_KIND = 1u << 1,
	K_ESCALATED = 1u << 2,
	K_BEFORE = 1u << 3,
	K_AFTER = 1u << 4,
	K_TAG = 1u << 5,
	K_LABEL = 1u << 6,
	K_ROLE = 1u << 7,
	K_PROVIDER = 1u << 8,
	K_DOMAIN = 1u << 9,
	K_CURSOR = 1u << 10,
	K_LIMIT = 1u << 11,
	K_ASC = 1u << 12,
	K_COUNT = 1u << 13,
	K_FEW = 1u << 14 /* few cases in the states asked: drive from them */
};

/* Parameter numbers, fixed whatever the statement uses. */
enum {
	P_STATE = 1, /* 1..7 */
	P_KIND = 8,  /* 8..10 */
	P_BEFORE = 11,
	P_AFTER,
	P_TAG,
	P_LABEL,
	P_ROLE,
	P_PROVIDER,
	P_DOMAIN,
	P_CURSOR,
	P_LIMIT
};

_Static_assert(TD_STATE_NR == 7 && KIND_NR == 3, "parameter numbering");

static int
filter_key(unsigned *key, struct td_store *s, const struct td_store_filter *f,
	   int count, struct td_error *err)
{
	static const struct td_store_filter all;
	unsigned k = count ? K_COUNT : 0;

	if (!f)
		f = &all;
	if (f->states >> TD_STATE_NR)
		return td_error_set(err, TD_EINVAL,
				    "%s: unknown state in "
				    "filter",
				    s->path);
	if (f->kinds >> KIND_NR)
		return td_error_set(err, TD_EINVAL,
				    "%s: unknown kind in "
				    "filter",
				    s->path);
	if (!td_store_role_name(f->role))
		return td_error_set(err, TD_EINVAL,
				    "%s: unknown role in "
				    "filter",
				    s->path);
	if (check_text(s, "provider", f->provider, TD_STORE_MAX_SHORT, 0,
		       err) ||
	    check_text(s, "tag", f->tag, TD_STORE_MAX_SHORT, 0, err) ||
	    check_text(s, "label", f->label, TD_STORE_MAX_WORD, 0, err) ||
	    check_text(s, "domain", f->domain, TD_STORE_MAX_SHORT, 0, err))
		return TD_ELIMIT;
	k |= f->states ? K_STATE : 0;
	k |= f->kinds ? K_KIND : 0;
	k |= f->escalated ? K_ESCALATED : 0;
	k |= f->created_before ? K_BEFORE : 0;
	k |= f->created_after ? K_AFTER : 0;
	k |= f->tag && *f->tag ? K_TAG : 0;
	k |= f->label && *f->label ? K_LABEL : 0;
	k |= f->role ? K_ROLE : 0;
	k |= f->provider && *f->provider ? K_PROVIDER : 0;
	k |= f->domain && *f->domain ? K_DOMAIN : 0;
	if (!count) {
		k |= f->cursor ? K_CURSOR : 0;
		k |= f->limit ? K_LIMIT : 0;
		k |= f->oldest_first ? K_ASC : 0;
	}
	*key = k;
	return 0;
}

/*
 * The SQL for key: fixed fragments only, values as parameters.
 *
 * A page of a list filtered on a provider, a label or a domain is read
 * from that filter's index in case id order (the driving table), so
 * that the first rows come at once however many cases match; collecting
 * the matching ids first (IN (SELECT ...)) costs every match before the
 * first row.  A bound on the age (created_before) orders by creation
 * time on cases_created instead, the cursor keyed on the cursor case's
 * own time, so that the newer cases are not scanned past.  Counts and
 * the other filters test each case as before.
 */
static void
list_text(struct td_buf *b, unsigned k)
{
	const char *drv = NULL; /* the driving table */
	int by_created = 0;

	if (!(k & (K_COUNT | K_FEW))) {
		if (k & K_PROVIDER)
			drv = "party";
		else if (k & K_LABEL)
			drv = "case_label";
		else if (k & K_DOMAIN)
			drv = "case_url";
		else if ((k & K_BEFORE) && !(k & K_ESCALATED))
			by_created = 1;
	}
	if (k & K_COUNT) {
		td_buf_adds(b, "SELECT count(*) FROM cases");
	} else if (drv) {
		td_buf_adds(b, "SELECT ");
		add_columns(b, &t_case, 1, 0);
		td_buf_printf(b, " FROM %s CROSS JOIN cases ON cases.id = "
				 "%s.case_id",
			      drv, drv);
	} else {
		add_select(b, &t_case);
	}
	td_buf_adds(b, " WHERE 1");
	if (k & K_FEW)
		td_buf_adds(b, " AND likelihood(cases.state IN (?1, ?2, ?3, ?4,"
			       " ?5, ?6, ?7), 0.0001)");
	else if (k & K_STATE)
		td_buf_adds(b, " AND cases.state IN (?1, ?2, ?3, ?4, ?5, ?6,"
			       " ?7)");
	if (k & K_KIND)
		td_buf_adds(b, " AND cases.kind IN (?8, ?9, ?10)");
	if (k & K_ESCALATED)
		td_buf_adds(b, " AND cases.escalated = 1");
	if (k & K_BEFORE)
		td_buf_adds(b, " AND cases.created < ?11");
	/*
	 * Without STAT4 SQLite guesses a range keeps a quarter of the rows
	 * and would scan every case in id order rather than sort a few; a
	 * lower bound on the age is nearly always "recent", so say so.  With
	 * a LIMIT the scan in id order stops early anyway.
	 */
	if (k & K_AFTER)
		td_buf_adds(b, (k & K_LIMIT)
				   ? " AND cases.created >= ?12"
				   : " AND likelihood(cases.created >= ?12,"
				     " 0.01)");
	if (k & K_TAG)
		td_buf_adds(b, " AND cases.tag = ?13");
	if (k & K_LABEL)
		td_buf_adds(b, drv && !strcmp(drv, "case_label")
				   ? " AND case_label.label = ?14"
				   : " AND cases.id IN (SELECT case_id FROM"
				     " case_label WHERE label = ?14)");
	if ((k & K_PROVIDER) && drv && !strcmp(drv, "party"))
		td_buf_adds(b, (k & K_ROLE)
				   ? " AND party.provider_id = (SELECT id FROM"
				     " provider WHERE name = ?16) AND"
				     " party.role = ?15"
				   : " AND party.provider_id = (SELECT id FROM"
				     " provider WHERE name = ?16)");
	else if ((k & K_PROVIDER) && (k & K_FEW))
		/* a few cases to test: each on the party key */
		td_buf_adds(b, (k & K_ROLE)
				   ? " AND EXISTS (SELECT 1 FROM party WHERE"
				     " party.case_id = cases.id AND"
				     " party.provider_id = (SELECT id FROM"
				     " provider WHERE name = ?16) AND"
				     " party.role = ?15)"
				   : " AND EXISTS (SELECT 1 FROM party WHERE"
				     " party.case_id = cases.id AND"
				     " party.provider_id = (SELECT id FROM"
				     " provider WHERE name = ?16))");
	else if (k & K_PROVIDER)
		td_buf_adds(b, (k & K_ROLE)
				   ? " AND cases.id IN (SELECT party.case_id"
				     " FROM party WHERE party.provider_id ="
				     " (SELECT id FROM provider WHERE name ="
				     " ?16) AND party.role = ?15)"
				   : " AND cases.id IN (SELECT party.case_id"
				     " FROM party WHERE party.provider_id ="
				     " (SELECT id FROM provider WHERE name ="
				     " ?16))");
	else if (k & K_ROLE)
		td_buf_adds(b, " AND EXISTS (SELECT 1 FROM party WHERE"
			       " party.case_id = cases.id AND party.role ="
			       " ?15)");
	if (k & K_DOMAIN)
		td_buf_adds(b, drv && !strcmp(drv, "case_url")
				   ? " AND case_url.domain = ?17"
				   : " AND cases.id IN (SELECT case_id FROM"
				     " case_url WHERE domain = ?17)");
	if (k & K_COUNT)
		return;
	if (by_created) {
		/* (created, id) after or before the cursor case's */
		if (k & K_CURSOR)
			td_buf_adds(b, (k & K_ASC)
					   ? " AND (cases.created, cases.id) >"
					     " ((SELECT created FROM cases"
					     " WHERE id = ?18), ?18)"
					   : " AND (cases.created, cases.id) <"
					     " ((SELECT created FROM cases"
					     " WHERE id = ?18), ?18)");
		td_buf_adds(b, (k & K_ASC)
				   ? " ORDER BY cases.created, cases.id"
				   : " ORDER BY cases.created DESC, cases.id"
				     " DESC");
	} else {
		const char *col = drv ? drv : "cases";
		const char *id = drv ? "case_id" : "id";

		if (k & K_CURSOR)
			td_buf_printf(b, " AND %s.%s %s ?18", col, id,
				      (k & K_ASC) ? ">" : "<");
		/* a provider in several roles of one case: once */
		if (drv && !strcmp(drv, "party") && !(k & K_ROLE))
			td_buf_adds(b, " GROUP BY party.case_id");
		/* one URL row per case is enough */
		if (drv && !strcmp(drv, "case_url"))
			td_buf_adds(b, " GROUP BY case_url.case_id");
		td_buf_printf(b, " ORDER BY %s.%s%s", col, id,
			      (k & K_ASC) ? "" : " DESC");
	}
	if (k & K_LIMIT)
		td_buf_adds(b, " LIMIT ?19");
}

/*
 * The prepared statement for key, from the cache or prepared now (the
 * least recently used idle one is replaced).  Returns it in *slot, or
 * a negative code.
 */
static int
list_stmt(struct list_stmt **slot, struct td_store *s, unsigned key,
	  struct td_error *err)
{
	struct list_stmt *l, *victim = NULL;
	struct td_buf b;
	int i, rc;

	for (i = 0; i < LIST_CACHE; i++) {
		l = &s->lists[i];
		if (l->st && l->key == key) {
			if (l->busy)
				return td_error_set(err, TD_EINVAL,
						    "%s: a case list inside "
						    "the same case list",
						    s->path);
			l->used = ++s->clock;
			*slot = l;
			return 0;
		}
		if (!l->busy && (!victim || !l->st ||
				 (victim->st && l->used < victim->used)))
			victim = l;
	}
	if (!victim)
		return td_error_set(err, TD_EINVAL,
				    "%s: too many nested case "
				    "lists",
				    s->path);
	td_buf_init(&b, 0);
	list_text(&b, key);
	if (td_buf_failed(&b)) {
		td_buf_release(&b);
		return nomem(s, err);
	}
	sqlite3_finalize(victim->st);
	victim->st = NULL;
	rc = sqlite3_prepare_v3(s->db, b.ptr, (int)b.len,
				SQLITE_PREPARE_PERSISTENT, &victim->st, NULL);
	td_buf_release(&b);
	if (rc != SQLITE_OK) {
		victim->st = NULL;
		return db_error(s, err, rc, "cannot prepare case list");
	}
	victim->key = key;
	victim->used = ++s->clock;
	*slot = victim;
	return 0;
}

static int
bind_filter(sqlite3_stmt *st, unsigned k, const struct td_store_filter *f)
{
	int rc = SQLITE_OK, i;

	if (k & K_STATE)
		for (i = 0; i < TD_STATE_NR && rc == SQLITE_OK; i++)
			rc = bind_text(st, P_STATE + i,
				       (f->states >> i) & 1u
					   ? td_store_state_name(i)
					   : NULL);
	if (k & K_KIND)
		for (i = 0; i < KIND_NR && rc == SQLITE_OK; i++)
			rc = bind_text(st, P_KIND + i,
				       (f->kinds >> i) & 1u ? kind_names[i]
							    : NULL);
	if (rc == SQLITE_OK && (k & K_BEFORE))
		rc = sqlite3_bind_int64(st, P_BEFORE, f->created_before);
	if (rc == SQLITE_OK && (k & K_AFTER))
		rc = sqlite3_bind_int64(st, P_AFTER, f->created_after);
	if (rc == SQLITE_OK && (k & K_TAG))
		rc = bind_text(st, P_TAG, f->tag);
	if (rc == SQLITE_OK && (k & K_LABEL))
		rc = bind_text(st, P_LABEL, f->label);
	if (rc == SQLITE_OK && (k & K_ROLE))
		rc = bind_text(st, P_ROLE, td_store_role_name(f->role));
	if (rc == SQLITE_OK && (k & K_PROVIDER))
		rc = bind_text(st, P_PROVIDER, f->provider);
	if (rc == SQLITE_OK && (k & K_DOMAIN))
		rc = bind_text(st, P_DOMAIN, f->domain);
	if (rc == SQLITE_OK && (k & K_CURSOR))
		rc = sqlite3_bind_int64(st, P_CURSOR, f->cursor);
	if (rc == SQLITE_OK && (k & K_LIMIT))
		rc = sqlite3_bind_int64(st, P_LIMIT,
					f->limit > (size_t)0x7fffffff
					    ? 0x7fffffff
					    : (long long)f->limit);
	return rc;
}

#define FEW_CASES 2000

/*
 * 1 when fewer than FEW_CASES cases are in the states f asks for
 * (counted through cases_state, stopping at FEW_CASES): the list then
 * reads them from that index and sorts them, instead of scanning every
 * case newest first.  The fixed statistics cannot say this: they give
 * every state 150,000 cases.
 */
static int
few_in_states(struct td_store *s, const struct td_store_filter *f)
{
	sqlite3_stmt *st = NULL;
	int i, n = -1;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT count(*) FROM (SELECT 1 FROM cases"
			       " WHERE state IN (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
			       " LIMIT " STR(FEW_CASES) ")",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return 0;
	}
	for (i = 0; i < TD_STATE_NR; i++)
		if ((f->states >> i) & 1u)
			sqlite3_bind_text(st, 1 + i, td_store_state_name(i), -1,
					  SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n >= 0 && n < FEW_CASES;
}

int
td_store_case_each(struct td_store *s, const struct td_store_filter *f,
		   int (*cb)(const struct td_store_case *c, void *payload),
		   void *payload, struct td_error *err)
{
	static const struct td_store_filter all;
	struct td_store_case c;
	struct list_stmt *l;
	unsigned key;
	int rc;

	if (!f)
		f = &all;
	rc = filter_key(&key, s, f, 0, err);
	if (!rc && (key & K_STATE) && few_in_states(s, f))
		key |= K_FEW;
	if (!rc)
		rc = list_stmt(&l, s, key, err);
	if (rc)
		return rc;
	rc = bind_filter(l->st, key, f);
	if (rc != SQLITE_OK) {
		done(l->st);
		return db_error(s, err, rc, "cannot list cases");
	}
	l->busy = 1;
	for (;;) {
		int src = sqlite3_step(l->st);

		if (src == SQLITE_DONE) {
			rc = 0;
			break;
		}
		if (src != SQLITE_ROW) {
			rc = db_error(s, err, src, "cannot list cases");
			break;
		}
		memset(&c, 0, sizeof(c));
		rc = read_row(s, &t_case, l->st, 0, &c, err);
		if (!rc)
			rc = cb(&c, payload);
		td_store_case_release(&c);
		if (rc)
			break;
	}
	l->busy = 0;
	done(l->st);
	return rc;
}

struct collect {
	struct td_store_case *v;
	size_t nr, alloc;
};

static int
collect_case(const struct td_store_case *c, void *payload)
{
	struct collect *col = payload;

	if (TD_ARRAY_GROW(col->v, col->nr + 1, col->alloc))
		return TD_ENOMEM;
	/* take the strings: the caller releases c, which is then empty */
	col->v[col->nr++] = *c;
	memset((struct td_store_case *)c, 0, sizeof(*c));
	return 0;
}

int
td_store_case_list(struct td_store_case **out, size_t *nr, struct td_store *s,
		   const struct td_store_filter *f, struct td_error *err)
{
	struct collect col = {0};
	int rc;

	*out = NULL;
	*nr = 0;
	rc = td_store_case_each(s, f, collect_case, &col, err);
	if (rc == TD_ENOMEM)
		rc = nomem(s, err);
	if (rc) {
		td_store_case_list_free(col.v, col.nr);
		return rc;
	}
	*out = col.v;
	*nr = col.nr;
	return 0;
}

int
td_store_case_count(long long *out, struct td_store *s,
		    const struct td_store_filter *f, struct td_error *err)
{
	static const struct td_store_filter all;
	struct list_stmt *l;
	unsigned key;
	int rc;

	*out = 0;
	if (!f)
		f = &all;
	rc = filter_key(&key, s, f, 1, err);
	if (!rc)
		rc = list_stmt(&l, s, key, err);
	if (rc)
		return rc;
	rc = bind_filter(l->st, key, f);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(l->st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(l->st, 0);
		rc = 0;
	} else {
		rc = db_error(s, err, rc, "cannot count cases");
	}
	done(l->st);
	return rc;
}

/* ---- URLs and e-mails ---- */

/*
 * Add with an ON CONFLICT DO NOTHING statement; on a conflict find the
 * existing row with find, bound to (case_id, text).
 */
static int
add_or_find(long long *out, struct td_store *s, int add, int find,
	    const struct table *t, const void *in, long long case_id,
	    const char *text, struct td_error *err)
{
	sqlite3_stmt *st;
	long long id = 0;
	int rc = check_row(s, t, in, err);

	if (rc)
		return rc;
	rc = insert_row(&id, s, add, t, in, NULL, 0, err);
	if (rc == 1) {
		st = s->st[find];
		sqlite3_bind_int64(st, 1, case_id);
		bind_text(st, 2, text);
		rc = query_id(&id, s, st, err);
		if (rc == 0)
			rc = 1;
		else if (rc == 1)
			rc = td_error_set(err, TD_EIO, "%s: %s vanished",
					  s->path, t->what);
	}
	if (rc >= 0 && out)
		*out = id;
	return rc;
}

int
td_store_url_add(long long *out, struct td_store *s,
		 const struct td_store_url *in, struct td_error *err)
{
	return add_or_find(out, s, ST_URL_ADD, ST_URL_FIND, &t_url, in,
			   in ? in->case_id : 0, in ? in->url : NULL, err);
}

int
td_store_mail_add(long long *out, struct td_store *s,
		  const struct td_store_mail *in, struct td_error *err)
{
	return add_or_find(out, s, ST_MAIL_ADD, ST_MAIL_FIND, &t_mail, in,
			   in ? in->case_id : 0, in ? in->sha256 : NULL, err);
}

int
td_store_url_list(struct td_store_url **out, size_t *nr, struct td_store *s,
		  long long case_id, struct td_error *err)
{
	return list_by_case((void **)out, nr, s, ST_URL_LIST, &t_url, case_id,
			    err);
}

int
td_store_mail_list(struct td_store_mail **out, size_t *nr, struct td_store *s,
		   long long case_id, struct td_error *err)
{
	return list_by_case((void **)out, nr, s, ST_MAIL_LIST, &t_mail, case_id,
			    err);
}

void
td_store_url_release(struct td_store_url *u)
{
	release_row(&t_url, u);
}

void
td_store_url_list_free(struct td_store_url *v, size_t nr)
{
	free_rows(&t_url, v, nr);
}

void
td_store_mail_release(struct td_store_mail *m)
{
	release_row(&t_mail, m);
}

void
td_store_mail_list_free(struct td_store_mail *v, size_t nr)
{
	free_rows(&t_mail, v, nr);
}

/* ---- parties ---- */

int
td_store_party_add(long long *out, struct td_store *s,
		   const struct td_store_party *in, struct td_error *err)
{
	sqlite3_stmt *st;
	long long provider = 0, id = 0;
	int nested, rc;

	rc = check_row(s, &t_party, in, err);
	if (rc)
		return rc;
	rc = tx_enter(s, &nested, err);
	if (rc)
		return rc;
	st = s->st[ST_PROVIDER_ADD];
	bind_text(st, 1, in->name);
	rc = step_done(s, st, "cannot add provider", err);
	if (!rc) {
		st = s->st[ST_PROVIDER_ID];
		bind_text(st, 1, in->name);
		rc = query_id(&provider, s, st, err);
		if (rc == 1)
			rc = td_error_set(err, TD_EIO, "%s: provider vanished",
					  s->path);
	}
	if (!rc)
		rc = insert_row(&id, s, ST_PARTY_ADD, &t_party, in, &provider,
				1, err);
	if (rc == 1) {
		st = s->st[ST_PARTY_FIND];
		sqlite3_bind_int64(st, 1, in->case_id);
		sqlite3_bind_int64(st, 2, provider);
		bind_text(st, 3, td_store_role_name(in->role));
		rc = query_id(&id, s, st, err);
		if (rc == 0)
			rc = 1;
		else if (rc == 1)
			rc = td_error_set(err, TD_EIO, "%s: party vanished",
					  s->path);
	}
	rc = tx_leave(s, nested, rc, err);
	if (rc >= 0 && out)
		*out = id;
	return rc;
}

int
td_store_party_get(struct td_store_party *out, struct td_store *s, long long id,
		   struct td_error *err)
{
	return get_by_id(out, s, ST_PARTY_GET, &t_party, id, err);
}

int
td_store_party_list(struct td_store_party **out, size_t *nr, struct td_store *s,
		    long long case_id, struct td_error *err)
{
	return list_by_case((void **)out, nr, s, ST_PARTY_LIST, &t_party,
			    case_id, err);
}

int
td_store_party_set_ticket(struct td_store *s, long long party_id,
			  const char *ticket, struct td_error *err)
{
	sqlite3_stmt *st = s->st[ST_PARTY_SET_TICKET];
	int rc = check_text(s, "ticket", ticket, TD_STORE_MAX_SHORT, 1, err);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, party_id);
	bind_text(st, 2, ticket);
	rc = step_done(s, st, "cannot set ticket", err);
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = td_error_set(err, TD_ENOTFOUND, "%s: no party %lld",
				  s->path, party_id);
	return rc;
}

int
td_store_party_find_ticket(struct td_store_party *out, struct td_store *s,
			   const char *ticket, struct td_error *err)
{
	sqlite3_stmt *st = s->st[ST_PARTY_FIND_TICKET];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = check_text(s, "ticket", ticket, TD_STORE_MAX_SHORT, 1, err);
	if (rc)
		return rc;
	bind_text(st, 1, ticket);
	return get_row(out, s, st, &t_party, ticket, err);
}

void
td_store_party_release(struct td_store_party *p)
{
	release_row(&t_party, p);
}

void
td_store_party_list_free(struct td_store_party *v, size_t nr)
{
	free_rows(&t_party, v, nr);
}

/* ---- evidence ---- */

int
td_store_evidence_add(long long *out, struct td_store *s,
		      const struct td_store_evidence *in, struct td_error *err)
{
	long long id = 0;
	int rc = check_row(s, &t_evidence, in, err);

	if (!rc && in->body_len < 0)
		rc = td_error_set(err, TD_EINVAL,
				  "%s: evidence: negative "
				  "body length",
				  s->path);
	if (!rc)
		rc = insert_row(&id, s, ST_EVIDENCE_ADD, &t_evidence, in, NULL,
				0, err);
	if (!rc && out)
		*out = id;
	return rc;
}

int
td_store_evidence_get(struct td_store_evidence *out, struct td_store *s,
		      long long id, struct td_error *err)
{
	return get_by_id(out, s, ST_EVIDENCE_GET, &t_evidence, id, err);
}

int
td_store_evidence_list(struct td_store_evidence **out, size_t *nr,
		       struct td_store *s, long long case_id,
		       struct td_error *err)
{
	return list_by_case((void **)out, nr, s, ST_EVIDENCE_LIST, &t_evidence,
			    case_id, err);
}

void
td_store_evidence_release(struct td_store_evidence *e)
{
	release_row(&t_evidence, e);
}

void
td_store_evidence_list_free(struct td_store_evidence *v, size_t nr)
{
	free_rows(&t_evidence, v, nr);
}

/* ---- messages ---- */

/* What the sending functions need to know of a message. */
struct msg_info {
	enum td_msg_state state;
	long long case_id, party_id, claimed, sent;
	enum td_party_role role;
	char purpose[TD_STORE_MAX_WORD + 1];
	char recipient[TD_STORE_MAX_SHORT + 1];
	char message_id[TD_STORE_MAX_SHORT + 1];
};

static int
msg_info(struct msg_info *mi, struct td_store *s, long long id,
	 struct td_error *err)
{
	sqlite3_stmt *st = s->st[ST_MSG_INFO];
	const char *p;
	int rc;

	memset(mi, 0, sizeof(*mi));
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		mi->state = (enum td_msg_state)vocab_parse(
		    &v_msg_state, (const char *)sqlite3_column_text(st, 0));
		mi->case_id = sqlite3_column_int64(st, 1);
		mi->party_id = sqlite3_column_int64(st, 2);
		rc = vocab_parse(&v_role,
				 (const char *)sqlite3_column_text(st, 3));
		mi->role = rc < 0 ? TD_ROLE_NONE : (enum td_party_role)rc;
		p = (const char *)sqlite3_column_text(st, 4);
		snprintf(mi->purpose, sizeof(mi->purpose), "%s", p ? p : "");
		p = (const char *)sqlite3_column_text(st, 5);
		snprintf(mi->recipient, sizeof(mi->recipient), "%s",
			 p ? p : "");
		p = (const char *)sqlite3_column_text(st, 6);
		snprintf(mi->message_id, sizeof(mi->message_id), "%s",
			 p ? p : "");
		mi->claimed = sqlite3_column_int64(st, 7);
		mi->sent = sqlite3_column_int64(st, 8);
		rc = (int)mi->state < 0
			 ? td_error_set(err, TD_EPARSE,
					"%s: message %lld: unknown state",
					s->path, id)
			 : 0;
	} else if (rc == SQLITE_DONE) {
		rc = td_error_set(err, TD_ENOTFOUND, "%s: no message %lld",
				  s->path, id);
	} else {
		rc = db_error(s, err, rc, "cannot read message");
	}
	done(st);
	return rc;
}

/* Why message id cannot go on: its state, or another one sent. */
static int
msg_refused(struct td_store *s, long long id, const char *doing,
	    struct td_error *err)
{
	struct msg_info mi;
	sqlite3_stmt *st;
	int rc = msg_info(&mi, s, id, err);

	if (rc)
		return rc;
	if (mi.state == TD_MSG_SENT)
		return td_error_set(err, TD_EINVAL,
				    "%s: cannot %s message %lld <%s>: already "
				    "sent at %lld",
				    s->path, doing, id, mi.message_id, mi.sent);
	if (mi.state == TD_MSG_SENDING && strcmp(doing, "send") != 0)
		return td_error_set(err, TD_EINVAL,
				    "%s: cannot %s message %lld <%s>: being "
				    "sent since %lld, outcome unknown",
				    s->path, doing, id, mi.message_id,
				    mi.claimed);
	st = s->st[ST_MSG_CONFLICT];
	sqlite3_bind_int64(st, 1, mi.case_id);
	bind_text(st, 2, mi.recipient);
	bind_text(st, 3, mi.purpose);
	sqlite3_bind_int64(st, 4, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = td_error_set(err, TD_EINVAL,
				  "%s: cannot %s message %lld: the %s to %s "
				  "was already sent or is being sent (message "
				  "%lld <%s>)",
				  s->path, doing, id, mi.purpose, mi.recipient,
				  sqlite3_column_int64(st, 0),
				  (const char *)sqlite3_column_text(st, 1));
	else
		rc = td_error_set(err, TD_EINVAL,
				  "%s: cannot %s message %lld <%s>: it is %s",
				  s->path, doing, id, mi.message_id,
				  td_store_msg_state_name(mi.state));
	done(st);
	return rc;
}

int
td_store_message_add(long long *out, struct td_store *s,
		     const struct td_store_message *in, struct td_error *err)
{
	struct td_store_message m;
	sqlite3_stmt *st;
	long long id = 0, party_case = 0;
	int nested, rc, role = -1;

	if (!in)
		return td_error_set(err, TD_EINVAL, "%s: no message given",
				    s->path);
	m = *in;
	m.role = TD_ROLE_OTHER; /* set below from the party */
	m.state = TD_MSG_DRAFT;
	rc = check_row(s, &t_message, &m, err);
	if (rc)
		return rc;
	rc = tx_enter(s, &nested, err);
	if (rc)
		return rc;
	st = s->st[ST_PARTY_CASE];
	sqlite3_bind_int64(st, 1, in->party_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		party_case = sqlite3_column_int64(st, 0);
		role = vocab_parse(&v_role,
				   (const char *)sqlite3_column_text(st, 1));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = td_error_set(err, TD_ENOTFOUND, "%s: no party %lld",
				  s->path, in->party_id);
	} else {
		rc = db_error(s, err, rc, "cannot read party");
	}
	done(st);
	if (!rc && party_case != in->case_id)
		rc = td_error_set(err, TD_EINVAL,
				  "%s: party %lld is not a party of case %lld",
				  s->path, in->party_id, in->case_id);
	if (!rc && role <= 0)
		rc = td_error_set(err, TD_EPARSE, "%s: party %lld: bad role",
				  s->path, in->party_id);
	if (!rc) {
		m.role = (enum td_party_role)role;
		rc = insert_row(&id, s, ST_MSG_ADD, &t_message, &m, NULL, 0,
				err);
	}
	if (!rc)
		rc = event_addf(s, in->case_id, TD_EV_DRAFTED, in->created, err,
				"%s to %s %s: %s <%.*s>", in->purpose,
				td_store_role_name(m.role), in->recipient,
				in->subject, msgid_len(in->message_id),
				msgid_start(in->message_id));
	rc = tx_leave(s, nested, rc, err);
	if (!rc && out)
		*out = id;
	return rc;
}

int
td_store_message_get(struct td_store_message *out, struct td_store *s,
		     long long id, struct td_error *err)
{
	return get_by_id(out, s, ST_MSG_GET, &t_message, id, err);
}

int
td_store_message_find(struct td_store_message *out, struct td_store *s,
		      const char *message_id, struct td_error *err)
{
	sqlite3_stmt *st = s->st[ST_MSG_FIND];
	int rc;

	memset(out, 0, sizeof(*out));
	rc =
	    check_text(s, "Message-ID", message_id, TD_STORE_MAX_SHORT, 1, err);
	if (rc)
		return rc;
	bind_msgid(st, 1, message_id);
	return get_row(out, s, st, &t_message, message_id, err);
}

int
td_store_message_list(struct td_store_message **out, size_t *nr,
		      struct td_store *s, long long case_id,
		      struct td_error *err)
{
	return list_by_case((void **)out, nr, s, ST_MSG_LIST, &t_message,
			    case_id, err);
}

/*
 * Run one of the compare-and-set updates of a message, bound to (id, a,
 * text).  Returns 0 when it changed the row, or TD_EINVAL with why not.
 */
static int
msg_update(struct td_store *s, int which, long long id, long long a,
	   const char *text, const char *doing, struct td_error *err)
{
	sqlite3_stmt *st = s->st[which];
	int rc, changed;

	sqlite3_bind_int64(st, 1, id);
	if (which == ST_MSG_FAILED) {
		bind_text(st, 2, text);
	} else {
		sqlite3_bind_int64(st, 2, a);
		if (which == ST_MSG_SENT)
			bind_text(st, 3, text);
	}
	rc = sqlite3_step(st);
	changed = sqlite3_changes(s->db);
	done(st);
	if (rc == SQLITE_DONE && changed)
		return 0;
	/* refused by the state (no row changed) or the unique index */
	if (rc == SQLITE_DONE || rc == SQLITE_CONSTRAINT_UNIQUE ||
	    rc == SQLITE_CONSTRAINT_TRIGGER)
		return msg_refused(s, id, doing, err);
	return db_error(s, err, rc, "cannot update message");
}

int
td_store_message_claim(struct td_store *s, long long id, long long now,
		       struct td_error *err)
{
	int rc = check_now(s, now, err);

	if (rc)
		return rc;
	return msg_update(s, ST_MSG_CLAIM, id, now, NULL, "claim", err);
}

int
td_store_message_mark_sent(struct td_store *s, long long id,
			   const char *smtp_reply, long long now,
			   struct td_error *err)
{
	struct msg_info mi;
	sqlite3_stmt *st;
	int nested, rc;

	rc = check_now(s, now, err);
	if (!rc)
		rc = check_text(s, "SMTP reply", smtp_reply, TD_STORE_MAX_LONG,
				0, err);
	if (rc)
		return rc;
	rc = tx_enter(s, &nested, err);
	if (rc)
		return rc;
	rc = msg_update(s, ST_MSG_SENT, id, now, smtp_reply, "send", err);
	if (!rc)
		rc = msg_info(&mi, s, id, err);
	if (!rc) {
		st = s->st[ST_PARTY_SENT];
		sqlite3_bind_int64(st, 1, mi.party_id);
		sqlite3_bind_int64(st, 2, now);
		rc = step_done(s, st, "cannot update party", err);
	}
	if (!rc) {
		st = s->st[ST_CASE_FIRST_SENT];
		sqlite3_bind_int64(st, 1, mi.case_id);
		sqlite3_bind_int64(st, 2, now);
		rc = step_done(s, st, "cannot update case", err);
	}
	if (!rc)
		rc = refresh_parties(s, mi.case_id, err);
	if (!rc)
		rc = event_addf(s, mi.case_id, TD_EV_SENT, now, err,
				"%s to %s %s <%s>%s%s", mi.purpose,
				td_store_role_name(mi.role), mi.recipient,
				mi.message_id, smtp_reply ? ": " : "",
				smtp_reply ? smtp_reply : "");
	return tx_leave(s, nested, rc, err);
}

int
td_store_message_mark_failed(struct td_store *s, long long id,
			     const char *smtp_reply, long long now,
			     struct td_error *err)
{
	struct msg_info mi;
	int nested, rc;

	rc = check_now(s, now, err);
	if (!rc)
		rc = check_text(s, "SMTP reply", smtp_reply, TD_STORE_MAX_LONG,
				0, err);
	if (rc)
		return rc;
	rc = tx_enter(s, &nested, err);
	if (rc)
		return rc;
	rc = msg_update(s, ST_MSG_FAILED, id, now, smtp_reply, "fail", err);
	if (!rc)
		rc = msg_info(&mi, s, id, err);
	if (!rc)
		rc = event_addf(s, mi.case_id, TD_EV_SEND_FAILED, now, err,
				"%s to %s %s <%s>%s%s", mi.purpose,
				td_store_role_name(mi.role), mi.recipient,
				mi.message_id, smtp_reply ? ": " : "",
				smtp_reply ? smtp_reply : "");
	return tx_leave(s, nested, rc, err);
}

void
td_store_message_release(struct td_store_message *m)
{
	release_row(&t_message, m);
}

void
td_store_message_list_free(struct td_store_message *v, size_t nr)
{
	free_rows(&t_message, v, nr);
}

/* ---- received messages ---- */

static int
received_match(struct td_store *s, long long id, long long case_id,
	       long long party_id, long long message, enum td_match how,
	       long long now, struct td_error *err)
{
	static const enum td_event_kind ev_of[TD_REPLY_NR] = {
	    [TD_REPLY_HUMAN] = TD_EV_REPLY,
	    [TD_REPLY_AUTO] = TD_EV_AUTO_REPLY,
	    [TD_REPLY_BOUNCE] = TD_EV_BOUNCE,
	};
	sqlite3_stmt *st = s->st[ST_RCV_INFO];
	char *from = NULL, *subject = NULL, *ticket = NULL;
	const char *cls_name;
	long long when = now, msg_case = 0, msg_party = 0;
	int cls = -1, rc;

	if (how <= TD_MATCH_NONE || how >= TD_MATCH_NR)
		return td_error_set(err, TD_EINVAL,
				    "%s: a match needs how it was made",
				    s->path);
	if (case_id <= 0)
		return td_error_set(err, TD_EINVAL, "%s: no case to match to",
				    s->path);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
			rc = td_error_set(err, TD_EINVAL,
					  "%s: received message %lld is "
					  "matched to case %lld already",
					  s->path, id,
					  sqlite3_column_int64(st, 0));
		} else {
			cls = vocab_parse(
			    &v_reply, (const char *)sqlite3_column_text(st, 1));
			from = column_dup(st, 2);
			subject = column_dup(st, 3);
			ticket = column_dup(st, 4);
			if (sqlite3_column_int64(st, 5) > 0)
				when = sqlite3_column_int64(st, 5);
			rc = cls < 0 ? td_error_set(err, TD_EPARSE,
						    "%s: received message "
						    "%lld: unknown class",
						    s->path, id)
				     : 0;
		}
	} else if (rc == SQLITE_DONE) {
		rc = td_error_set(err, TD_ENOTFOUND,
				  "%s: no received message %lld", s->path, id);
	} else {
		rc = db_error(s, err, rc, "cannot read received message");
	}
	done(st);

	/* the message it answers names the party when the caller did not */
	if (!rc && message) {
		st = s->st[ST_MSG_INFO];
		sqlite3_bind_int64(st, 1, message);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			msg_case = sqlite3_column_int64(st, 1);
			msg_party = sqlite3_column_int64(st, 2);
			rc = 0;
		} else if (rc == SQLITE_DONE) {
			rc = td_error_set(err, TD_ENOTFOUND,
					  "%s: no message %lld", s->path,
					  message);
		} else {
			rc = db_error(s, err, rc, "cannot read message");
		}
		done(st);
		if (!rc && msg_case != case_id)
			rc = td_error_set(err, TD_EINVAL,
					  "%s: message %lld is not of case "
					  "%lld",
					  s->path, message, case_id);
		if (!rc && !party_id)
			party_id = msg_party;
	}
	if (!rc) {
		st = s->st[ST_RCV_MATCH];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, case_id);
		bind_null0(st, 3, party_id);
		bind_null0(st, 4, message);
		bind_text(st, 5, td_store_match_name(how));
		rc = step_done(s, st, "cannot match received message", err);
	}
	cls_name = cls >= 0 ? reply_names[cls] : NULL;
	if (!rc && party_id) {
		st = s->st[ST_PARTY_REPLY];
		sqlite3_bind_int64(st, 1, party_id);
		sqlite3_bind_int64(st, 2, when);
		bind_text(st, 3, cls_name);
		bind_text(st, 4, ticket);
		rc = step_done(s, st, "cannot update party", err);
	}
	if (!rc && cls == TD_REPLY_HUMAN) {
		st = s->st[ST_CASE_FIRST_HUMAN];
		sqlite3_bind_int64(st, 1, case_id);
		sqlite3_bind_int64(st, 2, when);
		rc = step_done(s, st, "cannot update case", err);
		if (!rc && party_id)
			rc = refresh_parties(s, case_id, err);
	}
	if (!rc)
		rc = event_addf(s, case_id, ev_of[cls], when, err,
				"from %s: %s%s%s%s", from ? from : "(unknown)",
				subject ? subject : "(no subject)",
				ticket ? " (ticket " : "", ticket ? ticket : "",
				ticket ? ")" : "");
	free(from);
	free(subject);
	free(ticket);
	return rc;
}

int
td_store_received_add(long long *out, struct td_store *s,
		      const struct td_store_received *in, long long now,
		      struct td_error *err)
{
	struct td_store_received r;
	sqlite3_stmt *st;
	long long id = 0;
	int nested, rc;

	if (!in)
		return td_error_set(err, TD_EINVAL,
				    "%s: no received message given", s->path);
	rc = check_now(s, now, err);
	if (rc)
		return rc;
	r = *in;
	r.imported = now;
	rc = check_row(s, &t_received, &r, err);
	if (rc)
		return rc;
	if (in->case_id && in->matched_by == TD_MATCH_NONE)
		return td_error_set(err, TD_EINVAL,
				    "%s: a matched message needs how it was "
				    "matched",
				    s->path);
	rc = tx_enter(s, &nested, err);
	if (rc)
		return rc;
	rc = insert_row(&id, s, ST_RCV_ADD, &t_received, &r, NULL, 0, err);
	if (rc == 1) {
		st = s->st[ST_RCV_FIND_SHA];
		bind_text(st, 1, in->sha256);
		rc = query_id(&id, s, st, err);
		if (rc == 0)
			rc = 1;
		else if (rc == 1)
			rc = td_error_set(err, TD_EIO,
					  "%s: received message vanished",
					  s->path);
	} else if (rc == 0 && in->case_id) {
		rc = received_match(s, id, in->case_id, in->party_id,
				    in->message, in->matched_by, now, err);
	}
	rc = tx_leave(s, nested, rc, err);
	if (rc >= 0 && out)
		*out = id;
	return rc;
}

int
td_store_received_match(struct td_store *s, long long id, long long case_id,
			long long party_id, long long message,
			enum td_match how, long long now, struct td_error *err)
{
	int nested, rc = check_now(s, now, err);

	if (rc)
		return rc;
	rc = tx_enter(s, &nested, err);
	if (rc)
		return rc;
	rc = received_match(s, id, case_id, party_id, message, how, now, err);
	return tx_leave(s, nested, rc, err);
}

int
td_store_received_get(struct td_store_received *out, struct td_store *s,
		      long long id, struct td_error *err)
{
	return get_by_id(out, s, ST_RCV_GET, &t_received, id, err);
}

int
td_store_received_list(struct td_store_received **out, size_t *nr,
		       struct td_store *s, long long case_id,
		       struct td_error *err)
{
	if (!case_id) {
		*out = NULL;
		*nr = 0;
		return list_rows((void **)out, nr, s, s->st[ST_RCV_UNMATCHED],
				 &t_received, err);
	}
	return list_by_case((void **)out, nr, s, ST_RCV_LIST, &t_received,
			    case_id, err);
}

void
td_store_received_release(struct td_store_received *r)
{
	release_row(&t_received, r);
}

void
td_store_received_list_free(struct td_store_received *v, size_t nr)
{
	free_rows(&t_received, v, nr);
}

/* ---- statistics ---- */

/* Up to this many durations are read whole rather than through buckets. */
#define SMALL_STATS 64

/* One histogram: bucket lower bounds and counts, in ascending order. */
struct hist {
	long long lo[512];
	long long n[512];
	size_t nr;
	long long total;
};

/*
 * The duration at nearest rank ceil(num/den * total) of metric, exact:
 * the histogram finds the bucket, an index walk inside it the value.
 */
static int
hist_rank(long long *out, struct td_store *s, int which, long long provider,
	  const char *role, const struct hist *h, long long num, long long den,
	  struct td_error *err)
{
	sqlite3_stmt *st = s->st[which];
	long long rank, before = 0;
	size_t i;
	int rc;

	*out = -1;
	if (h->total <= 0)
		return 0;
	rank = (num * h->total + den - 1) / den;
	if (rank < 1)
		rank = 1;
	for (i = 0; i < h->nr; i++) {
		if (before + h->n[i] >= rank)
			break;
		before += h->n[i];
	}
	if (i == h->nr)
		return 0;
	sqlite3_bind_int64(st, 1, provider);
	bind_text(st, 2, role);
	sqlite3_bind_int64(st, 3, h->lo[i]);
	sqlite3_bind_int64(st, 4, rank - before - 1);
	rc = query_id(out, s, st, err);
	if (rc == 1) { /* histogram and parties disagree: a damaged file */
		*out = -1;
		rc = 0;
	}
	return rc;
}

/*
 * A provider with few durations of a metric: read them all (one query)
 * and take the ranks.  *p90 may be NULL.
 */
static int
small_ranks(long long *median, long long *p90, struct td_store *s, int which,
	    long long provider, const char *role, struct td_error *err)
{
	sqlite3_stmt *st = s->st[which];
	long long v[SMALL_STATS];
	size_t n = 0;
	int rc;

	*median = -1;
	if (p90)
		*p90 = -1;
	sqlite3_bind_int64(st, 1, provider);
	bind_text(st, 2, role);
	sqlite3_bind_int64(st, 3, SMALL_STATS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < SMALL_STATS)
		v[n++] = sqlite3_column_int64(st, 0);
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW
		 ? 0
		 : db_error(s, err, rc, "cannot read stats");
	done(st);
	if (rc || !n)
		return rc;
	*median = v[(n + 1) / 2 - 1];
	if (p90)
		*p90 = v[(9 * n + 9) / 10 - 1];
	return 0;
}

/* Fill the durations of x; h is room for two histograms. */
static int
stats_durations(struct td_store_stats *x, struct td_store *s,
		long long provider, struct hist *h, struct td_error *err)
{
	sqlite3_stmt *st = s->st[ST_STATS_HIST];
	const char *role = td_store_role_name(x->role);
	int rc = 0;

	if (x->answered <= SMALL_STATS)
		rc = small_ranks(&x->answer_median, NULL, s,
				 ST_STATS_ALL_ANSWER, provider, role, err);
	if (!rc && x->mitigated <= SMALL_STATS)
		rc = small_ranks(&x->down_median, &x->down_p90, s,
				 ST_STATS_ALL_DOWN, provider, role, err);
	if (rc || (x->answered <= SMALL_STATS && x->mitigated <= SMALL_STATS))
		return rc;

	h[0].nr = h[1].nr = 0;
	h[0].total = h[1].total = 0;
	sqlite3_bind_int64(st, 1, provider);
	bind_text(st, 2, role);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int metric = sqlite3_column_int(st, 0);
		struct hist *m;

		if (metric != 1 && metric != 2)
			continue;
		m = &h[metric - 1];
		if (m->nr == sizeof(m->lo) / sizeof(m->lo[0]))
			continue;
		m->lo[m->nr] = sqlite3_column_int64(st, 1);
		m->n[m->nr] = sqlite3_column_int64(st, 2);
		m->total += m->n[m->nr];
		m->nr++;
	}
	rc = rc == SQLITE_DONE ? 0 : db_error(s, err, rc, "cannot read stats");
	done(st);
	if (!rc && x->answered > SMALL_STATS)
		rc = hist_rank(&x->answer_median, s, ST_STATS_NTH_ANSWER,
			       provider, role, &h[0], 1, 2, err);
	if (!rc && x->mitigated > SMALL_STATS)
		rc = hist_rank(&x->down_median, s, ST_STATS_NTH_DOWN, provider,
			       role, &h[1], 1, 2, err);
	if (!rc && x->mitigated > SMALL_STATS)
		rc = hist_rank(&x->down_p90, s, ST_STATS_NTH_DOWN, provider,
			       role, &h[1], 9, 10, err);
	return rc;
}

int
td_store_stats_list(struct td_store_stats **out, size_t *nr, struct td_store *s,
		    const struct td_store_stats_filter *f, struct td_error *err)
{
	static const struct td_store_stats_filter all;
	sqlite3_stmt *st = s->st[ST_STATS];
	struct td_store_stats *v = NULL;
	struct hist *h = NULL;
	long long *ids = NULL;
	size_t n = 0, alloc = 0, ids_alloc = 0, i;
	int rc, role, own;

	*out = NULL;
	*nr = 0;
	if (!f)
		f = &all;
	if (!td_store_role_name(f->role))
		return td_error_set(err, TD_EINVAL,
				    "%s: unknown role in "
				    "filter",
				    s->path);
	h = calloc(2, sizeof(*h));
	if (!h)
		return nomem(s, err);
	/* one snapshot (and one read lock) for every query below */
	own = sqlite3_get_autocommit(s->db);
	if (own && (rc = run(s, ST_BEGIN_READ, "cannot read stats", err))) {
		free(h);
		return rc;
	}
	bind_text(st, 1, f->role ? td_store_role_name(f->role) : NULL);
	sqlite3_bind_int64(st, 2, f->min_cases);
	sqlite3_bind_int64(st, 3,
			   f->limit && f->limit < (size_t)0x7fffffff
			       ? (long long)f->limit
			       : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (TD_ARRAY_GROW(v, n + 1, alloc) ||
		    TD_ARRAY_GROW(ids, n + 1, ids_alloc)) {
			rc = nomem(s, err);
			break;
		}
		memset(&v[n], 0, sizeof(v[n]));
		ids[n] = sqlite3_column_int64(st, 0);
		role = vocab_parse(&v_role,
				   (const char *)sqlite3_column_text(st, 1));
		v[n].role = role < 0 ? TD_ROLE_NONE : (enum td_party_role)role;
		v[n].name = column_dup(st, 2);
		v[n].cases = sqlite3_column_int64(st, 3);
		v[n].reported = sqlite3_column_int64(st, 4);
		v[n].answered = sqlite3_column_int64(st, 5);
		v[n].mitigated = sqlite3_column_int64(st, 6);
		v[n].answer_median = v[n].down_median = v[n].down_p90 = -1;
		n++;
		if (!v[n - 1].name) {
			rc = nomem(s, err);
			break;
		}
		if (role <= 0) {
			rc = td_error_set(err, TD_EPARSE,
					  "%s: statistics: "
					  "unknown role",
					  s->path);
			break;
		}
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = db_error(s, err, rc, "cannot read stats");
	done(st);
	for (i = 0; i < n && !rc; i++)
		rc = stats_durations(&v[i], s, ids[i], h, err);
	if (own && !sqlite3_get_autocommit(s->db))
		run(s, ST_COMMIT, "cannot end read", NULL);
	free(ids);
	free(h);
	if (rc) {
		td_store_stats_list_free(v, n);
		return rc;
	}
	*out = v;
	*nr = n;
	return 0;
}

void
td_store_stats_list_free(struct td_store_stats *v, size_t nr)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < nr; i++)
		free(v[i].name);
	free(v);
}
