/* Random (version 4) UUIDs, from the kernel's CSPRNG. */
#ifndef LETHE_UUID_H
#define LETHE_UUID_H

#include "err.h"

#define UUID_TEXT_LEN 37

/* Write "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" and its NUL into out. */
lethe_rc uuid_v4(char *out) WUR;

#endif
