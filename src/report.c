/* report: the sendpickedversions document and its sending (report.h). */
#include "report.h"

#include "transfers.h"

#include "../lib/fsutil.h"
#include "../lib/path.h"
#include "../lib/strbuf.h"
#include "../lib/units.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static json_t *pairs_object(const struct report_pair *p, size_t n)
{
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, p[i].name, json_string(p[i].value));
	return o;
}

static json_t *time_string(const struct timeval *tv)
{
	struct strbuf sb = STRBUF_INIT;
	units_local_time(&sb, tv, 'T');
	json_t *s = json_string(sb.buf);
	strbuf_release(&sb);
	return s;
}

/* The address the host's own name resolves to, as Python's
 * gethostbyname(getfqdn()) finds it; null when it resolves to none. */
static json_t *host_ipv4(const char *hostname)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_flags = AI_CANONNAME}, *res = NULL;
	if (getaddrinfo(hostname, NULL, &hints, &res) != 0 || !res)
		return json_null();
	char text[INET_ADDRSTRLEN];
	const struct sockaddr_in *sin = (const struct sockaddr_in *)res->ai_addr;
	json_t *v = inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text)) ? json_string(text)
									   : json_null();
	freeaddrinfo(res);
	return v;
}

/* name -> {"requirements": [{name, equation?, version?}], "version"}: what
 * each entry requires is where it is listed among the requirers. */
static json_t *packages(const struct versionmap *vm)
{
	json_t *all = json_object();
	for (size_t k = 0; k < vm->n; k++)
		json_object_set_new(all, vm->entries[k].name,
				    json_pack("{s:[], s:s}", "requirements", "version",
					      vm->entries[k].version));
	for (size_t k = 0; k < vm->n; k++) {
		const struct version_entry *e = &vm->entries[k];
		for (size_t r = 0; r < e->nrequired_by; r++) {
			json_t *by = json_object_get(all, e->required_by[r].name);
			if (!by)
				continue;
			json_t *req = json_pack("{s:s}", "name", e->name);
			if (e->required_by[r].exact) {
				json_object_set_new(req, "equation", json_string("=="));
				json_object_set_new(req, "version", json_string(e->version));
			}
			json_array_append_new(json_object_get(by, "requirements"), req);
		}
	}
	return all;
}

json_t *report_document(const struct versionmap *vm, const struct report_input *in)
{
	json_t *config = pairs_object(in->config, in->nconfig);
	if (!json_object_get(config, "buildoutname")) {
		struct arena a = ARENA_INIT;
		const char *dir = path_normpath(&a, in->directory);
		const char *slash = strrchr(dir, '/');
		json_object_set_new(config, "buildoutname", json_string(slash ? slash + 1 : dir));
		arena_free(&a);
	}
	char hostname[256] = "";
	if (gethostname(hostname, sizeof(hostname) - 1) != 0)
		hostname[0] = '\0';
	json_t *versionmap = json_object();
	for (size_t k = 0; k < vm->n; k++)
		json_object_set_new(versionmap, vm->entries[k].name,
				    json_string(vm->entries[k].version));
	return json_pack("{s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "buildout_config", config,
			 "started", time_string(&in->started), "finished",
			 time_string(&in->finished), "hostname", hostname, "ipv4",
			 host_ipv4(hostname), "packages", packages(vm), "pinned_versions",
			 pairs_object(in->pins, in->npins), "versionmap", versionmap);
}

/* application/x-www-form-urlencoded, as Python's urlencode writes it. */
static void form_field(struct strbuf *out, const char *name, const char *value)
{
	strbuf_addf(out, "%s=", name);
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("_.-~", *p))
			strbuf_addc(out, (char)*p);
		else if (*p == ' ')
			strbuf_addc(out, '+');
		else
			strbuf_addf(out, "%%%02X", *p);
	}
}

/* As buildout.sendpickedversions: three tries. */
enum { REPORT_TRIES = 3 };

static size_t on_reply(const char *data, size_t len, void *out)
{
	strbuf_add(out, data, len);
	return len;
}

/* One POST; 0 with the reply in reply, or -1 with why in why and *again
 * set when another try may do better. */
static int post(const char *url, const struct strbuf *body, const struct report_options *o,
		struct strbuf *reply, struct strbuf *why, bool *again)
{
	struct transfer t = {.url = url, .write = on_reply, .ctx = reply,
			     .post = body->buf, .post_len = body->len,
			     .content_type = o->json_body ? "application/json" : NULL,
			     .timeout_seconds = o->timeout_seconds};
	strbuf_reset(reply);
	strbuf_reset(why);
	*again = false;
	if (transfers_run(&t) != 0 || t.rc != CURLE_OK) {
		*again = transfers_transient(t.rc, t.status);
		if (t.rc == CURLE_HTTP_RETURNED_ERROR)
			strbuf_addf(why, "HTTP %ld", t.status);
		else
			strbuf_adds(why, t.error[0] ? t.error : "the transfer failed");
		return -1;
	}
	if (!reply->len) {
		strbuf_adds(why, "the server's reply was empty");
		*again = true;
		return -1;
	}
	return 0;
}

static void send_http(const json_t *doc, const struct report_options *o)
{
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT, reply = STRBUF_INIT,
		      why = STRBUF_INIT;
	strbuf_adds(&url, o->url);
	if (!url.len || url.buf[url.len - 1] != '/')
		strbuf_addc(&url, '/');
	char *text;
	if (o->json_body) {
		json_t *wrapped = json_pack("{s:O}", "data", (json_t *)doc);
		text = json_dumps(wrapped, JSON_SORT_KEYS);
		strbuf_adds(&body, text);
		json_decref(wrapped);
	} else {
		text = json_dumps(doc, JSON_SORT_KEYS);
		form_field(&body, "data", text);
	}
	free(text);
	int rc = -1;
	bool again = true;
	for (int try = 1; try <= REPORT_TRIES && rc != 0 && again; try++) {
		if (try > 1)
			transfers_pause_ms(500L << (try - 2));
		rc = post(url.buf, &body, o, &reply, &why, &again);
		if (rc != 0 && again && try < REPORT_TRIES)
			fprintf(stderr, "minimerge: sending the data to %s: try %d of %d: %s\n",
				url.buf, try, REPORT_TRIES, why.buf);
	}
	if (rc == 0) {
		fwrite(reply.buf, 1, reply.len, stdout);
		if (reply.buf[reply.len - 1] != '\n')
			putchar('\n');
	} else {
		printf("Got error sending the data to %s (%s)\n", url.buf, why.buf);
	}
	strbuf_release(&url);
	strbuf_release(&body);
	strbuf_release(&reply);
	strbuf_release(&why);
}

void report_send(const json_t *doc, const struct report_options *o)
{
	if (!o->url) {
		char *text = json_dumps(doc, JSON_SORT_KEYS);
		puts(text);
		free(text);
	} else if (!strncmp(o->url, "file://", 7)) {
		const char *path = o->url + 7;
		char *text = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(4));
		int err = fs_write_atomic(path, text, strlen(text), 0);
		if (err)
			printf("Got error sending the data to %s (%s)\n", o->url, strerror(err));
		else
			printf("%s\n", path);
		free(text);
	} else {
		send_http(doc, o);
	}
	fflush(stdout);
}
