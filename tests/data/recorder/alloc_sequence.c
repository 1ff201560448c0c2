/* A known allocation sequence for the recorder tests (tests/unit/recorder_test.cpp), built with
 * `cc -O0 -fno-builtin -pthread` at test time (no builtins: GCC would turn realloc(NULL, n) into
 * malloc(n)): every allocation function, realloc/reallocarray edge cases, failed allocations,
 * blocks freed by another thread than the one that allocated them while both run (so addresses
 * are reused across threads), a fork whose child allocates, a spawned program, a thread still
 * blocked when the process exits, a block freed by a library destructor after the recorder's exit
 * flush (exit_free.c, linked in), and known leaks.
 *
 * It prints (stdout) what must be live when it exits:
 *   leak <address> <size>   a block leaked on purpose
 *   dtv <address> <size>    the dynamic thread vector glibc callocs in pthread_create; glibc keeps
 *                           it with the cached thread stack, so it is still live at exit (read from
 *                           the thread's TCB: x86_64 glibc only, nothing is printed elsewhere).
 *                           Threads that reuse a cached stack print the same vector again.
 *   threads <n>             threads that allocated (main included)
 * With the argument "_exit" it ends with _exit(0) instead of returning from main; destructors do not
 * run then, so exit_free.c's block stays live and is reported as a leak. */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;
extern void* exit_free_block; /* exit_free.c */

static void say(const char* text) {
  if (write(1, text, strlen(text)) < 0) exit(3);
}

static void report_leak(const void* p, size_t size) {
  char line[64];
  snprintf(line, sizeof line, "leak %p %zu\n", p, size);
  say(line);
}

/* The DTV block of the calling thread: tcbhead_t.dtv (at %fs:8) points one 16-byte dtv_t entry
 * past the start of the vector glibc allocated with calloc(length + 2, 16), and that first entry
 * holds the length (glibc allocate_dtv / INSTALL_DTV). */
struct dtv {
  void* block;
  size_t size;
};

static struct dtv dtv_of_this_thread(void) {
  struct dtv d = {NULL, 0};
#if defined(__x86_64__) && defined(__GLIBC__)
  char* entry1;
  __asm__("mov %%fs:8, %0" : "=r"(entry1));
  d.block = entry1 - 16;
  d.size = (*(size_t*)d.block + 2) * 16;
#endif
  return d;
}

#define MAX_THREADS 8
static struct dtv g_dtvs[MAX_THREADS];
static int g_ndtv;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;

static void note_dtv(void) {
  pthread_mutex_lock(&g_lock);
  g_dtvs[g_ndtv++] = dtv_of_this_thread();
  pthread_mutex_unlock(&g_lock);
}

/* Producer/consumer: the consumer frees what the producer allocated, while the producer keeps
 * allocating, so glibc hands freed addresses back to the other thread. */
#define ROUNDS 30000
#define RING 64
static void* g_ring[RING];
static unsigned g_head, g_tail;

static void* producer(void* arg) {
  (void)arg;
  note_dtv();
  for (unsigned i = 0; i <= ROUNDS; ++i) {
    void* p = NULL;
    if (i < ROUNDS) {
      p = malloc(16 + (i * 37u) % 500);
      memset(p, 1, 16);
      free(malloc(40)); /* an own block too */
    }
    pthread_mutex_lock(&g_lock);
    while (g_head - g_tail == RING) pthread_cond_wait(&g_cond, &g_lock);
    g_ring[g_head++ % RING] = p; /* NULL = done */
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
  }
  void* leak = malloc(333);
  report_leak(leak, 333);
  return NULL;
}

static void* consumer(void* arg) {
  (void)arg;
  note_dtv();
  for (;;) {
    pthread_mutex_lock(&g_lock);
    while (g_head == g_tail) pthread_cond_wait(&g_cond, &g_lock);
    void* p = g_ring[g_tail++ % RING];
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
    if (!p) break;
    free(p);
  }
  void* leak = calloc(4, 111);
  report_leak(leak, 444);
  return NULL;
}

