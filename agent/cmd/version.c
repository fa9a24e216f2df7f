/* lethe --version: the program's version, then each library it loads on
 * first use (lib/lazy) with the version actually found, loading them all:
 * what a bug report needs, and a check that an installation has them. */
#include "version.h"

#include <archive.h>
#include <curl/curl.h>
#include <git2.h>
#include <stdio.h>

#include "cli.h"
#include "lazy.h"

/* Load lib and print its line; false (with the line saying why) if it
 * cannot be loaded. */
static bool loaded(struct lazy_lib *lib, const char *label)
{
  char err[512];
  if(lazy_load(lib, err, sizeof(err)))
    return true;
  printf("%s: %s\n", label, err);
  return false;
}

int print_version(void)
{
  char err[512];
  bool ok = true;
  int major, minor, rev;
  const char *const *xml_version;

  printf("lethe %s\n", LETHE_VERSION);
  if(loaded(&lethe_lazy_curl, "libcurl"))
    printf("libcurl %s (%s)\n", curl_version_info(CURLVERSION_NOW)->version,
           lethe_lazy_curl.soname);
  else
    ok = false;
  if(loaded(&lethe_lazy_git2, "libgit2") && !git_libgit2_version(&major, &minor, &rev))
    printf("libgit2 %d.%d.%d (%s)\n", major, minor, rev, lethe_lazy_git2.soname);
  else
    ok = false;
  if(loaded(&lethe_lazy_archive, "libarchive"))
    printf("%s (%s)\n", archive_version_string(), lethe_lazy_archive.soname);
  else
    ok = false;
  /* libxml2 has its version only as a variable: "20914" is 2.9.14. */
  xml_version = lazy_symbol(&lethe_lazy_xml2, "xmlParserVersion", err, sizeof(err));
  if(xml_version && *xml_version)
    printf("libxml2 %s (%s)\n", *xml_version, lethe_lazy_xml2.soname);
  else {
    printf("libxml2: %s\n", err);
    ok = false;
  }
  return ok ? EXIT_DONE : EXIT_USAGE;
}
