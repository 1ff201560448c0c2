/* libspanscope-record.so: an LD_PRELOAD malloc recorder, started by `spanscope-cli record`.
 *
 * Plain C with no libstdc++, so the recorder adds no allocations of its own to the program (a C++
 * runtime would allocate its exception pool at load time) and never allocates through malloc in
 * a hook. Facts and pitfalls behind each choice: shared/reference/trace-formats.md §5.
 *
 * - Hooks: malloc, free, calloc, realloc, reallocarray, posix_memalign, aligned_alloc, memalign,
 *   valloc, pvalloc, plus _exit/_Exit (to flush before a direct exit). The real functions come
 *   from dlsym(RTLD_NEXT); dlsym itself allocates, so calls made while resolving are served from a
 *   static bump pool whose blocks never reach the real free.
 * - A thread-local guard keeps nested calls (reallocarray -> realloc inside glibc, our own writes,
 *   a signal handler interrupting a hook) unrecorded instead of recursing or deadlocking.
 * - Order: one global atomic sequence number, taken after the real call for an allocation and
 *   before the real call for a free, so a free is always ordered before any reuse of its address.
 *   realloc is two records: the release of the old block (seq before the call) and the new block
 *   (seq after).
 * - Records go to a per-thread buffer (mmap'd; TLS holds only a pointer, initial-exec model, so no
 *   TLS allocation), written with write(2) under a mutex when full, at thread exit (a pthread key
 *   destructor), and at process exit (library destructor or _exit). After the exit flush every
 *   record is written at once, so frees issued by later exit handlers are not lost.
 * - The log's descriptor sits high (near the top of the first 1024 numbers, or of the soft limit if
 *   lower; close-on-exec), away from the low numbers a program gets from open(). A program may still
 *   take that number: close(), dup2() and dup3() onto it are hooked and move the log to another
 *   number first; anything unhooked (close_range, closefrom, raw syscalls) is caught before every
 *   write, which checks the descriptor still is the log (fstat: device and inode) and otherwise
 *   opens the log again by its absolute path, leaving the program's descriptor alone. So records
 *   never land in the program's files.
 * - A failed write (ENOSPC, EFBIG, EIO) stops the recording: the errno goes into the log's header
 *   (written in place, no new space needed), which `spanscope-cli record` reports as an error.
 * - fork: only the process that was started is recorded. A fork child stops recording (as
 *   heaptrack does) and never writes the buffers it inherited; the recorder removes itself from
 *   LD_PRELOAD at load time, so programs started with exec are not recorded either. */
#define _GNU_SOURCE
#include "traces/recorder/raw_record.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define HOOK __attribute__((visibility("default")))
#define BUFFER_RECORDS 4096

enum { ST_UNINIT, ST_RESOLVING, ST_PASSTHROUGH, ST_RECORDING };

struct buffer {
  int lock;  /* held by the owner while appending, by the exit flush while writing */
  uint32_t count;
  struct buffer *prev, *next;
  struct spanscope_raw_record records[BUFFER_RECORDS];
};

struct thread_state {
  int guard;     /* inside a hook or the recorder: calls pass through unrecorded */
  int bootstrap; /* this thread is resolving the real functions: serve from the pool */
  int direct;    /* no buffer (thread exiting, or mmap failed): write each record at once */
  uint32_t tid;
  struct buffer* buf;
};

static _Thread_local struct thread_state tls __attribute__((tls_model("initial-exec")));

static struct {
  void* (*malloc)(size_t);
  void (*free)(void*);
  void* (*calloc)(size_t, size_t);
  void* (*realloc)(void*, size_t);
  void* (*reallocarray)(void*, size_t, size_t);
  int (*posix_memalign)(void**, size_t, size_t);
  void* (*aligned_alloc)(size_t, size_t);
  void* (*memalign)(size_t, size_t);
  void* (*valloc)(size_t);
  void* (*pvalloc)(size_t);
  void (*exit_)(int);
  void (*Exit_)(int);
  int (*close)(int);
  int (*dup2)(int, int);
  int (*dup3)(int, int, int);
} real;

