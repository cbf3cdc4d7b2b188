/* json_schema: the key tables of a snapshot's JSON form, their converters,
 * and the two walkers (write and read) that json_out and json_in share. */
#include "config.h"
#include "json_schema.h"
#include "snapshot.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define TWO_POW_64 18446744073709551616.0
#define TWO_POW_63 9223372036854775808.0

/* ---- the reader's path and causes ---- */

bool cw_json_reader_fail(struct cw_json_reader *r, const char *key, const char *fmt, ...)
{
	char what[256], msg[640], clean[640];
	bool where = r->path[0] || (key && key[0]);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!key)
		key = "";
	snprintf(msg, sizeof(msg), "%s%s%.80s%s%s", r->path, r->path[0] && key[0] ? "." : "", key,
		 where ? ": " : "", what);
	/* Keys and parts of what come from the input. */
	cw_sanitize(clean, sizeof(clean), msg);
	cw_cause(r->cause, -1, "%s", clean);
	return false;
}

size_t cw_json_reader_push_key(struct cw_json_reader *r, const char *key)
{
	size_t len = r->len;
	int n = snprintf(r->path + len, sizeof(r->path) - len, "%s%s", len ? "." : "", key);

	if (n > 0)
		r->len = len + (size_t)n < sizeof(r->path) ? len + (size_t)n : sizeof(r->path) - 1;
	return len;
}

size_t cw_json_reader_push_index(struct cw_json_reader *r, size_t i)
{
	size_t len = r->len;
	int n = snprintf(r->path + len, sizeof(r->path) - len, "[%zu]", i);

	if (n > 0)
		r->len = len + (size_t)n < sizeof(r->path) ? len + (size_t)n : sizeof(r->path) - 1;
	return len;
}

void cw_json_reader_pop(struct cw_json_reader *r, size_t len)
{
	r->len = len;
	r->path[len] = '\0';
}

#define fail cw_json_reader_fail

const char *cw_json_type_name(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsTrue(v))
		return "true";
	if (cJSON_IsFalse(v))
		return "false";
	if (cJSON_IsNull(v))
		return "null";
	return "something else";
}

static cJSON *must(cJSON *v)
{
	if (!v)
		cw_fatal("out of memory building JSON");
	return v;
}

static cJSON *num(double d)
{
	return must(cJSON_CreateNumber(d));
}

static cJSON *string(const char *s)
{
	return must(cJSON_CreateString(s));
}

/* The field's value, and another member of the same struct. */
static void *at(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	return (char *)o->part[f->part] + f->off;
}

static void *member(const struct cw_json_field *f, const struct cw_json_ref *o, size_t off)
{
	return (char *)o->part[f->part] + off;
}

static size_t *count_of(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	return member(f, o, f->count);
}

static const char *dup_clean(struct cw_json_reader *r, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = cw_arena_alloc(r->arena, n);

	cw_sanitize(d, n, s);
	return d;
}

/* ---- the walkers ---- */

cJSON *cw_json_schema_write(const struct cw_json_object *t, const struct cw_json_ref *o)
{
	cJSON *obj = must(cJSON_CreateObject()), *v;
	size_t i;

	for (i = 0; i < t->nfields; i++) {
		const struct cw_json_field *f = &t->fields[i];

		if (!o->part[f->part])
			continue;
		if (f->when && !f->when->holds(o))
			continue;
		if ((f->flags & CW_JSON_FLAGGED) && !*(bool *)member(f, o, f->flag))
			continue;
		v = f->conv->put(f, o);
		/* Keys are the tables' static strings: cJSON need not copy them. */
		if (v)
			cJSON_AddItemToObjectCS(obj, f->key, v);
	}
	return obj;
}

bool cw_json_schema_read(struct cw_json_reader *r, const struct cw_json_object *t, const cJSON *v,
			 const struct cw_json_ref *o)
{
	const cJSON *vals[CW_JSON_MAXKEYS] = {0}, *c;
	size_t i;

	if (!cJSON_IsObject(v))
		return fail(r, NULL, "not an object (found %s)", cw_json_type_name(v));
	if (t->nfields > CW_JSON_MAXKEYS)
		cw_fatal("json_schema: table %s has more than %d keys", t->name, CW_JSON_MAXKEYS);
	/* Every key must be one of the table's, once. */
	cJSON_ArrayForEach(c, v) {
		const char *k = c->string ? c->string : "";

		for (i = 0; i < t->nfields && strcmp(t->fields[i].key, k) != 0; i++)
			;
		if (i == t->nfields)
			return fail(r, NULL, "unknown key \"%.80s\"", k);
		if (vals[i])
			return fail(r, k, "repeated");
		vals[i] = c;
	}
	if (t->init)
		t->init(o);
	/* In table order, so a guard sees the keys it depends on already read. */
	for (i = 0; i < t->nfields; i++) {
		const struct cw_json_field *f = &t->fields[i];

		if (!o->part[f->part])
			continue;
		if (!vals[i]) {
			if (f->flags & CW_JSON_REQUIRED)
				return fail(r, f->key, "missing");
			if (f->conv->absent && !f->conv->absent(r, f, o))
				return false;
			continue;
		}
		if (f->when && !f->when->holds(o))
			return fail(r, f->key, "%s", f->when->otherwise);
		if (!f->conv->get(r, f, vals[i], o))
			return false;
		if (f->flags & CW_JSON_FLAGGED)
			*(bool *)member(f, o, f->flag) = true;
	}
	return !t->finish || t->finish(r, o);
}

/* ---- numbers ---- */

static uint64_t load_uint(const void *p, size_t size)
{
	switch (size) {
	case 1: return *(const uint8_t *)p;
	case 2: return *(const uint16_t *)p;
	case 4: return *(const uint32_t *)p;
	case 8: return *(const uint64_t *)p;
	}
	cw_fatal("json_schema: no unsigned integer of %zu bytes", size);
}

static void store_uint(void *p, size_t size, uint64_t v)
{
	switch (size) {
	case 1: *(uint8_t *)p = (uint8_t)v; return;
	case 2: *(uint16_t *)p = (uint16_t)v; return;
	case 4: *(uint32_t *)p = (uint32_t)v; return;
	case 8: *(uint64_t *)p = v; return;
	}
	cw_fatal("json_schema: no unsigned integer of %zu bytes", size);
}

static uint64_t max_of(size_t size)
{
	return size >= 8 ? UINT64_MAX : ((uint64_t)1 << (size * 8)) - 1;
}

/* True for a finite double with no fraction. Every double of magnitude
 * 2^52 or more is whole; below that the int64 round trip is exact. */
static bool whole(double d)
{
	if (d >= 4503599627370496.0 || d <= -4503599627370496.0)
		return true;
	return d == (double)(int64_t)d;
}

/* A whole number in [0, max]; key names it in the cause. */
static bool read_uint(struct cw_json_reader *r, const char *key, const cJSON *v, uint64_t max,
		      uint64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return fail(r, key, "not a non-negative number (found %s)", cw_json_type_name(v));
	d = v->valuedouble;
	if (!isfinite(d) || d < 0)
		return fail(r, key, "not a non-negative number (found %g)", d);
	if (!whole(d))
		return fail(r, key, "not a whole number (found %g)", d);
	if (d >= TWO_POW_64 || (uint64_t)d > max)
		return fail(r, key, "out of range (at most %" PRIu64 ")", max);
	*out = (uint64_t)d;
	return true;
}

static cJSON *put_uint(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	uint64_t v = load_uint(at(f, o), f->size);

	return v || !(f->flags & CW_JSON_OMIT_ZERO) ? num((double)v) : NULL;
}

static bool get_uint(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		     const struct cw_json_ref *o)
{
	uint64_t x;

	if (!read_uint(r, f->key, v, max_of(f->size), &x))
		return false;
	if (!x && (f->flags & CW_JSON_NONZERO))
		return fail(r, f->key, "zero");
	store_uint(at(f, o), f->size, x);
	return true;
}

const struct cw_json_conv cw_json_uint = {"uint", put_uint, get_uint, NULL};

static cJSON *put_i64(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	int64_t v = *(int64_t *)at(f, o);

	return v || !(f->flags & CW_JSON_OMIT_ZERO) ? num((double)v) : NULL;
}

static bool get_i64(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		    const struct cw_json_ref *o)
{
	double d;

	if (!cJSON_IsNumber(v))
		return fail(r, f->key, "not a number (found %s)", cw_json_type_name(v));
	d = v->valuedouble;
	if (!isfinite(d) || d < -TWO_POW_63 || d >= TWO_POW_63)
		return fail(r, f->key, "out of range (found %g)", d);
	if (!whole(d))
		return fail(r, f->key, "not a whole number (found %g)", d);
	*(int64_t *)at(f, o) = (int64_t)d;
	return true;
}

const struct cw_json_conv cw_json_i64 = {"i64", put_i64, get_i64, NULL};

