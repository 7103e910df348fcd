// SPDX-License-Identifier: GPL-2.0
/*
 * ipcctl: administer and script ipcdev objects (queues, pipes, events and
 * shared memory segments), in the spirit of ipcs(1)/ipcrm(1).  See ipcctl(1).
 *
 * Exit status: 0 success; 1 a "false" result (event wait timed out, event
 * is clear, queue get / pipe recv got nothing or end of file); 2 usage
 * error; 3 no such object (or module not loaded); 4 permission denied;
 * 5 any other error.  Errors are reported on stderr as
 * "ipcctl: <verb>: <name>: <strerror>".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "ipcdev.h"

#define EX_OK		0
#define EX_FALSE	1
#define EX_USAGE	2
#define EX_NOTFOUND	3
#define EX_PERM		4
#define EX_OTHER	5

#define PROC_OBJECTS	"/proc/ipcdev/objects"
#define DEFAULT_MODE	0600

static const char *prog = "ipcctl";

/* ------------------------------------------------------------------ */
/* Errors and usage                                                    */
/* ------------------------------------------------------------------ */

static int exit_code(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return EX_OK;
	case ENOENT:
		return EX_NOTFOUND;
	case EACCES:
	case EPERM:
		return EX_PERM;
	default:
		return EX_OTHER;
	}
}

/* "ipcctl: <verb>: <name>: <strerror>"; returns the exit code for @err. */
static int report(const char *verb, const char *name, int err)
{
	if (err < 0)
		err = -err;
	/* ipc_strerror(): strerror, plus the module hint for ENOENT when
	 * the device nodes are missing. */
	fprintf(stderr, "%s: %s: %s: %s\n", prog, verb, name ? name : "-",
		ipc_strerror(err));
	return exit_code(err);
}

/* A usage error: the message, a hint, status 2. */
static int usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", prog, verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return EX_USAGE;
}

static const char usage_text[] =
"Usage: ipcctl COMMAND [ARGS]...\n"
"Administer and script ipcdev objects (see ipcctl(1)).\n"
"\n"
"KIND is one of: queue, pipe, event, shm (also: value, array).\n"
"\n"
"Administration:\n"
"  ls [-k KIND] [-n] [--json]         list objects (/proc/ipcdev/objects)\n"
"  stat KIND NAME [--end E] [--json]  attach by name and print its state\n"
"  rm KIND NAME...                    remove names (unlink)\n"
"  chmod KIND NAME MODE               set permission bits (octal)\n"
"  chown KIND NAME USER[:GROUP]       set owner and/or group (also :GROUP)\n"
"\n"
"Queues:\n"
"  queue create NAME [--maxsize N] [--msgsize-max N] [--bytes-max N] [--mode M]\n"
"  queue put NAME MSG|- [--timeout S] [--nonblock]   (-: read stdin)\n"
"  queue get NAME [--timeout S] [--nonblock]         (message to stdout)\n"
"Pipes:\n"
"  pipe create NAME [--duplex] [--capacity N] [--end E] [--mode M]\n"
"  pipe send NAME END MSG|- [--timeout S] [--nonblock]\n"
"  pipe recv NAME END [--timeout S] [--nonblock]\n"
"Events:\n"
"  event create NAME [--set] [--mode M]\n"
"  event set NAME | event clear NAME | event is-set NAME\n"
"  event wait NAME [--timeout S]\n"
"Shared memory (multiprocessing.Value/Array):\n"
"  value create NAME TYPECODE [INIT] [--count N] [--mode M]\n"
"  value get NAME [INDEX]\n"
"  value set NAME [INDEX] VALUE\n"
"  TYPECODE: c b B h H i I l L q Q f d, or raw (bytes, shown as hex;\n"
"  --count is then the size in bytes)\n"
"\n"
"Options (long ones may be abbreviated, short ones bundled: -jn):\n"
"  -j, --json     JSON output (ls, stat)\n"
"  -k, --kind K   (ls) only objects of kind K\n"
"  -n, --numeric  (ls) numeric user and group ids\n"
"  -m, --mode M   (create) permission bits, octal\n"
"  -t, --timeout S  seconds to wait (fractions allowed)\n"
"  --             end of options (what follows is an operand)\n"
"  -h, --help     this help\n"
"  -V, --version  the version of ipcctl and of the library\n"
"\n"
"Exit status: 0 ok, 1 false/timeout/nothing received, 2 usage,\n"
"3 not found, 4 permission denied, 5 other error.\n";

/* ------------------------------------------------------------------ */
/* Option parsing                                                      */
/* ------------------------------------------------------------------ */

enum {
	OPT_JSON, OPT_KIND, OPT_NUMERIC, OPT_END, OPT_MAXSIZE, OPT_MSGSIZE,
	OPT_BYTESMAX, OPT_MODE, OPT_TIMEOUT, OPT_NONBLOCK, OPT_DUPLEX,
	OPT_CAPACITY, OPT_SET, OPT_COUNT, OPT_NR
};

static const struct optdef {
	const char *lng;
	char shrt;
	bool arg;
} optdefs[OPT_NR] = {
	[OPT_JSON]	= { "json", 'j', false },
	[OPT_KIND]	= { "kind", 'k', true },
	[OPT_NUMERIC]	= { "numeric", 'n', false },
	[OPT_END]	= { "end", 0, true },
	[OPT_MAXSIZE]	= { "maxsize", 0, true },
	[OPT_MSGSIZE]	= { "msgsize-max", 0, true },
	[OPT_BYTESMAX]	= { "bytes-max", 0, true },
	[OPT_MODE]	= { "mode", 'm', true },
	[OPT_TIMEOUT]	= { "timeout", 't', true },
	[OPT_NONBLOCK]	= { "nonblock", 0, false },
	[OPT_DUPLEX]	= { "duplex", 0, false },
	[OPT_CAPACITY]	= { "capacity", 0, true },
	[OPT_SET]	= { "set", 0, false },
	[OPT_COUNT]	= { "count", 0, true },
};

struct opts {
	bool given[OPT_NR];
	const char *val[OPT_NR];
	int npos;
	char **pos;
};

static bool looks_numeric(const char *s)
{
	if (*s == '-')
		s++;
	return isdigit((unsigned char)*s) || (*s == '.' &&
					       isdigit((unsigned char)s[1]));
}

/*
 * A negative number hidden from getopt_long(): the argument it stands for
 * was "-5", getopt sees "5" (the same string one byte on), and the
 * positional arguments and option values are mapped back afterwards.
 */
static char *unhide(char *a, char **hidden, int nhidden)
{
	for (int i = 0; i < nhidden; i++)
		if (a == hidden[i] + 1)
			return hidden[i];
	return a;
}

/*
 * Split argv into the options allowed by @allowed (a bit mask of OPT_*) and
 * positional arguments, which may come in any order, with getopt_long(3):
 * long options (--timeout 5, --timeout=5, unambiguous prefixes), short ones
 * bundled (-jn, -t5, -t 5), and "--" ending the options.  "-" is
 * positional, and so is a negative number (-5) even before "--", as it
 * always was.  Returns 0 or EX_USAGE.
 */