/* Three threads allocate and free one size as fast as they can. Run with glibc's tcache off and
 * one arena (GLIBC_TUNABLES), a block one thread frees is handed to another thread's next malloc
 * at once: a recorder that stamped a free after the real free would show the reuse first. */
#define CHURN 100000
static void* churn(void* arg) {
  (void)arg;
  note_dtv();
  for (int i = 0; i < CHURN; ++i) {
    char* p = malloc(64);
    p[0] = 1;
    free(p);
  }
  return NULL;
}

/* Still blocked when main exits: its buffered records must be flushed by the exit flush. */
static int g_parked;
static void* parked(void* arg) {
  (void)arg;
  note_dtv();
  void* leak = malloc(555);
  report_leak(leak, 555);
  pthread_mutex_lock(&g_lock);
  g_parked = 1;
  pthread_cond_broadcast(&g_cond);
  for (;;) pthread_cond_wait(&g_cond, &g_lock);
  return NULL;
}

/* Small stacks: glibc caches up to 40 MiB of them, so none is freed (with its DTV) before exit. */
static void threads(void) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t a, b, c[3], d;
  pthread_create(&a, &attr, producer, NULL);
  pthread_create(&b, &attr, consumer, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  for (int i = 0; i < 3; ++i) pthread_create(&c[i], &attr, churn, NULL);
  for (int i = 0; i < 3; ++i) pthread_join(c[i], NULL);
  pthread_create(&d, &attr, parked, NULL);
  pthread_mutex_lock(&g_lock);
  while (!g_parked) pthread_cond_wait(&g_cond, &g_lock);
  pthread_mutex_unlock(&g_lock);
}

/* The fork child allocates and leaks; none of it may reach the parent's recording. */
static void fork_child(void) {
  pid_t pid = fork();
  if (pid == 0) {
    if (!malloc(1111)) exit(8);
    free(malloc(22));
    exit(0);
  }
  waitpid(pid, NULL, 0);
  pid_t spawned;
  char* argv[] = {"/bin/true", NULL};
  if (posix_spawn(&spawned, "/bin/true", NULL, NULL, argv, environ) == 0) waitpid(spawned, NULL, 0);
}

static volatile size_t g_huge = (size_t)1 << 62; /* volatile: no compile-time size warnings */

static void every_function(void) {
  char* a = malloc(100);
  a = realloc(a, 1000); /* grow */
  a = realloc(a, 50);   /* shrink */
  report_leak(a, 50);
  char* b = calloc(10, 30);
  if (realloc(b, 0) != NULL) exit(4); /* glibc: frees b, returns NULL */
  char* c = realloc(NULL, 64);
  if (realloc(c, g_huge) != NULL) exit(5); /* fails: c stays valid */
  report_leak(c, 64);
  char* d = reallocarray(NULL, 12, 10);
  d = reallocarray(d, 40, 10);
  report_leak(d, 400);
  void* e = NULL;
  if (posix_memalign(&e, 64, 200) != 0) exit(6);
  free(e);
  void* f = aligned_alloc(4096, 8192);
  report_leak(f, 8192);
  void* g = memalign(32, 48);
  report_leak(g, 48);
  void* h = valloc(100);
  free(h);
  void* i = pvalloc(100);
  report_leak(i, 100);
  free(malloc(0));
  free(NULL);
  if (malloc(g_huge) != NULL || calloc(g_huge, 8) != NULL || reallocarray(NULL, g_huge, 8) != NULL) exit(7);
}

int main(int argc, char** argv) {
  const int direct_exit = argc > 1 && strcmp(argv[1], "_exit") == 0;
  exit_free_block = malloc(777);
  if (direct_exit) report_leak(exit_free_block, 777);
  every_function();
  threads();
  fork_child();
  for (int t = 0; t < g_ndtv; ++t) {
    char line[64];
    if (!g_dtvs[t].block) continue;
    snprintf(line, sizeof line, "dtv %p %zu\n", g_dtvs[t].block, g_dtvs[t].size);
    say(line);
  }
  say("threads 7\n"); /* main, producer, consumer, 3 churn, parked */
  if (direct_exit) _exit(0);
  return 0;
}