static cJSON *put_double(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	double v = *(double *)at(f, o);

	return v != 0 || !(f->flags & CW_JSON_OMIT_ZERO) ? num(v) : NULL;
}

static bool get_ms(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		   const struct cw_json_ref *o)
{
	if (!cJSON_IsNumber(v))
		return fail(r, f->key, "not a non-negative number (found %s)", cw_json_type_name(v));
	if (!isfinite(v->valuedouble) || v->valuedouble < 0)
		return fail(r, f->key, "not a non-negative number (found %g)", v->valuedouble);
	*(double *)at(f, o) = v->valuedouble;
	return true;
}

const struct cw_json_conv cw_json_ms = {"ms", put_double, get_ms, NULL};

static bool get_number(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		       const struct cw_json_ref *o)
{
	if (!cJSON_IsNumber(v))
		return fail(r, f->key, "not a number (found %s)", cw_json_type_name(v));
	if (!isfinite(v->valuedouble))
		return fail(r, f->key, "not a finite number");
	*(double *)at(f, o) = v->valuedouble;
	return true;
}

const struct cw_json_conv cw_json_number = {"number", put_double, get_number, NULL};

/* A uint64_t as a string of decimal digits: as a JSON number it would lose
 * precision past 2^53 in readers that use doubles (jq, JavaScript, cJSON). */
static cJSON *put_u64str(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	uint64_t v = *(uint64_t *)at(f, o);
	char buf[24];

	if (!v && (f->flags & CW_JSON_OMIT_ZERO))
		return NULL;
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return string(buf);
}

static bool get_u64str(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		       const struct cw_json_ref *o)
{
	const char *s = NULL;
	uint64_t x = 0;

	if (!cJSON_IsString(v) || !v->valuestring)
		return fail(r, f->key, "not a string of decimal digits (found %s)", cw_json_type_name(v));
	s = v->valuestring;
	if (!*s)
		return fail(r, f->key, "not a string of decimal digits (found \"\")");
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || *s > '9')
			return fail(r, f->key, "not a string of decimal digits: \"%.24s\"",
				    v->valuestring);
		if (x > (UINT64_MAX - d) / 10)
			return fail(r, f->key, "out of range (at most %" PRIu64 ")", UINT64_MAX);
		x = x * 10 + d;
	}
	if (!x && (f->flags & CW_JSON_NONZERO))
		return fail(r, f->key, "zero");
	*(uint64_t *)at(f, o) = x;
	return true;
}

const struct cw_json_conv cw_json_u64str = {"u64str", put_u64str, get_u64str, NULL};

/* A kernel setting or limit (int64_t): -1 is unknown and left out. JSON
 * numbers are doubles: a value past 2^53 (file-max is often 2^63 - 1,
 * "no limit") comes back rounded, and one that rounds to 2^63 as
 * INT64_MAX, so a written value always reads back. */
static bool read_known(struct cw_json_reader *r, const char *key, const cJSON *v, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return fail(r, key, "not a non-negative number (found %s)", cw_json_type_name(v));
	d = v->valuedouble;
	if (!isfinite(d) || d < 0)
		return fail(r, key, "not a non-negative number (found %g)", d);
	if (!whole(d))
		return fail(r, key, "not a whole number (found %g)", d);
	if (d > TWO_POW_63)
		return fail(r, key, "out of range (found %g)", d);
	*out = d >= TWO_POW_63 ? INT64_MAX : (int64_t)d;
	return true;
}

static cJSON *put_known(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	int64_t v = *(int64_t *)at(f, o);

	return v >= 0 ? num((double)v) : NULL;
}

static bool get_known(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		      const struct cw_json_ref *o)
{
	return read_known(r, f->key, v, at(f, o));
}

static const struct cw_json_conv conv_known = {"known", put_known, get_known, NULL};

/* ip_local_port_range: int64_t[2] (lo, hi) as [lo, hi], ports, lo <= hi;
 * left out when either is unknown. */
static cJSON *put_range(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	const int64_t *p = at(f, o);
	cJSON *arr;

	if (p[0] < 0 || p[1] < 0)
		return NULL;
	arr = must(cJSON_CreateArray());
	cJSON_AddItemToArray(arr, num((double)p[0]));
	cJSON_AddItemToArray(arr, num((double)p[1]));
	return arr;
}

static bool get_range(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		      const struct cw_json_ref *o)
{
	int64_t *p = at(f, o);
	uint64_t lo, hi;

	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2)
		return fail(r, f->key, "not an array of two ports (found %s)", cw_json_type_name(v));
	if (!read_uint(r, f->key, cJSON_GetArrayItem(v, 0), 65535, &lo) ||
	    !read_uint(r, f->key, cJSON_GetArrayItem(v, 1), 65535, &hi))
		return false;
	if (lo > hi)
		return fail(r, f->key, "the first port is above the second");
	p[0] = (int64_t)lo;
	p[1] = (int64_t)hi;
	return true;
}

static const struct cw_json_conv conv_range = {"range", put_range, get_range, NULL};

/* ---- booleans ---- */

static cJSON *put_bool(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	bool b = *(bool *)at(f, o);

	return b || !(f->flags & CW_JSON_OMIT_ZERO) ? must(cJSON_CreateBool(b)) : NULL;
}

static bool read_bool(struct cw_json_reader *r, const char *key, const cJSON *v, bool *out)
{
	if (!cJSON_IsBool(v))
		return fail(r, key, "not true or false (found %s)", cw_json_type_name(v));
	*out = cJSON_IsTrue(v);
	return true;
}

static bool get_bool(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		     const struct cw_json_ref *o)
{
	return read_bool(r, f->key, v, at(f, o));
}

const struct cw_json_conv cw_json_bool = {"bool", put_bool, get_bool, NULL};

/* An int that is 1 (true), 0 (false) or -1 (unknown: left out). */
static cJSON *put_tristate(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	int v = *(int *)at(f, o);

	return v >= 0 ? must(cJSON_CreateBool(v)) : NULL;
}

static bool get_tristate(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
			 const struct cw_json_ref *o)
{
	bool b = false;

	if (!read_bool(r, f->key, v, &b))
		return false;
	*(int *)at(f, o) = b;
	return true;
}

static const struct cw_json_conv conv_tristate = {"tristate", put_tristate, get_tristate, NULL};

/* ---- strings ---- */

/* The raw (unsanitised) string. */
static bool read_raw(struct cw_json_reader *r, const char *key, const cJSON *v, const char **out)
{
	if (!cJSON_IsString(v) || !v->valuestring)
		return fail(r, key, "not a string (found %s)", cw_json_type_name(v));
	*out = v->valuestring;
	return true;
}

static cJSON *put_str(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	const char *s = *(const char **)at(f, o);

	return s ? string(s) : NULL;
}

static bool get_str(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		    const struct cw_json_ref *o)
{
	const char *s = NULL;

	if (!read_raw(r, f->key, v, &s))
		return false;
	*(const char **)at(f, o) = dup_clean(r, s);
	return true;
}

const struct cw_json_conv cw_json_str = {"str", put_str, get_str, NULL};

/* A string from a small set (aux: NULL-terminated), kept as the static
 * name when known so that it compares by pointer; anything else is kept
 * as a sanitised copy. */
static bool get_symbol(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		       const struct cw_json_ref *o)
{
	const char *const *known = f->aux;
	const char *s = NULL;

	if (!read_raw(r, f->key, v, &s))
		return false;
	for (; *known; known++)
		if (strcmp(s, *known) == 0) {
			*(const char **)at(f, o) = *known;
			return true;
		}
	*(const char **)at(f, o) = dup_clean(r, s);
	return true;
}

static const struct cw_json_conv conv_symbol = {"symbol", put_str, get_symbol, NULL};

/* A char array of .size bytes inside the struct. */
static cJSON *put_chars(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	return string(at(f, o));
}

static bool get_chars(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		      const struct cw_json_ref *o)
{
	const char *s = NULL;

	if (!read_raw(r, f->key, v, &s))
		return false;
	cw_sanitize(at(f, o), f->size, s);
	return true;
}

static const struct cw_json_conv conv_chars = {"chars", put_chars, get_chars, NULL};

/* A row's status: NULL is written as "ok", and "ok" read as NULL. */
static cJSON *put_status(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	const char *s = *(const char **)at(f, o);

	return string(s ? s : "ok");
}

static bool get_status(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		       const struct cw_json_ref *o)
{
	const char *s = NULL;

	if (!read_raw(r, f->key, v, &s))
		return false;
	*(const char **)at(f, o) = strcmp(s, "ok") == 0 ? NULL : dup_clean(r, s);
	return true;
}

static const struct cw_json_conv conv_status = {"status", put_status, get_status, NULL};

/* ---- time ---- */

/* RFC 3339 has four-digit years: 0000-01-01T00:00:00.000Z and
 * 9999-12-31T23:59:59.999Z in ms since the epoch. */
#define TIME_MIN_MS (-62167219200000LL)
#define TIME_MAX_MS 253402300799999LL

