/* roles: what a piece of text is, not what colour it has. term.c maps each
 * role to a colour pair, or to plain attributes under NO_COLOR. */
#ifndef CW_ROLES_H
#define CW_ROLES_H

enum cw_role {
	CW_ROLE_NORMAL = 0,
	CW_ROLE_HEADER,       /* table column titles */
	CW_ROLE_HEADER_SORT,  /* the sort column's title */
	CW_ROLE_SELECTED,
	CW_ROLE_NEW,          /* a row that just appeared */
	CW_ROLE_GONE,         /* a row that just vanished */
	CW_ROLE_STALE,        /* counts older than the tick (not dumped on it) */
	CW_ROLE_WARN,         /* a count past its threshold */
	CW_ROLE_GROUP,        /* a workload group in tree mode */
	CW_ROLE_TITLE,        /* the breadcrumb line */
	CW_ROLE_FKEY,         /* "F1" in the bottom bar */
	CW_ROLE_FKEY_LABEL,   /* "Help" in the bottom bar */
	CW_ROLE_METER_LABEL,
	CW_ROLE_METER,
	CW_ROLE_BANNER,       /* a warning line in the header */
	CW_ROLE_SPARK,
	CW_ROLE_DIM,
	CW_ROLE_SEV_CRIT,     /* a finding's severity marker */
	CW_ROLE_SEV_WARN,
	CW_ROLE_SEV_INFO,
	CW_ROLE_COUNT
};

#endif
