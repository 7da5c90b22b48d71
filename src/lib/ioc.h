#ifndef TD_IOC_H
#define TD_IOC_H

#include <stddef.h>

/*
 * Indicators other than URLs found in text: e-mail addresses (credential
 * drop addresses, including defanged "[at]"/"[.]" forms), IPv4 and IPv6
 * literals, and phone numbers.
 */
enum td_ioc_kind { TD_IOC_EMAIL, TD_IOC_IPV4, TD_IOC_IPV6, TD_IOC_PHONE };

struct td_ioc_hit {
	enum td_ioc_kind kind;
	const char *raw; /* points into the text */
	size_t raw_len;
	const char *value; /* normalised: refanged, lowercase domain for
			      e-mail, canonical for IPs, "+" and digits
			      for phones; NUL-terminated */
	size_t value_len;
	unsigned defanged : 1;
};

/*
 * Called once per indicator, in text order.  hit and hit->value are valid
 * only during the call.  A non-zero return stops the scan.
 */
typedef int (*td_ioc_hit_fn)(const struct td_ioc_hit *hit, void *payload);

/* Name of a kind for output: "email", "ipv4", "ipv6", "phone". */
const char *td_ioc_kind_name(enum td_ioc_kind kind);

/*
 * Scan len bytes of text (any bytes, NULs included) for indicators; the
 * accepted forms are in docs/internals/ioc.md.  Runs in time linear in len
 * and allocates nothing.  Returns 0, the first non-zero callback value, or
 * TD_ENOMEM (kept for callers; the current scanner never allocates).
 */
int td_ioc_scan(const char *text, size_t len, td_ioc_hit_fn fn, void *payload);

/*
 * Classify an IP literal: 1 if it is public (routable on the internet),
 * 0 if private, loopback, link-local, CGNAT, documentation, multicast or
 * otherwise reserved (RFC 6890 and the IANA special-purpose registries;
 * IPv4-mapped, NAT64 and 6to4 addresses are judged by the IPv4 address
 * inside), -1 if s is not a plain IP literal (no brackets, no "IPv6:").
 */
int td_ip_is_public(const char *s);

#endif