void cw_json_time(int64_t ms, char *buf, size_t n)
{
	int64_t sec, rem;
	time_t t;
	struct tm tm;

	if (ms < TIME_MIN_MS)
		ms = TIME_MIN_MS;
	if (ms > TIME_MAX_MS)
		ms = TIME_MAX_MS;
	/* Floor division: C's rounds towards zero, which would write -1 ms as
	 * 1970-01-01T00:00:00.-01Z instead of 1969-12-31T23:59:59.999Z. */
	sec = ms / 1000;
	rem = ms % 1000;
	if (rem < 0) {
		rem += 1000;
		sec--;
	}
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)rem);
}

static int digits(const char *s, size_t n)
{
	int v = 0;

	while (n--)
		v = v * 10 + (*s++ - '0');
	return v;
}

bool cw_json_time_parse(const char *s, int64_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	struct tm tm = {0}, want;
	time_t t;
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return false;
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	want = tm;
	/* timegm() normalises what it is given (February 30 becomes March 2,
	 * second 60 the next minute) and -1 is a real answer (one second
	 * before the epoch), so a date is valid when no field moved. */
	t = timegm(&tm);
	if (tm.tm_year != want.tm_year || tm.tm_mon != want.tm_mon || tm.tm_mday != want.tm_mday ||
	    tm.tm_hour != want.tm_hour || tm.tm_min != want.tm_min || tm.tm_sec != want.tm_sec)
		return false;
	*out = (int64_t)t * 1000 + digits(s + 20, 3);
	return true;
}

static cJSON *put_stamp(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	int64_t ms = *(int64_t *)at(f, o);
	char buf[40];

	if (!ms && (f->flags & CW_JSON_OMIT_ZERO))
		return NULL;
	cw_json_time(ms, buf, sizeof(buf));
	return string(buf);
}

static bool get_stamp(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		      const struct cw_json_ref *o)
{
	const char *s = NULL;

	if (!read_raw(r, f->key, v, &s))
		return false;
	if (!cw_json_time_parse(s, at(f, o)))
		return fail(r, f->key,
			    "not RFC 3339 UTC with milliseconds (YYYY-MM-DDTHH:MM:SS.mmmZ): \"%.40s\"", s);
	return true;
}

const struct cw_json_conv cw_json_stamp = {"stamp", put_stamp, get_stamp, NULL};

/* ---- the schema version ---- */

static cJSON *put_schema(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	return num(CW_SNAPSHOT_SCHEMA);
}

static bool get_schema(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		       const struct cw_json_ref *o)
{
	if (!cJSON_IsNumber(v))
		return fail(r, f->key, "not a number (found %s)", cw_json_type_name(v));
	if (v->valuedouble != CW_SNAPSHOT_SCHEMA)
		return fail(r, NULL, "unsupported schema %g: this connwatch reads schema %d only",
			    v->valuedouble, CW_SNAPSHOT_SCHEMA);
	*(int *)at(f, o) = CW_SNAPSHOT_SCHEMA;
	return true;
}

static const struct cw_json_conv conv_schema = {"schema", put_schema, get_schema, NULL};

/* ---- enums ---- */

/* A row's kind by its name. Also sets is_pod, which the "pod" key's guard
 * reads. */
static cJSON *put_kind(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	return string(cw_kind_name(*(enum cw_ns_kind *)at(f, o)));
}

static bool get_kind(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		     const struct cw_json_ref *o)
{
	struct cw_ns_row *row = o->part[0];
	const char *s = NULL;
	unsigned k;

	if (!read_raw(r, f->key, v, &s))
		return false;
	/* cw_kind_name() answers "process" past the last kind, so the first
	 * match is the kind; 32 leaves room for kinds yet to come. */
	for (k = 0; k < 32 && strcmp(s, cw_kind_name((enum cw_ns_kind)k)) != 0; k++)
		;
	if (k == 32)
		return fail(r, f->key, "unknown kind \"%.32s\"", s);
	*(enum cw_ns_kind *)at(f, o) = (enum cw_ns_kind)k;
	row->is_pod = k == CW_KIND_POD || k == CW_KIND_HOSTNET_POD;
	return true;
}

static const struct cw_json_conv conv_kind = {"kind", put_kind, get_kind, NULL};

/* A hostnet-pod row shares the host's inode: its id is its pod cgroup's id
 * (written without the row-id bit), and every other row's is its inode. */
static cJSON *put_row_cgroup(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	struct cw_ns_row row = *(const struct cw_ns_row *)o->part[0];
	const struct cw_json_ref id = {.part = {&row}};

	row.id &= ~CW_ROW_ID_CGROUP;
	return put_u64str(f, &id);
}

static bool get_row_cgroup(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
			   const struct cw_json_ref *o)
{
	struct cw_ns_row *row = o->part[0];

	if (!get_u64str(r, f, v, o))
		return false;
	if (row->id & CW_ROW_ID_CGROUP)
		return fail(r, f->key, "out of range (at most %llu)", ~CW_ROW_ID_CGROUP);
	row->id |= CW_ROW_ID_CGROUP;
	return true;
}

static bool absent_row_cgroup(struct cw_json_reader *r, const struct cw_json_field *f,
			      const struct cw_json_ref *o)
{
	struct cw_ns_row *row = o->part[0];

	if (row->kind == CW_KIND_HOSTNET_POD)
		return fail(r, f->key, "missing");
	row->id = row->inode;
	return true;
}

static const struct cw_json_conv conv_row_cgroup = {"cgroup id", put_row_cgroup, get_row_cgroup,
						    absent_row_cgroup};

/* A counting slot by its canonical name; 0 if none. */
static unsigned state_by_name(const char *s)
{
	unsigned st;

	for (st = CW_TCP_ESTABLISHED; st <= CW_TCP_CLOSING; st++)
		if (strcmp(s, cw_tcp_state_name(st)) == 0)
			return st;
	return 0;
}

/* A socket's state (uint8_t, the kernel's) by the name of its counting
 * slot: NEW_SYN_RECV is written, and read back, as SYN_RECV. */
static cJSON *put_state(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	return string(cw_tcp_state_name(cw_tcp_state_slot(*(uint8_t *)at(f, o))));
}

static bool get_state(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		      const struct cw_json_ref *o)
{
	const char *s = NULL;
	unsigned st;

	if (!read_raw(r, f->key, v, &s))
		return false;
	st = state_by_name(s);
	if (!st)
		return fail(r, f->key, "unknown TCP state \"%.32s\"", s);
	*(uint8_t *)at(f, o) = (uint8_t)st;
	return true;
}

static const struct cw_json_conv conv_state = {"state", put_state, get_state, NULL};

/* A peer's direction (uint8_t): "in" or "out". */
static cJSON *put_dir(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	return string(cw_peer_dir_name(*(uint8_t *)at(f, o)));
}

static bool get_dir(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		    const struct cw_json_ref *o)
{
	const char *s = NULL;

	if (!read_raw(r, f->key, v, &s))
		return false;
	if (strcmp(s, cw_peer_dir_name(CW_PEER_IN)) == 0)
		*(uint8_t *)at(f, o) = CW_PEER_IN;
	else if (strcmp(s, cw_peer_dir_name(CW_PEER_OUT)) == 0)
		*(uint8_t *)at(f, o) = CW_PEER_OUT;
	else
		return fail(r, f->key, "not \"in\" or \"out\": \"%.32s\"", s);
	return true;
}

static const struct cw_json_conv conv_dir = {"direction", put_dir, get_dir, NULL};

/* ---- addresses ---- */

static cJSON *addr_json(const struct cw_addr *a)
{
	char buf[64];

	return string(cw_addr_str(a, buf, sizeof(buf)));
}

static bool read_addr(struct cw_json_reader *r, const char *key, const cJSON *v, struct cw_addr *a)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const char *s = NULL;

	if (!read_raw(r, key, v, &s))
		return false;
	if (!cw_addr_parse(s, a))
		return fail(r, key, "not an IP address: \"%.46s\"", s);
	/* Stored as the family it means, as the collector does. */
	if (a->family == AF_INET6 && memcmp(a->bytes, mapped, sizeof(mapped)) == 0) {
		memmove(a->bytes, a->bytes + 12, 4);
		memset(a->bytes + 4, 0, 12);
		a->family = AF_INET;
	}
	return true;
}

static cJSON *put_addr(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	return addr_json(at(f, o));
}

static bool get_addr(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		     const struct cw_json_ref *o)
{
	return read_addr(r, f->key, v, at(f, o));
}

static const struct cw_json_conv conv_addr = {"addr", put_addr, get_addr, NULL};

/* ---- TCP state maps and totals ---- */

/* {"ESTABLISHED": n, ...} over uint32_t[CW_TCP_NSTATES], in kernel order:
 * every state (a row's), or only the non-zero ones (a peer's). */