static int g_state = ST_UNINIT;
static int g_fd = -1;          /* the log, or -1: opened again by path before the next write */
static int g_fd_floor = -1;    /* the lowest number the log's descriptor may take; -1: any */
static char g_path[4096];      /* the log's absolute path */
static dev_t g_dev;            /* the log's identity, to tell it from a program's file on g_fd */
static ino_t g_ino;
static int g_write_error;      /* errno of the first failed write: nothing more is written */
static pid_t g_pid;
static uint64_t g_seq;
static uint64_t g_page_size;
static int g_write_through; /* set by the exit flush */
static int g_exit_written;
static pthread_mutex_t g_write_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t g_buffers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct buffer* g_buffers;
static pthread_key_t g_thread_key;

/* ---- messages (no stdio: it allocates) ---- */

static void say5(const char* a, const char* b, const char* c, const char* d, const char* e) {
  const char* parts[] = {"spanscope-record: ", a, b, c, d, e, "\n"};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; ++i)
    if (parts[i] && write(2, parts[i], strlen(parts[i])) < 0) return;
}

static void say(const char* a, const char* b, const char* c) { say5(a, b, c, NULL, NULL); }

static void fatal(const char* what) {
  say(what, NULL, NULL);
  abort();
}

/* Decimal digits of v into out (at least 21 bytes); returns out. */
static char* decimal(uint64_t v, char* out) {
  char tmp[21];
  size_t n = 0;
  do tmp[n++] = (char)('0' + v % 10); while ((v /= 10) != 0);
  for (size_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  out[n] = '\0';
  return out;
}

/* ---- the bootstrap pool: what dlsym allocates before the real functions are known ---- */

static unsigned char g_pool[16384] __attribute__((aligned(64)));
static size_t g_pool_used;

static int is_pool(const void* p) {
  return (const unsigned char*)p >= g_pool && (const unsigned char*)p < g_pool + sizeof g_pool;
}

/* Only the resolving thread gets here (the others wait in init), so no atomics are needed. Each
 * block is preceded by its size, for realloc. The pool is static, hence zeroed: calloc is free. */
static void* pool_alloc(size_t size, size_t align) {
  if (align < 16) align = 16;
  size_t start = (g_pool_used + sizeof(size_t) + align - 1) / align * align;
  if (size > sizeof g_pool || start > sizeof g_pool - size) fatal("bootstrap pool exhausted");
  memcpy(g_pool + start - sizeof(size_t), &size, sizeof size);
  g_pool_used = start + size;
  return g_pool + start;
}

static size_t pool_size(const void* p) {
  size_t size;
  memcpy(&size, (const unsigned char*)p - sizeof size, sizeof size);
  return size;
}

/* ---- clock, thread id, locks ---- */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no syscall, no allocation */
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t thread_id(void) {
  if (!tls.tid) tls.tid = (uint32_t)syscall(SYS_gettid);
  return tls.tid;
}

static void spin_lock(int* l) {
  while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
    while (__atomic_load_n(l, __ATOMIC_RELAXED)) sched_yield();
}

static void spin_unlock(int* l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

/* ---- the log ---- */

/* Our own descriptors are closed by the system call: close() is one of our hooks. */
static void sys_close(int fd) { syscall(SYS_close, fd); }

static void set_log_fd(int fd) { __atomic_store_n(&g_fd, fd, __ATOMIC_RELAXED); }

/* fd moved to g_fd_floor or above (close-on-exec); fd itself if no number is free up there. */
static int move_high(int fd) {
  if (g_fd_floor < 0 || fd >= g_fd_floor) return fd;
  const int high = fcntl(fd, F_DUPFD_CLOEXEC, g_fd_floor);
  if (high < 0) return fd; /* still checked before every write */
  sys_close(fd);
  return high;
}

/* The first failed write: say why, stop writing, and put the errno into the header (in place:
 * those bytes exist already, so this works on a full disk), for `spanscope-cli record` to report.
 * Called with g_write_lock held, or from init. */
static void log_failed(const char* what, int err) {
  if (g_write_error) return;
  g_write_error = err ? err : EIO;
  const char* reason = strerrordesc_np(g_write_error); /* no locale, no allocation */
  char num[21];
  say5(what, g_path, ": ", reason ? reason : decimal((uint64_t)g_write_error, num), "; the recording is incomplete");
  if (g_fd >= 0) sys_close(g_fd); /* only ever a descriptor log_fd() checked is ours */
  set_log_fd(-1);
  const int fd = open(g_path, O_WRONLY | O_CLOEXEC); /* not O_APPEND: pwrite must hit the header */
  if (fd < 0) return;
  const uint64_t e = (uint64_t)g_write_error;
  if (pwrite(fd, &e, sizeof e, offsetof(struct spanscope_raw_header, write_error)) != (ssize_t)sizeof e)
    say("cannot mark the log as incomplete either", NULL, NULL);
  sys_close(fd);
}

/* The log's descriptor, checked before each write: the program may have closed that number or put
 * its own file there (close_range, closefrom, raw syscalls: nothing we hook). Then the log is opened
 * again by path; the number is the program's now and is left alone. -1 after a failure. Called with
 * g_write_lock held, or from init. */
static int log_fd(void) {
  if (g_write_error) return -1;
  struct stat st;
  if (g_fd >= 0 && fstat(g_fd, &st) == 0 && st.st_dev == g_dev && st.st_ino == g_ino) return g_fd;
  set_log_fd(-1);
  const int fd = open(g_path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) {
    log_failed("reopening ", errno);
    return -1;
  }
  set_log_fd(move_high(fd));
  return g_fd;
}

static void write_all(const void* data, size_t n) {
  const char* p = data;
  int retried = 0;
  while (n > 0) {
    const int fd = log_fd();
    if (fd < 0) return;
    const ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EBADF && !retried) { /* closed between the check and the write */
      retried = 1;
      continue;
    }
    if (w <= 0) {
      log_failed("writing ", w < 0 ? errno : EIO);
      return;
    }
    p += w;
    n -= (size_t)w;
  }
}

/* Any thread; never from a fork or vfork child, whose memory holds a copy of the parent's data. */
static void write_records(const struct spanscope_raw_record* r, size_t n) {
  if (getpid() != g_pid) return;
  int cancel;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel); /* write(2) is a cancellation point */
  pthread_mutex_lock(&g_write_lock);
  if (!g_write_error) write_all(r, n * sizeof *r);
  pthread_mutex_unlock(&g_write_lock);
  pthread_setcancelstate(cancel, NULL);
}

