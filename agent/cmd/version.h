#ifndef LETHE_VERSION_H
#define LETHE_VERSION_H

/* Print lethe's version and the libraries it loads on first use; returns
 * the exit status (EXIT_USAGE when one of them cannot be loaded). */
int print_version(void);

#endif