static cJSON *tcp_json(const uint32_t *tcp, bool nonzero_only)
{
	cJSON *o = must(cJSON_CreateObject());
	unsigned st;

	for (st = CW_TCP_ESTABLISHED; st <= CW_TCP_CLOSING; st++)
		if (!nonzero_only || tcp[st])
			cJSON_AddItemToObjectCS(o, cw_tcp_state_name(st), num(tcp[st]));
	return o;
}

static cJSON *put_tcp_all(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	return tcp_json(at(f, o), false);
}

static cJSON *put_tcp_nonzero(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	return tcp_json(at(f, o), true);
}

static bool get_tcp(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		    const struct cw_json_ref *o)
{
	uint32_t *tcp = at(f, o);
	const cJSON *c;
	unsigned st, seen = 0;
	uint64_t x;
	size_t len;
	bool okay = true;

	if (!cJSON_IsObject(v))
		return fail(r, f->key, "not an object (found %s)", cw_json_type_name(v));
	len = cw_json_reader_push_key(r, f->key);
	cJSON_ArrayForEach(c, v) {
		const char *name = c->string ? c->string : "";

		st = state_by_name(name);
		if (!st)
			okay = fail(r, name, "unknown TCP state");
		else if (seen & (1u << st))
			okay = fail(r, name, "repeated");
		else
			okay = read_uint(r, name, c, UINT32_MAX, &x);
		if (!okay)
			break;
		seen |= 1u << st;
		tcp[st] = (uint32_t)x;
	}
	cw_json_reader_pop(r, len);
	return okay;
}

static const struct cw_json_conv conv_tcp_all = {"tcp_all", put_tcp_all, get_tcp, NULL};

/* Rates and changes per second: written to a thousandth, which is all a
 * reader can use and keeps a written document stable when read back. */
static double per_second(double v)
{
	double r = round(v * 1000.0) / 1000.0;

	return r == 0 ? 0 : r; /* no "-0" */
}

static cJSON *put_rate(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	return num(per_second(*(double *)at(f, o)));
}

/* Counter rates are never negative: a counter that went back gives none. */
static const struct cw_json_conv conv_rate = {"rate", put_rate, get_ms, NULL};

/* Where a row's per-state counts came from: a bool (from_events) written
 * as "events"; a dump's are left out (reading takes "dump" too), so that
 * snapshots without events are as they were. */
static cJSON *put_source_counts(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	return *(bool *)at(f, o) ? string("events") : NULL;
}

static bool get_source_counts(struct cw_json_reader *r, const struct cw_json_field *f,
			      const cJSON *v, const struct cw_json_ref *o)
{
	const char *s = NULL;

	if (!read_raw(r, f->key, v, &s))
		return false;
	if (strcmp(s, "events") != 0 && strcmp(s, "dump") != 0)
		return fail(r, f->key, "not \"events\" or \"dump\" (found \"%.32s\")", s);
	*(bool *)at(f, o) = s[0] == 'e';
	return true;
}

static const struct cw_json_conv conv_source_counts = {"source_counts", put_source_counts,
						       get_source_counts, NULL};

/* {"ESTABLISHED": change per second, ...} over double[CW_TCP_NSTATES], every
 * state as in "tcp"; slot 0 (all states) is their sum and is not written. */
static cJSON *put_change(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	const double *v = at(f, o);
	cJSON *obj = must(cJSON_CreateObject());
	unsigned st;

	for (st = CW_TCP_ESTABLISHED; st <= CW_TCP_CLOSING; st++)
		cJSON_AddItemToObjectCS(obj, cw_tcp_state_name(st), num(per_second(v[st])));
	return obj;
}

static bool get_change(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		       const struct cw_json_ref *o)
{
	double *out = at(f, o);
	const cJSON *c;
	unsigned st, seen = 0;
	size_t len;
	bool okay = true;

	if (!cJSON_IsObject(v))
		return fail(r, f->key, "not an object (found %s)", cw_json_type_name(v));
	len = cw_json_reader_push_key(r, f->key);
	out[0] = 0;
	cJSON_ArrayForEach(c, v) {
		const char *name = c->string ? c->string : "";

		st = state_by_name(name);
		if (!st)
			okay = fail(r, name, "unknown TCP state");
		else if (seen & (1u << st))
			okay = fail(r, name, "repeated");
		else if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble))
			okay = fail(r, name, "not a finite number (found %s)", cw_json_type_name(c));
		if (!okay)
			break;
		seen |= 1u << st;
		out[st] = c->valuedouble;
		out[0] += c->valuedouble;
	}
	cw_json_reader_pop(r, len);
	return okay;
}

static const struct cw_json_conv conv_change = {"change", put_change, get_change, NULL};
static const struct cw_json_conv conv_tcp_nonzero = {"tcp_nonzero", put_tcp_nonzero, get_tcp, NULL};

/* A uint32_t total of the state map at .states; absent, the sum. */
static bool total_absent(struct cw_json_reader *r, const struct cw_json_field *f,
			 const struct cw_json_ref *o)
{
	const uint32_t *tcp = member(f, o, f->states);
	uint64_t sum = 0;
	unsigned st;

	for (st = CW_TCP_ESTABLISHED; st <= CW_TCP_CLOSING; st++)
		sum += tcp[st];
	if (sum > UINT32_MAX)
		return fail(r, f->key, "missing, and the states sum past 2^32");
	*(uint32_t *)at(f, o) = (uint32_t)sum;
	return true;
}

static const struct cw_json_conv conv_total = {"total", put_uint, get_uint, total_absent};

/* A size_t count of things of which only some are listed (the list's
 * count at .count, its key in aux): at least the list; absent, the list. */
static bool get_listed(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		       const struct cw_json_ref *o)
{
	uint64_t x;

	if (!read_uint(r, f->key, v, SIZE_MAX, &x))
		return false;
	if (x < *count_of(f, o))
		return fail(r, f->key, "fewer than the %s listed", (const char *)f->aux);
	*(size_t *)at(f, o) = (size_t)x;
	return true;
}

static bool listed_absent(struct cw_json_reader *r, const struct cw_json_field *f,
			  const struct cw_json_ref *o)
{
	*(size_t *)at(f, o) = *count_of(f, o);
	return true;
}

static const struct cw_json_conv conv_listed = {"listed", put_uint, get_listed, listed_absent};

/* ---- objects and lists ---- */

/* A struct at .off (inside the object, or the object itself at 0). */
static cJSON *put_obj(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	struct cw_json_ref sub = {{at(f, o), NULL}};

	return cw_json_schema_write(f->sub, &sub);
}

static bool get_obj(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		    const struct cw_json_ref *o)
{
	struct cw_json_ref sub = {{at(f, o), NULL}};
	size_t len = cw_json_reader_push_key(r, f->key);
	bool okay = cw_json_schema_read(r, f->sub, v, &sub);

	cw_json_reader_pop(r, len);
	return okay;
}

const struct cw_json_conv cw_json_obj = {"object", put_obj, get_obj, NULL};

/* Counts an array's items; false if it is not an array. */
static bool array_len(struct cw_json_reader *r, const char *key, const cJSON *v, size_t *n)
{
	const cJSON *c;

	if (!cJSON_IsArray(v))
		return fail(r, key, "not an array (found %s)", cw_json_type_name(v));
	*n = 0;
	cJSON_ArrayForEach(c, v)
		(*n)++;
	return true;
}

static cJSON *array(void)
{
	return must(cJSON_CreateArray());
}

/* Reads each element of the array v (under key) with fn(r, element, i,
 * ctx), the path naming the element; stops at the first that fails.
 * *done is how many were read. */
static bool read_each(struct cw_json_reader *r, const char *key, const cJSON *v,
		      bool (*fn)(struct cw_json_reader *r, const cJSON *c, size_t i, void *ctx),
		      void *ctx, size_t *done)
{
	const cJSON *c;
	size_t i = 0, len = cw_json_reader_push_key(r, key);
	bool okay = true;

	cJSON_ArrayForEach(c, v) {
		size_t el = cw_json_reader_push_index(r, i);

		okay = fn(r, c, i, ctx);
		cw_json_reader_pop(r, el);
		if (!okay)
			break;
		i++;
	}
	cw_json_reader_pop(r, len);
	*done = i;
	return okay;
}

/* A pointer at .off to .count structs described by .sub; always written,
 * even empty. Lists read back are never NULL, as the collector's rows are
 * not, so that callers may hand them to qsort() or memcpy() even empty. */
static cJSON *put_list(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	char *v = *(char **)at(f, o);
	size_t i, n = *count_of(f, o);
	cJSON *arr;

	if (!n && (f->flags & CW_JSON_OMIT_ZERO))
		return NULL;
	arr = array();
	for (i = 0; i < n; i++) {
		struct cw_json_ref el = {{v + i * f->sub->size, NULL}};

		cJSON_AddItemToArray(arr, cw_json_schema_write(f->sub, &el));
	}
	return arr;
}

struct list_ctx {
	const struct cw_json_object *sub;
	char *els;
};

