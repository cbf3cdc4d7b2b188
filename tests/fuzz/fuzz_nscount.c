/* fuzz_nscount: text -> the four /proc counter parsers (sockstat,
 * sockstat6, snmp, netstat), the snmp-style table lookup, and the node's
 * (file-nr, a sysctl's number, ip_local_port_range, stat/nf_conntrack).
 * All run on every input: a seed from one file is hostile input for the
 * others. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "node.h"
#include "nscount.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct cw_counters c;
	uint64_t v;
	int64_t a, b;

	memset(&c, 0, sizeof(c));
	cw_nscount_parse_sockstat(text, &c);
	cw_nscount_parse_sockstat6(text, &c);
	cw_nscount_parse_snmp(text, &c);
	cw_nscount_parse_netstat(text, &c);
	cw_nscount_table_get(text, "Tcp:", "CurrEstab", &v);
	cw_nscount_table_get(text, "TcpExt:", "ListenDrops", &v);
	cw_node_parse_file_nr(text, &a);
	cw_node_parse_int(text, &a);
	cw_node_parse_range(text, &a, &b);
	cw_node_parse_ctstat(text, &a);
	free(text);
	return 0;
}
