/* A library for test_lazy.c, loaded on first use through trampolines as
 * the lethe program loads libcurl: functions whose arguments fill every
 * integer and vector argument register, and a variadic one, so that a
 * register the first-call path failed to keep shows as a wrong result. */
#include <stdarg.h>
#include <stdio.h>

long lazytest_sum6(long a, long b, long c, long d, long e, long f);
double lazytest_dsum8(double a, double b, double c, double d, double e, double f,
                      double g, double h);
int lazytest_format(char *buf, size_t n, const char *fmt, ...);
long lazytest_missing(void);

/* Run by dlopen inside the first call's resolver: leave garbage in every
 * argument register, so that one the first-call path does not put back
 * reaches the function wrong. */
__attribute__((constructor)) static void clobber_argument_registers(void)
{
#if defined(__x86_64__)
  __asm__ volatile("movq $-1, %%rdi\n\tmovq $-1, %%rsi\n\tmovq $-1, %%rdx\n\t"
                   "movq $-1, %%rcx\n\tmovq $-1, %%r8\n\tmovq $-1, %%r9\n\t"
                   "movq $-1, %%rax\n\tpcmpeqd %%xmm0, %%xmm0\n\t"
                   "pcmpeqd %%xmm1, %%xmm1\n\tpcmpeqd %%xmm2, %%xmm2\n\t"
                   "pcmpeqd %%xmm3, %%xmm3\n\tpcmpeqd %%xmm4, %%xmm4\n\t"
                   "pcmpeqd %%xmm5, %%xmm5\n\tpcmpeqd %%xmm6, %%xmm6\n\t"
                   "pcmpeqd %%xmm7, %%xmm7"
                   ::: "rdi", "rsi", "rdx", "rcx", "r8", "r9", "rax", "xmm0", "xmm1",
                       "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7");
#endif
}

long lazytest_sum6(long a, long b, long c, long d, long e, long f)
{
  return a + 10 * b + 100 * c + 1000 * d + 10000 * e + 100000 * f;
}

double lazytest_dsum8(double a, double b, double c, double d, double e, double f,
                      double g, double h)
{
  return a + 2 * b + 4 * c + 8 * d + 16 * e + 32 * f + 64 * g + 128 * h;
}

int lazytest_format(char *buf, size_t n, const char *fmt, ...)
{
  va_list ap;
  int r;
  va_start(ap, fmt);
  r = vsnprintf(buf, n, fmt, ap);
  va_end(ap);
  return r;
}

/* Listed in nosuch.syms, whose library does not exist. */
long lazytest_missing(void)
{
  return 42;
}
