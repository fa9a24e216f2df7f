/* Where approvals are kept: STATE/approvals/HEX/ (see approval.h), each
 * file written whole (a temporary name, fsync, rename) so that a run that
 * reads it meanwhile sees the old file or the new one, never a part. */
#ifndef LETHE_APPROVE_STORE_H
#define LETHE_APPROVE_STORE_H

#include <stdbool.h>

#include "dynbuf.h"

/* Open STATE/approvals (created 0700 with STATE when create). Returns the
 * fd, or -1 with err set; LETHE_E_NOTFOUND when it is not there and not
 * created. */
int approve_store_open(const char *state_dir, bool create, struct lethe_err *err);

/* Copy the file src to a new temporary file in dirfd; its name is put in
 * tmp (at least 32 bytes). The caller renames it away or unlinks it. */
lethe_rc approve_store_copy(int dirfd, const char *src, char *tmp, struct lethe_err *err) WUR;

/* Keep an approval of the plan in directory hex (created), whose text was
 * copied to tmp in dirfd (moved there as plan.json, or dropped when the
 * same plan is already there): the signature as KEYID.approval.sig, then
 * the message as KEYID.approval, replacing an earlier approval by the same
 * key. */
lethe_rc approve_store_keep(int dirfd, const char *hex, const char *tmp, const char *keyid,
                            const struct dynbuf *msg, const struct dynbuf *sig,
                            struct lethe_err *err) WUR;

#endif
