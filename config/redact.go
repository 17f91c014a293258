package config

import (
	"net/url"
	"strings"
)

// redactedURLPart replaces credentials in a URL. It is a plain word, so that
// a redacted URL still parses.
const redactedURLPart = "redacted"

// sensitiveParams are the parts of a query parameter name (compared without
// case) that mark its value as a credential: api_key, access_token,
// client_secret, password, X-Amz-Signature, auth …
var sensitiveParams = []string{"key", "token", "secret", "pass", "sig", "auth", "credential"}

// RedactURL returns raw fit to print or log: the userinfo (user name and
// password) becomes "redacted", and so does the value of every query (or
// fragment) parameter whose name contains key, token, secret, pass(word),
// sig(nature), auth or credential in any case. Everything else is kept, so
// the result still says which server is meant:
//
//	http://user:pa55word@host/v1?api_key=x&model=m → http://redacted@host/v1?api_key=redacted&model=m
//
// A string that does not parse as a URL is redacted the same way by its
// text: what stands between "//" and the last "@" of the authority, and the
// sensitive parameters after "?". Every URL citebot prints or logs passes
// through here.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redactURLText(raw)
	}
	if u.User != nil {
		u.User = url.User(redactedURLPart)
	}
	if strings.Contains(u.Opaque, "@") {
		// "user:pass@host/v1" parses as scheme "user", opaque "pass@host/v1".
		return redactURLText(raw)
	}
	u.RawQuery = redactParams(u.RawQuery)
	if strings.Contains(u.Fragment, "=") {
		u.Fragment, u.RawFragment = redactParams(u.Fragment), ""
	}
	return u.String()
}

// redactURLText is RedactURL for a string url.Parse rejects.
func redactURLText(raw string) string {
	rest, frag, hasFrag := strings.Cut(raw, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	head := ""
	if i := strings.Index(rest, "//"); i >= 0 {
		head, rest = rest[:i+2], rest[i+2:]
	}
	if i := strings.LastIndex(rest, "@"); head == "" && i >= 0 && !strings.Contains(rest[:i], "/") {
		return redactedURLPart + rest[i:] + suffix(query, hasQuery, frag, hasFrag)
	}
	auth, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		auth, path = rest[:i], rest[i:]
	}
	if i := strings.LastIndex(auth, "@"); i >= 0 {
		auth = redactedURLPart + auth[i:]
	}
	return head + auth + path + suffix(query, hasQuery, frag, hasFrag)
}

// suffix is the redacted query and fragment of redactURLText.
func suffix(query string, hasQuery bool, frag string, hasFrag bool) string {
	out := ""
	if hasQuery {
		out += "?" + redactParams(query)
	}
	if hasFrag {
		out += "#" + redactParams(frag)
	}
	return out
}

// redactParams redacts the values of sensitive parameters in a query
// string, keeping their order and encoding.
func redactParams(q string) string {
	if q == "" {
		return q
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		name, _, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		dec, err := url.QueryUnescape(name)
		if err != nil {
			dec = name
		}
		if sensitiveParam(dec) {
			parts[i] = name + "=" + redactedURLPart
		}
	}
	return strings.Join(parts, "&")
}

// sensitiveParam reports whether a parameter name marks a credential.
func sensitiveParam(name string) bool {
	l := strings.ToLower(name)
	for _, s := range sensitiveParams {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}