static int parse_opts(const char *verb, int argc, char **argv,
		      unsigned int allowed, struct opts *o)
{
	struct option lopts[OPT_NR + 2];
	char sopts[2 * OPT_NR + 4], *sp = sopts;
	char **hidden, **gargv;
	int nl = 0, nhidden = 0, c;
	bool dashdash = false;

	memset(o, 0, sizeof(*o));
	o->pos = calloc((size_t)argc + 1, sizeof(char *));
	hidden = calloc((size_t)argc + 1, sizeof(char *));
	/* getopt_long() wants argv[0]: the verb's slot, then the arguments. */
	gargv = calloc((size_t)argc + 2, sizeof(char *));
	if (!o->pos || !hidden || !gargv) {
		perror(prog);
		exit(EX_OTHER);
	}
	gargv[0] = (char *)verb;
	for (int i = 0; i < argc; i++) {
		char *a = argv[i];

		if (!strcmp(a, "--"))
			dashdash = true;
		if (!dashdash && a[0] == '-' && a[1] && looks_numeric(a)) {
			hidden[nhidden++] = a;
			a++;
		}
		gargv[i + 1] = a;
	}

	*sp++ = ':';	/* report a missing value as ':' */
	for (int k = 0; k < OPT_NR; k++) {
		const struct optdef *d = &optdefs[k];

		if (!(allowed & (1U << k)))
			continue;
		lopts[nl++] = (struct option){ d->lng, d->arg ? required_argument :
					       no_argument, NULL, 256 + k };
		if (d->shrt) {
			*sp++ = d->shrt;
			if (d->arg)
				*sp++ = ':';
		}
	}
	lopts[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
	lopts[nl] = (struct option){ NULL, 0, NULL, 0 };
	*sp++ = 'h';
	*sp = 0;

	opterr = 0;
	optind = 0;	/* a full reset (GNU) */
	while ((c = getopt_long(argc + 1, gargv, sopts, lopts, NULL)) != -1) {
		const char *bad = gargv[optind - 1];
		int which = -1;

		if (c == 'h') {
			fputs(usage_text, stdout);
			exit(EX_OK);
		}
		if (c == ':')
			return usage_error(verb, "option '%s' needs a value",
					   bad);
		if (c == '?') {
			if (optopt && optopt < 256)
				return usage_error(verb,
						   "unknown option '-%c'",
						   optopt);
			return usage_error(verb, "unknown option '%s'", bad);
		}
		if (c >= 256) {
			which = c - 256;
		} else {
			for (int k = 0; k < OPT_NR; k++)
				if (optdefs[k].shrt == c)
					which = k;
		}
		if (which < 0)
			return usage_error(verb, "unknown option '%s'", bad);
		o->given[which] = true;
		if (optdefs[which].arg)
			o->val[which] = unhide(optarg, hidden, nhidden);
	}
	for (int i = optind; i < argc + 1; i++)
		o->pos[o->npos++] = unhide(gargv[i], hidden, nhidden);
	free(hidden);
	free(gargv);	/* o->pos holds the argument strings, not gargv */
	return 0;
}

#define O(x)	(1U << (x))

/* An unsigned number (decimal, 0x hex, or octal with a leading 0). */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_mode(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || *end || v > 0777)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Seconds (may be fractional) into nanoseconds. */
static int parse_timeout(const char *s, int64_t *ns)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= 0) || v > 9.2e9)
		return -EINVAL;
	*ns = (int64_t)(v * 1e9);
	return 0;
}

/* block/timeout_ns from --timeout and --nonblock; 0 or EX_USAGE. */
static int wait_opts(const char *verb, const struct opts *o, int *block,
		     int64_t *timeout_ns)
{
	*block = !o->given[OPT_NONBLOCK];
	*timeout_ns = IPC_FOREVER;
	if (o->given[OPT_TIMEOUT] &&
	    parse_timeout(o->val[OPT_TIMEOUT], timeout_ns))
		return usage_error(verb, "bad timeout '%s'",
				   o->val[OPT_TIMEOUT]);
	return 0;
}

static int mode_opt(const char *verb, const struct opts *o, uint32_t *mode)
{
	*mode = DEFAULT_MODE;
	if (o->given[OPT_MODE] && parse_mode(o->val[OPT_MODE], mode))
		return usage_error(verb, "bad mode '%s' (octal, at most 0777)",
				   o->val[OPT_MODE]);
	return 0;
}

/* The library's name rule (ipc_check_name(3)): a bad name is a usage error. */
static int check_name(const char *verb, const char *name)
{
	int err = ipc_check_name(name);

	return err ? (report(verb, name, err) ? EX_USAGE : 0) : 0;
}

/* ------------------------------------------------------------------ */
/* Kinds                                                               */
/* ------------------------------------------------------------------ */

/* The kinds, by the library's numbers (IPC_KIND_*, index - 1). */
enum kind { K_QUEUE, K_PIPE, K_EVENT, K_SHM, K_NR };

static const char *const kind_names[K_NR] = { "queue", "pipe", "event", "shm" };

static int lib_kind(int kind)
{
	static const int kinds[K_NR] = {
		IPC_KIND_QUEUE, IPC_KIND_PIPE, IPC_KIND_EVENT, IPC_KIND_SHM,
	};

	return kinds[kind];
}

static int parse_kind(const char *s)
{
	for (int k = 0; k < K_NR; k++)
		if (!strcmp(s, kind_names[k]))
			return k;
	if (!strcmp(s, "value") || !strcmp(s, "array"))
		return K_SHM;
	return -1;
}

/*
 * Attach a plain handle to the existing object @name of @kind (pipes: to
 * @end), read-only, or write-only when only writing is allowed; nothing is
 * created or mapped.  Returns the descriptor or -errno.
 */
static int attach_any(int kind, const char *name, int end)
{
	int fd = ipc_open(lib_kind(kind), name, end, O_RDONLY, 0);

	if (fd == -EACCES)
		fd = ipc_open(lib_kind(kind), name, end, O_WRONLY, 0);
	return fd;
}

/* ------------------------------------------------------------------ */
/* Output helpers                                                      */
/* ------------------------------------------------------------------ */

/* Length of a valid UTF-8 sequence at @s (of at most @n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * A JSON string.  Bytes that are not valid UTF-8 are shown as the code
 * point of the same value (U+0080..U+00FF), so the output is always valid.
 */
static void json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);

	putchar('"');
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t l;

		if (c == '"' || c == '\\') {
			printf("\\%c", c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			printf("\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			putchar(c);
			i++;
		} else if ((l = utf8_len(s + i, n - i))) {
			fwrite(s + i, 1, l, stdout);
			i += l;
		} else {
			printf("\\u%04x", c);
			i++;
		}
	}
	putchar('"');
}

/* A name for a table or key: value line: blanks and controls escaped. */
static void print_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '\\' || c == 0x7f)
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
}

/* Output of stat: one "key: value" line, or one JSON member. */
struct out {
	bool json;
	bool first;
};

static void out_begin(struct out *o)
{
	o->first = true;
	if (o->json)
		putchar('{');
}

static void out_end(struct out *o)
{
	if (o->json)
		puts("}");
}