static void flush_locked(struct buffer* b) {
  if (b->count) write_records(b->records, b->count);
  b->count = 0;
}

static void at_thread_exit(void* arg) {
  struct buffer* b = arg;
  if (getpid() != g_pid) return; /* a fork child: the list and its lock belong to the parent */
  int guard = tls.guard;
  tls.guard = 1;
  pthread_mutex_lock(&g_buffers_lock);
  if (b->prev) b->prev->next = b->next;
  else g_buffers = b->next;
  if (b->next) b->next->prev = b->prev;
  pthread_mutex_unlock(&g_buffers_lock);
  spin_lock(&b->lock);
  flush_locked(b);
  spin_unlock(&b->lock);
  /* Later key destructors and TLS teardown may still free: those records are written at once. */
  tls.buf = NULL;
  tls.direct = 1;
  munmap(b, sizeof *b);
  tls.guard = guard;
}

static struct buffer* thread_buffer(void) {
  if (tls.buf || tls.direct) return tls.buf;
  void* m = mmap(NULL, sizeof(struct buffer), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    tls.direct = 1;
    return NULL;
  }
  struct buffer* b = m;
  pthread_mutex_lock(&g_buffers_lock);
  b->next = g_buffers;
  if (g_buffers) g_buffers->prev = b;
  g_buffers = b;
  pthread_mutex_unlock(&g_buffers_lock);
  pthread_setspecific(g_thread_key, b); /* an early key: glibc stores it without allocating */
  tls.buf = b;
  return b;
}

static void emit(const struct spanscope_raw_record* r) {
  struct buffer* b = thread_buffer();
  if (b) {
    spin_lock(&b->lock);
    if (!__atomic_load_n(&g_write_through, __ATOMIC_ACQUIRE)) {
      b->records[b->count++] = *r;
      if (b->count == BUFFER_RECORDS) flush_locked(b);
      spin_unlock(&b->lock);
      return;
    }
    spin_unlock(&b->lock);
  }
  write_records(r, 1);
}