static bool list_el(struct cw_json_reader *r, const cJSON *c, size_t i, void *ctx)
{
	struct list_ctx *x = ctx;
	struct cw_json_ref el = {{x->els + i * x->sub->size, NULL}};

	return cw_json_schema_read(r, x->sub, c, &el);
}

static bool get_list(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		     const struct cw_json_ref *o)
{
	struct list_ctx x = {f->sub, NULL};
	size_t n, i;
	bool okay;

	if (!array_len(r, f->key, v, &n))
		return false;
	x.els = cw_arena_alloc(r->arena, (n ? n : 1) * f->sub->size);
	okay = read_each(r, f->key, v, list_el, &x, &i);
	*(void **)at(f, o) = x.els;
	*count_of(f, o) = i;
	return okay;
}

const struct cw_json_conv cw_json_list = {"list", put_list, get_list, NULL};

/* struct cw_addr *, .count of them, as strings; always written. */
static cJSON *put_addr_list(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	const struct cw_addr *a = *(struct cw_addr **)at(f, o);
	size_t i, n = *count_of(f, o);
	cJSON *arr = array();

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, addr_json(&a[i]));
	return arr;
}

static bool addr_el(struct cw_json_reader *r, const cJSON *c, size_t i, void *ctx)
{
	return read_addr(r, NULL, c, &((struct cw_addr *)ctx)[i]);
}

static bool get_addr_list(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
			  const struct cw_json_ref *o)
{
	struct cw_addr *a;
	size_t n, i;
	bool okay;

	if (!array_len(r, f->key, v, &n))
		return false;
	a = cw_arena_alloc(r->arena, (n ? n : 1) * sizeof(*a));
	okay = read_each(r, f->key, v, addr_el, a, &i);
	*(struct cw_addr **)at(f, o) = a;
	*count_of(f, o) = i;
	return okay;
}

static const struct cw_json_conv conv_addr_list = {"addr_list", put_addr_list, get_addr_list, NULL};

/* const char **, .count of them; always written. */
static cJSON *put_str_list(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	const char *const *s = *(const char ***)at(f, o);
	size_t i, n = *count_of(f, o);
	cJSON *arr = array();

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, string(s[i]));
	return arr;
}

static bool str_el(struct cw_json_reader *r, const cJSON *c, size_t i, void *ctx)
{
	const char *raw = NULL;

	if (!read_raw(r, NULL, c, &raw))
		return false;
	((const char **)ctx)[i] = dup_clean(r, raw);
	return true;
}

static bool get_str_list(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
			 const struct cw_json_ref *o)
{
	const char **s;
	size_t n, i;
	bool okay;

	if (!array_len(r, f->key, v, &n))
		return false;
	s = cw_arena_alloc(r->arena, (n ? n : 1) * sizeof(*s));
	okay = read_each(r, f->key, v, str_el, s, &i);
	*(const char ***)at(f, o) = s;
	*count_of(f, o) = i;
	return okay;
}

static const struct cw_json_conv conv_str_list = {"str_list", put_str_list, get_str_list, NULL};

/* A process id (int32_t): 1 to INT32_MAX; 0 means none and is left out. */
static bool read_pid(struct cw_json_reader *r, const char *key, const cJSON *v, int32_t *out)
{
	uint64_t x;

	if (!read_uint(r, key, v, INT32_MAX, &x))
		return false;
	if (!x)
		return fail(r, key, "not a process id (found 0)");
	*out = (int32_t)x;
	return true;
}

static cJSON *put_pid(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	int32_t pid = *(int32_t *)at(f, o);

	return pid ? num(pid) : NULL;
}

static bool get_pid(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		    const struct cw_json_ref *o)
{
	return read_pid(r, f->key, v, at(f, o));
}

static const struct cw_json_conv conv_pid = {"pid", put_pid, get_pid, NULL};

/* int32_t[CW_ROW_MAXPIDS] with a size_t count; left out when empty. */
static cJSON *put_pids(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	const int32_t *p = at(f, o);
	size_t i, n = *count_of(f, o);
	cJSON *arr;

	if (!n)
		return NULL;
	arr = array();
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, num(p[i]));
	return arr;
}

static bool pid_el(struct cw_json_reader *r, const cJSON *c, size_t i, void *ctx)
{
	return read_pid(r, NULL, c, &((int32_t *)ctx)[i]);
}

static bool get_pids(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		     const struct cw_json_ref *o)
{
	int32_t *p = at(f, o);
	size_t n, i;
	bool okay;

	if (!array_len(r, f->key, v, &n))
		return false;
	if (n > f->size / sizeof(*p))
		return fail(r, f->key, "more than %zu pids", f->size / sizeof(*p));
	okay = read_each(r, f->key, v, pid_el, p, &i);
	*count_of(f, o) = i;
	return okay;
}

static const struct cw_json_conv conv_pids = {"pids", put_pids, get_pids, NULL};

/* A row's sockets (struct cw_sock *, .count) with the parallel owners
 * (row->owners, which may be NULL when writing): each socket object is the
 * pair. Written when socks is set, even empty: that means they were asked
 * for; so on reading both arrays are allocated even for an empty list. */
static cJSON *put_sockets(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	const struct cw_ns_row *row = o->part[0];
	size_t i;
	cJSON *arr;

	if (!row->socks)
		return NULL;
	arr = array();
	for (i = 0; i < row->nsocks; i++) {
		struct cw_json_ref el = {{&row->socks[i], row->owners ? &row->owners[i] : NULL}};

		cJSON_AddItemToArray(arr, cw_json_schema_write(f->sub, &el));
	}
	return arr;
}

struct sock_ctx {
	const struct cw_json_object *sub;
	struct cw_ns_row *row;
};

static bool sock_el(struct cw_json_reader *r, const cJSON *c, size_t i, void *ctx)
{
	struct sock_ctx *x = ctx;
	struct cw_json_ref el = {{&x->row->socks[i], &x->row->owners[i]}};

	return cw_json_schema_read(r, x->sub, c, &el);
}

static bool get_sockets(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
			const struct cw_json_ref *o)
{
	struct sock_ctx x = {f->sub, o->part[0]};
	size_t n;

	if (!array_len(r, f->key, v, &n))
		return false;
	x.row->socks = cw_arena_alloc(r->arena, (n ? n : 1) * sizeof(*x.row->socks));
	x.row->owners = cw_arena_alloc(r->arena, (n ? n : 1) * sizeof(*x.row->owners));
	return read_each(r, f->key, v, sock_el, &x, &x.row->nsocks);
}

static const struct cw_json_conv conv_sockets = {"sockets", put_sockets, get_sockets, NULL};

/* ---- findings ---- */

/* An enum by its name: aux is a struct names (the enum's name and parse
 * functions, as in snapshot.h). */
struct names {
	const char *(*name)(int v);
	int (*parse)(const char *s);
	const char *what;
};

static cJSON *put_enum(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	const struct names *n = f->aux;

	return string(n->name(*(int *)at(f, o)));
}

static bool get_enum(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
		     const struct cw_json_ref *o)
{
	const struct names *n = f->aux;
	const char *s = NULL;
	int k;

	if (!read_raw(r, f->key, v, &s))
		return false;
	k = n->parse(s);
	if (k < 0)
		return fail(r, f->key, "unknown %s \"%.32s\"", n->what, s);
	*(int *)at(f, o) = k;
	return true;
}

static const struct cw_json_conv conv_enum = {"enum", put_enum, get_enum, NULL};

static const char *rule_name(int v) { return cw_rule_name((enum cw_rule)v); }
static const char *severity_name(int v) { return cw_severity_name((enum cw_severity)v); }
static const struct names rule_names = {rule_name, cw_rule_parse, "rule"};
static const struct names severity_names = {severity_name, cw_severity_parse, "severity"};
_Static_assert(sizeof(enum cw_rule) == sizeof(int) && sizeof(enum cw_severity) == sizeof(int),
	       "enums are read and written as int");

/* A finding's evidence, {"key": number or string, ...}, in its order. */
static cJSON *put_evidence(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	const struct cw_finding *fd = o->part[0];
	cJSON *obj = must(cJSON_CreateObject());
	size_t i;

	for (i = 0; i < fd->nevidence; i++) {
		const struct cw_evidence *e = &fd->evidence[i];

		cJSON_AddItemToObject(obj, e->key, e->str ? string(e->str) : num(e->num));
	}
	return obj;
}

/* Each value's path is its key ("evidence.slope"), so the loop is its own
 * rather than read_each's, which names elements by index. */
static bool evidence_el(struct cw_json_reader *r, const cJSON *c, struct cw_evidence *ev, size_t i)
{
	const char *key = c->string ? c->string : "";
	size_t k;

	for (k = 0; k < i; k++)
		if (strcmp(ev[k].key, key) == 0)
			return fail(r, NULL, "repeated");
	ev[i].key = dup_clean(r, key);
	if (cJSON_IsString(c))
		ev[i].str = dup_clean(r, c->valuestring);
	else if (cJSON_IsNumber(c) && isfinite(c->valuedouble))
		ev[i].num = c->valuedouble;
	else
		return fail(r, NULL, "not a string or a finite number (found %s)", cw_json_type_name(c));
	return true;
}