static void out_key(struct out *o, const char *key)
{
	if (o->json) {
		printf("%s\"%s\": ", o->first ? "" : ", ", key);
	} else {
		printf("%-15s ", key);
	}
	o->first = false;
}

static void out_nl(struct out *o)
{
	if (!o->json)
		putchar('\n');
}

static void out_u64(struct out *o, const char *key, uint64_t v)
{
	out_key(o, key);
	printf("%" PRIu64, v);
	out_nl(o);
}

static void out_i64(struct out *o, const char *key, int64_t v)
{
	out_key(o, key);
	printf("%" PRId64, v);
	out_nl(o);
}

static void out_bool(struct out *o, const char *key, bool v)
{
	out_key(o, key);
	fputs(o->json ? (v ? "true" : "false") : (v ? "yes" : "no"), stdout);
	out_nl(o);
}

static void out_str(struct out *o, const char *key, const char *v)
{
	out_key(o, key);
	if (o->json)
		json_str(v);
	else
		print_escaped(stdout, v);
	out_nl(o);
}

static void out_mode(struct out *o, const char *key, uint32_t mode)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%04o", mode);
	out_key(o, key);
	fputs(o->json ? "\"" : "", stdout);
	fputs(buf, stdout);
	fputs(o->json ? "\"" : "", stdout);
	out_nl(o);
}

/* ------------------------------------------------------------------ */
/* ls                                                                  */
/* ------------------------------------------------------------------ */

struct row {
	char kind[16];
	unsigned long id;
	char *name;		/* unescaped; NULL: anonymous */
	char *shown;		/* as /proc shows it (escaped) */
	unsigned long ns;
	unsigned long uid, gid;
	unsigned int mode;
	int handles;
	unsigned long long size, count, bytes;
	unsigned int waiters, mappings;
	long creator;
	int unlinked;
};

/* Undo seq_escape(): \ooo octal escapes. */
static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *p = out;

	if (!out)
		return NULL;
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*p++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) |
				      (s[3] - '0'));
			s += 4;
		} else {
			*p++ = *s++;
		}
	}
	*p = 0;
	return out;
}

static int parse_row(char *line, struct row *r)
{
	char *save = NULL, *tok[16];
	int n = 0;

	for (char *t = strtok_r(line, " \t\n", &save); t && n < 16;
	     t = strtok_r(NULL, " \t\n", &save))
		tok[n++] = t;
	if (n < 15)
		return -1;
	memset(r, 0, sizeof(*r));
	snprintf(r->kind, sizeof(r->kind), "%s", tok[0]);
	r->id = strtoul(tok[1], NULL, 10);
	r->shown = strdup(tok[2]);
	r->name = strcmp(tok[2], "-") ? unescape(tok[2]) : NULL;
	r->ns = strtoul(tok[3], NULL, 10);
	r->uid = strtoul(tok[4], NULL, 10);
	r->gid = strtoul(tok[5], NULL, 10);
	r->mode = (unsigned int)strtoul(tok[6], NULL, 8);
	r->handles = atoi(tok[7]);
	r->size = strtoull(tok[8], NULL, 10);
	r->count = strtoull(tok[9], NULL, 10);
	r->bytes = strtoull(tok[10], NULL, 10);
	r->waiters = (unsigned int)strtoul(tok[11], NULL, 10);
	r->mappings = (unsigned int)strtoul(tok[12], NULL, 10);
	r->creator = strtol(tok[13], NULL, 10);
	r->unlinked = atoi(tok[14]);
	return r->shown ? 0 : -1;
}

static const char *user_name(unsigned long uid, bool numeric, char *buf,
			     size_t size)
{
	struct passwd *pw = numeric ? NULL : getpwuid((uid_t)uid);

	if (pw)
		return pw->pw_name;
	snprintf(buf, size, "%lu", uid);
	return buf;
}

static const char *group_name(unsigned long gid, bool numeric, char *buf,
			      size_t size)
{
	struct group *gr = numeric ? NULL : getgrgid((gid_t)gid);

	if (gr)
		return gr->gr_name;
	snprintf(buf, size, "%lu", gid);
	return buf;
}

static int cmd_ls(int argc, char **argv)
{
	struct opts o;
	struct row *rows = NULL;
	size_t nrows = 0, cap = 0;
	char *line = NULL;
	size_t lsize = 0;
	int kind = -1, r;
	FILE *f;

	r = parse_opts("ls", argc, argv, O(OPT_JSON) | O(OPT_KIND) |
		       O(OPT_NUMERIC), &o);
	if (r)
		return r;
	if (o.npos)
		return usage_error("ls", "unexpected argument '%s'", o.pos[0]);
	if (o.given[OPT_KIND]) {
		kind = parse_kind(o.val[OPT_KIND]);
		if (kind < 0)
			return usage_error("ls", "unknown kind '%s'",
					   o.val[OPT_KIND]);
	}
	f = fopen(PROC_OBJECTS, "re");
	if (!f)
		return report("ls", PROC_OBJECTS, errno);
	/* The header line first. */
	if (getline(&line, &lsize, f) < 0 || strncmp(line, "kind", 4)) {
		fclose(f);
		return report("ls", PROC_OBJECTS, EIO);
	}
	while (getline(&line, &lsize, f) >= 0) {
		struct row row;

		if (parse_row(line, &row))
			continue;
		if (kind >= 0 && strcmp(row.kind, kind_names[kind])) {
			free(row.name);
			free(row.shown);
			continue;
		}
		if (nrows == cap) {
			cap = cap ? 2 * cap : 32;
			rows = realloc(rows, cap * sizeof(*rows));
			if (!rows) {
				fclose(f);
				return report("ls", PROC_OBJECTS, ENOMEM);
			}
		}
		rows[nrows++] = row;
	}
	if (ferror(f)) {
		r = errno;
		fclose(f);
		return report("ls", PROC_OBJECTS, r ? r : EIO);
	}
	fclose(f);
	free(line);

	if (o.given[OPT_JSON]) {
		putchar('[');
		for (size_t i = 0; i < nrows; i++) {
			struct row *w = &rows[i];

			printf("%s\n  {\"kind\": \"%s\", \"id\": %lu, \"name\": ",
			       i ? "," : "", w->kind, w->id);
			if (w->name)
				json_str(w->name);
			else
				fputs("null", stdout);
			printf(", \"ns\": %lu, \"uid\": %lu, \"gid\": %lu, "
			       "\"mode\": \"%04o\", \"handles\": %d, "
			       "\"size\": %llu, \"count\": %llu, "
			       "\"bytes\": %llu, \"waiters\": %u, "
			       "\"mappings\": %u, \"creator\": %ld, "
			       "\"unlinked\": %s}",
			       w->ns, w->uid, w->gid, w->mode, w->handles,
			       w->size, w->count, w->bytes, w->waiters,
			       w->mappings, w->creator,
			       w->unlinked ? "true" : "false");
		}
		puts(nrows ? "\n]" : "]");
	} else {
		int wname = 4, wown = 5, wgrp = 5;
		char ub[32], gb[32];
		bool num = o.given[OPT_NUMERIC];

		for (size_t i = 0; i < nrows; i++) {
			int l = (int)strlen(rows[i].shown) +
				(rows[i].unlinked ? 11 : 0);

			if (l > wname)
				wname = l;
			l = (int)strlen(user_name(rows[i].uid, num, ub,
						  sizeof(ub)));
			if (l > wown)
				wown = l;
			l = (int)strlen(group_name(rows[i].gid, num, gb,
						   sizeof(gb)));
			if (l > wgrp)
				wgrp = l;
		}
		printf("%-5s %6s %-*s %-*s %-*s %4s %7s %10s %8s %10s %7s %4s %7s %10s\n",
		       "KIND", "ID", wname, "NAME", wown, "OWNER", wgrp,
		       "GROUP", "MODE", "HANDLES", "SIZE", "COUNT", "BYTES",
		       "WAITERS", "MAPS", "CREATOR", "NS");
		for (size_t i = 0; i < nrows; i++) {
			struct row *w = &rows[i];
			char nb[IPCDEV_NAME_MAX * 4 + 16];

			snprintf(nb, sizeof(nb), "%s%s", w->shown,
				 w->unlinked ? " (unlinked)" : "");
			printf("%-5s %6lu %-*s %-*s %-*s %04o %7d %10llu %8llu %10llu %7u %4u %7ld %10lu\n",
			       w->kind, w->id, wname, nb, wown,
			       user_name(w->uid, num, ub, sizeof(ub)), wgrp,
			       group_name(w->gid, num, gb, sizeof(gb)),
			       w->mode, w->handles, w->size, w->count,
			       w->bytes, w->waiters, w->mappings, w->creator,
			       w->ns);
		}
	}
	for (size_t i = 0; i < nrows; i++) {
		free(rows[i].name);
		free(rows[i].shown);
	}
	free(rows);
	return fflush(stdout) ? report("ls", "stdout", errno) : EX_OK;
}

