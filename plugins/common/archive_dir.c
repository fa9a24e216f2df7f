/* The archiving mail plugins' archive directory (see archive_dir.h). */
#include "archive_dir.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

lethe_rc archive_dir_open(const char *path, size_t max, int *dirfd, char **dir,
                          struct lethe_err *err)
{
  struct stat sb;
  if(path[0] != '/' || strlen(path) > max || strpbrk(path, "\"\\"))
    return err_set(err, LETHE_E_CONFIG, "setting 'archive-path': must be an absolute path of "
                   "at most %zu bytes without quotes or backslashes", max);
  *dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if(*dirfd < 0)
    return err_sys(err, LETHE_E_CONFIG, "setting 'archive-path': cannot open '%s' as a "
                   "directory", path);
  if(fstat(*dirfd, &sb))
    return err_sys(err, LETHE_E_CONFIG, "setting 'archive-path': cannot stat '%s'", path);
  if(sb.st_mode & (S_IWGRP | S_IWOTH))
    return err_set(err, LETHE_E_CONFIG, "setting 'archive-path': '%s' is group- or "
                   "world-writable", path);
  if(sb.st_uid != geteuid())
    return err_set(err, LETHE_E_CONFIG, "setting 'archive-path': '%s' belongs to uid %u, not "
                   "to this user", path, (unsigned)sb.st_uid);
  *dir = strdup(path);
  return *dir ? LETHE_OK : err_set(err, LETHE_E_NOMEM, "out of memory");
}

void archive_name_part(char *out, const char *s, size_t max)
{
  size_t i = 0;
  for(; s[i] && i < max; i++) {
    char c = s[i];
    out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '-' || c == '_' ? c : '_';
  }
  out[i] = '\0';
}