static bool get_evidence(struct cw_json_reader *r, const struct cw_json_field *f, const cJSON *v,
			 const struct cw_json_ref *o)
{
	struct cw_finding *fd = o->part[0];
	size_t n = 0, len;
	const cJSON *c;
	bool okay = true;

	if (!cJSON_IsObject(v))
		return fail(r, f->key, "not an object (found %s)", cw_json_type_name(v));
	cJSON_ArrayForEach(c, v)
		n++;
	fd->evidence = cw_arena_alloc(r->arena, (n ? n : 1) * sizeof(*fd->evidence));
	fd->nevidence = 0;
	len = cw_json_reader_push_key(r, f->key);
	cJSON_ArrayForEach(c, v) {
		size_t el = cw_json_reader_push_key(r, c->string ? c->string : "");

		okay = evidence_el(r, c, fd->evidence, fd->nevidence);
		cw_json_reader_pop(r, el);
		if (!okay)
			break;
		fd->nevidence++;
	}
	cw_json_reader_pop(r, len);
	return okay;
}

static const struct cw_json_conv conv_evidence = {"evidence", put_evidence, get_evidence, NULL};

/* A finding about a hostnet-pod row names its pod's cgroup, as the row
 * does; every other finding's row is its inode (0: the node). */
static cJSON *put_finding_cgroup(const struct cw_json_field *f, const struct cw_json_ref *o)
{
	const struct cw_finding *fd = o->part[0];
	char buf[24];

	if (!(fd->id & CW_ROW_ID_CGROUP))
		return NULL;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(fd->id & ~CW_ROW_ID_CGROUP));
	return string(buf);
}

static bool get_finding_cgroup(struct cw_json_reader *r, const struct cw_json_field *f,
			       const cJSON *v, const struct cw_json_ref *o)
{
	struct cw_finding *fd = o->part[0];

	if (!get_u64str(r, f, v, o))
		return false;
	if (!fd->id || (fd->id & CW_ROW_ID_CGROUP))
		return fail(r, f->key, "out of range (1 to %llu)", ~CW_ROW_ID_CGROUP);
	fd->id |= CW_ROW_ID_CGROUP;
	return true;
}

static bool absent_finding_cgroup(struct cw_json_reader *r, const struct cw_json_field *f,
				  const struct cw_json_ref *o)
{
	struct cw_finding *fd = o->part[0];

	fd->id = fd->inode;
	return true;
}

static const struct cw_json_conv conv_finding_cgroup = {"cgroup id", put_finding_cgroup,
							get_finding_cgroup, absent_finding_cgroup};

/* ---- guards ---- */

static bool row_is_pod(const struct cw_json_ref *o)
{
	return ((const struct cw_ns_row *)o->part[0])->is_pod;
}

static bool row_is_hostnet(const struct cw_json_ref *o)
{
	return ((const struct cw_ns_row *)o->part[0])->kind == CW_KIND_HOSTNET_POD;
}

static bool row_has_exact(const struct cw_json_ref *o)
{
	return ((const struct cw_ns_row *)o->part[0])->has_exact;
}

static bool row_has_pids(const struct cw_json_ref *o)
{
	return ((const struct cw_ns_row *)o->part[0])->npids > 0;
}

static bool owner_has_pid(const struct cw_json_ref *o)
{
	return o->part[1] && ((const struct cw_owner *)o->part[1])->pid != 0;
}

static const struct cw_json_guard when_pod = {row_is_pod, "present for a row that is not a pod"};
static const struct cw_json_guard when_hostnet = {row_is_hostnet,
						 "present for a row that is not a hostnet-pod"};
static const struct cw_json_guard when_exact = {row_has_exact, "present without exact_age_ms"};

static bool row_from_events(const struct cw_json_ref *o)
{
	return ((const struct cw_ns_row *)o->part[0])->from_events;
}

static const struct cw_json_guard when_events = {row_from_events,
						 "present without \"source_counts\": \"events\""};
static const struct cw_json_guard when_pids = {row_has_pids, "present without pids"};
static const struct cw_json_guard when_pid = {owner_has_pid, "present without pid"};

/* ---- the tables ---- */

#define REQ CW_JSON_REQUIRED
#define FLAGGED(type, m) .flags = CW_JSON_FLAGGED, .flag = offsetof(type, m)
#define TABLE(name, fields, type, init, finish)                                           \
	{name, fields, CW_ARRAY_LEN(fields), sizeof(type), init, finish};                    \
	_Static_assert(CW_ARRAY_LEN(fields) <= CW_JSON_MAXKEYS, "too many keys in " name)

#define INFO(m) CW_JSON_AT(struct cw_tcpinfo, m)
static const struct cw_json_field info_fields[] = {
	{"rtt_us",        &cw_json_uint, INFO(rtt_us)},
	{"rttvar_us",     &cw_json_uint, INFO(rttvar_us)},
	{"retransmits",   &cw_json_uint, INFO(retransmits)},
	{"total_retrans", &cw_json_uint, INFO(total_retrans)},
	{"last_send_ms",  &cw_json_uint, INFO(last_data_sent_ms)},
	{"last_recv_ms",  &cw_json_uint, INFO(last_data_recv_ms)},
	{"unacked",       &cw_json_uint, INFO(unacked)},
	{"lost",          &cw_json_uint, INFO(lost)},
};
static const struct cw_json_object info_object =
	TABLE("tcp_info", info_fields, struct cw_tcpinfo, NULL, NULL);

/* The kernel's family is not written: the addresses say it. */
static bool socket_finish(struct cw_json_reader *r, const struct cw_json_ref *o)
{
	struct cw_sock *s = o->part[0];

	s->family = s->src.family == AF_INET6 || s->dst.family == AF_INET6 ? AF_INET6 : AF_INET;
	return true;
}

/* Part 0 is the struct cw_sock, part 1 its struct cw_owner. */
#define SOCK(m) CW_JSON_AT(struct cw_sock, m)
#define OWNER(m) CW_JSON_AT(struct cw_owner, m), .part = 1
static const struct cw_json_field socket_fields[] = {
	{"state",      &conv_state,     SOCK(state), .flags = REQ},
	{"local",      &conv_addr,      SOCK(src), .flags = REQ},
	{"lport",      &cw_json_uint,   SOCK(sport), .flags = REQ},
	{"remote",     &conv_addr,      SOCK(dst), .flags = REQ},
	{"rport",      &cw_json_uint,   SOCK(dport), .flags = REQ},
	{"recv_q",     &cw_json_uint,   SOCK(rqueue)},
	{"send_q",     &cw_json_uint,   SOCK(wqueue)},
	{"timer",      &cw_json_uint,   SOCK(timer)},
	{"expires_ms", &cw_json_uint,   SOCK(expires_ms)},
	{"uid",        &cw_json_uint,   SOCK(uid)},
	{"inode",      &cw_json_uint,   SOCK(inode)},
	{"cookie",     &cw_json_u64str, SOCK(cookie)},
	{"cgroup_id",  &cw_json_u64str, SOCK(cgroup_id), .flags = CW_JSON_OMIT_ZERO},
	{"pid",        &conv_pid,       OWNER(pid)},
	{"comm",       &conv_chars,     OWNER(comm), .when = &when_pid},
	{"info",       &cw_json_obj,    SOCK(info), FLAGGED(struct cw_sock, has_info),
	                                .sub = &info_object},
};
static const struct cw_json_object socket_object =
	TABLE("socket", socket_fields, struct cw_sock, NULL, socket_finish);

#define LISTENER(m) CW_JSON_AT(struct cw_listener, m)
static const struct cw_json_field listener_fields[] = {
	{"addr",    &conv_addr,    LISTENER(addr), .flags = REQ},
	{"port",    &cw_json_uint, LISTENER(port), .flags = REQ},
	{"queue",   &cw_json_uint, LISTENER(queue)},
	{"backlog", &cw_json_uint, LISTENER(backlog)},
};
static const struct cw_json_object listener_object =
	TABLE("listener", listener_fields, struct cw_listener, NULL, NULL);

#define PEER(m) CW_JSON_AT(struct cw_peer, m)
static const struct cw_json_field peer_fields[] = {
	{"direction", &conv_dir,         PEER(dir), .flags = REQ},
	{"addr",      &conv_addr,        PEER(addr), .flags = REQ},
	{"port",      &cw_json_uint,     PEER(port), .flags = REQ},
	{"tcp",       &conv_tcp_nonzero, PEER(tcp)},
	{"total",     &conv_total,       PEER(total), .states = offsetof(struct cw_peer, tcp)},
	{"udp",       &cw_json_uint,     PEER(udp), .flags = CW_JSON_OMIT_ZERO},
};
static const struct cw_json_object peer_object =
	TABLE("peer", peer_fields, struct cw_peer, NULL, NULL);