/* ------------------------------------------------------------------ */
/* stat                                                                */
/* ------------------------------------------------------------------ */

static void out_ids(struct out *o, uint32_t id, uint32_t mode, uint32_t uid,
		    uint32_t gid)
{
	out_u64(o, "id", id);
	out_mode(o, "mode", mode);
	out_u64(o, "uid", uid);
	out_u64(o, "gid", gid);
}

static void out_typecode(struct out *o, const char *key, uint32_t type)
{
	char buf[16];

	if (type == IPCDEV_SHM_RAW)
		snprintf(buf, sizeof(buf), "raw");
	else if (type > ' ' && type < 0x7f)
		snprintf(buf, sizeof(buf), "%c", (char)type);
	else
		snprintf(buf, sizeof(buf), "%u", type);
	out_str(o, key, buf);
}

static int cmd_stat(int argc, char **argv)
{
	struct opts o;
	struct out out = { 0 };
	struct ipc_stat u;
	uint64_t end = 0;
	const char *name;
	int kind, fd, err, r;

	r = parse_opts("stat", argc, argv, O(OPT_JSON) | O(OPT_END), &o);
	if (r)
		return r;
	if (o.npos != 2)
		return usage_error("stat", "expected KIND NAME");
	kind = parse_kind(o.pos[0]);
	if (kind < 0)
		return usage_error("stat", "unknown kind '%s'", o.pos[0]);
	name = o.pos[1];
	if (o.given[OPT_END] &&
	    (kind != K_PIPE || parse_u64(o.val[OPT_END], &end) || end > 1))
		return usage_error("stat", "--end takes 0 or 1, for pipes");
	r = check_name("stat", name);
	if (r)
		return r;
	fd = attach_any(kind, name, (int)end);
	if (fd < 0)
		return report("stat", name, fd);
	err = ipc_stat(fd, &u, sizeof(u));
	close(fd);
	if (err)
		return report("stat", name, err);
	if (u.kind != (uint32_t)lib_kind(kind))
		return report("stat", name, EPROTO);
	out.json = o.given[OPT_JSON];
	out_begin(&out);
	out_str(&out, "kind", kind_names[kind]);
	out_str(&out, "name", name);
	out_ids(&out, u.id, u.mode, u.uid, u.gid);
	switch (kind) {
	case K_QUEUE: {
		struct ipcdev_queue_stat st = u.u.queue;

		out_u64(&out, "flags", st.flags);
		out_bool(&out, "named", u.flags & IPC_STAT_NAMED);
		out_bool(&out, "unlinked", u.flags & IPC_STAT_UNLINKED);
		out_u64(&out, "count", st.count);
		out_u64(&out, "bytes", st.bytes);
		out_u64(&out, "maxsize", st.maxsize);
		out_u64(&out, "msgsize_max", st.msgsize_max);
		out_u64(&out, "bytes_max", st.bytes_max);
		out_u64(&out, "getters", st.getters);
		out_u64(&out, "putters", st.putters);
		out_bool(&out, "full", st.full);
		break;
	}
	case K_PIPE: {
		struct ipcdev_pipe_stat st = u.u.pipe;

		out_u64(&out, "flags", st.flags);
		out_bool(&out, "named", u.flags & IPC_STAT_NAMED);
		out_bool(&out, "duplex", st.flags & IPCDEV_PIPE_DUPLEX);
		out_bool(&out, "hup", st.flags & IPCDEV_PIPE_STAT_HUP);
		out_u64(&out, "end", st.end);
		out_u64(&out, "in_count", st.in_count);
		out_u64(&out, "in_bytes", st.in_bytes);
		out_u64(&out, "out_count", st.out_count);
		out_u64(&out, "out_bytes", st.out_bytes);
		out_u64(&out, "capacity", st.capacity);
		out_u64(&out, "msgsize_max", st.msgsize_max);
		/* Not counting ipcctl's own handle. */
		out_u64(&out, "handles0", st.handles[0] - (st.end == 0));
		out_u64(&out, "handles1", st.handles[1] - (st.end == 1));
		out_u64(&out, "receivers", st.receivers);
		out_u64(&out, "senders", st.senders);
		break;
	}
	case K_EVENT: {
		struct ipcdev_event_stat st = u.u.event;

		out_u64(&out, "flags", st.flags);
		out_bool(&out, "named", u.flags & IPC_STAT_NAMED);
		out_bool(&out, "unlinked", u.flags & IPC_STAT_UNLINKED);
		out_bool(&out, "set", st.set);
		out_u64(&out, "waiters", st.waiters);
		out_u64(&out, "sets", st.sets);
		break;
	}
	default: {
		struct ipcdev_shm_stat st = u.u.shm;

		out_u64(&out, "flags", st.flags);
		out_bool(&out, "named", u.flags & IPC_STAT_NAMED);
		out_bool(&out, "unlinked", u.flags & IPC_STAT_UNLINKED);
		out_typecode(&out, "type", st.type);
		out_u64(&out, "elem_size", st.elem_size);
		out_u64(&out, "count", st.count);
		out_u64(&out, "size", st.size);
		out_u64(&out, "seq", st.seq);
		out_u64(&out, "mappings", st.mappings);
		out_i64(&out, "lock_owner", st.lock_owner);
		out_u64(&out, "lock_waiters", st.lock_waiters);
		out_u64(&out, "change_waiters", st.change_waiters);
		break;
	}
	}
	out_end(&out);
	return fflush(stdout) ? report("stat", "stdout", errno) : EX_OK;
}

