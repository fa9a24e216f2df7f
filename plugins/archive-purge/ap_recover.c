/* After a crash: the purge an interrupted run was doing on an item's
 * archive is found by its temporary files (.lethe-purge-RUN-FIRST-LAST.*,
 * FIRST <= the item's journal number <= LAST) beside the archive, and
 * finished or undone by purge_recover(); the archive's name then holds the
 * original or the verified purged archive, and the old data is shredded. */
#include "ap.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uri.h"

/* The directory (below the source's root) and name of the item's archive:
 * the plan's path is "ARCHIVE#ENTRY", percent-encoded. */
static int open_archive_dir(const struct lethe_rule_info *rule, const struct lethe_item *item,
                            char *name, size_t n)
{
  struct dynbuf root, archive, enc;
  const char *hash = item->path ? strchr(item->path, '#') : NULL;
  struct lethe_err err = { 0 };
  char *slash;
  int rootfd = -1, dirfd = -1;
  db_init(&root, 65536);
  db_init(&archive, 65536);
  db_init(&enc, 65536);
  if(hash && !strncmp(rule->source, "file://", 7) && !uri_decode(rule->source + 7, &root) &&
     !db_add(&enc, item->path, (size_t)(hash - item->path)) &&
     !uri_decode(db_str(&enc), &archive))
    rootfd = open(db_str(&root), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  slash = rootfd >= 0 ? strrchr(archive.mem, '/') : NULL;
  if(rootfd >= 0) {
    snprintf(name, n, "%s", slash ? slash + 1 : archive.mem);
    if(slash)
      *slash = '\0';
    dirfd = fileops_open_dir(rootfd, slash ? archive.mem : "", NULL, &err);
    close(rootfd);
  }
  db_release(&root);
  db_release(&archive);
  db_release(&enc);
  return dirfd;
}

/* The tag "FIRST-LAST" of a leftover of run beside the archive whose range
 * holds seq; false when there is none (the purge finished or never began). */
static bool find_leftover(int dirfd, const char *run, uint64_t seq, char tag[PURGE_TAG_MAX + 1])
{
  char prefix[PURGE_TAG_MAX + 16];
  int fd = dup(dirfd);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  struct dirent *e;
  bool found = false;
  size_t plen = (size_t)snprintf(prefix, sizeof(prefix), ".lethe-purge-%s-", run);
  if(!d) {
    if(fd >= 0)
      close(fd);
    return false;
  }
  for(e = readdir(d); e && !found; e = readdir(d)) {
    uint64_t first, last;
    int used = 0;
    if(strncmp(e->d_name, prefix, plen) ||
       sscanf(e->d_name + plen, "%" SCNu64 "-%" SCNu64 ".%n", &first, &last, &used) != 2 ||
       !used || first > seq || seq > last)
      continue;
    snprintf(tag, PURGE_TAG_MAX + 1, "%" PRIu64 "-%" PRIu64, first, last);
    found = true;
  }
  closedir(d);
  return found;
}

lethe_rc ap_recover_detail(const struct lethe_rule_info *rule, const struct lethe_item *item,
                           struct lethe_outcome *out)
{
  struct ap_state st;
  struct purge_dispose_hook hook;
  struct arc_err err = { 0 };
  enum purge_state state;
  char name[NAME_MAX + 1], tag[PURGE_TAG_MAX + 1], level[64] = "", msg[256];
  size_t bad;
  int dirfd;
  memset(&st, 0, sizeof(st));
  if(!LETHE_HAS_MEMBER(item, seq) ||
     ap_read_settings(rule, &st.shred, &bad, msg, sizeof(msg)))
    return LETHE_OK;
  shred_opts_method(&st.shred, st.shred_method, sizeof(st.shred_method));
  ap_run_tag(rule, st.run);
  dirfd = open_archive_dir(rule, item, name, sizeof(name));
  if(dirfd < 0)
    return LETHE_OK;
  hook = ap_dispose_hook(&st);
  if(find_leftover(dirfd, st.run, item->seq, tag) &&
     !purge_recover(dirfd, name, st.run, tag, &hook, &state, level, sizeof(level), &err))
    snprintf(out->detail, sizeof(out->detail), "{\"recovered_purge\":\"%s\",\"level\":\"%s\"}",
             purge_state_name(state), level[0] ? level : LETHE_LEVEL_NONE);
  else if(err.rc)
    snprintf(out->detail, sizeof(out->detail), "{\"recovered_purge\":\"failed\"}");
  close(dirfd);
  return LETHE_OK;
}
