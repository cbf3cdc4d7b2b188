/* alloccount: an LD_PRELOAD library that counts the heap allocations of a
 * process (malloc, calloc, realloc, aligned allocations) in a file that
 * other processes can read while it runs, so a test can sample the count
 * at two moments and divide by the ticks in between.
 *
 *   CW_ALLOCCOUNT_FILE=/tmp/x LD_PRELOAD=tests/tools/.libs/... connwatch ...
 *   od -An -t u8 -N 8 /tmp/x    # allocations so far
 *
 * The file is created (8 bytes) and mapped shared at the first allocation;
 * the count is a relaxed atomic in the mapping. It wraps glibc's own entry
 * points (__libc_malloc and friends) rather than looking the next symbol up
 * with dlsym, which itself allocates. free is not interposed: only the
 * number of allocations matters here. Without the variable it counts in
 * private memory and writes nothing. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

static _Atomic uint64_t fallback;
static _Atomic uint64_t *counter;
static atomic_int state; /* 0: not set up, 1: setting up, 2: ready */

/* Maps the counter file once; allocations made meanwhile (by another
 * thread, or by this very setup) go to the private fallback. */
static _Atomic uint64_t *get_counter(void)
{
	int expect = 0;

	if (atomic_load_explicit(&state, memory_order_acquire) == 2)
		return counter;
	if (atomic_compare_exchange_strong(&state, &expect, 1)) {
		const char *path = getenv("CW_ALLOCCOUNT_FILE");
		_Atomic uint64_t *c = &fallback;

		if (path && *path) {
			int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

			if (fd >= 0 && ftruncate(fd, sizeof(uint64_t)) == 0) {
				void *m = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE,
					       MAP_SHARED, fd, 0);

				if (m != MAP_FAILED) {
					c = m;
					atomic_store(c, atomic_load(&fallback));
				}
			}
			if (fd >= 0)
				close(fd);
		}
		counter = c;
		atomic_store_explicit(&state, 2, memory_order_release);
		return c;
	}
	return &fallback;
}

static void count(void)
{
	atomic_fetch_add_explicit(get_counter(), 1, memory_order_relaxed);
}

void *malloc(size_t n)
{
	count();
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	count();
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	count();
	return __libc_realloc(p, n);
}

void *memalign(size_t align, size_t n)
{
	count();
	return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	count();
	return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	count();
	p = __libc_memalign(align, n);
	if (!p)
		return 12; /* ENOMEM */
	*out = p;
	return 0;
}