static void stamp(struct spanscope_raw_record* r, uint8_t op) {
  r->seq = __atomic_fetch_add(&g_seq, 1, __ATOMIC_SEQ_CST);
  r->time_ns = now_ns();
  r->tid = thread_id();
  r->op = op;
}

/* Flushes every thread's buffer and switches to writing each record at once. Skipped when this
 * thread interrupted its own hook (a signal handler calling exit): our locks may be held. */
static void flush_at_exit(void) {
  if (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) != ST_RECORDING || tls.guard || getpid() != g_pid) return;
  int saved = errno;
  tls.guard = 1;
  pthread_mutex_lock(&g_buffers_lock);
  __atomic_store_n(&g_write_through, 1, __ATOMIC_RELEASE);
  for (struct buffer* b = g_buffers; b; b = b->next) {
    spin_lock(&b->lock);
    flush_locked(b);
    spin_unlock(&b->lock);
  }
  pthread_mutex_unlock(&g_buffers_lock);
  if (!__atomic_exchange_n(&g_exit_written, 1, __ATOMIC_ACQ_REL)) {
    struct spanscope_raw_record r = {0};
    stamp(&r, SPANSCOPE_OP_EXIT);
    write_records(&r, 1);
  }
  tls.guard = 0;
  errno = saved;
}

/* ---- start-up ---- */

static int has_prefix(const char* s, const char* prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* getenv without getenv: a program may define its own (bash does, over its variable table). */
static const char* env_value(const char* name_eq) {
  for (char** e = environ; e && *e; ++e)
    if (has_prefix(*e, name_eq)) return *e + strlen(name_eq);
  return NULL;
}

static int open_log(void) {
  const char* dir = env_value(SPANSCOPE_RECORD_DIR_ENV "=");
  if (!dir || !*dir) return 0;
  char* path = g_path; /* absolute (spanscope-cli record makes it so): the program may chdir */
  char num[21];
  const pid_t pid = getpid();
  decimal((uint64_t)pid, num);
  if (strlen(dir) + strlen(num) + 6 > sizeof g_path) {
    say("the directory in " SPANSCOPE_RECORD_DIR_ENV " is too long; not recording", NULL, NULL);
    return 0;
  }
  strcpy(path, dir);
  strcat(path, "/");
  strcat(path, num);
  strcat(path, ".raw");
  /* O_EXCL: a second program image in the same process (exec with our variables restored) must
   * not append to the first one's log. */
  const int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    say("cannot create ", path, "; not recording");
    return 0;
  }
  /* Near the top of the first 1024 descriptors (or of a lower soft limit), 64 numbers of room. */
  struct rlimit rl;
  rlim_t top = 1024;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < top) top = rl.rlim_cur;
  g_fd_floor = top > 64 + 3 ? (int)(top - 64) : -1;
  set_log_fd(move_high(fd));
  struct stat st;
  if (fstat(g_fd, &st) != 0) {
    say("cannot stat ", path, "; not recording");
    return 0;
  }
  g_dev = st.st_dev;
  g_ino = st.st_ino;
  g_pid = pid;
  g_page_size = (uint64_t)sysconf(_SC_PAGESIZE);
  struct spanscope_raw_header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, SPANSCOPE_RAW_MAGIC, sizeof h.magic);
  h.version = SPANSCOPE_RAW_VERSION;
  h.record_size = sizeof(struct spanscope_raw_record);
  h.pid = (uint64_t)pid;
  h.start_ns = now_ns();
  h.page_size = g_page_size;
  write_all(&h, sizeof h);
  if (g_write_error || pthread_key_create(&g_thread_key, at_thread_exit) != 0) return 0;
  return 1;
}

#define RESOLVE(field, name) (*(void**)&real.field = dlsym(RTLD_NEXT, name))

/* The first hook call of the process gets here (before main, usually from another library's
 * initializer, so a constructor would be too late). Threads arriving meanwhile wait. */
