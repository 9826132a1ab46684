#include "status.h"

#include "json_out.h"
#include "transfers.h"

#include "../lib/arena.h"
#include "../lib/diag.h"
#include "../lib/strbuf.h"
#include "../lib/units.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* The running jobs, to name the longest-running one. */
struct running {
	const struct graph_action *a;
	uint64_t since;
};

static struct {
	pthread_mutex_t mu;
	struct status_options opt;
	bool tty, colour;
	bool line_shown; /* a status line is on the screen */
	struct running *running;
	size_t nrunning, caprunning;
	struct sched_progress last;
	/* The download rate: bytes received since rate_since. */
	uint64_t rate_since, rate_bytes;
	double rate;
	bool rate_known;
} st = {.mu = PTHREAD_MUTEX_INITIALIZER};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int width(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	return c && atoi(c) > 0 ? atoi(c) : 80;
}

static void clear_line(void)
{
	if (st.line_shown) {
		fputs("\r\x1b[K", stdout);
		st.line_shown = false;
	}
}

/* Rates are taken over a second or more: a tenth of a second sees a
 * server's bursts, not its speed. */
#define RATE_WINDOW_NS 1000000000u

/* The downloads in flight: " 12.0 MiB/40.0 MiB 95.3 MiB/s".  The total is
 * what the servers announced, and shown only when all did; the rate
 * appears after the first second. */
static void add_transfers(struct strbuf *sb)
{
	struct transfers_progress p;
	transfers_progress(&p);
	uint64_t now = now_ns();
	if (!st.rate_since) {
		st.rate_since = now;
		st.rate_bytes = p.received_ever;
	} else if (now - st.rate_since >= RATE_WINDOW_NS) {
		st.rate = (double)(p.received_ever - st.rate_bytes) * 1e9 / (double)(now - st.rate_since);
		st.rate_known = true;
		st.rate_since = now;
		st.rate_bytes = p.received_ever;
	}
	if (!p.running)
		return;
	strbuf_adds(sb, " ");
	units_human(sb, p.received);
	if (p.announced >= p.received && p.all_announced) {
		strbuf_adds(sb, "/");
		units_human(sb, p.announced);
	}
	if (st.rate_known) {
		strbuf_adds(sb, " ");
		units_human(sb, (uint64_t)st.rate);
		strbuf_adds(sb, "/s");
	}
}

static void draw(void)
{
	if (!st.tty || !st.nrunning)
		return;
	const struct running *longest = &st.running[0];
	for (size_t i = 1; i < st.nrunning; i++)
		if (st.running[i].since < longest->since)
			longest = &st.running[i];
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "[%zu/%zu] %s", st.last.finished, st.last.total, longest->a->identity);
	double secs = (double)(now_ns() - longest->since) / 1e9;
	if (secs >= 1)
		strbuf_addf(&sb, " (%.0fs)", secs);
	if (st.nrunning > 1)
		strbuf_addf(&sb, " +%zu", st.nrunning - 1);
	add_transfers(&sb);
	size_t w = (size_t)width() - 1;
	/* Keep the end, where the package's name is, as ninja elides. */
	if (sb.len > w && w > 3) {
		const char *tail = sb.buf + sb.len - (w - 3);
		printf("\r...%s\x1b[K", tail);
	} else {
		printf("\r%s\x1b[K", sb.buf);
	}
	fflush(stdout);
	st.line_shown = true;
	strbuf_release(&sb);
}

/* Writes whole lines above the status line. */
static void put_lines(const char *text)
{
	clear_line();
	fputs(text, stdout);
	draw();
	fflush(stdout);
}

static void diag_hook(int done)
{
	pthread_mutex_lock(&st.mu);
	if (!done) {
		clear_line();
		fflush(stdout);
	} else {
		draw();
	}
	pthread_mutex_unlock(&st.mu);
}

void status_print_log_tail(FILE *out, const char *path, int lines)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	if (!f)
		return;
	/* A ring of the last lines; a long line counts as one. */
	char **ring = xcalloc((size_t)lines, sizeof(*ring));
	size_t n = 0;
	struct strbuf line = STRBUF_INIT;
	int c;
	do {
		c = getc(f);
		if (c != EOF && c != '\n') {
			strbuf_addc(&line, (char)c);
			continue;
		}
		if (c == EOF && !line.len)
			break;
		free(ring[n % (size_t)lines]);
		ring[n % (size_t)lines] = strbuf_detach(&line);
		n++;
	} while (c != EOF);
	fclose(f);
	size_t first = n > (size_t)lines ? n - (size_t)lines : 0;
	for (size_t i = first; i < n; i++)
		fprintf(out, "%s\n", ring[i % (size_t)lines]);
	for (int i = 0; i < lines; i++)
		free(ring[i]);
	free(ring);
	strbuf_release(&line);
}

