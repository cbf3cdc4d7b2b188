/* fuzz_nscount: text -> the four /proc counter parsers (sockstat,
 * sockstat6, snmp, netstat) and the snmp-style table lookup. All run on
 * every input: a seed from one file is hostile input for the others. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "nscount.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct cw_counters c;
	uint64_t v;

	memset(&c, 0, sizeof(c));
	cw_nscount_parse_sockstat(text, &c);
	cw_nscount_parse_sockstat6(text, &c);
	cw_nscount_parse_snmp(text, &c);
	cw_nscount_parse_netstat(text, &c);
	cw_nscount_table_get(text, "Tcp:", "CurrEstab", &v);
	cw_nscount_table_get(text, "TcpExt:", "ListenDrops", &v);
	free(text);
	return 0;
}