/* ------------------------------------------------------------------ */
/* rm, chmod, chown                                                    */
/* ------------------------------------------------------------------ */

static int cmd_rm(int argc, char **argv)
{
	struct opts o;
	int kind, r, ret = EX_OK;

	r = parse_opts("rm", argc, argv, 0, &o);
	if (r)
		return r;
	if (o.npos < 2)
		return usage_error("rm", "expected KIND NAME...");
	kind = parse_kind(o.pos[0]);
	if (kind < 0)
		return usage_error("rm", "unknown kind '%s'", o.pos[0]);
	for (int i = 1; i < o.npos; i++) {
		int err;

		r = check_name("rm", o.pos[i]);
		if (!r) {
			err = ipc_unlink(lib_kind(kind), o.pos[i]);
			r = err ? report("rm", o.pos[i], err) : EX_OK;
		}
		if (r && !ret)
			ret = r;
	}
	return ret;
}

/* What chmod and chown change: IPC_SETATTR_* bits and the values. */
struct attr {
	unsigned int which;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
};

static int setattr(const char *verb, int kind, const char *name,
		   const struct attr *sa)
{
	int r = check_name(verb, name), err;

	if (r)
		return r;
	err = ipc_setattr(lib_kind(kind), name, sa->which, sa->mode, sa->uid,
			  sa->gid);
	return err ? report(verb, name, err) : EX_OK;
}

static int cmd_chmod(int argc, char **argv)
{
	struct attr sa = { .which = IPC_SETATTR_MODE };
	struct opts o;
	int kind, r;

	r = parse_opts("chmod", argc, argv, 0, &o);
	if (r)
		return r;
	if (o.npos != 3)
		return usage_error("chmod", "expected KIND NAME MODE");
	kind = parse_kind(o.pos[0]);
	if (kind < 0)
		return usage_error("chmod", "unknown kind '%s'", o.pos[0]);
	if (parse_mode(o.pos[2], &sa.mode))
		return usage_error("chmod", "bad mode '%s' (octal, at most 0777)",
				   o.pos[2]);
	return setattr("chmod", kind, o.pos[1], &sa);
}

static int parse_id(const char *s, bool group, uint32_t *out)
{
	uint64_t v;

	if (!parse_u64(s, &v) && isdigit((unsigned char)s[0])) {
		if (v >= UINT32_MAX)
			return -EINVAL;
		*out = (uint32_t)v;
		return 0;
	}
	if (group) {
		struct group *gr = getgrnam(s);

		if (!gr)
			return -EINVAL;
		*out = gr->gr_gid;
	} else {
		struct passwd *pw = getpwnam(s);

		if (!pw)
			return -EINVAL;
		*out = pw->pw_uid;
	}
	return 0;
}

static int cmd_chown(int argc, char **argv)
{
	struct attr sa = { 0 };
	struct opts o;
	char *spec, *colon;
	int kind, r;

	r = parse_opts("chown", argc, argv, 0, &o);
	if (r)
		return r;
	if (o.npos != 3)
		return usage_error("chown", "expected KIND NAME USER[:GROUP]");
	kind = parse_kind(o.pos[0]);
	if (kind < 0)
		return usage_error("chown", "unknown kind '%s'", o.pos[0]);
	spec = o.pos[2];
	colon = strchr(spec, ':');
	if (colon)
		*colon = 0;
	if (*spec) {
		if (parse_id(spec, false, &sa.uid))
			return usage_error("chown", "unknown user '%s'", spec);
		sa.which |= IPC_SETATTR_UID;
	}
	if (colon && colon[1]) {
		if (parse_id(colon + 1, true, &sa.gid))
			return usage_error("chown", "unknown group '%s'",
					   colon + 1);
		sa.which |= IPC_SETATTR_GID;
	}
	if (!sa.which)
		return usage_error("chown", "expected USER[:GROUP] or :GROUP");
	return setattr("chown", kind, o.pos[1], &sa);
}

/* ------------------------------------------------------------------ */
/* Messages: queue and pipe                                            */
/* ------------------------------------------------------------------ */