static void on_event(void *ctx, const struct graph_action *a, enum sched_event ev,
		     const struct sched_progress *pr)
{
	(void)ctx;
	pthread_mutex_lock(&st.mu);
	st.last = *pr;
	struct strbuf out = STRBUF_INIT;
	if (ev == SCHED_STARTED) {
		if (st.nrunning == st.caprunning) {
			st.caprunning = st.caprunning ? 2 * st.caprunning : 16;
			st.running = xrealloc(st.running, st.caprunning * sizeof(*st.running));
		}
		st.running[st.nrunning++] = (struct running){a, now_ns()};
		if (st.opt.explain && a->reason)
			strbuf_addf(&out, "explain: %s: %s\n", a->identity, a->reason);
		if (!st.tty && !st.opt.quiet_starts)
			strbuf_addf(&out, "[%zu/%zu] %s\n", pr->finished + st.nrunning, pr->total,
				    a->identity);
	} else if (ev == SCHED_FINISHED) {
		for (size_t i = 0; i < st.nrunning; i++)
			if (st.running[i].a == a)
				st.running[i] = st.running[--st.nrunning];
		if (st.opt.explain && a->state == GRAPH_RAN && a->reason_after_run)
			strbuf_addf(&out, "explain: %s: after it ran: %s\n", a->identity,
				    a->reason_after_run);
		if (st.opt.explain && a->state == GRAPH_RAN && a->note)
			strbuf_addf(&out, "explain: %s: %s\n", a->identity, a->note);
	} else if (ev == SCHED_DECIDED && a->state == GRAPH_WOULD_RUN && st.opt.explain) {
		strbuf_addf(&out, "explain: %s: %s\n", a->identity, a->reason ? a->reason : "");
	}
	/* An action fails as it finishes, or as it is decided when what it
	 * reveals cannot be planned. */
	if (ev != SCHED_STARTED && a->state == GRAPH_FAILED)
		strbuf_addf(&out, "%sFAILED:%s %s: %s\n", st.colour ? "\x1b[31m" : "",
			    st.colour ? "\x1b[0m" : "", a->identity,
			    a->failure ? a->failure : "it failed");
	if (out.len)
		put_lines(out.buf);
	if (ev == SCHED_FINISHED && a->state == GRAPH_FAILED && a->log_path &&
	    access(a->log_path, F_OK) == 0) {
		clear_line();
		status_print_log_tail(stdout, a->log_path, 30);
		printf("log: %s\n", a->log_path);
	}
	draw();
	pthread_mutex_unlock(&st.mu);
	strbuf_release(&out);
}

/* A line from a worker thread, above the status line. */
static void show_line(const char *line)
{
	struct strbuf out = STRBUF_INIT;
	strbuf_addf(&out, "%s\n", line);
	pthread_mutex_lock(&st.mu);
	put_lines(out.buf);
	pthread_mutex_unlock(&st.mu);
	strbuf_release(&out);
}

static void on_command(void *ctx, const struct graph_action *a, const char *cmdline)
{
	(void)ctx;
	(void)a;
	if (st.opt.verbose)
		show_line(cmdline);
}

static void on_say(void *ctx, const struct graph_action *a, const char *line)
{
	(void)ctx;
	(void)a;
	show_line(line);
}

static void on_tick(void *ctx, const struct sched_progress *pr)
{
	(void)ctx;
	pthread_mutex_lock(&st.mu);
	st.last = *pr;
	draw();
	pthread_mutex_unlock(&st.mu);
}

static const struct sched_observer observer = {
	.event = on_event, .command = on_command, .say = on_say, .tick = on_tick};

const struct sched_observer *status_begin(const struct status_options *o)
{
	st.opt = *o;
	const char *term = getenv("TERM");
	st.tty = isatty(STDOUT_FILENO) && !(term && !strcmp(term, "dumb"));
	st.colour = st.tty && !getenv("NO_COLOR");
	diag_set_hook(diag_hook);
	return &observer;
}

void status_print_summary(const struct sched_summary *sum, bool dry_run)
{
	if (dry_run)
		printf("minimerge: %zu action%s would run\n", sum->would_run,
		       sum->would_run == 1 ? "" : "s");
	else
		printf("minimerge: %zu ran, %zu skipped, %zu restored, %zu failed%s in %.2f s\n",
		       sum->ran, sum->skipped, sum->restored, sum->failed,
		       sum->blocked ? (sum->interrupted ? ", interrupted" : ", some not run") : "",
		       (double)sum->elapsed_ns / 1e9);
}

void status_print_plan(const struct graph *g, bool json, bool reasons)
{
	json_t *list = json ? json_array() : NULL;
	for (size_t i = 0; i < g->nactions; i++) {
		const struct graph_action *a = g->actions[i];
		const char *why = a->reason ? a->reason : "";
		if (a->state != GRAPH_WOULD_RUN)
			continue;
		if (json)
			json_array_append_new(list, json_pack("{s:s, s:s}", "action", a->identity,
							      "reason", why));
		else if (reasons)
			printf("%s: %s\n", a->identity, why);
		else
			printf("%s\n", a->identity);
	}
	if (json)
		json_print(list);
}

void status_end(void)
{
	diag_set_hook(NULL);
	pthread_mutex_lock(&st.mu);
	clear_line();
	fflush(stdout);
	free(st.running);
	st.running = NULL;
	st.nrunning = st.caprunning = 0;
	pthread_mutex_unlock(&st.mu);
}
