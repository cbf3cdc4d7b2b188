/* workload: derives the owning workload from a pod's name, so replicas group
 * together: a ReplicaSet pod "web-5d8f7c9b6-x2k4q" -> "web", a StatefulSet
 * pod "db-0" -> "db", a DaemonSet or Job pod "agent-x2k4q" -> "agent". */
#ifndef CW_WORKLOAD_H
#define CW_WORKLOAD_H

#include <stddef.h>

/* Writes the workload name into buf (size n), cut if it must be on a
 * UTF-8 character boundary. Names that match no pattern are their own
 * workload. */
void cw_workload_from_pod(const char *pod, char *buf, size_t n);

#endif
