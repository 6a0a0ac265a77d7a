/* check.h -- the assertions and runner the C tests share.
 *
 *   static void test_something(void) { CHECK(x == 1); CHECK_EQ_U(a, b); }
 *   int main(void) { RUN(test_something); return check_finish(); }
 *
 * A test that must die (a fatal runtime error) runs in a child process:
 * expect_death(fn, "text the message must contain").
 */
#ifndef TGC_CHECK_H
#define TGC_CHECK_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "typegc.h"

static int check_failed_in_test;
static int check_tests_passed, check_tests_failed;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            check_failed_in_test = 1;                                        \
        }                                                                    \
    } while (0)

#define CHECK_EQ_U(actual, expected)                                         \
    do {                                                                     \
        unsigned long long check_a_ = (unsigned long long)(actual);          \
        unsigned long long check_e_ = (unsigned long long)(expected);        \
        if (check_a_ != check_e_) {                                          \
            fprintf(stderr, "%s:%d: check failed: %s == %s (%llu != %llu)\n", \
                    __FILE__, __LINE__, #actual, #expected, check_a_, check_e_); \
            check_failed_in_test = 1;                                        \
        }                                                                    \
    } while (0)

/* The collector's statistics now, without the memory pressure's walk:
 * check_stats().minor_collections. */
static inline tgc_stats check_stats(void)
{
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    return stats;
}

/* CHECK_SKIP=name,name,...: tests that do not run (scripts/run-valgrind.sh
 * leaves out the ones that only allocate hundreds of MiB through paths the
 * others cover, which memcheck takes minutes over). */
static inline bool check_skipped(const char *name)
{
    const char *list = getenv("CHECK_SKIP");
    size_t len = strlen(name);
    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, name, len) == 0)
            return true;
        p = end != NULL ? end + 1 : NULL;
    }
    return false;
}

static inline void check_run(const char *name, void (*test)(void))
{
    if (check_skipped(name)) {
        printf("skip %s\n", name);
        fflush(stdout);
        return;
    }
    check_failed_in_test = 0;
    test();
    printf("%s %s\n", check_failed_in_test ? "FAIL" : "ok  ", name);
    fflush(stdout);
    if (check_failed_in_test)
        check_tests_failed++;
    else
        check_tests_passed++;
}

#define RUN(test) check_run(#test, test)

static inline int check_finish(void)
{
    printf("%d passed, %d failed\n", check_tests_passed, check_tests_failed);
    return check_tests_failed ? 1 : 0;
}

/* Sets an environment variable, or unsets it when `value` is NULL: for
 * child processes that choose their own collector settings. */
static inline void set_env(const char *name, const char *value)
{
    if (value != NULL)
        setenv(name, value, 1);
    else
        unsetenv(name);
}

/* Takes collection steps until the collector enters `state` (call
 * tgc_disable() first, so that allocation takes no step of its own);
 * returns the last step's result. */
static inline tgc_step_result step_into(tgc_cursor cursor, tgc_phase state)
{
    tgc_step_result r = { 0 };
    while (r.new_phase != state)
        tgc_collect_step(cursor, &r);
    return r;
}

/* Steps into `state`, then counts the steps spent in it. */
static inline int steps_spent_in(tgc_cursor cursor, tgc_phase state)
{
    tgc_step_result r = step_into(cursor, state);
    int steps = 0;
    while (r.new_phase == state) {
        tgc_collect_step(cursor, &r);
        steps++;
    }
    return steps;
}

/* Runs fn(arg) in a child process with its stderr captured in err (NUL
 * terminated).  Returns the child's exit status, or 128 + the signal that
 * killed it. */
static inline int run_in_child(void (*fn)(void *), void *arg, char *err, size_t err_size)
{
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        dup2(pipefd[1], 2);
        fn(arg);
        _exit(0);
    }
    close(pipefd[1]);
    size_t length = 0;
    ssize_t n;
    while (length < err_size - 1 &&
           (n = read(pipefd[0], err + length, err_size - 1 - length)) > 0)
        length += (size_t)n;
    err[length] = '\0';
    close(pipefd[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs fn(arg) in a child process and returns its exit status (as
 * run_in_child), showing the child's stderr when `expected` finds the
 * status wrong. */
static inline int child_status(void (*fn)(void *), void *arg, bool (*expected)(int))
{
    char err[4096];
    int status = run_in_child(fn, arg, err, sizeof err);
    if (!expected(status))
        fprintf(stderr, "%s", err);
    return status;
}

static inline bool status_is_zero(int status)
{
    return status == 0;
}

/* Runs fn(arg) in a child process, which must exit 0. */
static inline void check_child_succeeds(void (*fn)(void *))
{
    CHECK_EQ_U(child_status(fn, NULL, status_is_zero), 0);
}

static inline void check_call_void(void *fn)
{
    ((void (*)(void))fn)();
}

/* True if fn() dies of SIGABRT (a fatal error) with `expected` in its
 * stderr. */
static inline bool expect_death(void (*fn)(void), const char *expected)
{
    static char output[8192];
    int status = run_in_child(check_call_void, (void *)fn, output, sizeof output);
    bool died = status == 128 + SIGABRT;
    bool said = strstr(output, expected) != NULL;
    if (!died || !said)
        fprintf(stderr, "expected death with \"%s\"; got status %d, stderr:\n%s\n", expected,
                status, output);
    return died && said;
}

#endif /* TGC_CHECK_H */
