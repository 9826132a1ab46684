/*
 * report: the picked-versions report of buildout.sendpickedversions, for a
 * collecting server such as Whiskers (DESIGN §1).  The document, field for
 * field as the extension sends it: buildout_config (the run's settings),
 * started and finished (local ISO 8601), hostname, ipv4, packages (name ->
 * version and requirements, from the version map's edges),
 * pinned_versions (the versions section) and versionmap (name -> version).
 *
 * Sending never fails a run: what went wrong is printed, with the
 * extension's words.
 */
#ifndef MINIMERGE_REPORT_H
#define MINIMERGE_REPORT_H

#include "versionmap.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/time.h>

struct report_pair {
	const char *name, *value;
};

struct report_input {
	const struct report_pair *config; /* buildout_config */
	size_t nconfig;
	const struct report_pair *pins; /* pinned_versions */
	size_t npins;
	const char *directory; /* buildoutname, when config has none: its base name */
	struct timeval started, finished;
};

json_t *report_document(const struct versionmap *vm, const struct report_input *in);

enum { REPORT_TIMEOUT_SECONDS = 60 };

struct report_options {
	/* send-data-url (or whiskers-url): http(s), with '/' appended; file://
	 * writes the document there; NULL: printed. */
	const char *url;
	bool json_body; /* send-data-format = json: {"data": doc} as JSON, not a form */
	long timeout_seconds; /* each try */
};

/* Sends doc as o says and prints the server's reply, the file written,
 * the document (no URL), or `Got error sending the data to URL` and why. */
void report_send(const json_t *doc, const struct report_options *o);

#endif
