/* json_in: JSON -> snapshot, the reverse of json_out. Owns reading one
 * schema-2 document back into a struct cw_snapshot, walking the same key
 * tables (json_schema) that json_out writes with, so replay and the UI
 * tests can work without root or a kernel. The input may come from
 * anywhere: every string is sanitised, every number range-checked, and
 * anything json_out would not have written is refused with a one-line
 * cause that names the object path and the key:
 *   not valid JSON: truncated at byte 812
 *   unsupported schema 1: this connwatch reads schema 2 only
 *   netns[3].pod: unknown key "nmae"
 *   netns[3].tcp.ESTABLISHED: not a non-negative number (found -2)
 *   netns[0].sockets[4].cookie: not a string of decimal digits (found a number)
 *
 * What json_out does not write is not restored: a socket's raw state
 * (NEW_SYN_RECV reads back as SYN_RECV), its kernel family (AF_INET6 when
 * either address is IPv6, else AF_INET), retrans, the dump_ms of a row
 * not dumped this tick, and pod fields of rows that are not pods. */
#ifndef CW_JSON_IN_H
#define CW_JSON_IN_H

#include "snapshot.h"

/* Returns a new snapshot (refs 1) or NULL with a one-line *cause. All its
 * memory is in the snapshot's arena. */
struct cw_snapshot *cw_json_in_snapshot(const char *text, char **cause);

#endif