#define ENDPOINT(m) CW_JSON_AT(struct cw_endpoint, m)
static const struct cw_json_field endpoint_fields[] = {
	{"direction", &conv_dir,     ENDPOINT(dir), .flags = REQ},
	{"addr",      &conv_addr,    ENDPOINT(addr), .flags = REQ},
	{"port",      &cw_json_uint, ENDPOINT(port), .flags = REQ},
};
static const struct cw_json_object endpoint_object =
	TABLE("endpoint", endpoint_fields, struct cw_endpoint, NULL, NULL);

#define FINDING(m) CW_JSON_AT(struct cw_finding, m)
static const struct cw_json_field finding_fields[] = {
	{"rule",      &conv_enum,           FINDING(rule), .flags = REQ, .aux = &rule_names},
	{"severity",  &conv_enum,           FINDING(severity), .flags = REQ, .aux = &severity_names},
	{"inode",     &cw_json_uint,        FINDING(inode), .flags = REQ},
	{"cgroup_id", &conv_finding_cgroup, FINDING(id)},
	{"label",     &cw_json_str,         FINDING(label), .flags = REQ},
	{"since",     &cw_json_stamp,       FINDING(since_ms), .flags = REQ},
	{"text",      &cw_json_str,         FINDING(text), .flags = REQ},
	{"evidence",  &conv_evidence,       .off = 0},
	{"next",      &cw_json_str,         FINDING(next)},
	{"peer",      &cw_json_obj,         FINDING(peer), FLAGGED(struct cw_finding, has_peer),
	                                    .sub = &endpoint_object},
	{"pid",       &conv_pid,            FINDING(pid)},
};
static const struct cw_json_object finding_object =
	TABLE("finding", finding_fields, struct cw_finding, NULL, NULL);

#define TRANS(m) CW_JSON_AT(struct cw_transition, m)
static const struct cw_json_field transition_fields[] = {
	{"comm",  &cw_json_str, TRANS(comm), .flags = REQ},
	{"state", &conv_state,  TRANS(state), .flags = REQ},
	{"per_s", &conv_rate,   TRANS(per_s), .flags = REQ},
};
static const struct cw_json_object transition_object =
	TABLE("transition", transition_fields, struct cw_transition, NULL, NULL);

#define COUNTER(m) CW_JSON_AT(struct cw_counters, m)
static const struct cw_json_field counters_fields[] = {
	{"curr_estab",       &cw_json_uint, COUNTER(curr_estab)},
	{"tw",               &cw_json_uint, COUNTER(tw)},
	{"inuse",            &cw_json_uint, COUNTER(inuse)},
	{"active_opens",     &cw_json_uint, COUNTER(active_opens)},
	{"passive_opens",    &cw_json_uint, COUNTER(passive_opens)},
	{"attempt_fails",    &cw_json_uint, COUNTER(attempt_fails)},
	{"estab_resets",     &cw_json_uint, COUNTER(estab_resets)},
	{"in_errs",          &cw_json_uint, COUNTER(in_errs)},
	{"out_rsts",         &cw_json_uint, COUNTER(out_rsts)},
	{"listen_overflows", &cw_json_uint, COUNTER(listen_overflows)},
	{"listen_drops",     &cw_json_uint, COUNTER(listen_drops)},
};
static const struct cw_json_object counters_object =
	TABLE("counters", counters_fields, struct cw_counters, NULL, NULL);

#define RATE(m) CW_JSON_AT(struct cw_rates, m)
static const struct cw_json_field rates_fields[] = {
	{"active_opens",     &conv_rate, RATE(active_opens)},
	{"passive_opens",    &conv_rate, RATE(passive_opens)},
	{"attempt_fails",    &conv_rate, RATE(attempt_fails)},
	{"estab_resets",     &conv_rate, RATE(estab_resets)},
	{"in_errs",          &conv_rate, RATE(in_errs)},
	{"out_rsts",         &conv_rate, RATE(out_rsts)},
	{"listen_overflows", &conv_rate, RATE(listen_overflows)},
	{"listen_drops",     &conv_rate, RATE(listen_drops)},
};
static const struct cw_json_object rates_object =
	TABLE("rates", rates_fields, struct cw_rates, NULL, NULL);

/* A namespace's kernel settings, by their kernel names; unknown ones are
 * left out. The range is the two int64_t port_lo and port_hi. */
_Static_assert(offsetof(struct cw_sysctls, port_hi) == offsetof(struct cw_sysctls, port_lo) +
	       sizeof(int64_t), "ip_local_port_range is two int64_t side by side");
#define SYSCTL(m) CW_JSON_AT(struct cw_sysctls, m)
#define SYSCTL_RANGE(type, pre) .off = offsetof(type, pre port_lo), .size = 2 * sizeof(int64_t)
static const struct cw_json_field sysctl_fields[] = {
	{"tcp_tw_reuse",            &conv_known, SYSCTL(tcp_tw_reuse)},
	{"tcp_fin_timeout",         &conv_known, SYSCTL(tcp_fin_timeout)},
	{"tcp_max_tw_buckets",      &conv_known, SYSCTL(tcp_max_tw_buckets)},
	{"ip_local_port_range",     &conv_range, SYSCTL_RANGE(struct cw_sysctls, )},
	{"somaxconn",               &conv_known, SYSCTL(somaxconn)},
	{"tcp_child_ehash_entries", &conv_known, SYSCTL(tcp_child_ehash_entries)},
	{"nf_conntrack_count",      &conv_known, SYSCTL(conntrack_count)},
};

static void sysctl_init(const struct cw_json_ref *o)
{
	cw_sysctls_unknown(o->part[0]);
}

static const struct cw_json_object sysctl_object =
	TABLE("sysctl", sysctl_fields, struct cw_sysctls, sysctl_init, NULL);

/* The node's limits and the host namespace's settings, flat, by their
 * kernel names (file-nr as /proc/sys/fs names it). */
#define NODE(m) CW_JSON_AT(struct cw_node, m)
static const struct cw_json_field node_fields[] = {
	{"file-nr",                 &conv_known, NODE(file_nr)},
	{"file-max",                &conv_known, NODE(file_max)},
	{"nf_conntrack_count",      &conv_known, NODE(sysctl.conntrack_count)},
	{"nf_conntrack_max",        &conv_known, NODE(conntrack_max)},
	{"tcp_tw_reuse",            &conv_known, NODE(sysctl.tcp_tw_reuse)},
	{"tcp_fin_timeout",         &conv_known, NODE(sysctl.tcp_fin_timeout)},
	{"tcp_max_tw_buckets",      &conv_known, NODE(sysctl.tcp_max_tw_buckets)},
	{"ip_local_port_range",     &conv_range, SYSCTL_RANGE(struct cw_node, sysctl.)},
	{"somaxconn",               &conv_known, NODE(sysctl.somaxconn)},
	{"tcp_child_ehash_entries", &conv_known, NODE(sysctl.tcp_child_ehash_entries)},
};

static void node_init(const struct cw_json_ref *o)
{
	cw_node_unknown(o->part[0]);
}

static const struct cw_json_object node_object =
	TABLE("node", node_fields, struct cw_node, node_init, NULL);

/* The "pod" object is made of the row's own pod fields. */
#define ROW(m) CW_JSON_AT(struct cw_ns_row, m)
#define ROW_COUNT(m) .count = offsetof(struct cw_ns_row, m)
static const struct cw_json_field pod_fields[] = {
	{"namespace",  &cw_json_str,   ROW(pod_ns)},
	{"name",       &cw_json_str,   ROW(pod_name)},
	{"uid",        &cw_json_str,   ROW(pod_uid)},
	{"workload",   &cw_json_str,   ROW(workload)},
	{"containers", &conv_str_list, ROW(containers), ROW_COUNT(ncontainers)},
};
static const struct cw_json_object pod_object =
	TABLE("pod", pod_fields, struct cw_ns_row, NULL, NULL);

/* What absence means for a row: no exact counts yet, the hash and the
 * settings unknown. */
static void row_init(const struct cw_json_ref *o)
{
	struct cw_ns_row *row = o->part[0];

	row->exact_age_ms = -1;
	row->shared_ehash = -1;
	cw_sysctls_unknown(&row->sysctl);
}

static const char *const dump_modes[] = {"legacy", "family", NULL};
static const char *const host_froms[] = {"pid1", "self", NULL};
static const char *const event_sources[] = {"bpf", NULL};

static bool events_on(const struct cw_json_ref *o)
{
	const char *e = ((const struct cw_collector_stats *)o->part[0])->events;

	return e && strcmp(e, "bpf") == 0;
}

static const struct cw_json_guard when_events_on = {events_on, "present without \"events\": \"bpf\""};