static void init(void) {
  int expected = ST_UNINIT;
  if (!__atomic_compare_exchange_n(&g_state, &expected, ST_RESOLVING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    while (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) == ST_RESOLVING) sched_yield();
    return;
  }
  tls.bootstrap = 1;
  RESOLVE(malloc, "malloc");
  RESOLVE(free, "free");
  RESOLVE(calloc, "calloc");
  RESOLVE(realloc, "realloc");
  RESOLVE(reallocarray, "reallocarray");
  RESOLVE(posix_memalign, "posix_memalign");
  RESOLVE(aligned_alloc, "aligned_alloc");
  RESOLVE(memalign, "memalign");
  RESOLVE(valloc, "valloc");
  RESOLVE(pvalloc, "pvalloc");
  RESOLVE(exit_, "_exit");
  RESOLVE(Exit_, "_Exit");
  RESOLVE(close, "close");
  RESOLVE(dup2, "dup2");
  RESOLVE(dup3, "dup3");
  if (!real.malloc || !real.free || !real.calloc || !real.realloc || !real.reallocarray || !real.posix_memalign ||
      !real.aligned_alloc || !real.memalign || !real.valloc || !real.pvalloc || !real.exit_ || !real.Exit_ ||
      !real.close || !real.dup2 || !real.dup3)
    fatal("cannot find the real allocation functions (dlsym RTLD_NEXT)");
  const int recording = open_log();
  tls.bootstrap = 0;
  __atomic_store_n(&g_state, recording ? ST_RECORDING : ST_PASSTHROUGH, __ATOMIC_RELEASE);
}

/* True once the real functions are known; false while this thread is resolving them. */
static int resolved(void) {
  if (__builtin_expect(__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) >= ST_PASSTHROUGH, 1)) return 1;
  if (tls.bootstrap) return 0;
  init();
  return 1;
}

static void in_fork_child(void) { __atomic_store_n(&g_state, ST_PASSTHROUGH, __ATOMIC_RELEASE); }

static int is_recorder_entry(const char* s, size_t n) {
  const size_t name = sizeof SPANSCOPE_RECORD_LIB_NAME - 1;
  return n >= name && memcmp(s + n - name, SPANSCOPE_RECORD_LIB_NAME, name) == 0 &&
         (n == name || s[n - name - 1] == '/');
}

static char g_preload_kept[4096];

/* "LD_PRELOAD=..." without our entry: the same string, a copy in g_preload_kept, or NULL when
 * nothing is left. A value too long for the copy is kept as it is. */
static char* preload_without_recorder(char* entry) {
  const size_t prefix = sizeof "LD_PRELOAD=" - 1;
  size_t n = prefix;
  int removed = 0;
  memcpy(g_preload_kept, entry, prefix);
  for (const char* s = entry + prefix; *s;) {
    const size_t len = strcspn(s, ": ");
    if (len && is_recorder_entry(s, len)) removed = 1;
    else if (len) {
      if (n + len + 2 > sizeof g_preload_kept) return entry;
      if (n > prefix) g_preload_kept[n++] = ':';
      memcpy(g_preload_kept + n, s, len);
      n += len;
    }
    s += len;
    if (*s) ++s;
  }
  g_preload_kept[n] = '\0';
  if (!removed) return entry;
  return n > prefix ? g_preload_kept : NULL;
}

/* Takes our entry out of LD_PRELOAD and drops our variable, so programs this one starts run
 * unrecorded and the program sees the environment it was given (as heaptrack does). Edits the
 * environ array in place (main's envp is the same array): setenv and unsetenv may allocate, and a
 * program may define its own (bash does, over its variable table). */
static void strip_environment(void) {
  if (!environ) return;
  char** out = environ;
  for (char** e = environ; *e; ++e) {
    char* kept = *e;
    if (has_prefix(kept, SPANSCOPE_RECORD_DIR_ENV "=")) kept = NULL;
    else if (has_prefix(kept, "LD_PRELOAD=")) kept = preload_without_recorder(kept);
    if (kept) *out++ = kept;
  }
  *out = NULL;
}

__attribute__((constructor)) static void at_load(void) {
  resolved();
  if (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) != ST_RECORDING) return;
  tls.guard = 1;
  pthread_atfork(NULL, NULL, in_fork_child); /* may allocate: ours, not recorded */
  strip_environment();
  tls.guard = 0;
}

__attribute__((destructor)) static void at_unload(void) { flush_at_exit(); }

/* ---- the hooks ---- */

/* True if this call is to be recorded; the guard then stays set until done(). */
static int enter(void) {
  if (tls.guard || __atomic_load_n(&g_state, __ATOMIC_ACQUIRE) != ST_RECORDING) return 0;
  tls.guard = 1;
  return 1;
}