/* The message: the argument, or all of stdin for "-". */
static int read_msg(const char *arg, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b;

	if (strcmp(arg, "-")) {
		*buf = (char *)arg;
		*len = strlen(arg);
		return 0;
	}
	b = malloc(cap);
	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb = realloc(b, cap * 2);

			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		r = read(STDIN_FILENO, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(b);
			return (int)r;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* EAGAIN / ETIMEDOUT of a get or receive: nothing came (exit 1). */
static int nothing(const char *verb, const char *name, int err)
{
	report(verb, name, err);
	return EX_FALSE;
}

static int parse_end(const char *verb, const char *s, int *end)
{
	if (strcmp(s, "0") && strcmp(s, "1"))
		return usage_error(verb, "END must be 0 or 1, not '%s'", s);
	*end = s[0] - '0';
	return 0;
}

/*
 * Arguments of the message verbs (queue put/get, pipe send/recv): the
 * wait options, exactly @npos operands (else @expect as the usage error),
 * END as the second operand if @end is not NULL, and a valid NAME first.
 */
static int msg_args(const char *verb, int argc, char **argv, int npos,
		    const char *expect, struct opts *o, int *end, int *block,
		    int64_t *tmo)
{
	int r;

	r = parse_opts(verb, argc, argv, O(OPT_TIMEOUT) | O(OPT_NONBLOCK), o);
	if (r)
		return r;
	if (o->npos != npos)
		return usage_error(verb, "%s", expect);
	r = end ? parse_end(verb, o->pos[1], end) : 0;
	if (!r)
		r = wait_opts(verb, o, block, tmo);
	if (!r)
		r = check_name(verb, o->pos[0]);
	return r;
}

/* The result of a send (@err from ipc_queue_put or ipc_pipe_send). */
static int sent(const char *verb, const char *name, int err)
{
	if (err == -EAGAIN || err == -ETIMEDOUT)
		return nothing(verb, name, err);
	return err ? report(verb, name, err) : EX_OK;
}

/*
 * The result of a receive (@n from a *_alloc call, @buf its message):
 * written to stdout.  @n == @nothing_err also counts as "nothing came".
 */
static int received(const char *verb, const char *name, ssize_t n, void *buf,
		    int nothing_err)
{
	int err;

	if (n == -EAGAIN || n == -ETIMEDOUT || (nothing_err && n == nothing_err))
		return nothing(verb, name, (int)n);
	if (n < 0)
		return report(verb, name, (int)n);
	err = write_all(STDOUT_FILENO, buf, (size_t)n);
	free(buf);
	return err ? report(verb, "stdout", err) : EX_OK;
}

static int queue_create(int argc, char **argv)
{
	const char *verb = "queue create";
	struct ipc_queue_attr attr = { 0 };
	struct opts o;
	uint32_t mode;
	int fd, r;

	r = parse_opts(verb, argc, argv, O(OPT_MAXSIZE) | O(OPT_MSGSIZE) |
		       O(OPT_BYTESMAX) | O(OPT_MODE), &o);
	if (r)
		return r;
	if (o.npos != 1)
		return usage_error(verb, "expected NAME");
	if ((o.given[OPT_MAXSIZE] &&
	     parse_u64(o.val[OPT_MAXSIZE], &attr.maxsize)) ||
	    (o.given[OPT_MSGSIZE] &&
	     parse_u64(o.val[OPT_MSGSIZE], &attr.msgsize_max)) ||
	    (o.given[OPT_BYTESMAX] &&
	     parse_u64(o.val[OPT_BYTESMAX], &attr.bytes_max)))
		return usage_error(verb, "bad number");
	r = mode_opt(verb, &o, &mode);
	if (!r)
		r = check_name(verb, o.pos[0]);
	if (r)
		return r;
	fd = ipc_queue_open(o.pos[0], O_RDONLY | IPC_CREAT | IPC_EXCL, mode,
			    &attr);
	if (fd < 0)
		return report(verb, o.pos[0], fd);
	close(fd);
	return EX_OK;
}

static int queue_put(int argc, char **argv)
{
	const char *verb = "queue put";
	struct opts o;
	int64_t tmo;
	char *msg;
	size_t len;
	int fd, block, r, err;

	r = msg_args(verb, argc, argv, 2, "expected NAME MSG|-", &o, NULL,
		     &block, &tmo);
	if (r)
		return r;
	err = read_msg(o.pos[1], &msg, &len);
	if (err)
		return report(verb, "stdin", err);
	fd = ipc_queue_open(o.pos[0], O_WRONLY, 0, NULL);
	if (fd < 0)
		return report(verb, o.pos[0], fd);
	err = ipc_queue_put(fd, msg, len, block, tmo);
	close(fd);
	return sent(verb, o.pos[0], err);
}

static int queue_get(int argc, char **argv)
{
	const char *verb = "queue get";
	struct opts o;
	int64_t tmo;
	void *buf;
	ssize_t n;
	int fd, block, r;

	r = msg_args(verb, argc, argv, 1, "expected NAME", &o, NULL, &block,
		     &tmo);
	if (r)
		return r;
	fd = ipc_queue_open(o.pos[0], O_RDONLY, 0, NULL);
	if (fd < 0)
		return report(verb, o.pos[0], fd);
	n = ipc_queue_get_alloc(fd, &buf, block, tmo);
	close(fd);
	return received(verb, o.pos[0], n, buf, 0);
}

static int pipe_create(int argc, char **argv)
{
	const char *verb = "pipe create";
	struct ipc_pipe_attr attr = { 0 };
	struct opts o;
	uint32_t mode;
	int fd, r, end = 1, flags = O_RDONLY | IPC_CREAT | IPC_EXCL;

	r = parse_opts(verb, argc, argv, O(OPT_DUPLEX) | O(OPT_CAPACITY) |
		       O(OPT_MODE) | O(OPT_END), &o);
	if (r)
		return r;
	if (o.npos != 1)
		return usage_error(verb, "expected NAME");
	if (o.given[OPT_CAPACITY] &&
	    parse_u64(o.val[OPT_CAPACITY], &attr.capacity))
		return usage_error(verb, "bad capacity '%s'",
				   o.val[OPT_CAPACITY]);
	if (o.given[OPT_END] && parse_end(verb, o.val[OPT_END], &end))
		return EX_USAGE;
	if (o.given[OPT_DUPLEX])
		flags |= IPC_PIPE_DUPLEX;
	r = mode_opt(verb, &o, &mode);
	if (!r)
		r = check_name(verb, o.pos[0]);
	if (r)
		return r;
	fd = ipc_pipe_open(o.pos[0], end, flags, mode, &attr);
	if (fd < 0)
		return report(verb, o.pos[0], fd);
	close(fd);
	return EX_OK;
}

static int pipe_send(int argc, char **argv)
{
	const char *verb = "pipe send";
	struct opts o;
	int64_t tmo;
	char *msg;
	size_t len;
	int fd, block, end = 0, r, err;

	r = msg_args(verb, argc, argv, 3, "expected NAME END MSG|-", &o, &end,
		     &block, &tmo);
	if (r)
		return r;
	err = read_msg(o.pos[2], &msg, &len);
	if (err)
		return report(verb, "stdin", err);
	fd = ipc_pipe_open(o.pos[0], end, O_WRONLY, 0, NULL);
	if (fd < 0)
		return report(verb, o.pos[0], fd);
	err = ipc_pipe_send(fd, msg, len, block, tmo);
	close(fd);
	return sent(verb, o.pos[0], err);
}

static int pipe_recv(int argc, char **argv)
{
	const char *verb = "pipe recv";
	struct opts o;
	int64_t tmo;
	void *buf;
	ssize_t n;
	int fd, block, end = 0, r;

	r = msg_args(verb, argc, argv, 2, "expected NAME END", &o, &end,
		     &block, &tmo);
	if (r)
		return r;
	fd = ipc_pipe_open(o.pos[0], end, O_RDONLY, 0, NULL);
	if (fd < 0)
		return report(verb, o.pos[0], fd);
	n = ipc_pipe_recv_alloc(fd, &buf, block, tmo);
	close(fd);
	/* Nothing came, or end of file: a "false" result. */
	return received(verb, o.pos[0], n, buf, -EPIPE);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

static int cmd_event(int argc, char **argv)
{
	const char *sub = argc ? argv[0] : "";
	char verb[32];
	struct opts o;
	unsigned int allowed = 0;
	uint32_t mode;
	int64_t tmo;
	int fd, r, err, block;

	if (strcmp(sub, "create") && strcmp(sub, "set") &&
	    strcmp(sub, "clear") && strcmp(sub, "wait") &&
	    strcmp(sub, "is-set"))
		return usage_error("event", "expected create, set, clear, wait or is-set");
	snprintf(verb, sizeof(verb), "event %s", sub);
	if (!strcmp(sub, "create"))
		allowed = O(OPT_SET) | O(OPT_MODE);
	else if (!strcmp(sub, "wait"))
		allowed = O(OPT_TIMEOUT);
	r = parse_opts(verb, argc - 1, argv + 1, allowed, &o);
	if (r)
		return r;
	if (o.npos != 1)
		return usage_error(verb, "expected NAME");
	r = check_name(verb, o.pos[0]);
	if (r)
		return r;

	if (!strcmp(sub, "create")) {
		r = mode_opt(verb, &o, &mode);
		if (r)
			return r;
		fd = ipc_event_open(o.pos[0], O_RDONLY | IPC_CREAT | IPC_EXCL |
				    (o.given[OPT_SET] ? IPC_EVENT_INIT_SET : 0),
				    mode);
		if (fd < 0)
			return report(verb, o.pos[0], fd);
		close(fd);
		return EX_OK;
	}
	if (!strcmp(sub, "set") || !strcmp(sub, "clear")) {
		fd = ipc_event_open(o.pos[0], O_WRONLY, 0);
		if (fd < 0)
			return report(verb, o.pos[0], fd);
		err = sub[0] == 's' ? ipc_event_set(fd) : ipc_event_clear(fd);
		close(fd);
		return err ? report(verb, o.pos[0], err) : EX_OK;
	}
	if (!strcmp(sub, "is-set")) {
		fd = attach_any(K_EVENT, o.pos[0], 0);
		if (fd < 0)
			return report(verb, o.pos[0], fd);
		err = ipc_event_is_set(fd);
		close(fd);
		if (err < 0)
			return report(verb, o.pos[0], err);
		puts(err ? "set" : "clear");
		return err ? EX_OK : EX_FALSE;
	}
	/* wait */
	r = wait_opts(verb, &o, &block, &tmo);
	if (r)
		return r;
	fd = ipc_event_open(o.pos[0], O_RDONLY, 0);
	if (fd < 0)
		return report(verb, o.pos[0], fd);
	err = ipc_event_wait(fd, 1, tmo);
	close(fd);
	if (err < 0)
		return report(verb, o.pos[0], err);
	return err ? EX_OK : EX_FALSE;
}

/* ------------------------------------------------------------------ */
/* Values and arrays (shared memory)                                   */
/* ------------------------------------------------------------------ */

/* Text to one element of type @t (in @out, elem-size bytes); 0 or -EINVAL. */
static int parse_elem(char t, const char *s, void *out)
{
	char *end;

	errno = 0;
	switch (t) {
	case 'c':
		if (strlen(s) == 1) {
			*(char *)out = s[0];
			return 0;
		}
		if (s[0] == '\\' && s[1] == 'x' && isxdigit((unsigned char)s[2]) &&
		    isxdigit((unsigned char)s[3]) && !s[4]) {
			*(char *)out = (char)strtoul(s + 2, NULL, 16);
			return 0;
		}
		return -EINVAL;
	case 'f': {
		float v = strtof(s, &end);

		if (errno || end == s || *end)
			return -EINVAL;
		memcpy(out, &v, sizeof(v));
		return 0;
	}
	case 'd': {
		double v = strtod(s, &end);

		if (errno || end == s || *end)
			return -EINVAL;
		memcpy(out, &v, sizeof(v));
		return 0;
	}
	case 'b': case 'h': case 'i': case 'l': case 'q': {
		long long v = strtoll(s, &end, 0);
		int size = ipc_typecode_size(t);

		if (errno || end == s || *end)
			return -EINVAL;
		if (size < 8) {
			long long lim = 1LL << (size * 8 - 1);

			if (v < -lim || v >= lim)
				return -ERANGE;
		}
		if (size == 1) {
			int8_t x = (int8_t)v;

			memcpy(out, &x, 1);
		} else if (size == 2) {
			int16_t x = (int16_t)v;

			memcpy(out, &x, 2);
		} else if (size == 4) {
			int32_t x = (int32_t)v;

			memcpy(out, &x, 4);
		} else {
			int64_t x = v;

			memcpy(out, &x, 8);
		}
		return 0;
	}
	case 'B': case 'H': case 'I': case 'L': case 'Q': {
		unsigned long long v;
		int size = ipc_typecode_size(t);

		if (s[0] == '-')
			return -ERANGE;
		v = strtoull(s, &end, 0);
		if (errno || end == s || *end)
			return -EINVAL;
		if (size < 8 && v >> (size * 8))
			return -ERANGE;
		if (size == 1) {
			uint8_t x = (uint8_t)v;

			memcpy(out, &x, 1);
		} else if (size == 2) {
			uint16_t x = (uint16_t)v;

			memcpy(out, &x, 2);
		} else if (size == 4) {
			uint32_t x = (uint32_t)v;

			memcpy(out, &x, 4);
		} else {
			uint64_t x = v;

			memcpy(out, &x, 8);
		}
		return 0;
	}
	}
	return -EINVAL;
}

static void print_elem(char t, const void *p)
{
	switch (t) {
	case 'c': {
		unsigned char c = *(const unsigned char *)p;

		if (isprint(c) && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
		break;
	}
	case 'b': printf("%d", *(const int8_t *)p); break;
	case 'B': printf("%u", *(const uint8_t *)p); break;
	case 'h': { int16_t v; memcpy(&v, p, 2); printf("%d", v); break; }
	case 'H': { uint16_t v; memcpy(&v, p, 2); printf("%u", v); break; }
	case 'i': { int32_t v; memcpy(&v, p, 4); printf("%" PRId32, v); break; }
	case 'I': { uint32_t v; memcpy(&v, p, 4); printf("%" PRIu32, v); break; }
	case 'l': case 'q': { int64_t v; memcpy(&v, p, 8); printf("%" PRId64, v); break; }
	case 'L': case 'Q': { uint64_t v; memcpy(&v, p, 8); printf("%" PRIu64, v); break; }
	case 'f': { float v; memcpy(&v, p, 4); printf("%.9g", (double)v); break; }
	case 'd': { double v; memcpy(&v, p, 8); printf("%.17g", v); break; }
	default: printf("%02x", *(const unsigned char *)p); break;
	}
}

/* Hex text ("0a1B..", even length) to bytes; the count or -EINVAL. */
static ssize_t parse_hex(const char *s, unsigned char **out)
{
	size_t n = strlen(s);
	unsigned char *b;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
		s += 2;
		n -= 2;
	}
	if (!n || n % 2)
		return -EINVAL;
	b = malloc(n / 2);
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < n / 2; i++) {
		char h[3] = { s[2 * i], s[2 * i + 1], 0 };

		if (!isxdigit((unsigned char)h[0]) ||
		    !isxdigit((unsigned char)h[1])) {
			free(b);
			return -EINVAL;
		}
		b[i] = (unsigned char)strtoul(h, NULL, 16);
	}
	*out = b;
	return (ssize_t)(n / 2);
}

/* Write @len bytes at @off with pwrite(2) (which bumps the counter). */
static int shm_write(int fd, const void *buf, size_t len, size_t off)
{
	ssize_t n = pwrite(fd, buf, len, (off_t)off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int parse_index(const char *verb, const char *s, size_t count,
		       size_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) || !isdigit((unsigned char)s[0])) {
		usage_error(verb, "bad index '%s'", s);
		return -EINVAL;
	}
	if (v >= count) {
		usage_error(verb, "index %s out of range (%zu elements)", s,
			    count);
		return -ERANGE;
	}
	*out = (size_t)v;
	return 0;
}

static int value_create(int argc, char **argv)
{
	const char *verb = "value create";
	struct ipc_array a;
	struct opts o;
	uint64_t count = 1;
	unsigned char elem[8];
	unsigned char *hex = NULL;
	ssize_t hexlen = 0;
	uint32_t mode;
	char t;
	int r, err = 0;

	r = parse_opts(verb, argc, argv, O(OPT_COUNT) | O(OPT_MODE), &o);
	if (r)
		return r;
	if (o.npos < 2 || o.npos > 3)
		return usage_error(verb, "expected NAME TYPECODE [INIT]");
	if (!strcmp(o.pos[1], "raw"))
		t = 0;
	else if (strlen(o.pos[1]) == 1 && o.pos[1][0] && ipc_typecode_size(o.pos[1][0]) > 0)
		t = o.pos[1][0];
	else
		return usage_error(verb, "unknown typecode '%s'", o.pos[1]);
	if (o.given[OPT_COUNT] &&
	    (parse_u64(o.val[OPT_COUNT], &count) || !count || count > SIZE_MAX))
		return usage_error(verb, "bad count '%s'", o.val[OPT_COUNT]);
	r = mode_opt(verb, &o, &mode);
	if (!r)
		r = check_name(verb, o.pos[0]);
	if (r)
		return r;
	if (o.npos == 3) {
		if (t) {
			err = parse_elem(t, o.pos[2], elem);
		} else {
			hexlen = parse_hex(o.pos[2], &hex);
			err = hexlen < 0 ? (int)hexlen : 0;
			if (!err && (uint64_t)hexlen > count) {
				if (o.given[OPT_COUNT])
					err = -ERANGE;
				else
					count = (uint64_t)hexlen;
			}
		}
		if (err)
			return usage_error(verb, "bad initial value '%s': %s",
					   o.pos[2], strerror(-err));
	}
	err = ipc_array_open(&a, o.pos[0], O_RDWR | IPC_CREAT | IPC_EXCL, mode,
			     t, (size_t)count);
	if (err) {
		free(hex);
		return report(verb, o.pos[0], err);
	}
	if (o.npos == 3) {
		if (t) {
			for (size_t i = 0; i < a.count; i++)
				memcpy((char *)a.addr + i * a.elem_size, elem,
				       a.elem_size);
			err = ipc_array_publish(&a);
		} else {
			err = shm_write(a.fd, hex, (size_t)hexlen, 0);
		}
	}
	ipc_array_close(&a);
	free(hex);
	return err ? report(verb, o.pos[0], err) : EX_OK;
}

static int value_get(int argc, char **argv)
{
	const char *verb = "value get";
	struct ipc_array a;
	struct opts o;
	size_t idx = 0;
	int r, err;

	r = parse_opts(verb, argc, argv, 0, &o);
	if (r)
		return r;
	if (o.npos < 1 || o.npos > 2)
		return usage_error(verb, "expected NAME [INDEX]");
	r = check_name(verb, o.pos[0]);
	if (r)
		return r;
	err = ipc_array_open(&a, o.pos[0], O_RDONLY, 0, 0, 0);
	if (err)
		return report(verb, o.pos[0], err);
	if (o.npos == 2) {
		err = parse_index(verb, o.pos[1], a.count, &idx);
		if (err) {
			ipc_array_close(&a);
			return EX_USAGE;
		}
	}
	if (!a.type) {
		/* Raw: the whole segment in hex, or one byte. */
		size_t from = o.npos == 2 ? idx : 0;
		size_t to = o.npos == 2 ? idx + 1 : a.size;

		for (size_t i = from; i < to; i++)
			printf("%02x", ((const unsigned char *)a.addr)[i]);
		putchar('\n');
	} else if (o.npos == 2) {
		unsigned char v[8];

		ipc_array_get(&a, idx, v);
		print_elem(a.type, v);
		putchar('\n');
	} else {
		for (size_t i = 0; i < a.count; i++) {
			unsigned char v[8];

			ipc_array_get(&a, i, v);
			if (i)
				putchar(' ');
			print_elem(a.type, v);
		}
		putchar('\n');
	}
	ipc_array_close(&a);
	return fflush(stdout) ? report(verb, "stdout", errno) : EX_OK;
}

static int value_set(int argc, char **argv)
{
	const char *verb = "value set";
	struct ipc_array a;
	struct opts o;
	size_t idx = 0;
	const char *val;
	int r, err;

	r = parse_opts(verb, argc, argv, 0, &o);
	if (r)
		return r;
	if (o.npos < 2 || o.npos > 3)
		return usage_error(verb, "expected NAME [INDEX] VALUE");
	r = check_name(verb, o.pos[0]);
	if (r)
		return r;
	val = o.pos[o.npos - 1];
	err = ipc_array_open(&a, o.pos[0], O_RDWR, 0, 0, 0);
	if (err)
		return report(verb, o.pos[0], err);
	if (o.npos == 3) {
		err = parse_index(verb, o.pos[1], a.count, &idx);
		if (err) {
			ipc_array_close(&a);
			return EX_USAGE;
		}
	}
	if (!a.type) {
		unsigned char *hex;
		ssize_t n = parse_hex(val, &hex);

		if (n < 0) {
			ipc_array_close(&a);
			return usage_error(verb, "bad hex bytes '%s'", val);
		}
		if ((size_t)n > a.size - idx) {
			free(hex);
			ipc_array_close(&a);
			fprintf(stderr, "%s: %s: %s: %s\n", prog, verb, o.pos[0],
				"value does not fit in the segment");
			return EX_OTHER;
		}
		err = shm_write(a.fd, hex, (size_t)n, idx);
		free(hex);
	} else {
		unsigned char v[8];

		err = parse_elem(a.type, val, v);
		if (err) {
			ipc_array_close(&a);
			return usage_error(verb, "bad %c value '%s': %s",
					   a.type, val, strerror(-err));
		}
		err = ipc_array_set(&a, idx, v);
		if (!err)
			err = ipc_array_publish(&a);
	}
	ipc_array_close(&a);
	return err ? report(verb, o.pos[0], err) : EX_OK;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */
/* ------------------------------------------------------------------ */

struct sub {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static int dispatch(const char *kind, const struct sub *subs, int argc,
		    char **argv)
{
	if (argc < 1)
		return usage_error(kind, "expected a subcommand");
	if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		fputs(usage_text, stdout);
		return EX_OK;
	}
	for (; subs->name; subs++)
		if (!strcmp(argv[0], subs->name))
			return subs->fn(argc - 1, argv + 1);
	return usage_error(kind, "unknown subcommand '%s'", argv[0]);
}

static const struct sub queue_subs[] = {
	{ "create", queue_create }, { "put", queue_put }, { "get", queue_get },
	{ NULL, NULL },
};
static const struct sub pipe_subs[] = {
	{ "create", pipe_create }, { "send", pipe_send }, { "recv", pipe_recv },
	{ NULL, NULL },
};
static const struct sub value_subs[] = {
	{ "create", value_create }, { "get", value_get }, { "set", value_set },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return EX_USAGE;
	}
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return EX_OK;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version") ||
	    !strcmp(cmd, "version")) {
		/* ipcctl is linked statically: its version is the library's. */
		printf("ipcctl %s\n", ipc_version());
		return EX_OK;
	}
	if (!strcmp(cmd, "ls"))
		return cmd_ls(argc, argv);
	if (!strcmp(cmd, "stat"))
		return cmd_stat(argc, argv);
	if (!strcmp(cmd, "rm"))
		return cmd_rm(argc, argv);
	if (!strcmp(cmd, "chmod"))
		return cmd_chmod(argc, argv);
	if (!strcmp(cmd, "chown"))
		return cmd_chown(argc, argv);
	if (!strcmp(cmd, "queue"))
		return dispatch("queue", queue_subs, argc, argv);
	if (!strcmp(cmd, "pipe"))
		return dispatch("pipe", pipe_subs, argc, argv);
	if (!strcmp(cmd, "event")) {
		if (argc && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
			fputs(usage_text, stdout);
			return EX_OK;
		}
		return cmd_event(argc, argv);
	}
	if (!strcmp(cmd, "value") || !strcmp(cmd, "array") ||
	    !strcmp(cmd, "shm"))
		return dispatch("value", value_subs, argc, argv);
	return usage_error(cmd, "unknown command");
}
