/* view_replay: how the view steers a replayed recording. The view keeps
 * the line it wants next and asks for it through its wants; the source
 * answers with that line, and the snapshot says which line it is. Keys
 * bump a generation, so an answer to an older request (a tick that was
 * already running) is shown but does not move the place. Playing moves on
 * one line per tick; pause holds the place; the end of the recording
 * pauses. */
#include "config.h"
#include "view.h"
#include "json_schema.h"

#include <stdio.h>
#include <string.h>

static bool in_replay(struct cw_view *v)
{
	if (v->replay)
		return true;
	snprintf(v->msg, sizeof(v->msg), "time keys work in a replay (--replay FILE)");
	v->dirty = true;
	return false;
}

void cw_view_replay_took(struct cw_view *v, const struct cw_snapshot *s)
{
	size_t at = s->replay.index, n = s->replay.count;

	v->replay = true;
	if (s->replay.gen != v->replay_gen)
		return; /* an answer to an older request */
	v->replay_seek_ms = 0;
	v->replay_target = at;
	if (v->paused)
		return;
	if (at + 1 < n) {
		v->replay_target = at + 1;
	} else {
		v->paused = true;
		snprintf(v->msg, sizeof(v->msg), "the end of the recording (line %zu): paused", n);
	}
}

/* Where the view is now: the shown line. */
static size_t shown(const struct cw_view *v)
{
	return v->snap && v->snap->replay.active ? v->snap->replay.index : v->replay_target;
}

void cw_view_replay_step(struct cw_view *v, long lines)
{
	size_t at, n;

	if (!in_replay(v))
		return;
	/* Held, the place is the line asked for last (keys may come faster
	 * than ticks); playing, the line shown. */
	at = v->paused && !v->replay_seek_ms ? v->replay_target : shown(v);
	n = v->snap ? v->snap->replay.count : 1;
	/* A step pauses: stepping is for looking closely. */
	v->paused = true;
	if (lines < 0)
		at = (size_t)-lines > at ? 0 : at - (size_t)-lines;
	else
		at = at + (size_t)lines >= n ? n - 1 : at + (size_t)lines;
	v->replay_target = at;
	v->replay_seek_ms = 0;
	v->replay_gen++;
	v->dirty = true;
}

void cw_view_replay_jump(struct cw_view *v, int64_t delta_ms)
{
	if (!in_replay(v) || !v->snap)
		return;
	/* 1 ms past the same instant, so going back lands before it. */
	v->replay_seek_ms = v->snap->time_ms + delta_ms;
	if (v->replay_seek_ms == 0)
		v->replay_seek_ms = -1;
	v->replay_gen++;
	v->dirty = true;
}

bool cw_view_replay_goto(struct cw_view *v, const char *text)
{
	char stamp[32], day[16];
	int64_t t;
	int h, m, sec;
	char end;

	if (!in_replay(v) || !v->snap)
		return true;
	if (sscanf(text, "%2d:%2d:%2d%c", &h, &m, &sec, &end) == 3 && h < 24 && m < 60 && sec < 60 &&
	    h >= 0 && m >= 0 && sec >= 0) {
		/* On the day (UTC) of the line shown. */
		cw_json_time(v->snap->time_ms, stamp, sizeof(stamp));
		snprintf(day, sizeof(day), "%.10s", stamp);
		snprintf(stamp, sizeof(stamp), "%sT%02d:%02d:%02d.000Z", day, h, m, sec);
	} else if (strlen(text) == 19 && text[10] == 'T') {
		snprintf(stamp, sizeof(stamp), "%s.000Z", text);
	} else {
		snprintf(stamp, sizeof(stamp), "%.31s", text);
	}
	if (!cw_json_time_parse(stamp, &t))
		return false;
	v->replay_seek_ms = t ? t : -1;
	v->replay_gen++;
	v->paused = true;
	v->dirty = true;
	return true;
}