static void done(int saved_errno) {
  tls.guard = 0;
  errno = saved_errno;
}

/* Records an allocation after the real call returned (p == NULL: it failed). */
static void* recorded_alloc(uint8_t op, void* p, uint64_t size, uint64_t align) {
  const int saved = errno;
  struct spanscope_raw_record r = {0};
  stamp(&r, op);
  r.ptr = (uintptr_t)p;
  r.size = size;
  r.aux = align;
  emit(&r);
  done(saved);
  return p;
}

HOOK void* malloc(size_t size) {
  if (!resolved()) return pool_alloc(size, 16);
  if (!enter()) return real.malloc(size);
  return recorded_alloc(SPANSCOPE_OP_MALLOC, real.malloc(size), size, 0);
}

HOOK void* calloc(size_t n, size_t size) {
  uint64_t bytes;
  const int overflow = __builtin_mul_overflow(n, size, &bytes);
  if (!resolved()) return overflow ? NULL : pool_alloc(bytes, 16);
  if (!enter()) return real.calloc(n, size);
  return recorded_alloc(SPANSCOPE_OP_CALLOC, real.calloc(n, size), overflow ? UINT64_MAX : bytes, 0);
}

HOOK void free(void* p) {
  if (!p || is_pool(p) || !resolved()) return;
  if (!enter()) {
    real.free(p);
    return;
  }
  const int saved = errno;
  struct spanscope_raw_record r = {0};
  stamp(&r, SPANSCOPE_OP_FREE); /* before the real free: nobody can get p back before this seq */
  r.ptr = (uintptr_t)p;
  real.free(p);
  emit(&r);
  done(saved);
}

/* A pool block passed to realloc moves to the real heap as an ordinary (recorded) malloc. */
static void* realloc_pool_block(void* old, size_t size) {
  void* p = resolved() ? malloc(size) : pool_alloc(size, 16);
  if (p) memcpy(p, old, size < pool_size(old) ? size : pool_size(old));
  return p;
}

/* realloc and reallocarray: the old block's release is stamped before the call (the block may be
 * handed to another thread as soon as the real call frees it), the new block after. */
struct realloc_call {
  uint8_t op; /* SPANSCOPE_OP_REALLOC or _REALLOCARRAY; op + 1 is the release */
  void* old;
  uint64_t bytes;
  struct spanscope_raw_record release;
};

static void realloc_begin(struct realloc_call* c) {
  memset(&c->release, 0, sizeof c->release);
  if (!c->old) return;
  stamp(&c->release, (uint8_t)(c->op + 1));
  c->release.ptr = (uintptr_t)c->old;
  c->release.size = c->bytes; /* 0: realloc(p, 0), a call that only frees */
}

static void* realloc_end(struct realloc_call* c, void* p) {
  const int saved = errno;
  /* glibc: realloc(p, 0) frees p and returns NULL; any other NULL leaves p valid (failed). */
  if (c->old && (p || c->bytes == 0)) emit(&c->release);
  if (p || c->bytes != 0 || !c->old) {
    struct spanscope_raw_record r = {0};
    stamp(&r, c->op);
    r.ptr = (uintptr_t)p;
    r.size = c->bytes;
    r.aux = (uintptr_t)c->old;
    emit(&r);
  }
  done(saved);
  return p;
}

HOOK void* realloc(void* old, size_t size) {
  if (is_pool(old)) return realloc_pool_block(old, size);
  if (!resolved()) return pool_alloc(size, 16); /* old is NULL: only pool blocks exist yet */
  if (!enter()) return real.realloc(old, size);
  struct realloc_call c = {SPANSCOPE_OP_REALLOC, old, size, {0}};
  realloc_begin(&c);
  return realloc_end(&c, real.realloc(old, size));
}

HOOK void* reallocarray(void* old, size_t n, size_t size) {
  uint64_t bytes;
  const int overflow = __builtin_mul_overflow(n, size, &bytes);
  if (is_pool(old) || !resolved()) {
    if (overflow) return NULL;
    return is_pool(old) ? realloc_pool_block(old, bytes) : pool_alloc(bytes, 16);
  }
  if (!enter()) return real.reallocarray(old, n, size);
  struct realloc_call c = {SPANSCOPE_OP_REALLOCARRAY, old, overflow ? UINT64_MAX : bytes, {0}};
  realloc_begin(&c);
  return realloc_end(&c, real.reallocarray(old, n, size));
}