static const struct cw_json_field row_fields[] = {
	{"inode",        &cw_json_uint,   ROW(inode), .flags = REQ | CW_JSON_NONZERO},
	{"kind",         &conv_kind,      ROW(kind), .flags = REQ},
	{"cgroup_id",    &conv_row_cgroup, ROW(id), .flags = CW_JSON_NONZERO, .when = &when_hostnet},
	{"label",        &cw_json_str,    ROW(label), .flags = REQ},
	{"pod",          &cw_json_obj,    .off = 0, .when = &when_pod, .sub = &pod_object},
	{"netns_name",   &cw_json_str,    ROW(netns_name)},
	{"runtime",      &cw_json_str,    ROW(runtime)},
	{"source",       &cw_json_str,    ROW(id_source)},
	{"pids",         &conv_pids,      ROW(pids), ROW_COUNT(npids)},
	{"procs",        &conv_listed,    ROW(nprocs), ROW_COUNT(npids), .when = &when_pids,
	                                  .aux = "pids"},
	{"comm",         &cw_json_str,    ROW(comm)},
	{"first_seen",   &cw_json_stamp,  ROW(first_seen_ms), .flags = CW_JSON_OMIT_ZERO},
	{"status",       &conv_status,    ROW(status)},
	{"vanished",     &cw_json_bool,   ROW(vanished), .flags = CW_JSON_OMIT_ZERO},
	{"exact_age_ms", &cw_json_i64,    ROW(exact_age_ms), FLAGGED(struct cw_ns_row, has_exact)},
	{"source_counts", &conv_source_counts, ROW(from_events), .when = &when_exact},
	{"time_wait_current", &cw_json_bool, ROW(tw_current), .flags = CW_JSON_OMIT_ZERO,
	                                  .when = &when_exact},
	{"dump_age_ms",  &cw_json_i64,    ROW(dump_age_ms), .when = &when_events},
	{"events_drift", &cw_json_uint,   ROW(events_drift), .flags = CW_JSON_OMIT_ZERO},
	{"dump_ms",      &cw_json_ms,     ROW(dump_ms), FLAGGED(struct cw_ns_row, dumped)},
	{"shared_ehash", &conv_tristate,  ROW(shared_ehash)},
	{"tcp",          &conv_tcp_all,   ROW(tcp.tcp), .when = &when_exact},
	{"tcp_total",    &conv_total,     ROW(tcp.total), .when = &when_exact,
	                                  .states = offsetof(struct cw_ns_row, tcp.tcp)},
	{"udp_dns",      &cw_json_uint,   ROW(udp_dns), .flags = CW_JSON_OMIT_ZERO, .when = &when_exact},
	{"change",       &conv_change,    ROW(change), FLAGGED(struct cw_ns_row, has_change)},
	{"baseline",     &conv_change,    ROW(baseline), FLAGGED(struct cw_ns_row, has_baseline)},
	{"counters",     &cw_json_obj,    ROW(counters), FLAGGED(struct cw_ns_row, counters.valid),
	                                  .sub = &counters_object},
	{"rates",        &cw_json_obj,    ROW(rates), FLAGGED(struct cw_ns_row, rates.valid),
	                                  .sub = &rates_object},
	{"sysctl",       &cw_json_obj,    ROW(sysctl), FLAGGED(struct cw_ns_row, has_sysctl),
	                                  .sub = &sysctl_object},
	{"peers",        &cw_json_list,   ROW(peers), ROW_COUNT(npeers), .when = &when_exact,
	                                  .sub = &peer_object},
	{"peers_total",  &conv_listed,    ROW(peers_all), ROW_COUNT(npeers), .when = &when_exact,
	                                  .aux = "peers"},
	{"addrs",        &conv_addr_list, ROW(addrs), ROW_COUNT(naddrs), .when = &when_exact},
	{"listeners",    &cw_json_list,   ROW(listeners), ROW_COUNT(nlisteners), .when = &when_exact,
	                                  .sub = &listener_object},
	{"transitions",  &cw_json_list,   ROW(transitions), ROW_COUNT(ntransitions),
	                                  .flags = CW_JSON_OMIT_ZERO, .sub = &transition_object},
	{"sockets",      &conv_sockets,   ROW(socks), ROW_COUNT(nsocks), .sub = &socket_object},
};
static const struct cw_json_object row_object =
	TABLE("row", row_fields, struct cw_ns_row, row_init, NULL);

#define COLLECTOR(m) CW_JSON_AT(struct cw_collector_stats, m)
static const struct cw_json_field collector_fields[] = {
	{"cpu_ms",          &cw_json_ms,   COLLECTOR(cpu_ms)},
	{"wall_ms",         &cw_json_ms,   COLLECTOR(wall_ms), .flags = CW_JSON_OMIT_ZERO},
	{"exact_all",       &cw_json_bool, COLLECTOR(exact_all), .flags = CW_JSON_OMIT_ZERO},
	{"budget_ms",       &cw_json_ms,   COLLECTOR(budget_ms)},
	{"age_bound_ms",    &cw_json_i64,  COLLECTOR(age_bound_ms), .flags = CW_JSON_OMIT_ZERO},
	{"round_ms",        &cw_json_i64,  COLLECTOR(round_ms), .flags = CW_JSON_OMIT_ZERO},
	{"oldest_exact_ms", &cw_json_i64,  COLLECTOR(oldest_exact_ms), .flags = CW_JSON_OMIT_ZERO},
	{"dump_ms",         &cw_json_ms,   COLLECTOR(dump_ms)},
	{"netns_total",     &cw_json_uint, COLLECTOR(netns_total)},
	{"netns_dumped",    &cw_json_uint, COLLECTOR(netns_dumped)},
	{"dump_mode",       &conv_symbol,  COLLECTOR(dump_mode), .aux = dump_modes},
	{"host_netns_from", &conv_symbol,  COLLECTOR(host_netns_from), .aux = host_froms},
	{"procs_denied",    &cw_json_uint, COLLECTOR(procs_denied)},
	{"diag_rejected",   &cw_json_uint, COLLECTOR(diag_rejected)},
	{"dumps_failed",    &cw_json_uint, COLLECTOR(dumps_failed), .flags = CW_JSON_OMIT_ZERO},
	{"dumps_retried",   &cw_json_uint, COLLECTOR(dumps_retried), .flags = CW_JSON_OMIT_ZERO},
	{"note",            &cw_json_str,  COLLECTOR(note)},
	{"events",          &conv_symbol,  COLLECTOR(events), .aux = event_sources},
	{"netns_events",    &cw_json_uint, COLLECTOR(netns_events), .flags = CW_JSON_OMIT_ZERO},
	{"events_drift",    &cw_json_uint, COLLECTOR(events_drift), .when = &when_events_on},
	{"events_reconciled", &cw_json_uint, COLLECTOR(events_reconciled), .when = &when_events_on},
	{"events_drift_share", &cw_json_number, COLLECTOR(events_drift_share), .when = &when_events_on},
	{"events_lost",     &cw_json_uint, COLLECTOR(events_lost), .flags = CW_JSON_OMIT_ZERO},
	{"events_read_ms",  &cw_json_ms,   COLLECTOR(events_read_ms), .when = &when_events_on},
};
static const struct cw_json_object collector_object =
	TABLE("collector", collector_fields, struct cw_collector_stats, NULL, NULL);

/* Each row learns its worst finding, as the findings stage would set it. */
static bool snapshot_finish(struct cw_json_reader *r, const struct cw_json_ref *o)
{
	cw_snapshot_link_findings(o->part[0]);
	return true;
}

#define SNAP(m) CW_JSON_AT(struct cw_snapshot, m)
static const struct cw_json_field snapshot_fields[] = {
	{"schema",    &conv_schema,    SNAP(schema), .flags = REQ},
	{"time",      &cw_json_stamp,  SNAP(time_ms)},
	{"hostname",  &cw_json_str,    SNAP(hostname)},
	{"collector", &cw_json_obj,    SNAP(collector), .sub = &collector_object},
	{"node",      &cw_json_obj,    SNAP(node), FLAGGED(struct cw_snapshot, node.valid),
	                               .sub = &node_object},
	{"findings",  &cw_json_list,   SNAP(findings), .count = offsetof(struct cw_snapshot, nfindings),
	                               .sub = &finding_object},
	{"netns",     &cw_json_list,   SNAP(rows), .count = offsetof(struct cw_snapshot, nrows),
	                               .sub = &row_object},
};
const struct cw_json_object cw_json_snapshot_object =
	TABLE("snapshot", snapshot_fields, struct cw_snapshot, NULL, snapshot_finish);

const struct cw_json_object *const cw_json_row_object = &row_object;
const struct cw_json_object *const cw_json_finding_object = &finding_object;

const struct cw_json_object *const cw_json_objects[] = {
	&cw_json_snapshot_object, &collector_object, &row_object, &pod_object, &counters_object,
	&rates_object, &sysctl_object, &node_object,
	&peer_object, &listener_object, &socket_object, &info_object, &finding_object,
	&endpoint_object, &transition_object, NULL,
};
