#!/bin/sh
# test_podid again, with the --rootfs fallback forced, as on kernels without
# openat2 (before 5.6) and under valgrind: every check must hold both ways.
CW_ROOT_NO_OPENAT2=1
export CW_ROOT_NO_OPENAT2
exec "${top_builddir:-.}/tests/unit/test_podid"