HOOK int posix_memalign(void** out, size_t align, size_t size) {
  if (!resolved()) {
    *out = pool_alloc(size, align);
    return 0;
  }
  if (!enter()) return real.posix_memalign(out, align, size);
  const int rc = real.posix_memalign(out, align, size);
  recorded_alloc(SPANSCOPE_OP_POSIX_MEMALIGN, rc == 0 ? *out : NULL, size, align);
  return rc;
}

HOOK void* aligned_alloc(size_t align, size_t size) {
  if (!resolved()) return pool_alloc(size, align);
  if (!enter()) return real.aligned_alloc(align, size);
  return recorded_alloc(SPANSCOPE_OP_ALIGNED_ALLOC, real.aligned_alloc(align, size), size, align);
}

HOOK void* memalign(size_t align, size_t size) {
  if (!resolved()) return pool_alloc(size, align);
  if (!enter()) return real.memalign(align, size);
  return recorded_alloc(SPANSCOPE_OP_MEMALIGN, real.memalign(align, size), size, align);
}

HOOK void* valloc(size_t size) {
  if (!resolved()) return pool_alloc(size, 4096);
  if (!enter()) return real.valloc(size);
  return recorded_alloc(SPANSCOPE_OP_VALLOC, real.valloc(size), size, g_page_size);
}

HOOK void* pvalloc(size_t size) {
  if (!resolved()) return pool_alloc(size, 4096);
  if (!enter()) return real.pvalloc(size);
  return recorded_alloc(SPANSCOPE_OP_PVALLOC, real.pvalloc(size), size, g_page_size);
}

/* exit() flushes through the library destructor; a direct _exit skips destructors. */
HOOK void _exit(int status) {
  flush_at_exit();
  if (resolved()) real.exit_(status);
  syscall(SYS_exit_group, status);
  __builtin_unreachable();
}

HOOK void _Exit(int status) {
  flush_at_exit();
  if (resolved()) real.Exit_(status);
  syscall(SYS_exit_group, status);
  __builtin_unreachable();
}

/* ---- descriptors: the program takes the log's number ---- */

/* close(), dup2() or dup3() is about to take descriptor fd: if it is the log's, the log moves to
 * another number first (a loop closing every descriptor, a program dup2()ing onto fixed numbers).
 * Not from a fork or vfork child (their descriptors are their own), nor from inside the recorder
 * on this thread (a signal handler: our lock may be held; the check before each write remains). */
static void protect_log_fd(int fd) {
  if (fd < 0 || fd != __atomic_load_n(&g_fd, __ATOMIC_RELAXED) || tls.guard ||
      __atomic_load_n(&g_state, __ATOMIC_ACQUIRE) != ST_RECORDING || getpid() != g_pid)
    return;
  const int saved = errno;
  tls.guard = 1;
  pthread_mutex_lock(&g_write_lock);
  if (g_fd == fd) set_log_fd(fcntl(fd, F_DUPFD_CLOEXEC, g_fd_floor > 0 ? g_fd_floor : 3)); /* -1: reopened later */
  pthread_mutex_unlock(&g_write_lock);
  tls.guard = 0;
  errno = saved;
}

HOOK int close(int fd) {
  protect_log_fd(fd);
  if (!resolved()) return (int)syscall(SYS_close, fd); /* this thread is resolving the real ones */
  return real.close(fd);
}

HOOK int dup2(int oldfd, int newfd) {
  if (oldfd != newfd) protect_log_fd(newfd); /* dup2(fd, fd) takes nothing */
  if (!resolved()) return oldfd == newfd ? (fcntl(oldfd, F_GETFD) < 0 ? -1 : newfd) : (int)syscall(SYS_dup3, oldfd, newfd, 0);
  return real.dup2(oldfd, newfd);
}

HOOK int dup3(int oldfd, int newfd, int flags) {
  if (oldfd != newfd) protect_log_fd(newfd);
  if (!resolved()) return (int)syscall(SYS_dup3, oldfd, newfd, flags);
  return real.dup3(oldfd, newfd, flags);
}
